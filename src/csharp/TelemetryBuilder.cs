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

    /// <summary>Starts from an OpenTelemetry declarative configuration file (YAML, <c>file_format</c> 1.0 or 1.1,
    /// the format <c>OTEL_CONFIG_FILE</c> names): its resource, propagator, samplers, limits, processors, exporters,
    /// readers and views. <c>${VAR}</c> and <c>${VAR:-default}</c> in its values read the process environment; the
    /// other <c>OTEL_*</c> variables are not read. What you add on top (<c>.WithTracing(t =&gt; t.AddSource(...))</c>,
    /// processors, exporters) is added to what the file configures. A file's <c>tracer_provider</c> records every
    /// ActivitySource and its <c>meter_provider</c> every Meter unless its <c>tracer_configurator/development</c>
    /// or <c>meter_configurator/development</c> narrows them. Unknown keys and unsupported nodes are reported as
    /// configuration warnings on the <c>Functional-Telemetry</c> EventSource. See docs/configuration.md.</summary>
    /// <exception cref="ArgumentException">The file cannot be read or is invalid; the message lists every error with
    /// its line and path.</exception>
    public static TelemetryBuilder FromConfigFile(string path)
    {
        Guard.NotBlank(path, nameof(path));
        var loaded = ConfigFile.Load(path);

        if (loaded.IsError)
        {
            throw new ArgumentException(ConfigFileParser.describe($"'{path}'", loaded.ErrorValue), nameof(path));
        }

        var (config, warnings) = loaded.ResultValue;
        SelfDiagnostics.ConfigWarnings(warnings);
        return new TelemetryBuilder(config);
    }
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

    /// <summary>Enables tracing, configured by <paramref name="configure"/> (on top of what is already configured,
    /// a configuration file's tracing included).</summary>
    public TelemetryBuilder WithTracing(Action<TracingBuilder> configure)
    {
        var builder = new TracingBuilder();

        // Builds on what is there (a configuration file's exporters, an earlier WithTracing call).
        if (config.Tracing is { } current)
        {
            builder.Config = current.Value;
        }

        Guard.NotNull(configure, nameof(configure))(builder);
        config = TelemetryModule.WithTracing(FuncConvert.FromFunc<TracingConfig, TracingConfig>(_ => builder.Config), config);
        return this;
    }

    /// <summary>Enables metrics, configured by <paramref name="configure"/> (on top of what is already configured,
    /// a configuration file's metrics included).</summary>
    public TelemetryBuilder WithMetrics(Action<MetricsBuilder> configure)
    {
        var builder = new MetricsBuilder();

        // Builds on what is there (a configuration file's exporters, an earlier WithMetrics call).
        if (config.Metrics is { } current)
        {
            builder.Config = current.Value;
        }

        Guard.NotNull(configure, nameof(configure))(builder);
        config = TelemetryModule.WithMetrics(FuncConvert.FromFunc<MetricsConfig, MetricsConfig>(_ => builder.Config), config);
        return this;
    }

    /// <summary>Enables logs, configured by <paramref name="configure"/> (on top of what is already configured, a
    /// configuration file's logging included). Write them through
    /// <see cref="TelemetrySdk.CreateLogger"/>, or register the SDK with <c>ILoggingBuilder.AddFunctionalTelemetry(sdk)</c>.</summary>
    public TelemetryBuilder WithLogging(Action<LoggingBuilder> configure)
    {
        var builder = new LoggingBuilder();

        // Builds on what is there (a configuration file's exporters, an earlier WithLogging call).
        if (config.Logging is { } current)
        {
            builder.Config = current.Value;
        }

        Guard.NotNull(configure, nameof(configure))(builder);
        config = TelemetryModule.WithLogging(FuncConvert.FromFunc<LoggingConfig, LoggingConfig>(_ => builder.Config), config);
        return this;
    }

    /// <summary>Starts the SDK. Dispose the result (or <c>await using</c> it) to flush and shut down.</summary>
    /// <exception cref="ArgumentException">A setting given in code is invalid.</exception>
    public TelemetrySdk Start() => TelemetryModule.Start(config);
}
