using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>Configures metrics: which Meters to listen to, views, exemplars, and readers/exporters.
/// <c>OTEL_METRICS_EXPORTER</c> (<c>otlp</c>, <c>console</c>, <c>prometheus</c>, <c>none</c>), when set, decides which
/// OTLP, console and Prometheus endpoint readers run (those added here keep their options); exporters given as
/// objects, pull readers and Prometheus readers (<c>AddPrometheusReader</c>) always run. With no reader added and the
/// variable unset, metrics are exported over OTLP, the specification's default.</summary>
public sealed class MetricsBuilder
{
    private const string SignalCall = "WithMetrics(m => ...)";

    private readonly Steps<MetricsConfig> steps;
    private readonly OtlpClaim otlp = new("metrics", "WithMetrics(m => m.AddOtlpExporter(...))");

    /// <summary>A builder whose calls apply at once, as inside <c>Telemetry.Create(...).WithMetrics(...)</c>.</summary>
    public MetricsBuilder()
        : this(deferred: false)
    {
    }

    /// <summary>A builder whose calls apply at once (<paramref name="deferred"/> false) or when the host starts the SDK.</summary>
    internal MetricsBuilder(bool deferred, MetricsConfig? initial = null) => steps = new(deferred, initial ?? MetricsModule.Empty);

    /// <summary>Exports over OTLP as the <c>OTEL_EXPORTER_OTLP_*</c> environment variables say (default
    /// http/protobuf to <c>http://localhost:4318</c>), with retries on by default.</summary>
    public MetricsBuilder AddOtlpExporter() => AddOtlpExporter(_ => { });

    /// <summary>Exports over OTLP; <paramref name="configure"/> overrides the environment variables (hosted: it
    /// receives the named <see cref="OtlpExporterOptions"/> <c>metrics</c> as configuration left them).</summary>
    /// <exception cref="InvalidOperationException"><c>UseOtlpExporter</c> already sends metrics over OTLP.</exception>
    public MetricsBuilder AddOtlpExporter(Action<OtlpExporterOptions> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        otlp.Add();
        return Apply((context, config) =>
        {
            var options = context.CreateOtlpOptions(Signals.Metrics);
            configure(options);
            return MetricsModule.AddOtlpExporter(options.ToConfigure(), config);
        });
    }

    /// <summary>Writes each collection as a line of OTLP/JSON (JSON Lines) to standard output (the specification's
    /// OTLP File Exporter; <c>OTEL_METRICS_EXPORTER=otlp/stdout</c> names it), on a periodic reader.</summary>
    public MetricsBuilder AddOtlpFileExporter() => AddOtlpFileExporter(_ => { });

    /// <summary>Writes each collection as a line of OTLP/JSON to standard output or to a file rotated by size, as
    /// <paramref name="configure"/> sets (see <see cref="OtlpFileExporterOptions"/>), on a periodic reader.</summary>
    /// <exception cref="ArgumentException">A blank path, a non-positive file size or a negative count of rotated files.</exception>
    public MetricsBuilder AddOtlpFileExporter(Action<OtlpFileExporterOptions> configure)
    {
        var options = new OtlpFileExporterOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        var function = options.ToConfigure();
        Validation.OrThrow(nameof(options), OtlpFileOptionsModule.Validate(function.Invoke(OtlpFileOptionsModule.Default)));
        return Apply((_, config) => MetricsModule.AddOtlpFileExporter(function, config));
    }

    /// <summary>Exports over OTLP to a vendor's endpoint as <paramref name="preset"/> says (endpoint shape, headers,
    /// protocol, temporality and histograms; see <see cref="OtlpPreset"/>), the other settings from the
    /// <c>OTEL_EXPORTER_OTLP_*</c> environment variables.</summary>
    /// <exception cref="ArgumentException">The vendor does not receive metrics.</exception>
    /// <exception cref="InvalidOperationException"><c>UseOtlpExporter</c> already sends metrics over OTLP.</exception>
    public MetricsBuilder AddOtlpExporter(OtlpPreset preset) => AddOtlpExporter(preset, _ => { });

