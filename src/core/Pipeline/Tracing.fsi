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
    val addInstrumentation: instrumentation: Instrumentation -> config: TracingConfig -> TracingConfig

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

    /// The exporter `OTEL_TRACES_EXPORTER` adds for a kind code did not add (with the environment's settings).
    val internal exporterOfKind: kind: ExporterKind -> SpanExporterConfig option
