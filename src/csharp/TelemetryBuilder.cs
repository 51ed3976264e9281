using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>The entry point of the C# API: <c>Telemetry.Create("svc").WithTracing(t => ...).Start()</c>.</summary>
public static class Telemetry
{
    /// <summary>Starts configuring telemetry for the named service. <c>OTEL_SERVICE_NAME</c> and
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c> override the name given here.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static TelemetryBuilder Create(string serviceName) =>
        new(TelemetryModule.Create(Guard.NotBlank(serviceName, nameof(serviceName))));
}

/// <summary>The root builder. Each <c>With...</c> call returns this builder; <see cref="Start"/> runs it.</summary>
public sealed class TelemetryBuilder
{
    private TelemetryConfig config;

    internal TelemetryBuilder(TelemetryConfig config) => this.config = config;

    /// <summary>Adds a resource attribute (highest priority: it wins over the environment and detectors).
    /// The value may be a string, bool, any integer or floating type, or an array of those.</summary>
    public TelemetryBuilder AddResourceAttribute(string key, object value)
    {
        Guard.NotBlank(key, nameof(key));
        Guard.NotNull(value, nameof(value));
        var attribute = KeyValueModule.Create(key, ActivityConversion.ToAnyValue(value));
        config = TelemetryModule.WithResourceAttributes(ListModule.OfArray(new[] { attribute }), config);
        return this;
    }

    /// <summary>Turns the process/host/OS resource detector off (it is on by default).</summary>
    public TelemetryBuilder WithoutResourceDetection()
    {
        config = TelemetryModule.WithResourceDetection(false, config);
        return this;
    }

    /// <summary>Reads settings from these values instead of the process environment variables.</summary>
    public TelemetryBuilder WithEnvironment(IReadOnlyDictionary<string, string> variables)
    {
        Guard.NotNull(variables, nameof(variables));
        var pairs = variables.Select(kv => Tuple.Create(kv.Key, kv.Value)).ToArray();
        config = TelemetryModule.WithEnvironment(Env.OfList(ListModule.OfArray(pairs)), config);
        return this;
    }

    /// <summary>Keeps .NET's default propagator instead of installing ours as
    /// <c>DistributedContextPropagator.Current</c>.</summary>
    public TelemetryBuilder WithoutPropagatorInstallation()
    {
        config = TelemetryModule.WithPropagatorInstalled(false, config);
        return this;
    }

    /// <summary>Turns export retries off (they are on by default).</summary>
    public TelemetryBuilder WithoutRetries()
    {
        config = TelemetryModule.WithRetry(RetryPolicyModule.Disabled, config);
        return this;
    }

    /// <summary>Sends the SDK's own diagnostics (export failures naming the signal, exporter and endpoint; drops;
    /// configuration warnings) to <paramref name="sink"/> instead of standard error: each with its level, once
    /// <c>OTEL_LOG_LEVEL</c> (<c>none</c>, <c>error</c>, <c>warn</c>, <c>info</c>, <c>debug</c>; default
    /// <c>warn</c>) admits it, and the same kind of message at most once per 30 seconds (the next one says how many
    /// were suppressed). The sink is called off the application's threads, one message at a time; what it throws is
    /// ignored, and telemetry it makes (a log call to an <c>ILogger</c> this SDK exports) is not recorded, so
    /// diagnostics never feed the SDK's own pipelines. Diagnostics are process-wide, like the <c>Functional-Telemetry</c> event source: while this SDK
    /// runs, the sink also receives those of the other SDKs of the process.</summary>
    public TelemetryBuilder WithDiagnostics(Action<DiagnosticLevel, string> sink)
    {
        Guard.NotNull(sink, nameof(sink));
        config = TelemetryModule.WithDiagnostics(FuncConvert.FromAction(sink), config);
        return this;
    }

    /// <summary>Enables tracing, configured by <paramref name="configure"/>.</summary>
    public TelemetryBuilder WithTracing(Action<TracingBuilder> configure)
    {
        var builder = new TracingBuilder();
        Guard.NotNull(configure, nameof(configure))(builder);
        config = TelemetryModule.WithTracing(FuncConvert.FromFunc<TracingConfig, TracingConfig>(_ => builder.Config), config);
        return this;
    }

    /// <summary>Enables metrics, configured by <paramref name="configure"/>.</summary>
    public TelemetryBuilder WithMetrics(Action<MetricsBuilder> configure)
    {
        var builder = new MetricsBuilder();
        Guard.NotNull(configure, nameof(configure))(builder);
        config = TelemetryModule.WithMetrics(FuncConvert.FromFunc<MetricsConfig, MetricsConfig>(_ => builder.Config), config);
        return this;
    }

    /// <summary>Enables logs, configured by <paramref name="configure"/>. Write them through
    /// <see cref="TelemetrySdk.CreateLogger"/>, or register the SDK with <c>ILoggingBuilder.AddFunctionalTelemetry(sdk)</c>.</summary>
    public TelemetryBuilder WithLogging(Action<LoggingBuilder> configure)
    {
        var builder = new LoggingBuilder();
        Guard.NotNull(configure, nameof(configure))(builder);
        config = TelemetryModule.WithLogging(FuncConvert.FromFunc<LoggingConfig, LoggingConfig>(_ => builder.Config), config);
        return this;
    }

    /// <summary>Starts the SDK. Dispose the result (or <c>await using</c> it) to flush and shut down.</summary>
    /// <exception cref="ArgumentException">A setting given in code is invalid.</exception>
    public TelemetrySdk Start() => TelemetryModule.Start(config);
}