    /// <summary>Exports over OTLP to a vendor's endpoint as <paramref name="preset"/> says; what
    /// <paramref name="configure"/> sets wins over the preset (hosted: it receives the named
    /// <see cref="OtlpExporterOptions"/> <c>metrics</c> as configuration left them).</summary>
    /// <exception cref="ArgumentException">The vendor does not receive metrics.</exception>
    /// <exception cref="InvalidOperationException"><c>UseOtlpExporter</c> already sends metrics over OTLP.</exception>
    public MetricsBuilder AddOtlpExporter(OtlpPreset preset, Action<OtlpExporterOptions> configure)
    {
        Guard.NotNull(preset, nameof(preset));
        Guard.NotNull(configure, nameof(configure));
        preset.CheckReceives(Signals.Metrics);
        otlp.Add();
        return Apply((context, config) =>
        {
            var options = context.CreateOtlpOptions(Signals.Metrics);
            configure(options);
            return MetricsModule.AddOtlpExporter(preset.Configure(Signals.Metrics, options.ToConfigure()), config);
        });
    }

    /// <summary>The OTLP exporter of <c>UseOtlpExporter(preset)</c>.</summary>
    internal MetricsBuilder UseOtlpEverywhere(OtlpPreset preset)
    {
        otlp.UseEverywhere();
        return Apply((context, config) =>
            MetricsModule.AddOtlpExporter(
                preset.Configure(Signals.Metrics, context.CreateOtlpOptions(Signals.Metrics).ToConfigure()), config));
    }

    /// <summary>The OTLP exporter of <c>UseOtlpExporter</c>.</summary>
    internal MetricsBuilder UseOtlpEverywhere(OtlpExportProtocol? protocol, Uri? baseUrl)
    {
        otlp.UseEverywhere();
        return Apply((context, config) =>
            MetricsModule.AddOtlpExporter(OtlpEverywhere.Options(context, Signals.Metrics, protocol, baseUrl).ToConfigure(), config));
    }

    /// <summary>Serves Prometheus scrapes on the SDK's own HTTP endpoint: <c>http://127.0.0.1:9464/metrics</c>
    /// unless <c>OTEL_EXPORTER_PROMETHEUS_HOST</c>/<c>_PORT</c> or <paramref name="configure"/> say otherwise.
    /// The reader is cumulative; the endpoint stops with the SDK. A port already in use does not stop the SDK: it
    /// is reported on the <c>Functional-Telemetry</c> event source. Hosted, <paramref name="configure"/> receives the
    /// named <see cref="PrometheusExporterOptions"/> <c>metrics</c>.</summary>
    public MetricsBuilder AddPrometheusEndpoint(Action<PrometheusExporterOptions>? configure = null) =>
        Apply((context, config) =>
        {
            var options = context.CreatePrometheusOptions();
            configure?.Invoke(options);
            return MetricsModule.AddPrometheusEndpoint(options.ToConfigure(), config);
        });

    /// <summary>Adds a cumulative reader collected on each scrape, for an HTTP server of the application's:
    /// ASP.NET Core maps it with <c>app.MapPrometheusScrapingEndpoint(sdk)</c> (or
    /// <c>app.MapPrometheusScrapingEndpoint()</c> with the SDK registered as a service) from
    /// Functional.Telemetry.AspNetCore, which finds the handler in <see cref="TelemetrySdk.PrometheusScrapeHandlers"/>.</summary>
    public MetricsBuilder AddPrometheusReader() => AddPrometheusReader(_ => { });

