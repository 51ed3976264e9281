using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>The signal names of the named options (<c>traces</c>, <c>metrics</c>, <c>logs</c>).</summary>
internal static class Signals
{
    public const string Traces = "traces";
    public const string Metrics = "metrics";
    public const string Logs = "logs";
}

/// <summary>
/// What the builders' steps read when the configuration is made. A builder of <c>Telemetry.Create(...)</c> applies
/// each call at once with <see cref="StandaloneBuildContext"/>: fresh options, no container. The builder of
/// <c>services.AddFunctionalTelemetry()</c> (Functional.Telemetry.Hosting) records its calls and replays them when
/// the host starts the SDK, with a context over the container, the named options and IConfiguration.
/// </summary>
internal interface IBuildContext
{
    /// <summary>The container. Only hosted builders record steps that ask for it.</summary>
    IServiceProvider Services { get; }

    /// <summary>New options for an OTLP exporter of <paramref name="signal"/>, for the code's delegate to change.</summary>
    OtlpExporterOptions CreateOtlpOptions(string signal);

    /// <summary>New Prometheus options, for the code's delegate to change.</summary>
    PrometheusExporterOptions CreatePrometheusOptions();

    /// <summary>New Zipkin options, for the code's delegate to change.</summary>
    ZipkinExporterOptions CreateZipkinOptions();

    /// <summary>New batch options for one exporter of <paramref name="signal"/>, for the code's delegate to change.</summary>
    BatchExportOptions CreateBatchOptions(string signal);

    /// <summary>New span limits, for the code's delegate to change.</summary>
    SpanLimitsOptions CreateSpanLimitsOptions();

    /// <summary>New log record limits, for the code's delegate to change.</summary>
    LogRecordLimitsOptions CreateLogRecordLimitsOptions();

    /// <summary>Batch settings configured for the exporters of <paramref name="signal"/> that set none in code, or
    /// null to leave them to <c>OTEL_BSP_*</c> / <c>OTEL_BLRP_*</c>.</summary>
    BatchOptions? ConfiguredBatchOptions(string signal);

    /// <summary>Span limits configured outside code, or null to leave them to <c>OTEL_SPAN_*</c>.</summary>
    SpanLimits? ConfiguredSpanLimits();

    /// <summary>Log record limits configured outside code, or null to leave them to <c>OTEL_LOGRECORD_*</c>.</summary>
    LogRecordLimits? ConfiguredLogRecordLimits();
}

/// <summary>The context of <c>Telemetry.Create(...)</c>: the defaults, and no container.</summary>
internal sealed class StandaloneBuildContext : IBuildContext
{
    public static readonly StandaloneBuildContext Instance = new();

    public IServiceProvider Services =>
        throw new InvalidOperationException("No service container: this builder was made by Telemetry.Create(...).");

    public OtlpExporterOptions CreateOtlpOptions(string signal) => new();

    public PrometheusExporterOptions CreatePrometheusOptions() => new();

    public ZipkinExporterOptions CreateZipkinOptions() => new();

    public BatchExportOptions CreateBatchOptions(string signal) =>
        signal == Signals.Logs ? new BatchExportOptions { ScheduleDelay = TimeSpan.FromSeconds(1) } : new BatchExportOptions();

    public SpanLimitsOptions CreateSpanLimitsOptions() => new();

    public LogRecordLimitsOptions CreateLogRecordLimitsOptions() => new();

    public BatchOptions? ConfiguredBatchOptions(string signal) => null;

    public SpanLimits? ConfiguredSpanLimits() => null;

    public LogRecordLimits? ConfiguredLogRecordLimits() => null;
}

/// <summary>
/// The steps of one signal builder. A standalone builder applies each step as it is added (so a bad argument throws
/// at the call, as it always has); a deferred one (the host's) keeps them, in order, for <see cref="Build"/>.
/// </summary>
internal sealed class Steps<TConfig>(bool deferred, TConfig empty)
{
    private readonly List<Func<IBuildContext, TConfig, TConfig>> recorded = new();
    private TConfig applied = empty;

    public bool IsDeferred => deferred;

    public void Add(Func<IBuildContext, TConfig, TConfig> step)
    {
        if (deferred)
        {
            recorded.Add(step);
        }
        else
        {
            applied = step(StandaloneBuildContext.Instance, applied);
        }
    }

