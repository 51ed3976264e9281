namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Functional.Telemetry

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
    /// instrument's) are built at start from the environment.
    | PeriodicFromEnvironment of
        build: (EnvLookup -> IExporter<MetricData> * TemporalityPreference * Aggregation option * ConfigWarning list) *
        options: PeriodicReaderOptions option
    /// Collects when the application (or a Prometheus scrape) asks.
    | Pull of reader: MetricPullReader
    /// A cumulative reader collected by Prometheus scrapes through this handler, served by the application
    /// (for example the ASP.NET Core mapping).
    | PrometheusScrape of handler: PrometheusScrapeHandler
    /// The SDK's own scrape endpoint, its options built at start from the environment
    /// (`OTEL_EXPORTER_PROMETHEUS_*`) with the options set in code on top.
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
        /// Tracing, when enabled.
        Tracing: TracingConfig option
        /// Metrics, when enabled.
        Metrics: MetricsConfig option
        /// Logs, when enabled.
        Logging: LoggingConfig option
    }

namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Functional.Telemetry

/// A running SDK. Disposing it shuts it down: pending telemetry is exported first (5 s deadline).
[<Sealed>]
type TelemetrySdk =
    /// The resource every exported batch carries.
    member Resource: Resource

    /// The propagator in use.
    member Propagator: TextMapPropagator

    /// Counters of each span export pipeline, by exporter name.
    member SpanPipelines: (string * RunnerStats) list

    /// Counters of each periodic metrics pipeline, by exporter name.
    member MetricPipelines: (string * RunnerStats) list

    /// Counters of each log export pipeline, by exporter name. Records written after shutdown count as Rejected.
    member LogPipelines: (string * RunnerStats) list

    /// The ILoggerProvider of this SDK (register it with `ILoggingBuilder.AddProvider` or use `CreateLogger`).
    /// Without logging configured its loggers are disabled. Disposing it does nothing: the SDK owns the pipelines.
    member LoggerProvider: ILoggerProvider

    /// A logger of this category writing to the SDK's log pipelines.
    member CreateLogger: category: string -> ILogger

    /// The Prometheus scrape endpoints this SDK serves (`Metrics.addPrometheusEndpoint`), in the order added.
    member PrometheusEndpoints: PrometheusServer list

    /// Every Prometheus scrape handler of this SDK: those added with `Metrics.addPrometheusReader`, then those of
    /// the endpoints.
    member PrometheusScrapeHandlers: PrometheusScrapeHandler list

    /// Measurements dropped (NaN, infinities, negative counter increments) instead of recorded.
    member MetricDrops: MetricDropCounters

    /// Exports everything pending (and collects periodic metric readers now); true when done within the timeout.
    member ForceFlush: timeout: TimeSpan -> Task<bool>

    /// Stops recording, exports what is pending and shuts exporters down; idempotent. True when done in time.
    member Shutdown: timeout: TimeSpan -> Task<bool>

    interface IDisposable
    interface IAsyncDisposable

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Functional.Telemetry

