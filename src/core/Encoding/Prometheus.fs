namespace Functional.Telemetry
#nowarn "1182"

// PLACEHOLDER on branch prom-api only: the renderer helper replaces this file. Never merged as is.
open System.Buffers

[<RequireQualifiedAccess>]
type PrometheusFormat =
    | Text
    | OpenMetrics

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

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PrometheusFormat =
    [<CompiledName("Negotiate")>]
    let negotiate (accept: string) =
        if not (isNull accept) && accept.Contains "application/openmetrics-text" then
            PrometheusFormat.OpenMetrics
        else
            PrometheusFormat.Text

    [<CompiledName("ContentType")>]
    let contentType format =
        match format with
        | PrometheusFormat.Text -> "text/plain; version=0.0.4; charset=utf-8"
        | PrometheusFormat.OpenMetrics -> "application/openmetrics-text; version=1.0.0; charset=utf-8"

[<RequireQualifiedAccess>]
module PrometheusNames =
    [<CompiledName("SanitizeMetricName")>]
    let sanitizeMetricName (name: string) : string = raise (System.NotImplementedException())

    [<CompiledName("SanitizeLabelName")>]
    let sanitizeLabelName (name: string) : string = raise (System.NotImplementedException())

    [<CompiledName("UnitSuffix")>]
    let unitSuffix (unit: string) : string = raise (System.NotImplementedException())

    [<CompiledName("FamilyName")>]
    let familyName (options: PrometheusOptions) (metric: MetricData) : string = raise (System.NotImplementedException())

[<Sealed>]
type PrometheusRenderer(options: PrometheusOptions) =
    member _.Options = options

    member _.Render(format: PrometheusFormat, resource: Resource, metrics: MetricData list, output: IBufferWriter<byte>) : int =
        raise (System.NotImplementedException())

    member this.RenderToString(format: PrometheusFormat, resource: Resource, metrics: MetricData list) : string =
        raise (System.NotImplementedException())
