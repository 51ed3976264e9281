namespace Functional.Telemetry.FSharp

open Functional.Telemetry

[<RequireQualifiedAccess>]
type ExemplarFilter =
    | AlwaysOn
    | AlwaysOff
    | TraceBased

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module ExemplarFilter =
    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        Env.readChoice
            lookup
            "OTEL_METRICS_EXEMPLAR_FILTER"
            [
                "always_on", ExemplarFilter.AlwaysOn
                "always_off", ExemplarFilter.AlwaysOff
                "trace_based", ExemplarFilter.TraceBased
            ]
            ExemplarFilter.TraceBased
