namespace Functional.Telemetry

open System
open System.Threading.Tasks
// Our Attribute, not System.Attribute.
open Functional.Telemetry

/// One span exporter and how spans reach it.
type SpanExporterConfig =
    {
        /// The exporter.
        Exporter: IExporter<Span>
        /// Simple or batched; None batches with `OTEL_BSP_*` over the defaults.
        Mode: ExportMode option
    }

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

/// One metrics reader: how collections leave the SDK.
[<RequireQualifiedAccess>]
type MetricReaderConfig =
    /// Collects every interval (`OTEL_METRIC_EXPORT_INTERVAL`) and exports with this temporality preference.
    | Periodic of exporter: IExporter<MetricData> * preference: TemporalityPreference * options: PeriodicReaderOptions option
    /// Collects when the application (or a Prometheus scrape) asks.
    | Pull of reader: MetricPullReader

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
    }

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

    /// Measurements dropped (NaN, infinities, negative counter increments) instead of recorded.
    member MetricDrops: MetricDropCounters

    /// Exports everything pending (and collects periodic metric readers now); true when done within the timeout.
    member ForceFlush: timeout: TimeSpan -> Task<bool>

    /// Stops recording, exports what is pending and shuts exporters down; idempotent. True when done in time.
    member Shutdown: timeout: TimeSpan -> Task<bool>

    interface IDisposable
    interface IAsyncDisposable

/// The F# pipeline: `Telemetry.create "svc" |> Telemetry.withTracing (Tracing.addSource "App.*" >> Tracing.addConsoleExporter) |> Telemetry.start`.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Telemetry =
    /// A configuration for the named service, with nothing enabled yet.
    [<CompiledName("Create")>]
    val create: serviceName: string -> TelemetryConfig

    /// Adds resource attributes set in code (they win over every other source).
    [<CompiledName("WithResourceAttributes")>]
    val withResourceAttributes: attributes: Attribute list -> config: TelemetryConfig -> TelemetryConfig

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
    [<CompiledName("WithRetry")>]
    val withRetry: policy: RetryPolicy -> config: TelemetryConfig -> TelemetryConfig

    /// Enables metrics, configured by `configure` applied to an empty metrics configuration.
    [<CompiledName("WithMetrics")>]
    val withMetrics: configure: (MetricsConfig -> MetricsConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Enables tracing, configured by `configure` applied to an empty tracing configuration.
    [<CompiledName("WithTracing")>]
    val withTracing: configure: (TracingConfig -> TracingConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Validates the configuration and starts it: listeners, runners, propagator. Invalid settings in code
    /// throw ArgumentException here; invalid environment values are reported and replaced by defaults.
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

    /// Uses these span limits.
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
    val addExporter: preference: TemporalityPreference -> exporter: IExporter<MetricData> -> config: MetricsConfig -> MetricsConfig

    /// Adds a periodic reader with explicit interval and timeout.
    [<CompiledName("AddExporterWith")>]
    val addExporterWith:
        options: PeriodicReaderOptions ->
        preference: TemporalityPreference ->
        exporter: IExporter<MetricData> ->
        config: MetricsConfig ->
            MetricsConfig

    /// Adds a pull reader (collect on demand).
    [<CompiledName("AddReader")>]
    val addReader: reader: MetricPullReader -> config: MetricsConfig -> MetricsConfig

    /// Prints every collection to standard output as a table (cumulative).
    [<CompiledName("AddConsoleExporter")>]
    val addConsoleExporter: config: MetricsConfig -> MetricsConfig
