namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// A configuration file's model applied over a configuration made in code (`Telemetry.withConfigFile`): what the
/// file sets wins; what code adds that a file has no place for (sources, meters, processors, exporters and readers
/// written in code) is kept after the file's.
[<RequireQualifiedAccess>]
module internal ConfigFileApply =
    let private union (first: string list) (second: string list) =
        first @ (second |> List.filter (fun name -> not (List.contains name first)))

    // The exporter of a processor, built at start as exporters set up in code from the environment are; None for an
    // exporter the signal has no use for (`zipkin` but for spans: the mapping never gives one).
    let private exporterConfig
        (otlp: OtlpOptions -> IExporter<'T>)
        (console: unit -> IExporter<'T>)
        (otlpFile: OtlpFileOptions -> IExporter<'T>)
        (zipkin: (ZipkinOptions -> IExporter<'T>) option)
        (p: FileProcessor)
        =
        let make: (unit -> IExporter<'T>) option =
            match p.Exporter with
            | FileExporter.Otlp options -> Some(fun () -> otlp options)
            | FileExporter.Console -> Some console
            | FileExporter.OtlpFile options -> Some(fun () -> otlpFile options)
            | FileExporter.Zipkin options -> zipkin |> Option.map (fun make () -> make options)

        make
        |> Option.map (fun make ->
            {
                Exporter = ExporterSource.FromEnvironment(fun (_: EnvLookup) -> make (), [])
                Mode = Some p.Mode
                // The file named it: the selection variables (not read once a file is used) cannot drop it.
                Kind = None
            })

    let private metricReader (reader: FileReader) =
        match reader with
        | FileReader.Periodic(options, e) ->
            let make: (unit -> IExporter<MetricData>) option =
                match e.Exporter with
                | FileExporter.Otlp o -> Some(fun () -> OtlpExporter.metrics o :> IExporter<MetricData>)
                | FileExporter.Console -> Some(fun () -> ConsoleMetricExporter() :> IExporter<MetricData>)
                | FileExporter.OtlpFile o -> Some(fun () -> OtlpFileExporter.metrics o :> IExporter<MetricData>)
                // Spans only: the mapping never gives it to a reader.
                | FileExporter.Zipkin _ -> None

            make
            |> Option.map (fun make ->
                let build (_: EnvLookup) = make (), e.Preference, e.Histograms, []
                MetricReaderConfig.PeriodicFromEnvironment(build, Some options, None))
        | FileReader.Prometheus options -> Some(MetricReaderConfig.PrometheusEndpoint(fun _ -> options, []))

    /// What the file's detectors find, filtered by its `detection/development.attributes`.
    let private detected (detection: FileDetection) =
        let machine =
            if detection.Process || detection.Host then
                ReadOnlyList.toList (ResourceDetectors.processAndHost ()).Attributes
            else
                []

        let fromMachine =
            machine
            |> List.filter (fun a ->
                (detection.Process && a.Key.StartsWith "process.")
                || (detection.Host && (a.Key.StartsWith "host." || a.Key.StartsWith "os.")))

        let service =
            if detection.Service then
                KeyValue.string "service.instance.id" (Guid.NewGuid().ToString())
                :: (detection.ServiceName
                    |> Option.map (KeyValue.string "service.name")
                    |> Option.toList)
            else
                []

        fromMachine @ service
        |> List.filter (fun a -> detection.Keep a.Key)
        |> Resource.create

    /// A file replaces the environment: OTEL_* variables are read only inside its substitutions. A signal the file
    /// and code left with no exporter exports nowhere (the `otlp` default of `OTEL_*_EXPORTER` is the environment's
    /// rule, not a file's).
    /// The key the lookup of a file's configuration answers, so that start (`ExporterChoice`) knows a file was used.
    let appliedKey = "FUNCTIONAL_TELEMETRY_CONFIGURATION_FILE_APPLIED"

    let private fileEnvironment (disabled: bool) =
        Env.ofList (
            (appliedKey, "true")
            :: (if disabled then [ "OTEL_SDK_DISABLED", "true" ] else [])
        )

    let apply (model: ConfigFileModel) (config: TelemetryConfig) : TelemetryConfig =
        let detectedResource = model.Detection |> Option.map detected |> Option.defaultValue Resource.empty

        let merged =
            { config with
                Resource = Resource.merge (Resource.merge detectedResource config.Resource) model.Resource
                DetectResource = false
                // No propagator in the file means none, as the specification says, unless code set one.
                Propagator =
                    model.Propagator
                    |> Option.orElse config.Propagator
                    |> Option.orElse (Some Propagators.none)
                Tracing =
                    match model.Tracing with
                    | None -> config.Tracing
                    | Some file ->
                        let code = config.Tracing |> Option.defaultValue Tracing.empty

                        let exporters =
                            file.Processors
                            |> List.choose (
                                exporterConfig
                                    (fun o -> OtlpExporter.traces o :> IExporter<Span>)
                                    (fun () -> ConsoleSpanExporter() :> IExporter<Span>)
                                    (fun o -> OtlpFileExporter.traces o :> IExporter<Span>)
                                    (Some(fun o -> ZipkinExporter.create o :> IExporter<Span>))
                            )

                        Some
                            { code with
                                Sources = union file.Sources code.Sources
                                Sampler = file.Sampler |> Option.orElse code.Sampler
                                Limits = file.Limits |> Option.orElse code.Limits
                                Exporters = exporters @ code.Exporters
                                IdGenerator = file.IdGenerator |> Option.defaultValue code.IdGenerator
                            }
                Metrics =
                    match model.Metrics with
                    | None -> config.Metrics
                    | Some file ->
                        let code = config.Metrics |> Option.defaultValue Metrics.empty

                        Some
                            { code with
                                Meters = union file.Meters code.Meters
                                Views = file.Views @ code.Views
                                ExemplarFilter = file.ExemplarFilter |> Option.orElse code.ExemplarFilter
                                CardinalityLimit = file.CardinalityLimit |> Option.defaultValue code.CardinalityLimit
                                Readers = (file.Readers |> List.choose metricReader) @ code.Readers
                            }
                Logging =
                    match model.Logging with
                    | None -> config.Logging
                    | Some file ->
                        let code = config.Logging |> Option.defaultValue Logging.empty

                        let exporters =
                            file.Processors
                            |> List.choose (
                                exporterConfig
                                    (fun o -> OtlpExporter.logs o :> IExporter<LogRecord>)
                                    (fun () -> ConsoleLogExporter() :> IExporter<LogRecord>)
                                    (fun o -> OtlpFileExporter.logs o :> IExporter<LogRecord>)
                                    None
                            )

                        Some
                            { code with
                                Limits = file.Limits |> Option.orElse code.Limits
                                Processors = Option.toList file.Filter @ code.Processors
                                Exporters = exporters @ code.Exporters
                            }
            }

        { merged with Environment = fileEnvironment model.Disabled }
