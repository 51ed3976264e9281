namespace Functional.Telemetry.FSharp

open System

[<RequireQualifiedAccess>]
type ExporterKind =
    | Otlp
    | Console
    | Prometheus
    | Zipkin
    | OtlpFile

[<RequireQualifiedAccess>]
type internal ExporterSelection =
    | FromCode
    | Kinds of ExporterKind list

[<RequireQualifiedAccess>]
module internal ExporterSelection =
    let tracesVariable = "OTEL_TRACES_EXPORTER"
    let metricsVariable = "OTEL_METRICS_EXPORTER"
    let logsVariable = "OTEL_LOGS_EXPORTER"

    let name kind =
        match kind with
        | ExporterKind.Otlp -> "otlp"
        | ExporterKind.Console -> "console"
        | ExporterKind.Prometheus -> "prometheus"
        | ExporterKind.Zipkin -> "zipkin"
        | ExporterKind.OtlpFile -> "otlp/stdout"

    let private all =
        [
            ExporterKind.Otlp
            ExporterKind.Console
            ExporterKind.Prometheus
            ExporterKind.Zipkin
            ExporterKind.OtlpFile
        ]

    // One entry of the list, as the specification names it or not at all.
    type private Entry =
        | Known of ExporterKind
        | NoExporter
        | Unknown of string

    let private parse (text: string) =
        if String.Equals(text, "none", StringComparison.OrdinalIgnoreCase) then
            NoExporter
        else
            match
                all
                |> List.tryFind (fun kind -> String.Equals(name kind, text, StringComparison.OrdinalIgnoreCase))
            with
            | Some kind -> Known kind
            | None -> Unknown text

    let read (variable: string) (allowed: ExporterKind list) (lookup: EnvLookup) =
        match lookup variable with
        | None -> ExporterSelection.FromCode, []
        | Some value ->
            let warn message = { Source = variable; Message = message }

            let entries =
                value.Split ','
                |> Array.map (fun part -> part.Trim())
                |> Array.filter (fun part -> part <> "")
                |> Array.map parse
                |> List.ofArray

            let expected = (allowed |> List.map name) @ [ "none" ] |> String.concat ", "

            let unknownWarnings =
                entries
                |> List.choose (fun entry ->
                    match entry with
                    | Unknown text ->
                        Some(warn $"unknown exporter '{text}' ignored; expected a comma-separated list of {expected}")
                    | Known kind when not (List.contains kind allowed) ->
                        Some(warn $"the exporter '{name kind}' does not export this signal; ignored")
                    | _ -> None)

            let kinds =
                entries
                |> List.choose (fun entry ->
                    match entry with
                    | Known kind when List.contains kind allowed -> Some kind
                    | _ -> None)
                |> List.distinct

            let saysNone = entries |> List.contains NoExporter

            match kinds, saysNone with
            | [], true -> ExporterSelection.Kinds [], unknownWarnings
            | [], false ->
                ExporterSelection.FromCode,
                unknownWarnings
                @ [
                    warn "no known exporter named; the exporters added in code (else otlp) are used"
                ]
            | kinds, true ->
                ExporterSelection.Kinds kinds, unknownWarnings @ [ warn "'none' beside other exporters is ignored" ]
            | kinds, false -> ExporterSelection.Kinds kinds, unknownWarnings

    let apply
        (selection: ExporterSelection)
        (kindOf: 'T -> ExporterKind option)
        (make: ExporterKind -> 'T option)
        (exporters: 'T list)
        =
        match selection with
        | ExporterSelection.FromCode ->
            if List.isEmpty exporters then
                make ExporterKind.Otlp |> Option.toList
            else
                exporters
        | ExporterSelection.Kinds kinds ->
            let kept =
                exporters
                |> List.filter (fun exporter ->
                    match kindOf exporter with
                    | None -> true
                    | Some kind -> List.contains kind kinds)

            let inCode = exporters |> List.choose kindOf

            let added =
                kinds
                |> List.filter (fun kind -> not (List.contains kind inCode))
                |> List.choose make

            kept @ added