    /// <summary>Adds a cumulative reader collected on each scrape, with these rendering and cache settings (host,
    /// port and path do not apply: the application's server has its own). Its handler is in
    /// <see cref="TelemetrySdk.PrometheusScrapeHandlers"/> once the SDK has started. Hosted,
    /// <paramref name="configure"/> receives the named <see cref="PrometheusExporterOptions"/> <c>metrics</c>.</summary>
    public MetricsBuilder AddPrometheusReader(Action<PrometheusExporterOptions> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        return Apply((context, config) =>
        {
            var options = context.CreatePrometheusOptions();
            configure(options);
            return MetricsModule.AddPrometheusReader(options.ToHandler(), config);
        });
    }

    /// <summary>Adds a cumulative reader that <paramref name="handler"/> collects on each scrape, for a handler
    /// made before the SDK (<c>new PrometheusScrapeHandler()</c>, mapped with
    /// <c>app.MapPrometheusScrapingEndpoint(handler)</c>).</summary>
    public MetricsBuilder AddPrometheusReader(PrometheusScrapeHandler handler)
    {
        Guard.NotNull(handler, nameof(handler));
        return Apply(config => MetricsModule.AddPrometheusReader(handler, config));
    }

    /// <summary>Listens to Meters with this name; <c>*</c> is a wildcard (<c>MyCompany.*</c>).</summary>
    /// <exception cref="ArgumentException">The name is empty or contains whitespace.</exception>
    public MetricsBuilder AddMeter(string name)
    {
        Guard.NotBlank(name, nameof(name));
        return Apply(config => MetricsModule.AddMeter(name, config));
    }

    /// <summary>Listens to HttpClient's meters: <c>System.Net.Http</c> (<c>http.client.request.duration</c> in
    /// seconds with the semantic conventions' advised buckets 0.005 to 10 s, <c>http.client.active_requests</c>,
    /// <c>http.client.open_connections</c>, <c>http.client.connection.duration</c>,
    /// <c>http.client.request.time_in_queue</c>) and <c>System.Net.NameResolution</c> (<c>dns.lookup.duration</c>).</summary>
    public MetricsBuilder AddHttpClientInstrumentation() => Apply(MetricsModule.AddHttpClientInstrumentation);

    /// <summary>Listens to .NET's <c>System.Runtime</c> meter: the <c>dotnet.*</c> metrics (garbage collections and
    /// heap sizes, JIT, thread pool, lock contentions, exceptions, timers, assemblies, processor time and count,
    /// working set).</summary>
    public MetricsBuilder AddRuntimeInstrumentation() => Apply(MetricsModule.AddRuntimeInstrumentation);

    /// <summary>Listens to every listed Meter.</summary>
    public MetricsBuilder AddMeters(params string[] names)
    {
        foreach (var name in Guard.NotNull(names, nameof(names)))
        {
            AddMeter(name);
        }

        return this;
    }

    /// <summary>Adds a view for instruments named <paramref name="instrumentName"/> (wildcards allowed).</summary>
    /// <exception cref="ArgumentException">The view is invalid (for example a rename with a wildcard, or bad bounds).</exception>
    public MetricsBuilder AddView(string instrumentName, Action<ViewOptions> configure)
    {
        var options = new ViewOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        var view = options.ToView(Guard.NotBlank(instrumentName, nameof(instrumentName)));
        return Apply(config => MetricsModule.AddView(view, config));
    }

    /// <summary>Sets the exemplar filter. Default: <c>OTEL_METRICS_EXEMPLAR_FILTER</c>, else trace-based.</summary>
    public MetricsBuilder SetExemplarFilter(ExemplarFilterKind filter)
    {
        var value = filter switch
        {
            ExemplarFilterKind.AlwaysOn => ExemplarFilter.AlwaysOn,
            ExemplarFilterKind.AlwaysOff => ExemplarFilter.AlwaysOff,
            ExemplarFilterKind.TraceBased => ExemplarFilter.TraceBased,
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown exemplar filter."),
        };
        return Apply(config => MetricsModule.WithExemplarFilter(value, config));
    }

