namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Which exporters a signal starts with: `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER` or `OTEL_LOGS_EXPORTER`
/// applied to the exporters added in code (see `ExporterSelection`), and the line that says so at start.
module internal ExporterChoice =
    let private spanKinds =
        [
            ExporterKind.Otlp
            ExporterKind.Zipkin
            ExporterKind.Console
            ExporterKind.OtlpFile
        ]

    let private logKinds = [ ExporterKind.Otlp; ExporterKind.Console; ExporterKind.OtlpFile ]

    let private kindOf (exporter: ExporterConfig<'T>) = exporter.Kind

    // With a configuration file the variables are not read, and neither is their `otlp` default: the file and code
    // say what exports, decided here at start (code may add exporters after the file was applied).
    let private fromFile (env: EnvLookup) = env ConfigFileApply.appliedKey = Some "true"

    let private applied selection env apply exporters =
        match selection with
        | ExporterSelection.FromCode when fromFile env -> exporters
        | _ -> apply selection exporters

    /// The span exporters to start: the selection, the exporters, the warnings met reading the variable.
    let spans env (exporters: SpanExporterConfig list) =
        let selection, warnings = ExporterSelection.read ExporterSelection.tracesVariable spanKinds env

        selection,
        applied selection env (fun s -> ExporterSelection.apply s kindOf Tracing.exporterOfKind) exporters,
        warnings

    /// The log exporters to start.
    let logs env (exporters: LogExporterConfig list) =
        let selection, warnings = ExporterSelection.read ExporterSelection.logsVariable logKinds env

        selection,
        applied selection env (fun s -> ExporterSelection.apply s kindOf Logging.exporterOfKind) exporters,
        warnings

    /// The metric readers to start (`prometheus` is the SDK's own endpoint, `otlp/stdout` the OTLP file exporter).
    let metrics env (readers: MetricReaderConfig list) =
        let selection, warnings =
            ExporterSelection.read
                ExporterSelection.metricsVariable
                [
                    ExporterKind.Otlp
                    ExporterKind.Console
                    ExporterKind.Prometheus
                    ExporterKind.OtlpFile
                ]
                env

        selection,
        applied selection env (fun s -> ExporterSelection.apply s Metrics.kindOf Metrics.readerOfKind) readers,
        warnings

    /// Says at start (Info) where a signal exports and why: the exporters added in code, the selection variable,
    /// or the specification's default when code added none.
    let report signal variable selection (addedInCode: 'T list) (exporters: string list) =
        let where =
            if List.isEmpty exporters then
                "exporting nowhere"
            else
                "exporting to " + String.concat ", " exporters

        let why =
            match selection with
            | ExporterSelection.FromCode when List.isEmpty addedInCode ->
                $"; no exporter was added in code and {variable} is unset, so its default (otlp) applies"
            | ExporterSelection.FromCode -> ""
            | ExporterSelection.Kinds [] -> $"; {variable}=none"
            | ExporterSelection.Kinds kinds ->
                let names = kinds |> List.map ExporterSelection.name |> String.concat ","
                $"; {variable}={names}"

        SelfDiagnostics.info signal (where + why)
