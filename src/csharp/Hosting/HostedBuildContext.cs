using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Functional.Telemetry;

/// <summary>
/// What the hosted builder's steps read when the host starts the SDK: the container, and fresh named options
/// (<see cref="IOptionsFactory{TOptions}"/>: the OTEL_* settings, the configuration section, the services'
/// <c>Configure</c> calls, validated). Settings that only repeat what the OTEL_* keys say are left to the core,
/// which reads those keys itself and reports their bad values.
/// </summary>
internal sealed class HostedBuildContext(IServiceProvider services, TelemetryEnvironment environment) : IBuildContext
{
    public IServiceProvider Services => services;

    public OtlpExporterOptions CreateOtlpOptions(string signal) => Create<OtlpExporterOptions>(signal);

    public PrometheusExporterOptions CreatePrometheusOptions() => Create<PrometheusExporterOptions>(Signals.Metrics);

    public ZipkinExporterOptions CreateZipkinOptions() => Create<ZipkinExporterOptions>(Signals.Traces);

    public BatchExportOptions CreateBatchOptions(string signal) => Create<BatchExportOptions>(signal);

    public SpanLimitsOptions CreateSpanLimitsOptions() => Create<SpanLimitsOptions>(Signals.Traces);

    public LogRecordLimitsOptions CreateLogRecordLimitsOptions() => Create<LogRecordLimitsOptions>(Signals.Logs);

    public BatchOptions? ConfiguredBatchOptions(string signal)
    {
        if (signal == Signals.Metrics)
        {
            return null;
        }

        var configured = CreateBatchOptions(signal).ToBatchOptions();
        return configured.Equals(TelemetryOptionsBaseline.Batch(signal, environment.Lookup)) ? null : configured;
    }

    public SpanLimits? ConfiguredSpanLimits()
    {
        var configured = CreateSpanLimitsOptions().ToLimits();
        return configured.Equals(SpanLimitsModule.FromEnvironment(environment.Lookup).Item1) ? null : configured;
    }

    public LogRecordLimits? ConfiguredLogRecordLimits()
    {
        var configured = CreateLogRecordLimitsOptions().ToLimits();
        return configured.Equals(LogRecordLimitsModule.FromEnvironment(environment.Lookup).Item1) ? null : configured;
    }

    private TOptions Create<TOptions>(string name)
        where TOptions : class =>
        services.GetRequiredService<IOptionsFactory<TOptions>>().Create(name);
}
