namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

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

    /// Makes the trace ids of new traces with this generator: `IdGenerator.AwsXRay` for AWS X-Ray (process-wide:
    /// .NET's `Activity.TraceIdGenerator` is set while the SDK runs, and put back at its shutdown). Default
    /// `IdGenerator.Random`.
    [<CompiledName("WithIdGenerator")>]
    val withIdGenerator: generator: IdGenerator -> config: TracingConfig -> TracingConfig

    /// Uses these span limits. Invalid limits (see `SpanLimits.validate`) are an ArgumentException naming the bad setting.
    [<CompiledName("WithLimits")>]
    val withLimits: limits: SpanLimits -> config: TracingConfig -> TracingConfig

    /// Appends a processor (filter, enrich, redact).
    [<CompiledName("AddProcessor")>]
    val addProcessor: processor: Processor<Span> -> config: TracingConfig -> TracingConfig

    /// Adds an instrumentation, started with the SDK and stopped at its shutdown; one of the same name added before
    /// is replaced (a blank name is an ArgumentException). The ASP.NET Core package makes one
    /// (`AspNetCoreInstrumentation.AddTracing`).
    [<CompiledName("AddInstrumentation")>]
    val addInstrumentation: instrumentation: TracingInstrumentation -> config: TracingConfig -> TracingConfig

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

    /// Adds a batched OTLP file exporter (the specification's OTLP File Exporter): each batch of spans becomes one
    /// line of OTLP/JSON, written to standard output or to a file rotated by size, as `configure` sets over
    /// `OtlpFileOptions.defaults` (see docs/otlp-file.md). `OTEL_TRACES_EXPORTER=otlp/stdout` names it. Options given in code
    /// are checked here (ArgumentException naming the bad setting).
    [<CompiledName("AddOtlpFileExporter")>]
    val addOtlpFileExporter: configure: (OtlpFileOptions -> OtlpFileOptions) -> config: TracingConfig -> TracingConfig

    /// Adds a batched OTLP exporter configured by a vendor preset (`OtlpPreset.jaeger`, `datadogAgent`, `datadog`,
    /// `dynatrace`, `googleCloud`): `OTEL_EXPORTER_OTLP_*` (traces) read at start, then the preset's endpoint,
    /// protocol, headers on top (see docs/vendors.md). ArgumentException (naming `preset`) when the vendor
    /// does not receive traces.
    [<CompiledName("AddOtlpPreset")>]
    val addOtlpPreset: preset: OtlpPreset -> config: TracingConfig -> TracingConfig

    /// Adds a batched Zipkin exporter (Zipkin's JSON v2 over HTTP, see docs/zipkin.md): `OTEL_EXPORTER_ZIPKIN_*` read
    /// at start, then `configure` applied on top; options set in code are checked at start (a bad endpoint is an
    /// ArgumentException). `OTEL_TRACES_EXPORTER=zipkin` adds one without code.
    [<CompiledName("AddZipkinExporter")>]
    val addZipkinExporter: configure: (ZipkinOptions -> ZipkinOptions) -> config: TracingConfig -> TracingConfig

    /// Writes each span as an ETW event named `Span` to the EventSource `providerName` (simple mode: as spans
    /// end, on the runner's thread). The name is checked here: letters, digits, `_` and `-` (ArgumentException).
    [<CompiledName("AddEtwExporter")>]
    val addEtwExporter: providerName: string -> config: TracingConfig -> TracingConfig

    /// Writes each span as an ETW event with these options (`EtwOptions.create name` and changes); checked here.
    [<CompiledName("AddEtwExporterWith")>]
    val addEtwExporterWith: options: EtwOptions -> config: TracingConfig -> TracingConfig

    /// Records HttpClient's spans (.NET's `System.Net.Http` ActivitySource, which follows the HTTP client semantic
    /// conventions: name `{method}`, `http.request.method`, `server.address`, `server.port`, `url.full` with the query
    /// redacted, `network.protocol.version`, `http.response.status_code`, `error.type`, status Error from 400 on and
    /// when the request throws, with an `exception` event), with `configure` applied to
    /// `HttpClientInstrumentationOptions.defaults`: a filter, enrichers, whether to keep the exception event. With
    /// .NET's URL redaction switched off (`System.Net.Http.DisableUriRedaction`), `url.full` is redacted here
    /// (credentials and query values become `REDACTED`). Added again, the last options win.
    [<CompiledName("AddHttpClientInstrumentation")>]
    val addHttpClientInstrumentation:
        configure: (HttpClientInstrumentationOptions -> HttpClientInstrumentationOptions) ->
        config: TracingConfig ->
            TracingConfig

    /// Records Grpc.Net.Client's spans (one client span per call; the `Grpc.Net.Client` ActivitySource) named and
    /// tagged per the RPC semantic conventions: name `{service}/{method}`, `rpc.system` = `grpc`, `rpc.service`,
    /// `rpc.method`, `rpc.grpc.status_code`, `server.address`, `server.port`, status Error for every status but OK.
    /// `configure` is applied to `GrpcClientInstrumentationOptions.defaults`. The HTTP/2 request under each call is
    /// HttpClient's span: `addHttpClientInstrumentation` records it. Added again, the last options win.
    [<CompiledName("AddGrpcClientInstrumentation")>]
    val addGrpcClientInstrumentation:
        configure: (GrpcClientInstrumentationOptions -> GrpcClientInstrumentationOptions) ->
        config: TracingConfig ->
            TracingConfig

    /// The exporter `OTEL_TRACES_EXPORTER` adds for a kind code did not add (with the environment's settings).
    val internal exporterOfKind: kind: ExporterKind -> SpanExporterConfig option
