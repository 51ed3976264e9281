using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>
/// Makes the SDK's named options: each instance starts from what the <c>OTEL_*</c> settings say, then binds the
/// configuration section of its signal (<see cref="TelemetryOptionNames"/>); the services' <c>Configure</c> calls
/// and the validator run after, as for any options. Other names get the type's defaults.
/// </summary>
internal sealed class TelemetryOptionsFactory<TOptions>(
    TelemetryEnvironment environment,
    IEnumerable<IConfigureOptions<TOptions>> setups,
    IEnumerable<IPostConfigureOptions<TOptions>> postConfigures,
    IEnumerable<IValidateOptions<TOptions>> validations)
    : OptionsFactory<TOptions>(setups, postConfigures, validations)
    where TOptions : class
{
    protected override TOptions CreateInstance(string name) =>
        (TOptions)TelemetryOptionsBaseline.Create(typeof(TOptions), name, environment);
}

/// <summary>The named options as the <c>OTEL_*</c> settings and the configuration sections leave them.</summary>
internal static class TelemetryOptionsBaseline
{
    public static object Create(Type type, string name, TelemetryEnvironment environment)
    {
        var signal = TelemetryOptionNames.IsSignal(name) ? name : null;
        var lookup = environment.Lookup;
        object options = type switch
        {
            _ when type == typeof(OtlpExporterOptions) => new OtlpExporterOptions(),
            _ when type == typeof(PrometheusExporterOptions) => new PrometheusExporterOptions(),
            _ when type == typeof(ZipkinExporterOptions) => new ZipkinExporterOptions(),
            _ when type == typeof(BatchExportOptions) => FromBatch(signal is null ? BatchOptionsModule.Default : Batch(signal, lookup)),
            _ when type == typeof(SpanLimitsOptions) => FromSpanLimits(SpanLimitsModule.FromEnvironment(lookup).Item1),
            _ when type == typeof(LogRecordLimitsOptions) => FromLogLimits(LogRecordLimitsModule.FromEnvironment(lookup).Item1),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an options type of the telemetry SDK."),
        };

        if (signal is not null && environment.Configuration is { } configuration)
        {
            foreach (var section in Sections(type, signal))
            {
                configuration.GetSection(section).Bind(options);
            }
        }

        return options;
    }

    /// <summary>The batch settings the core reads for a signal's exporters: <c>OTEL_BSP_*</c> for traces,
    /// <c>OTEL_BLRP_*</c> (1 s delay) for logs.</summary>
    public static BatchOptions Batch(string signal, FSharpFunc<string, FSharpOption<string>> lookup) =>
        signal == Signals.Logs
            ? LoggingModule.BatchOptionsFromEnvironment(lookup).Item1
            : BatchOptionsModule.FromEnvironment("OTEL_BSP", BatchOptionsModule.Default, lookup).Item1;

    /// <summary>The sections an options type of a signal binds from, in order (later wins).</summary>
    public static IEnumerable<string> Sections(Type type, string signal)
    {
        var section = TelemetryOptionNames.SectionOf(signal);
        if (type == typeof(OtlpExporterOptions))
        {
            yield return $"{TelemetryOptionNames.ConfigurationSection}:Otlp";
            yield return $"{section}:Otlp";
        }
        else if (type == typeof(BatchExportOptions))
        {
            yield return $"{section}:Batch";
        }
        else if (type == typeof(SpanLimitsOptions) || type == typeof(LogRecordLimitsOptions))
        {
            yield return $"{section}:Limits";
        }
        else if (type == typeof(PrometheusExporterOptions))
        {
            yield return $"{section}:Prometheus";
        }
        else if (type == typeof(ZipkinExporterOptions))
        {
            yield return $"{section}:Zipkin";
        }
    }

    private static BatchExportOptions FromBatch(BatchOptions batch) => new()
    {
        ScheduleDelay = batch.ScheduleDelay,
        ExportTimeout = batch.ExportTimeout,
        MaxQueueSize = batch.MaxQueueSize,
        MaxExportBatchSize = batch.MaxExportBatchSize,
    };

    private static SpanLimitsOptions FromSpanLimits(SpanLimits limits) => new()
    {
        AttributeCountLimit = limits.AttributeCountLimit,
        AttributeValueLengthLimit = OptionModule.ToNullable(limits.AttributeValueLengthLimit),
        EventCountLimit = limits.EventCountLimit,
        LinkCountLimit = limits.LinkCountLimit,
        AttributePerEventCountLimit = limits.AttributePerEventCountLimit,
        AttributePerLinkCountLimit = limits.AttributePerLinkCountLimit,
    };

    private static LogRecordLimitsOptions FromLogLimits(LogRecordLimits limits) => new()
    {
        AttributeCountLimit = limits.AttributeCountLimit,
        AttributeValueLengthLimit = OptionModule.ToNullable(limits.AttributeValueLengthLimit),
    };
}
