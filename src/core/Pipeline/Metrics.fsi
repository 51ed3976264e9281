namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// Building the metrics part.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Metrics =
    /// An empty metrics configuration: no meters, views or readers.
    [<CompiledName("Empty")>]
    val empty: MetricsConfig

    /// Listens to Meters with this name or pattern (`*` wildcards).
    [<CompiledName("AddMeter")>]
    val addMeter: name: string -> config: MetricsConfig -> MetricsConfig

    /// Adds a view (checked with `View.validate`).
    [<CompiledName("AddView")>]
    val addView: view: View -> config: MetricsConfig -> MetricsConfig

    /// Uses this exemplar filter.
    [<CompiledName("WithExemplarFilter")>]
    val withExemplarFilter: filter: ExemplarFilter -> config: MetricsConfig -> MetricsConfig

    /// Sets the default cardinality limit per stream (at least 1).
    [<CompiledName("WithCardinalityLimit")>]
    val withCardinalityLimit: limit: int -> config: MetricsConfig -> MetricsConfig

    /// Adds a periodic reader exporting to `exporter` with this temporality preference.
    [<CompiledName("AddExporter")>]
    val addExporter:
        preference: TemporalityPreference -> exporter: IExporter<MetricData> -> config: MetricsConfig -> MetricsConfig

    /// Adds a periodic reader with explicit interval and timeout.
    [<CompiledName("AddExporterWith")>]
    val addExporterWith:
        options: PeriodicReaderOptions ->
        preference: TemporalityPreference ->
        exporter: IExporter<MetricData> ->
        config: MetricsConfig ->
            MetricsConfig

    /// Adds a pull reader (collect on demand). A reader serves one SDK at a time: added twice, or attached to a
    /// running SDK, it makes `Telemetry.start` throw.
    [<CompiledName("AddReader")>]
    val addReader: reader: MetricPullReader -> config: MetricsConfig -> MetricsConfig

    /// Serves Prometheus scrapes on the SDK's own HTTP endpoint (default `http://127.0.0.1:9464/metrics`):
    /// `OTEL_EXPORTER_PROMETHEUS_HOST` and `OTEL_EXPORTER_PROMETHEUS_PORT` read at start, then `configure` applied
    /// on top (options set in code are checked at start: a bad one is an ArgumentException). The reader is
    /// cumulative. A port in use is reported on the event source and does not stop the SDK.
    [<CompiledName("AddPrometheusEndpoint")>]
    val addPrometheusEndpoint:
        configure: (PrometheusEndpointOptions -> PrometheusEndpointOptions) -> config: MetricsConfig -> MetricsConfig

    /// Adds a cumulative reader that this handler collects on each scrape, for an HTTP server of the
    /// application's (ASP.NET Core: `MapPrometheusScrapingEndpoint`). A handler belongs to one SDK at a time: added
    /// twice, or used by a running SDK, it makes `Telemetry.start` throw.
    [<CompiledName("AddPrometheusReader")>]
    val addPrometheusReader: handler: PrometheusScrapeHandler -> config: MetricsConfig -> MetricsConfig

    /// Prints every collection to standard output as a table (cumulative).
    [<CompiledName("AddConsoleExporter")>]
    val addConsoleExporter: config: MetricsConfig -> MetricsConfig

    /// Adds a periodic reader exporting over OTLP: `OTEL_EXPORTER_OTLP_*` (metrics, including the temporality
    /// preference) read at start, then `configure` applied on top.
    [<CompiledName("AddOtlpExporter")>]
    val addOtlpExporter: configure: (OtlpOptions -> OtlpOptions) -> config: MetricsConfig -> MetricsConfig

    /// Adds a periodic reader exporting to an OTLP file exporter (the specification's OTLP File Exporter): each
    /// collection becomes one line of OTLP/JSON, written to standard output or to a file rotated by size, as
    /// `configure` sets over `OtlpFileOptions.fromEnvironment` (the temporality and default histogram variables of
    /// OTLP metrics; see docs/otlp-file.md). `OTEL_METRICS_EXPORTER=otlp/stdout` names it. Options given in code are
    /// checked here (ArgumentException naming the bad setting).
    [<CompiledName("AddOtlpFileExporter")>]
    val addOtlpFileExporter: configure: (OtlpFileOptions -> OtlpFileOptions) -> config: MetricsConfig -> MetricsConfig

    /// Adds a batched OTLP exporter configured by a vendor preset (`OtlpPreset.jaeger`, `datadogAgent`, `datadog`,
    /// `dynatrace`, `googleCloud`): `OTEL_EXPORTER_OTLP_*` (metrics) read at start, then the preset's endpoint,
    /// protocol, headers, temporality and histograms on top (see docs/vendors.md). ArgumentException (naming `preset`) when the vendor
    /// does not receive metrics.
    [<CompiledName("AddOtlpPreset")>]
    val addOtlpPreset: preset: OtlpPreset -> config: MetricsConfig -> MetricsConfig

    /// Listens to HttpClient's meters: `System.Net.Http` (`http.client.request.duration` in seconds, with the
    /// semantic conventions' advised buckets 0.005 to 10 s; `http.client.active_requests`,
    /// `http.client.open_connections`, `http.client.connection.duration`, `http.client.request.time_in_queue`) and
    /// `System.Net.NameResolution` (`dns.lookup.duration`).
    [<CompiledName("AddHttpClientInstrumentation")>]
    val addHttpClientInstrumentation: config: MetricsConfig -> MetricsConfig

    /// Listens to .NET's `System.Runtime` meter: the `dotnet.*` metrics (garbage collections and heap sizes, JIT,
    /// thread pool, lock contentions, exceptions, timers, assemblies, processor time and count, working set).
    [<CompiledName("AddRuntimeInstrumentation")>]
    val addRuntimeInstrumentation: config: MetricsConfig -> MetricsConfig

    /// The kind `OTEL_METRICS_EXPORTER` names a reader by (None: it always applies).
    val internal kindOf: reader: MetricReaderConfig -> ExporterKind option

    /// The reader `OTEL_METRICS_EXPORTER` adds for a kind code did not add (with the environment's settings).
    val internal readerOfKind: kind: ExporterKind -> MetricReaderConfig option
