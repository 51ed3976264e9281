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

    /// Exports everything pending; true when done within the timeout.
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