    /// <summary>Sets the default most attribute sets per stream (overflow series included). Default 2000.</summary>
    public MetricsBuilder SetCardinalityLimit(int limit) => Apply(config => MetricsModule.WithCardinalityLimit(limit, config));

    /// <summary>Adds an exporter fed cumulative metrics by a periodic reader (<c>OTEL_METRIC_EXPORT_INTERVAL</c>,
    /// default 60 s).</summary>
    public MetricsBuilder AddExporter(IExporter<MetricData> exporter) => AddExporter(exporter, Temporalities.Cumulative);

    /// <summary>Adds an exporter fed by a periodic reader (<c>OTEL_METRIC_EXPORT_INTERVAL</c>, default 60 s) with
    /// this temporality preference.</summary>
    public MetricsBuilder AddExporter(IExporter<MetricData> exporter, Temporalities temporality)
    {
        Guard.NotNull(exporter, nameof(exporter));
        var preference = ToPreference(temporality);
        return Apply(config => MetricsModule.AddExporter(preference, exporter, config));
    }

    /// <summary>Adds an exporter fed by a periodic reader with this interval and export timeout.</summary>
    public MetricsBuilder AddExporter(IExporter<MetricData> exporter, TimeSpan interval, TimeSpan timeout, Temporalities temporality = Temporalities.Cumulative)
    {
        Guard.NotNull(exporter, nameof(exporter));
        var preference = ToPreference(temporality);
        return Apply(config => MetricsModule.AddExporterWith(new PeriodicReaderOptions(interval, timeout), preference, exporter, config));
    }

    /// <summary>Adds a reader you collect from yourself (for example for tests or a scrape endpoint).</summary>
    public MetricsBuilder AddReader(MetricPullReader reader)
    {
        Guard.NotNull(reader, nameof(reader));
        return Apply(config => MetricsModule.AddReader(reader, config));
    }

    /// <summary>Prints every collection to standard output as a table.</summary>
    public MetricsBuilder AddConsoleExporter() => Apply(MetricsModule.AddConsoleExporter);

    /// <summary>Prints every collection to <paramref name="writer"/> as a table, every <paramref name="interval"/>.</summary>
    public MetricsBuilder AddConsoleExporter(TextWriter writer, TimeSpan interval) =>
        AddExporter(new ConsoleMetricExporter(Guard.NotNull(writer, nameof(writer))), interval, TimeSpan.FromSeconds(30));

    /// <summary>Keeps exported metrics in <paramref name="exporter"/> (delta or cumulative), for tests.
    /// Call <c>ForceFlush</c> on the SDK to collect.</summary>
    public MetricsBuilder AddInMemoryExporter(InMemoryExporter<MetricData> exporter, Temporalities temporality = Temporalities.Cumulative) =>
        AddExporter(exporter, temporality);

    /// <summary>Removes every reader added so far: periodic exporters (<c>UseOtlpExporter</c>'s included),
    /// Prometheus readers and endpoints, and pull readers. A test replaces the application's exporters with
    /// <c>m.ClearExporters().AddInMemoryExporter(metrics)</c>. Meters, views and limits stay.</summary>
    public MetricsBuilder ClearExporters()
    {
        Cleared = true;
        otlp.Clear();
        return Apply(config => ConfigRecords.WithReaders(config, []));
    }

    /// <summary>True once <see cref="ClearExporters"/> was called: with no reader left, metrics export nowhere.</summary>
    internal bool Cleared { get; private set; }

    /// <summary>Adds a step that needs the container (Functional.Telemetry.Hosting's overloads).</summary>
    internal MetricsBuilder AddWithServices(string call, Func<IServiceProvider, MetricsConfig, MetricsConfig> step)
    {
        steps.AddWithServices(call, SignalCall, step);
        return this;
    }

    /// <summary>The metrics configuration.</summary>
    internal MetricsConfig Build(IBuildContext context) => steps.Build(context);

