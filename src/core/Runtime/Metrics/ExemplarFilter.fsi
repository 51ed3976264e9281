namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Which measurements may become exemplars (spec: ExemplarFilter; `OTEL_METRICS_EXEMPLAR_FILTER`).
[<RequireQualifiedAccess>]
type ExemplarFilter =
    /// Every measurement may.
    | AlwaysOn
    /// None may: no exemplars at all.
    | AlwaysOff
    /// Only measurements recorded inside a sampled span (the default).
    | TraceBased

/// Exemplar filters from the environment.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module ExemplarFilter =
    /// `OTEL_METRICS_EXEMPLAR_FILTER`: always_on, always_off or trace_based (default).
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> ExemplarFilter * ConfigWarning list
