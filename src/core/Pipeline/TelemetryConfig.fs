namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess>]
type ExporterSource<'T> =
    | Instance of exporter: IExporter<'T>
    | FromEnvironment of build: (EnvLookup -> IExporter<'T> * ConfigWarning list)

type ExporterConfig<'T> =
    {
        Exporter: ExporterSource<'T>
        Mode: ExportMode option
        Kind: ExporterKind option
    }

type SpanExporterConfig = ExporterConfig<Span>

type TracingConfig =
    {
        Sources: string list
        Sampler: Sampler option
        Limits: SpanLimits option
        Processors: Processor<Span> list
        Exporters: SpanExporterConfig list
        Instrumentations: TracingInstrumentation list
        IdGenerator: IdGenerator
    }

type LogExporterConfig = ExporterConfig<LogRecord>

type LoggingConfig =
    {
        Limits: LogRecordLimits option
        IncludeScopes: bool
        TemplateAsBody: bool
        Processors: Processor<LogRecord> list
        Exporters: LogExporterConfig list
    }

[<RequireQualifiedAccess>]
type MetricReaderConfig =
    | Periodic of
        exporter: IExporter<MetricData> *
        preference: TemporalityPreference *
        options: PeriodicReaderOptions option
    | PeriodicFromEnvironment of
        build: (EnvLookup -> IExporter<MetricData> * TemporalityPreference * Aggregation option * ConfigWarning list) *
        options: PeriodicReaderOptions option *
        kind: ExporterKind option
    | Pull of reader: MetricPullReader
    | PrometheusScrape of handler: PrometheusScrapeHandler
    | PrometheusEndpoint of build: (EnvLookup -> PrometheusEndpointOptions * ConfigWarning list)

type MetricsConfig =
    {
        Meters: string list
        Views: View list
        ExemplarFilter: ExemplarFilter option
        CardinalityLimit: int
        Readers: MetricReaderConfig list
    }

type TelemetryConfig =
    {
        ServiceName: string option
        Resource: Resource
        DetectResource: bool
        Environment: EnvLookup
        Propagator: TextMapPropagator option
        InstallPropagator: bool
        Retry: RetryPolicy
        ExportStore: ExportStore option
        Diagnostics: (DiagnosticLevel -> string -> unit) option
        Tracing: TracingConfig option
        Metrics: MetricsConfig option
        Logging: LoggingConfig option
    }
