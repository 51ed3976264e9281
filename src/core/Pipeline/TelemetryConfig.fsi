namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// An exporter given in code, or built when the SDK starts from the configuration's environment lookup
/// (OTLP exporters read their `OTEL_EXPORTER_OTLP_*` variables that way, through `Telemetry.withEnvironment`).
[<RequireQualifiedAccess>]
type ExporterSource<'T> =
    /// This exporter.
    | Instance of exporter: IExporter<'T>
    /// Built at start: the exporter and the configuration warnings met while reading the environment.
    | FromEnvironment of build: (EnvLookup -> IExporter<'T> * ConfigWarning list)

/// One exporter of a signal and how items reach it.
type ExporterConfig<'T> =
    {
        /// The exporter, or how to build it at start.
        Exporter: ExporterSource<'T>
        /// Simple or batched; None batches with the signal's variables (`OTEL_BSP_*` for spans, `OTEL_BLRP_*`
        /// for logs, whose schedule delay defaults to 1000 ms) over the defaults.
        Mode: ExportMode option
        /// The kind `OTEL_TRACES_EXPORTER` / `OTEL_LOGS_EXPORTER` name it by (`addOtlpExporter`: Otlp,
        /// `addConsoleExporter`: Console): when the variable is set, it is kept only if the variable names its kind.
        /// None for exporters the variables cannot name (given as objects, ETW): they always apply.
        Kind: ExporterKind option
    }

/// One span exporter and how spans reach it.
type SpanExporterConfig = ExporterConfig<Span>

/// The tracing part of a telemetry configuration.
type TracingConfig =
    {
        /// ActivitySource names to record, exact or with `*` wildcards (`MyCompany.*`).
        Sources: string list
        /// The sampler; None reads `OTEL_TRACES_SAMPLER` (default ParentBased(AlwaysOn)).
        Sampler: Sampler option
        /// Span limits; None reads the `OTEL_SPAN_*` variables (default 128 each).
        Limits: SpanLimits option
        /// Processors run on every ended, sampled span, in order, before export.
        Processors: Processor<Span> list
        /// Where spans go.
        Exporters: SpanExporterConfig list
        /// Instrumentations of libraries that make their own Activities (HttpClient, gRPC): their sources are
        /// recorded and they complete those spans while the SDK runs.
        Instrumentations: TracingInstrumentation list
        /// How trace ids of new traces are made (process-wide while the SDK runs, see `IdGenerator`). Default
        /// `IdGenerator.Random`.
        IdGenerator: IdGenerator
    }

/// One log exporter and how records reach it.
type LogExporterConfig = ExporterConfig<LogRecord>

/// The logging part of a telemetry configuration.
type LoggingConfig =
    {
        /// Log record limits; None reads the `OTEL_LOGRECORD_*` variables (default 128 attributes, no length limit).
        Limits: LogRecordLimits option
        /// Flatten the ILogger scopes around each call into its attributes. Default false.
        IncludeScopes: bool
        /// Use the message template (`{OriginalFormat}`) as the body instead of the formatted message (and do
        /// not repeat it as an attribute). Default false: the body is the formatted message and the template is
        /// kept as the attribute `{OriginalFormat}`.
        TemplateAsBody: bool
        /// Processors run on every record, in order, before export.
        Processors: Processor<LogRecord> list
        /// Where records go.
        Exporters: LogExporterConfig list
    }

/// One metrics reader: how collections leave the SDK.
[<RequireQualifiedAccess>]
type MetricReaderConfig =
    /// Collects every interval (`OTEL_METRIC_EXPORT_INTERVAL`) and exports with this temporality preference.
    | Periodic of
        exporter: IExporter<MetricData> *
        preference: TemporalityPreference *
        options: PeriodicReaderOptions option
    /// A periodic reader whose exporter, temporality preference and default histogram aggregation (None: the
    /// instrument's) are built at start from the environment; `kind` is what `OTEL_METRICS_EXPORTER` names it by
    /// (`addOtlpExporter`: Otlp, `addConsoleExporter`: Console; None: it always applies).
    | PeriodicFromEnvironment of
        build: (EnvLookup -> IExporter<MetricData> * TemporalityPreference * Aggregation option * ConfigWarning list) *
        options: PeriodicReaderOptions option *
        kind: ExporterKind option
    /// Collects when the application (or a Prometheus scrape) asks.
    | Pull of reader: MetricPullReader
    /// A cumulative reader collected by Prometheus scrapes through this handler, served by the application
    /// (for example the ASP.NET Core mapping).
    | PrometheusScrape of handler: PrometheusScrapeHandler
    /// The SDK's own scrape endpoint, its options built at start from the environment
    /// (`OTEL_EXPORTER_PROMETHEUS_*`) with the options set in code on top. `OTEL_METRICS_EXPORTER` names it
    /// `prometheus`; the other readers (`Periodic`, `Pull`, `PrometheusScrape`) it cannot name, and they always apply.
    | PrometheusEndpoint of build: (EnvLookup -> PrometheusEndpointOptions * ConfigWarning list)

/// The metrics part of a telemetry configuration.
type MetricsConfig =
    {
        /// Meter names to listen to, exact or with `*` wildcards.
        Meters: string list
        /// Views, applied in order.
        Views: View list
        /// The exemplar filter; None reads `OTEL_METRICS_EXEMPLAR_FILTER` (default trace_based).
        ExemplarFilter: ExemplarFilter option
        /// Default most attribute sets per stream (views may override). Default 2000.
        CardinalityLimit: int
        /// The readers.
        Readers: MetricReaderConfig list
    }

/// A whole telemetry configuration: built with the `Telemetry` and `Tracing` modules, run by `Telemetry.start`.
type TelemetryConfig =
    {
        /// The service name given in code; `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` override it.
        ServiceName: string option
        /// Resource attributes set in code (highest priority).
        Resource: Resource
        /// Run the process/host/OS detector. Default true.
        DetectResource: bool
        /// Where environment variables are read from. Default the process environment.
        Environment: EnvLookup
        /// The propagator; None reads `OTEL_PROPAGATORS` (default tracecontext,baggage).
        Propagator: TextMapPropagator option
        /// Install the propagator as `DistributedContextPropagator.Current` (HttpClient and ASP.NET Core use it). Default true.
        InstallPropagator: bool
        /// Retry policy of every export pipeline. Default `RetryPolicy.defaults` (on).
        Retry: RetryPolicy
        /// Where the OTLP exporters keep what the backend cannot take until it answers again; None reads
        /// `OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY` (default `ExportStore.defaults`: memory, 64 MiB across signals).
        /// Used only while retries are on.
        ExportStore: ExportStore option
        /// Where the SDK's own diagnostics (export failures, drops, configuration warnings) go, with their level,
        /// once `OTEL_LOG_LEVEL` (default `warn`) admits them and rate-limited; None: standard error.
        Diagnostics: (DiagnosticLevel -> string -> unit) option
        /// Tracing, when enabled.
        Tracing: TracingConfig option
        /// Metrics, when enabled.
        Metrics: MetricsConfig option
        /// Logs, when enabled.
        Logging: LoggingConfig option
    }
