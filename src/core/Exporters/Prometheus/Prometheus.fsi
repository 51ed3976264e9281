namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System.Buffers

/// The exposition format of one scrape.
[<RequireQualifiedAccess>]
type PrometheusFormat =
    /// Prometheus text format 0.0.4 (`text/plain; version=0.0.4; charset=utf-8`): the default.
    | Text
    /// OpenMetrics 1.0.0 (`application/openmetrics-text; version=1.0.0; charset=utf-8`): ends with `# EOF`,
    /// carries exemplars.
    | OpenMetrics

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

/// Content negotiation.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PrometheusFormat =
    /// The format a scrape's `Accept` header asks for: OpenMetrics when it names
    /// `application/openmetrics-text`, otherwise (or when null/empty) the text format 0.0.4.
    [<CompiledName("Negotiate")>]
    val negotiate: accept: string -> PrometheusFormat

    /// The response `Content-Type` of a format.
    [<CompiledName("ContentType")>]
    val contentType: format: PrometheusFormat -> string

/// The naming rules, as pure functions (also used by the renderer).
[<RequireQualifiedAccess>]
module PrometheusNames =
    /// A valid metric name: characters outside `[a-zA-Z0-9_:]` become `_`, runs of `_` collapse, a leading
    /// digit gets a `_` prefix.
    [<CompiledName("SanitizeMetricName")>]
    val sanitizeMetricName: name: string -> string

    /// A valid label name: as metric names but without `:`.
    [<CompiledName("SanitizeLabelName")>]
    val sanitizeLabelName: name: string -> string

    /// The suffix a UCUM unit gives (`s` -> `seconds`, `ms` -> `milliseconds`, `By` -> `bytes`, `1` -> `ratio`,
    /// `{...}` annotations dropped, `a/b` -> `a_per_b`); empty when the unit gives none.
    [<CompiledName("UnitSuffix")>]
    val unitSuffix: unit: string -> string

    /// The family name of a metric under these options (namespace, sanitising, unit suffix, `_total` for
    /// monotonic sums; histogram families without `_bucket`/`_sum`/`_count`).
    [<CompiledName("FamilyName")>]
    val familyName: options: PrometheusOptions -> metric: MetricData -> string

/// Renders collections as Prometheus text or OpenMetrics into a caller's buffer. One instance keeps caches of
/// sanitised names between renders so that rendering an unchanged set of series allocates nothing per series;
/// it is not thread-safe (the scrape endpoint renders under its collection lock).
[<Sealed>]
type PrometheusRenderer =
    /// A renderer with these options.
    new: options: PrometheusOptions -> PrometheusRenderer

    /// The options.
    member Options: PrometheusOptions

    /// Writes the exposition of `metrics` (cumulative sums, gauges and explicit histograms; the resource as
    /// target_info) in `format`. Returns the number of metrics left out because Prometheus cannot show them
    /// (exponential histograms, delta temporality), for the caller's diagnostics.
    member Render:
        format: PrometheusFormat * resource: Resource * metrics: MetricData list * output: IBufferWriter<byte> -> int

    /// The exposition as a string (tests, debugging).
    member RenderToString: format: PrometheusFormat * resource: Resource * metrics: MetricData list -> string
