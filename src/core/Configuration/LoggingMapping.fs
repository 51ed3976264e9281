namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// `logger_provider`: limits, processors, and its configurator as a filter of records.
[<RequireQualifiedAccess>]
module internal LoggingMapping =
    /// Severity numbers of the SeverityNumber names: trace 1, trace2 2, ... fatal4 24.
    let severityNumber (name: string) =
        let levels = [ "trace"; "debug"; "info"; "warn"; "error"; "fatal" ]
        let level = name.TrimEnd('2', '3', '4')

        match List.tryFindIndex ((=) level) levels with
        | Some index ->
            let step =
                if name.Length > level.Length then
                    int name[name.Length - 1] - int '0'
                else
                    1

            Some(index * 4 + step)
        | None -> None

    type private LoggerConfig = { Enabled: bool; MinimumSeverity: int; TraceBased: bool }

    let private loggerConfig (node: ConfigNode option) =
        {
            Enabled = node |> Option.bind (Read.tryBool "enabled") |> Option.defaultValue true
            MinimumSeverity =
                node
                |> Option.bind (Read.tryString "minimum_severity")
                |> Option.bind severityNumber
                |> Option.defaultValue 0
            TraceBased = node |> Option.bind (Read.tryBool "trace_based") |> Option.defaultValue false
        }

    /// `logger_configurator/development` as a filter: the first logger entry matching the record's category (else
    /// default_config) decides; a record is kept when its logger is enabled, its severity is unspecified or at least
    /// the minimum, and, under trace_based, it is outside a trace or in a sampled one.
    let loggerFilter (node: ConfigNode) : Processor<LogRecord> =
        let fallback = loggerConfig (Read.tryGet "default_config" node)

        let loggers =
            Read.items "loggers" node
            |> List.choose (fun entry ->
                Read.tryString "name" entry
                |> Option.map (fun name -> ConfigPattern.matcher name, loggerConfig (Read.tryGet "config" entry)))

        fun (record: LogRecord) ->
            let config =
                loggers
                |> List.tryFind (fun (matches, _) -> matches record.Scope.Name)
                |> Option.map snd
                |> Option.defaultValue fallback

            let keep =
                config.Enabled
                && (record.SeverityNumber = 0 || record.SeverityNumber >= config.MinimumSeverity)
                && (not config.TraceBased
                    || record.TraceId = TraceId.Empty
                    || record.TraceFlags.IsSampled)

            if keep then Some record else None

    let logging (root: ConfigNode) : Mapped<FileLogging option> =
        match Read.tryGet "logger_provider" root with
        | None -> Mapped.ok None
        | Some node ->
            mapped {
                let general = Read.tryGet "attribute_limits" root
                let specific = Read.tryGet "limits" node

                let limits =
                    match specific, general with
                    | None, None -> None
                    | _ ->
                        Some
                            {
                                AttributeCountLimit =
                                    limit "attribute_count_limit" specific general |> Option.defaultValue 128
                                AttributeValueLengthLimit = limit "attribute_value_length_limit" specific general
                            }

                let! processors = ExporterMapping.processors false 1000L "logger_provider" node

                return
                    Some
                        {
                            Limits = limits
                            Filter = Read.tryGet "logger_configurator/development" node |> Option.map loggerFilter
                            Processors = processors
                        }
            }