    /// <summary>Adds a step that needs the container; <paramref name="call"/> names the method for the error a
    /// standalone builder gives.</summary>
    public void AddWithServices(string call, string signalCall, Func<IServiceProvider, TConfig, TConfig> step)
    {
        if (!deferred)
        {
            throw new InvalidOperationException(
                $"{call} takes its value from the service container, which a builder of Telemetry.Create(...) does not have: " +
                $"call it inside services.AddFunctionalTelemetry().{signalCall} (Functional.Telemetry.Hosting), or pass an instance.");
        }

        recorded.Add((context, config) => step(context.Services, config));
    }

    public TConfig Build(IBuildContext context)
    {
        var config = applied;
        foreach (var step in recorded)
        {
            config = step(context, config);
        }

        return config;
    }
}

/// <summary>Who sends one signal over OTLP: <c>UseOtlpExporter</c> for every signal, or the signal's own
/// <c>AddOtlpExporter</c> calls. Both at once is an error naming the two calls.</summary>
internal sealed class OtlpClaim(string signal, string addCall)
{
    public const string UseCall = "UseOtlpExporter(...)";

    private bool everywhere;
    private bool added;

    public void Add()
    {
        if (everywhere)
        {
            throw Conflict();
        }

        added = true;
    }

    public void UseEverywhere()
    {
        if (everywhere)
        {
            throw new InvalidOperationException(
                $"{UseCall} is called twice: it adds one OTLP exporter to every signal. Call it once, and change its endpoint " +
                "through configuration (OTEL_EXPORTER_OTLP_ENDPOINT, or the named OtlpExporterOptions).");
        }

        if (added)
        {
            throw Conflict();
        }

        everywhere = true;
    }

    public void Clear()
    {
        everywhere = false;
        added = false;
    }

    private InvalidOperationException Conflict() =>
        new($"Both {UseCall} and {addCall} send {signal} over OTLP. Use one of them: UseOtlpExporter() for every " +
            "signal at once, or AddOtlpExporter(...) inside WithTracing, WithMetrics and WithLogging for each signal " +
            "(ClearExporters() in a signal removes the exporters added to it before, UseOtlpExporter's included).");
}

/// <summary>Copies of the core's configuration records with one field changed: the one place that builds those
/// records field by field, so a field added to the core fails to compile here.</summary>
internal static class ConfigRecords
{
    public static TracingConfig WithExporters(TracingConfig c, IEnumerable<ExporterConfig<Span>> exporters) =>
        new(c.Sources, c.Sampler, c.Limits, c.Processors, ListModule.OfSeq(exporters), c.Instrumentations, c.IdGenerator);

    public static LoggingConfig WithExporters(LoggingConfig c, IEnumerable<ExporterConfig<LogRecord>> exporters) =>
        new(c.Limits, c.IncludeScopes, c.TemplateAsBody, c.Processors, ListModule.OfSeq(exporters));

    public static MetricsConfig WithReaders(MetricsConfig c, IEnumerable<MetricReaderConfig> readers) =>
        new(c.Meters, c.Views, c.ExemplarFilter, c.CardinalityLimit, ListModule.OfSeq(readers));

    /// <summary>The exporters, those without a mode of their own batched with <paramref name="batch"/>.</summary>
    public static IEnumerable<ExporterConfig<T>> BatchedBy<T>(IEnumerable<ExporterConfig<T>> exporters, BatchOptions batch) =>
        exporters.Select(e => e.Mode is null ? new ExporterConfig<T>(e.Exporter, FSharpOption<ExportMode>.Some(ExportMode.NewBatched(batch)), e.Kind) : e);
}

/// <summary>The OTLP exporter of <c>UseOtlpExporter</c> for one signal.</summary>
internal static class OtlpEverywhere
{
    public static OtlpExporterOptions Options(IBuildContext context, string signal, OtlpExportProtocol? protocol, Uri? baseUrl)
    {
        var options = context.CreateOtlpOptions(signal);
        if (protocol is { } chosen)
        {
            options.Protocol = chosen;
        }

        if (baseUrl is not null)
        {
            // gRPC takes the base URL as it is; OTLP/HTTP posts to <base>/v1/<signal>.
            options.Endpoint = options.Protocol == OtlpExportProtocol.Grpc
                ? baseUrl
                : new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/v1/" + signal);
        }

        return options;
    }
}

/// <summary>C# processors as the core's processor functions.</summary>
internal static class Processors
{
    public static FSharpFunc<T, FSharpOption<T>> ToFSharp<T>(Func<T, T?> processor) where T : class =>
        FuncConvert.FromFunc<T, FSharpOption<T>>(item => processor(item) is { } kept ? FSharpOption<T>.Some(kept) : FSharpOption<T>.None);
}
