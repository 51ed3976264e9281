using Microsoft.Extensions.DependencyInjection;

namespace Functional.Telemetry;

/// <summary>
/// Processors, exporters and samplers that the service container makes, for the builder of
/// <c>services.AddFunctionalTelemetry()</c>. They are made when the host starts the SDK, in the order of the calls.
/// The generic overloads take their type from the services when it is registered there (so a test can
/// replace it), else create one with its constructor's services (<see cref="ActivatorUtilities"/>). On a builder of
/// <c>Telemetry.Create(...)</c>, which has no container, they throw <see cref="InvalidOperationException"/>.
/// </summary>
public static class ServiceProviderBuilderExtensions
{
    /// <summary>Adds a span processor made by the container (see <see cref="IProcessor{T}"/>).</summary>
    public static TracingBuilder AddProcessor<T>(this TracingBuilder tracing)
        where T : class, IProcessor<Span> =>
        tracing.AddProcessor($"AddProcessor<{typeof(T).Name}>()", Resolve<T>);

    /// <summary>Adds a span processor that <paramref name="factory"/> makes from the services.</summary>
    public static TracingBuilder AddProcessor(this TracingBuilder tracing, Func<IServiceProvider, IProcessor<Span>> factory) =>
        tracing.AddProcessor("AddProcessor(Func<IServiceProvider, IProcessor<Span>>)", Guard.NotNull(factory, nameof(factory)));

    /// <summary>Adds a span exporter made by the container, fed in batches (<c>OTEL_BSP_*</c>, or the named
    /// <see cref="BatchExportOptions"/> <c>traces</c>).</summary>
    public static TracingBuilder AddExporter<T>(this TracingBuilder tracing)
        where T : class, IExporter<Span> =>
        tracing.AddExporter($"AddExporter<{typeof(T).Name}>()", Resolve<T>);

    /// <summary>Adds a span exporter that <paramref name="factory"/> makes from the services, fed in batches.</summary>
    public static TracingBuilder AddExporter(this TracingBuilder tracing, Func<IServiceProvider, IExporter<Span>> factory) =>
        tracing.AddExporter("AddExporter(Func<IServiceProvider, IExporter<Span>>)", Guard.NotNull(factory, nameof(factory)));

    /// <summary>Sets the sampler that <paramref name="factory"/> makes from the services (the last
    /// <c>SetSampler</c> call wins).</summary>
    public static TracingBuilder SetSampler(this TracingBuilder tracing, Func<IServiceProvider, Sampler> factory)
    {
        Guard.NotNull(tracing, nameof(tracing));
        Guard.NotNull(factory, nameof(factory));
        return tracing.AddWithServices(
            "SetSampler(Func<IServiceProvider, Sampler>)",
            (services, config) => TracingModule.WithSampler(Made(factory(services), "SetSampler").Function, config));
    }

    /// <summary>Adds a metric exporter made by the container, fed cumulative metrics by a periodic reader
    /// (<c>OTEL_METRIC_EXPORT_INTERVAL</c>, default 60 s).</summary>
    public static MetricsBuilder AddExporter<T>(this MetricsBuilder metrics)
        where T : class, IExporter<MetricData> =>
        metrics.AddExporter<T>(Temporalities.Cumulative);

    /// <summary>Adds a metric exporter made by the container, fed by a periodic reader with this temporality
    /// preference.</summary>
    public static MetricsBuilder AddExporter<T>(this MetricsBuilder metrics, Temporalities temporality)
        where T : class, IExporter<MetricData> =>
        metrics.AddExporter($"AddExporter<{typeof(T).Name}>()", Resolve<T>, temporality);

    /// <summary>Adds a metric exporter that <paramref name="factory"/> makes from the services, fed cumulative
    /// metrics by a periodic reader.</summary>
    public static MetricsBuilder AddExporter(this MetricsBuilder metrics, Func<IServiceProvider, IExporter<MetricData>> factory) =>
        metrics.AddExporter(factory, Temporalities.Cumulative);