    internal static TemporalityPreference ToPreference(Temporalities temporality) => temporality switch
    {
        Temporalities.Cumulative => TemporalityPreference.Cumulative,
        Temporalities.Delta => TemporalityPreference.Delta,
        Temporalities.LowMemory => TemporalityPreference.LowMemory,
        _ => throw new ArgumentOutOfRangeException(nameof(temporality), temporality, "Unknown temporality preference."),
    };

    private MetricsBuilder Apply(Func<IBuildContext, MetricsConfig, MetricsConfig> step)
    {
        steps.Add(step);
        return this;
    }

    private MetricsBuilder Apply(Func<MetricsConfig, MetricsConfig> step) => Apply((_, config) => step(config));
}

/// <summary>An exporter's temporality preference.</summary>
public enum Temporalities
{
    /// <summary>Everything cumulative (the default).</summary>
    Cumulative,

    /// <summary>Counters, histograms and gauges as delta; up-down counters cumulative.</summary>
    Delta,

    /// <summary>Synchronous counters and histograms as delta; the rest cumulative.</summary>
    LowMemory,
}

/// <summary>Which measurements may become exemplars.</summary>
public enum ExemplarFilterKind
{
    /// <summary>Only measurements recorded inside a sampled span (the default).</summary>
    TraceBased,

    /// <summary>Every measurement.</summary>
    AlwaysOn,

    /// <summary>None.</summary>
    AlwaysOff,
}

/// <summary>What a view changes. Unset properties keep the instrument's defaults.</summary>
public sealed class ViewOptions
{
    /// <summary>A new stream name (only for a view naming one instrument exactly).</summary>
    public string? Name { get; set; }

    /// <summary>A new description.</summary>
    public string? Description { get; set; }

    /// <summary>Keep only these attribute keys.</summary>
    public IReadOnlyList<string>? AllowedAttributes { get; set; }

    /// <summary>Drop these attribute keys.</summary>
    public IReadOnlyList<string>? DeniedAttributes { get; set; }

    /// <summary>Explicit histogram bucket upper bounds (ascending, distinct, finite).</summary>
    public IReadOnlyList<double>? HistogramBounds { get; set; }

    /// <summary>Use a base-2 exponential histogram with this many buckets per sign (160 is the usual choice).</summary>
    public int? ExponentialHistogramMaxSize { get; set; }

    /// <summary>Record min and max on histograms. Default true.</summary>
    public bool RecordMinMax { get; set; } = true;

    /// <summary>Drop the stream entirely.</summary>
    public bool Drop { get; set; }

    /// <summary>Most attribute sets for this stream (overflow series included).</summary>
    public int? CardinalityLimit { get; set; }

    internal View ToView(string instrumentName)
    {
        var baseView = ViewModule.forInstrument(instrumentName);
        var attributes =
            AllowedAttributes is { } allow ? AttributeFilter.NewAllow(ListModule.OfSeq(allow))
            : DeniedAttributes is { } deny ? AttributeFilter.NewDeny(ListModule.OfSeq(deny))
            : AttributeFilter.All;
        FSharpOption<Aggregation> aggregation =
            Drop ? Aggregation.Drop
            : HistogramBounds is { } bounds ? Aggregation.NewExplicitBucketHistogram(ListModule.OfSeq(bounds), RecordMinMax)
            : ExponentialHistogramMaxSize is { } size ? Aggregation.NewBase2ExponentialHistogram(size, 20, RecordMinMax)
            : FSharpOption<Aggregation>.None;
        return new View(
            baseView.Selector,
            Name is null ? FSharpOption<string>.None : FSharpOption<string>.Some(Name),
            Description is null ? FSharpOption<string>.None : FSharpOption<string>.Some(Description),
            attributes,
            aggregation,
            CardinalityLimit is { } limit ? FSharpOption<int>.Some(limit) : FSharpOption<int>.None);
    }
}
