namespace Functional.Telemetry.FSharp

open System
open System.Globalization

/// The exposition format of one scrape.
[<RequireQualifiedAccess>]
type internal PrometheusFormat =
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4; charset=utf-8`): the default.
    | Text
    /// OpenMetrics 1.0.0 (`application/openmetrics-text; version=1.0.0; charset=utf-8`): ends with `# EOF`,
    /// carries exemplars.
    | OpenMetrics

/// Content negotiation.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module internal PrometheusFormat =
    // One media range of an Accept header: OpenMetrics unless its q parameter is 0 (RFC 9110: not acceptable).
    let private acceptsOpenMetrics (range: string) =
        let parts = range.Split ';'

        let acceptable (parameter: string) =
            match parameter.IndexOf '=' with
            | -1 -> true
            | i when parameter.Substring(0, i).Trim().Equals("q", StringComparison.OrdinalIgnoreCase) ->
                match
                    Double.TryParse(parameter.Substring(i + 1).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture)
                with
                | true, q -> q > 0.0
                | _ -> true
            | _ -> true

        parts[0].Trim().Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase)
        && Array.forall acceptable parts[1..]

    /// The format a scrape's `Accept` header asks for: OpenMetrics when it names
    /// `application/openmetrics-text`, otherwise (or when null/empty) the text format 0.0.4.
    [<CompiledName("Negotiate")>]
    let negotiate (accept: string) =
        if
            not (String.IsNullOrEmpty accept)
            && accept.Split ',' |> Array.exists acceptsOpenMetrics
        then
            PrometheusFormat.OpenMetrics
        else
            PrometheusFormat.Text

    /// The response `Content-Type` of a format.
    [<CompiledName("ContentType")>]
    let contentType format =
        match format with
        | PrometheusFormat.Text -> "text/plain; version=0.0.4; charset=utf-8"
        | PrometheusFormat.OpenMetrics -> "application/openmetrics-text; version=1.0.0; charset=utf-8"
