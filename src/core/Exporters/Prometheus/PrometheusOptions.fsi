namespace Functional.Telemetry.FSharp

/// How metrics are named and labelled in the exposition (OpenTelemetry's Prometheus compatibility rules).
type PrometheusOptions =
    {
        /// Append the unit converted from UCUM (`s` -> `_seconds`, `By` -> `_bytes`, ...). Default true.
        UnitSuffixes: bool
        /// Append `_total` to monotonic sums. Default true.
        TotalSuffix: bool
        /// Expose the resource as the `target_info` gauge. Default true.
        TargetInfo: bool
        /// Add `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url` and `otel_scope_<attr>` labels
        /// to every series. Default true.
        ScopeLabels: bool
        /// A prefix for every metric name (sanitised, joined with `_`); empty for none. Default empty.
        Namespace: string
    }

/// Prometheus exposition settings.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PrometheusOptions =
    /// Unit suffixes, `_total`, target_info and scope labels on; no namespace.
    [<CompiledName("Default")>]
    val defaults: PrometheusOptions