/// The F# pipeline: `Telemetry.create "svc" |> Telemetry.withTracing (Tracing.addSource "App.*" >> Tracing.addConsoleExporter) |> Telemetry.start`.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Telemetry =
    /// A configuration for the named service, with nothing enabled yet.
    [<CompiledName("Create")>]
    val create: serviceName: string -> TelemetryConfig

    /// Adds resource attributes set in code (they win over every other source).
    [<CompiledName("WithResourceAttributes")>]
    val withResourceAttributes: attributes: KeyValue list -> config: TelemetryConfig -> TelemetryConfig

    /// Turns the process/host/OS resource detector on or off.
    [<CompiledName("WithResourceDetection")>]
    val withResourceDetection: enabled: bool -> config: TelemetryConfig -> TelemetryConfig

    /// Reads configuration from this lookup instead of the process environment (tests, embedded config).
    [<CompiledName("WithEnvironment")>]
    val withEnvironment: lookup: EnvLookup -> config: TelemetryConfig -> TelemetryConfig

    /// Uses this propagator instead of `OTEL_PROPAGATORS`.
    [<CompiledName("WithPropagator")>]
    val withPropagator: propagator: TextMapPropagator -> config: TelemetryConfig -> TelemetryConfig

    /// Whether to install the propagator process-wide (default true).
    [<CompiledName("WithPropagatorInstalled")>]
    val withPropagatorInstalled: install: bool -> config: TelemetryConfig -> TelemetryConfig

    /// Uses this retry policy for every exporter (`RetryPolicy.disabled` turns retries off).
    /// An invalid policy (see `RetryPolicy.validate`) is an ArgumentException naming the bad setting.
    [<CompiledName("WithRetry")>]
    val withRetry: policy: RetryPolicy -> config: TelemetryConfig -> TelemetryConfig

    /// Enables metrics, configured by `configure` applied to an empty metrics configuration.
    [<CompiledName("WithMetrics")>]
    val withMetrics: configure: (MetricsConfig -> MetricsConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Enables logs, configured by `configure` applied to an empty logging configuration.
    [<CompiledName("WithLogging")>]
    val withLogging: configure: (LoggingConfig -> LoggingConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Enables tracing, configured by `configure` applied to an empty tracing configuration.
    [<CompiledName("WithTracing")>]
    val withTracing: configure: (TracingConfig -> TracingConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Validates the configuration and starts it: listeners, runners, propagator. Invalid settings in code
    /// throw ArgumentException here (a pull reader already serving a running SDK: InvalidOperationException), after
    /// the parts already started are shut down and the propagator restored; invalid environment values are reported
    /// and replaced by defaults.
    [<CompiledName("Start")>]
    val start: config: TelemetryConfig -> TelemetrySdk

/// Building the tracing part.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Tracing =
    /// An empty tracing configuration: no sources, no exporters.
    [<CompiledName("Empty")>]
    val empty: TracingConfig

    /// Records spans of ActivitySources with this name or pattern (`*` wildcards).
    [<CompiledName("AddSource")>]
    val addSource: name: string -> config: TracingConfig -> TracingConfig

    /// Uses this sampler.
    [<CompiledName("WithSampler")>]
    val withSampler: sampler: Sampler -> config: TracingConfig -> TracingConfig

    /// Uses these span limits. Invalid limits (see `SpanLimits.validate`) are an ArgumentException naming the bad setting.
    [<CompiledName("WithLimits")>]
    val withLimits: limits: SpanLimits -> config: TracingConfig -> TracingConfig

    /// Appends a processor (filter, enrich, redact).
    [<CompiledName("AddProcessor")>]
    val addProcessor: processor: Processor<Span> -> config: TracingConfig -> TracingConfig

    /// Adds an exporter fed in batches (`OTEL_BSP_*`).
    [<CompiledName("AddBatchExporter")>]
    val addBatchExporter: exporter: IExporter<Span> -> config: TracingConfig -> TracingConfig

    /// Adds an exporter fed one span at a time as spans end.
    [<CompiledName("AddSimpleExporter")>]
    val addSimpleExporter: exporter: IExporter<Span> -> config: TracingConfig -> TracingConfig

    /// Adds an exporter with an explicit mode.
    [<CompiledName("AddExporter")>]
    val addExporter: mode: ExportMode -> exporter: IExporter<Span> -> config: TracingConfig -> TracingConfig

    /// Prints each batch of spans to standard output as trace trees.
    [<CompiledName("AddConsoleExporter")>]
    val addConsoleExporter: config: TracingConfig -> TracingConfig

    /// Adds a batched OTLP exporter: `OTEL_EXPORTER_OTLP_*` (traces) read at start, then `configure` applied on
    /// top; options set in code are checked at start (a bad endpoint is an ArgumentException).
    [<CompiledName("AddOtlpExporter")>]
    val addOtlpExporter: configure: (OtlpOptions -> OtlpOptions) -> config: TracingConfig -> TracingConfig

    /// Writes each span as an ETW event named `Span` to the EventSource `providerName` (simple mode: as spans
    /// end, on the runner's thread). The name is checked here: letters, digits, `_` and `-` (ArgumentException).
    [<CompiledName("AddEtwExporter")>]
    val addEtwExporter: providerName: string -> config: TracingConfig -> TracingConfig

    /// Writes each span as an ETW event with these options (`EtwOptions.create name` and changes); checked here.
    [<CompiledName("AddEtwExporterWith")>]
    val addEtwExporterWith: options: EtwOptions -> config: TracingConfig -> TracingConfig

/// Building the metrics part.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Metrics =
    /// An empty metrics configuration: no meters, views or readers.
    [<CompiledName("Empty")>]
    val empty: MetricsConfig

    /// Listens to Meters with this name or pattern (`*` wildcards).
    [<CompiledName("AddMeter")>]
    val addMeter: name: string -> config: MetricsConfig -> MetricsConfig

    /// Adds a view (checked with `View.validate`).
    [<CompiledName("AddView")>]
    val addView: view: View -> config: MetricsConfig -> MetricsConfig

    /// Uses this exemplar filter.
    [<CompiledName("WithExemplarFilter")>]
    val withExemplarFilter: filter: ExemplarFilter -> config: MetricsConfig -> MetricsConfig

    /// Sets the default cardinality limit per stream (at least 1).
    [<CompiledName("WithCardinalityLimit")>]
    val withCardinalityLimit: limit: int -> config: MetricsConfig -> MetricsConfig

    /// Adds a periodic reader exporting to `exporter` with this temporality preference.
    [<CompiledName("AddExporter")>]
    val addExporter:
        preference: TemporalityPreference -> exporter: IExporter<MetricData> -> config: MetricsConfig -> MetricsConfig

    /// Adds a periodic reader with explicit interval and timeout.
    [<CompiledName("AddExporterWith")>]
    val addExporterWith:
        options: PeriodicReaderOptions ->
        preference: TemporalityPreference ->
        exporter: IExporter<MetricData> ->
        config: MetricsConfig ->
            MetricsConfig

    /// Adds a pull reader (collect on demand). A reader serves one SDK at a time: added twice, or attached to a
    /// running SDK, it makes `Telemetry.start` throw.
    [<CompiledName("AddReader")>]
    val addReader: reader: MetricPullReader -> config: MetricsConfig -> MetricsConfig

    /// Serves Prometheus scrapes on the SDK's own HTTP endpoint (default `http://127.0.0.1:9464/metrics`):
    /// `OTEL_EXPORTER_PROMETHEUS_HOST` and `OTEL_EXPORTER_PROMETHEUS_PORT` read at start, then `configure` applied
    /// on top (options set in code are checked at start: a bad one is an ArgumentException). The reader is
    /// cumulative. A port in use is reported on the event source and does not stop the SDK.
    [<CompiledName("AddPrometheusEndpoint")>]
    val addPrometheusEndpoint:
        configure: (PrometheusEndpointOptions -> PrometheusEndpointOptions) -> config: MetricsConfig -> MetricsConfig

    /// Adds a cumulative reader that this handler collects on each scrape, for an HTTP server of the
    /// application's (ASP.NET Core: `MapPrometheusScrapingEndpoint`). A handler belongs to one SDK at a time: added
    /// twice, or used by a running SDK, it makes `Telemetry.start` throw.
    [<CompiledName("AddPrometheusReader")>]
    val addPrometheusReader: handler: PrometheusScrapeHandler -> config: MetricsConfig -> MetricsConfig

    /// Prints every collection to standard output as a table (cumulative).
    [<CompiledName("AddConsoleExporter")>]
    val addConsoleExporter: config: MetricsConfig -> MetricsConfig

    /// Adds a periodic reader exporting over OTLP: `OTEL_EXPORTER_OTLP_*` (metrics, including the temporality
    /// preference) read at start, then `configure` applied on top.
    [<CompiledName("AddOtlpExporter")>]
    val addOtlpExporter: configure: (OtlpOptions -> OtlpOptions) -> config: MetricsConfig -> MetricsConfig

/// Building the logging part.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Logging =
    /// An empty logging configuration: no exporters, no processors, scopes off, the formatted message as body.
    [<CompiledName("Empty")>]
    val empty: LoggingConfig

    /// Uses these log record limits. Invalid limits (see `LogRecordLimits.validate`) are an ArgumentException naming
    /// the bad setting.
    [<CompiledName("WithLimits")>]
    val withLimits: limits: LogRecordLimits -> config: LoggingConfig -> LoggingConfig

    /// Turns scope capture on or off (off by default).
    [<CompiledName("WithScopes")>]
    val withScopes: includeScopes: bool -> config: LoggingConfig -> LoggingConfig

    /// Uses the message template as the body (true) or the formatted message (false, the default).
    [<CompiledName("WithTemplateAsBody")>]
    val withTemplateAsBody: templateAsBody: bool -> config: LoggingConfig -> LoggingConfig

    /// Appends a processor (filter, enrich, redact).
    [<CompiledName("AddProcessor")>]
    val addProcessor: processor: Processor<LogRecord> -> config: LoggingConfig -> LoggingConfig

    /// Adds an exporter fed in batches (`OTEL_BLRP_*`: 1000 ms delay, queue 2048, batch 512, timeout 30000 ms).
    [<CompiledName("AddBatchExporter")>]
    val addBatchExporter: exporter: IExporter<LogRecord> -> config: LoggingConfig -> LoggingConfig

    /// Adds an exporter fed one record at a time, off the application's thread.
    [<CompiledName("AddSimpleExporter")>]
    val addSimpleExporter: exporter: IExporter<LogRecord> -> config: LoggingConfig -> LoggingConfig

    /// Adds an exporter with an explicit mode.
    [<CompiledName("AddExporter")>]
    val addExporter: mode: ExportMode -> exporter: IExporter<LogRecord> -> config: LoggingConfig -> LoggingConfig

    /// Prints each record to standard output as one line (batched).
    [<CompiledName("AddConsoleExporter")>]
    val addConsoleExporter: config: LoggingConfig -> LoggingConfig

    /// Adds a batched OTLP exporter: `OTEL_EXPORTER_OTLP_*` (logs) read at start, then `configure` applied on top.
    [<CompiledName("AddOtlpExporter")>]
    val addOtlpExporter: configure: (OtlpOptions -> OtlpOptions) -> config: LoggingConfig -> LoggingConfig

    /// Writes each record as an ETW event named `Log` to the EventSource `providerName` (simple mode: one
    /// record at a time, on the runner's thread). The name is checked here: letters, digits, `_` and `-`
    /// (ArgumentException).
    [<CompiledName("AddEtwExporter")>]
    val addEtwExporter: providerName: string -> config: LoggingConfig -> LoggingConfig

    /// Writes each record as an ETW event with these options (`EtwOptions.create name` and changes); checked here.
    [<CompiledName("AddEtwExporterWith")>]
    val addEtwExporterWith: options: EtwOptions -> config: LoggingConfig -> LoggingConfig

    /// The batch options of log pipelines: `OTEL_BLRP_*` over the defaults with a 1000 ms schedule delay.
    [<CompiledName("BatchOptionsFromEnvironment")>]
    val batchOptionsFromEnvironment: lookup: EnvLookup -> BatchOptions * ConfigWarning list
