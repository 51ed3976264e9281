namespace Functional.Telemetry.FSharp

open Functional.Telemetry

namespace Functional.Telemetry

open Functional.Telemetry.FSharp

/// What a sampler decided for a new span.
[<RequireQualifiedAccess>]
type SamplingDecision =
    /// Not recorded and not sampled: the span is a no-op and nothing is exported.
    | Drop
    /// Recorded but not sampled: instrumentation sees `IsAllDataRequested` and fills in the span, the sampled flag
    /// is clear, and the span is neither processed nor exported.
    | RecordOnly
    /// Recorded and sampled.
    | RecordAndSample

/// Everything a sampler may look at (spec: ShouldSample parameters). A struct: asking a sampler allocates nothing.
[<Struct>]
type SamplingParameters =
    {
        /// The parent span's context; `SpanContext.Invalid` (IsValid false) for a root span.
        Parent: SpanContext
        /// The trace id of the new span (the parent's, or a new one).
        TraceId: TraceId
        /// The span name.
        Name: string
        /// The span kind.
        Kind: SpanKind
        /// Attributes known at creation.
        Attributes: System.Collections.Generic.IReadOnlyList<KeyValue>
        /// Links known at creation.
        Links: System.Collections.Generic.IReadOnlyList<SpanLink>
    }

/// A sampler's answer.
type SamplingResult =
    {
        /// The decision.
        Decision: SamplingDecision
        /// Attributes the sampler adds to the span.
        Attributes: System.Collections.Generic.IReadOnlyList<KeyValue>
        /// The trace state of the new span (normally the parent's).
        TraceState: TraceState
    }

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// A sampler is a pure function, so it composes and tests like one.
type Sampler = SamplingParameters -> SamplingResult

/// The samplers of the OpenTelemetry specification.
// Compiled as SamplerModule, leaving the name Sampler to the C# facade's class.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Sampler =
    /// Samples every span.
    [<CompiledName("AlwaysOn")>]
    val alwaysOn: Sampler

    /// Samples no span.
    [<CompiledName("AlwaysOff")>]
    val alwaysOff: Sampler

    /// Samples a fraction of traces, the same decision for the same trace id everywhere:
    /// sampled when the trace id's 56 least significant bits R satisfy R >= (1 - ratio) * 2^56.
    /// Throws ArgumentOutOfRangeException unless 0 <= ratio <= 1.
    [<CompiledName("TraceIdRatio")>]
    val traceIdRatio: ratio: float -> Sampler

    /// The delegates of a parent-based sampler.
    type ParentBasedOptions =
        {
            /// For root spans.
            Root: Sampler
            /// Remote parent, sampled. Default AlwaysOn.
            RemoteParentSampled: Sampler
            /// Remote parent, not sampled. Default AlwaysOff.
            RemoteParentNotSampled: Sampler
            /// Local parent, sampled. Default AlwaysOn.
            LocalParentSampled: Sampler
            /// Local parent, not sampled. Default AlwaysOff.
            LocalParentNotSampled: Sampler
        }

    /// The default delegates around a root sampler.
    [<CompiledName("ParentBasedOptionsWithRoot")>]
    val parentBasedOptions: root: Sampler -> ParentBasedOptions

    /// Follows the parent's sampled flag; uses `root` for root spans.
    [<CompiledName("ParentBased")>]
    val parentBased: root: Sampler -> Sampler

    /// A parent-based sampler with all four parent delegates chosen.
    [<CompiledName("ParentBasedWith")>]
    val parentBasedWith: options: ParentBasedOptions -> Sampler

    /// The SDK default: ParentBased(AlwaysOn).
    [<CompiledName("Default")>]
    val defaultSampler: Sampler

    /// `OTEL_TRACES_SAMPLER` (always_on, always_off, traceidratio, parentbased_always_on,
    /// parentbased_always_off, parentbased_traceidratio) with `OTEL_TRACES_SAMPLER_ARG` (ratio, default 1.0).
    /// Unknown or invalid values give the default with a warning.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> Sampler * ConfigWarning list
