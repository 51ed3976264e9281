namespace Functional.Telemetry.FSharp

type PrometheusOptions =
    {
        UnitSuffixes: bool
        TotalSuffix: bool
        TargetInfo: bool
        ScopeLabels: bool
        Namespace: string
    }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PrometheusOptions =
    [<CompiledName("Default")>]
    let defaults =
        {
            UnitSuffixes = true
            TotalSuffix = true
            TargetInfo = true
            ScopeLabels = true
            Namespace = ""
        }
