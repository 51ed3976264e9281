namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Metrics =
    [<CompiledName("Empty")>]
    let empty =
        {
            Meters = []
            Views = []
            ExemplarFilter = None
            CardinalityLimit = View.defaultCardinalityLimit
            Readers = []
        }

    [<CompiledName("AddMeter")>]
    let addMeter name (config: MetricsConfig) =
        { config with
            Meters =
                config.Meters
                @ [ Validation.orThrow (nameof name) (SourceFilter.validate "Meter" name) ]
        }

    [<CompiledName("AddView")>]
    let addView view (config: MetricsConfig) =
        { config with
            Views = config.Views @ [ Validation.orThrow (nameof view) (View.validate view) ]
        }

    // A meter listened to once, however many instrumentations name it.
    let private addMeterOnce name (config: MetricsConfig) =
        if config.Meters |> List.contains name then
            config
        else
            addMeter name config

    [<CompiledName("AddHttpClientInstrumentation")>]
    let addHttpClientInstrumentation config =
        config
        |> addMeterOnce "System.Net.Http"
        |> addMeterOnce "System.Net.NameResolution"

    [<CompiledName("AddRuntimeInstrumentation")>]
    let addRuntimeInstrumentation config = addMeterOnce "System.Runtime" config

    [<CompiledName("WithExemplarFilter")>]
    let withExemplarFilter filter (config: MetricsConfig) = { config with ExemplarFilter = Some filter }

    [<CompiledName("WithCardinalityLimit")>]
    let withCardinalityLimit limit (config: MetricsConfig) =
        let check = Validation.check (limit >= 1) "CardinalityLimit" $"must be at least 1, got {limit}."

        { config with
            CardinalityLimit = Validation.orThrow (nameof limit) (Validation.ofErrors limit check)
        }

    [<CompiledName("AddExporter")>]
    let addExporter preference exporter (config: MetricsConfig) =
        { config with
            Readers = config.Readers @ [ MetricReaderConfig.Periodic(exporter, preference, None) ]
        }

    [<CompiledName("AddExporterWith")>]
    let addExporterWith (options: PeriodicReaderOptions) preference exporter (config: MetricsConfig) =
        let options = Validation.orThrow (nameof options) (PeriodicReaderOptions.validate options)

        { config with
            Readers =
                config.Readers
                @ [ MetricReaderConfig.Periodic(exporter, preference, Some options) ]
        }

    [<CompiledName("AddReader")>]
    let addReader reader (config: MetricsConfig) =
        { config with
            Readers = config.Readers @ [ MetricReaderConfig.Pull reader ]
        }

    let private prometheusEndpointReader configure =
        let build env =
            let fromEnvironment, warnings = PrometheusEndpointOptions.fromEnvironment env
            Validation.orThrow "options" (PrometheusEndpointOptions.validate (configure fromEnvironment)), warnings

        MetricReaderConfig.PrometheusEndpoint build

    [<CompiledName("AddPrometheusEndpoint")>]
    let addPrometheusEndpoint configure (config: MetricsConfig) =
        { config with
            Readers = config.Readers @ [ prometheusEndpointReader configure ]
        }

    [<CompiledName("AddPrometheusReader")>]
    let addPrometheusReader handler (config: MetricsConfig) =
        { config with
            Readers = config.Readers @ [ MetricReaderConfig.PrometheusScrape handler ]
        }

    let private withReader reader (config: MetricsConfig) = { config with Readers = config.Readers @ [ reader ] }

    // The console reader: built at start so that `OTEL_METRICS_EXPORTER` can leave it out (it is `console`).
    let private consoleReader =
        let build (_: EnvLookup) =
            ConsoleMetricExporter() :> IExporter<MetricData>, TemporalityPreference.Cumulative, None, []

        MetricReaderConfig.PeriodicFromEnvironment(build, None, Some ExporterKind.Console)

    [<CompiledName("AddConsoleExporter")>]
    let addConsoleExporter config = withReader consoleReader config

    let private otlpReader configure =
        let build env =
            let options, warnings = OtlpSources.options OtlpSignal.Metrics configure env

            let histograms =
                if options.ExponentialHistograms then
                    Some(
                        Aggregation.Base2ExponentialHistogram(
                            ExponentialHistogramState.defaultMaxSize,
                            ExponentialHistogramState.defaultMaxScale,
                            true
                        )
                    )
                else
                    None

            OtlpExporter.metrics options :> IExporter<MetricData>, options.TemporalityPreference, histograms, warnings

        MetricReaderConfig.PeriodicFromEnvironment(build, None, Some ExporterKind.Otlp)

    [<CompiledName("AddOtlpExporter")>]
    let addOtlpExporter configure (config: MetricsConfig) = withReader (otlpReader configure) config

    let private exponentialIf enabled =
        if enabled then
            Some(
                Aggregation.Base2ExponentialHistogram(
                    ExponentialHistogramState.defaultMaxSize,
                    ExponentialHistogramState.defaultMaxScale,
                    true
                )
            )
        else
            None

    let private otlpFileReader configure =
        let build env =
            let fromEnvironment, warnings = OtlpFileOptions.fromEnvironment env
            let options = Validation.orThrow "options" (OtlpFileOptions.validate (configure fromEnvironment))

            OtlpFileExporter.metrics options :> IExporter<MetricData>,
            options.TemporalityPreference,
            exponentialIf options.ExponentialHistograms,
            warnings

        MetricReaderConfig.PeriodicFromEnvironment(build, None, Some ExporterKind.OtlpFile)

    [<CompiledName("AddOtlpFileExporter")>]
    let addOtlpFileExporter configure (config: MetricsConfig) =
        Validation.orThrow "options" (OtlpFileOptions.validate (configure OtlpFileOptions.defaults))
        |> ignore

        withReader (otlpFileReader configure) config

    [<CompiledName("AddOtlpPreset")>]
    let addOtlpPreset (preset: OtlpPreset) config =
        let preset = Validation.orThrow (nameof preset) (OtlpPreset.checkSignal OtlpSignal.Metrics preset)
        addOtlpExporter (OtlpPreset.options OtlpSignal.Metrics preset) config

    let internal kindOf reader =
        match reader with
        | MetricReaderConfig.PeriodicFromEnvironment(_, _, kind) -> kind
        | MetricReaderConfig.PrometheusEndpoint _ -> Some ExporterKind.Prometheus
        | MetricReaderConfig.Periodic _
        | MetricReaderConfig.Pull _
        | MetricReaderConfig.PrometheusScrape _ -> None

    let internal readerOfKind kind =
        match kind with
        | ExporterKind.Otlp -> Some(otlpReader id)
        | ExporterKind.Console -> Some consoleReader
        | ExporterKind.Prometheus -> Some(prometheusEndpointReader id)
        | ExporterKind.OtlpFile -> Some(otlpFileReader id)
        // Zipkin exports spans only (the selection never names it for metrics).
        | ExporterKind.Zipkin -> None