    /// <summary>Adds a metric exporter that <paramref name="factory"/> makes from the services, fed by a periodic
    /// reader with this temporality preference.</summary>
    public static MetricsBuilder AddExporter(this MetricsBuilder metrics, Func<IServiceProvider, IExporter<MetricData>> factory, Temporalities temporality) =>
        metrics.AddExporter("AddExporter(Func<IServiceProvider, IExporter<MetricData>>)", Guard.NotNull(factory, nameof(factory)), temporality);

    /// <summary>Adds a log record processor made by the container (see <see cref="IProcessor{T}"/>).</summary>
    public static LoggingBuilder AddProcessor<T>(this LoggingBuilder logging)
        where T : class, IProcessor<LogRecord> =>
        logging.AddProcessor($"AddProcessor<{typeof(T).Name}>()", Resolve<T>);

    /// <summary>Adds a log record processor that <paramref name="factory"/> makes from the services.</summary>
    public static LoggingBuilder AddProcessor(this LoggingBuilder logging, Func<IServiceProvider, IProcessor<LogRecord>> factory) =>
        logging.AddProcessor("AddProcessor(Func<IServiceProvider, IProcessor<LogRecord>>)", Guard.NotNull(factory, nameof(factory)));

    /// <summary>Adds a log exporter made by the container, fed in batches (<c>OTEL_BLRP_*</c>, or the named
    /// <see cref="BatchExportOptions"/> <c>logs</c>).</summary>
    public static LoggingBuilder AddExporter<T>(this LoggingBuilder logging)
        where T : class, IExporter<LogRecord> =>
        logging.AddExporter($"AddExporter<{typeof(T).Name}>()", Resolve<T>);

    /// <summary>Adds a log exporter that <paramref name="factory"/> makes from the services, fed in batches.</summary>
    public static LoggingBuilder AddExporter(this LoggingBuilder logging, Func<IServiceProvider, IExporter<LogRecord>> factory) =>
        logging.AddExporter("AddExporter(Func<IServiceProvider, IExporter<LogRecord>>)", Guard.NotNull(factory, nameof(factory)));

    private static T Resolve<T>(IServiceProvider services)
        where T : class =>
        ActivatorUtilities.GetServiceOrCreateInstance<T>(services);

    private static T Made<T>(T? made, string call)
        where T : class =>
        made ?? throw new InvalidOperationException($"The factory given to {call} returned null.");

    private static TracingBuilder AddProcessor(this TracingBuilder tracing, string call, Func<IServiceProvider, IProcessor<Span>> factory) =>
        Guard.NotNull(tracing, nameof(tracing)).AddWithServices(
            call,
            (services, config) => TracingModule.AddProcessor(Processors.ToFSharp<Span>(Made(factory(services), call).Process), config));

    private static TracingBuilder AddExporter(this TracingBuilder tracing, string call, Func<IServiceProvider, IExporter<Span>> factory) =>
        Guard.NotNull(tracing, nameof(tracing)).AddWithServices(
            call,
            (services, config) => TracingModule.AddBatchExporter(Made(factory(services), call), config));

    private static MetricsBuilder AddExporter(
        this MetricsBuilder metrics, string call, Func<IServiceProvider, IExporter<MetricData>> factory, Temporalities temporality)
    {
        Guard.NotNull(metrics, nameof(metrics));
        var preference = MetricsBuilder.ToPreference(temporality);
        return metrics.AddWithServices(
            call,
            (services, config) => MetricsModule.AddExporter(preference, Made(factory(services), call), config));
    }

    private static LoggingBuilder AddProcessor(this LoggingBuilder logging, string call, Func<IServiceProvider, IProcessor<LogRecord>> factory) =>
        Guard.NotNull(logging, nameof(logging)).AddWithServices(
            call,
            (services, config) => LoggingModule.AddProcessor(Processors.ToFSharp<LogRecord>(Made(factory(services), call).Process), config));

    private static LoggingBuilder AddExporter(this LoggingBuilder logging, string call, Func<IServiceProvider, IExporter<LogRecord>> factory) =>
        Guard.NotNull(logging, nameof(logging)).AddWithServices(
            call,
            (services, config) => LoggingModule.AddBatchExporter(Made(factory(services), call), config));
}
