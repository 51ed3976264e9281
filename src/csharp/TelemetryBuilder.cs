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
        SelfDiagnostics.configWarnings(warnings);
        return new TelemetryBuilder(config);
    }
}

/// <summary>The root builder. Each <c>With...</c> call returns this builder; <see cref="Start"/> runs it. The same
/// builder configures a host's SDK: <c>services.AddFunctionalTelemetry()</c> (Functional.Telemetry.Hosting) returns
/// one, which the host starts and stops.</summary>
public sealed class TelemetryBuilder
{
    private readonly bool hosted;
    private readonly Action? loggingEnabled;
    private readonly List<Func<TelemetryConfig, TelemetryConfig>> recorded = new();
    private TelemetryConfig config;
    private TracingBuilder? tracing;
    private MetricsBuilder? metrics;
    private LoggingBuilder? logging;

    internal TelemetryBuilder(TelemetryConfig config) => this.config = config;

    private TelemetryBuilder(Action loggingEnabled)
    {
        hosted = true;
        this.loggingEnabled = loggingEnabled;
        config = TelemetryModule.Create("unknown_service");
    }

    /// <summary>A builder whose calls are recorded and replayed when the host starts the SDK
    /// (<see cref="Build"/>); <paramref name="loggingEnabled"/> runs once, when logs are first enabled.</summary>
    internal static TelemetryBuilder CreateHosted(Action loggingEnabled) => new(loggingEnabled);

    /// <summary>The lookup given to <see cref="WithEnvironment"/>, if it was called: it wins over IConfiguration.</summary>
    internal FSharpFunc<string, FSharpOption<string>>? EnvironmentInCode { get; private set; }

    /// <summary>Adds a resource attribute (highest priority: it wins over the environment and detectors).
    /// The value may be a string, bool, any integer or floating type, or an array of those.</summary>
    public TelemetryBuilder AddResourceAttribute(string key, object value) =>
        ConfigureResource(r => r.AddAttribute(key, value));

    /// <summary>Sets resource attributes (the service's name, version, instance, and any other), which win over
    /// <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_SERVICE_NAME</c> and the detectors; calls add up.</summary>
    public TelemetryBuilder ConfigureResource(Action<ResourceBuilder> configure)
    {
        var resource = new ResourceBuilder();
        Guard.NotNull(configure, nameof(configure))(resource);
        if (resource.Attributes.Count > 0)
        {
            var attributes = ListModule.OfSeq(resource.Attributes);
            Apply(c => TelemetryModule.WithResourceAttributes(attributes, c));
        }

        if (resource.DetectionOff)
        {
            Apply(c => TelemetryModule.WithResourceDetection(false, c));
        }

        return this;
    }

    /// <summary>Turns the process/host/OS resource detector off (it is on by default).</summary>
    public TelemetryBuilder WithoutResourceDetection() => ConfigureResource(r => r.WithoutDetection());

    /// <summary>Reads settings from these values instead of the process environment variables (hosted: instead
    /// of IConfiguration).</summary>
    public TelemetryBuilder WithEnvironment(IReadOnlyDictionary<string, string> variables)
    {
        Guard.NotNull(variables, nameof(variables));
        var pairs = variables.Select(kv => Tuple.Create(kv.Key, kv.Value)).ToArray();
        var lookup = Env.OfList(ListModule.OfArray(pairs));
        EnvironmentInCode = lookup;
        return Apply(c => TelemetryModule.WithEnvironment(lookup, c));
    }

    /// <summary>Keeps .NET's default propagator instead of installing ours as
    /// <c>DistributedContextPropagator.Current</c>.</summary>
    public TelemetryBuilder WithoutPropagatorInstallation() => Apply(c => TelemetryModule.WithPropagatorInstalled(false, c));

    /// <summary>Turns export retries off (they are on by default).</summary>
    public TelemetryBuilder WithoutRetries() => Apply(c => TelemetryModule.WithRetry(RetryPolicyModule.Disabled, c));

    /// <summary>Keeps what the OTLP exporters cannot send (collector unreachable, or answering retryably) in files
    /// under <paramref name="directory"/> (one subdirectory per signal and destination: an exporter only sends the
    /// files made for its endpoint and protocol) until the collector answers, then sends it in order; what is stored
    /// when the process stops is sent by the next process started with the same directory and endpoint.
    /// At most <paramref name="maxBytes"/> per exporter (default 256 MiB; the newest requests are dropped, and
    /// counted, past it) and none older than <paramref name="maxAge"/> (default 24 h). The SDK creates the directory
    /// readable and writable by its owner only; the shared temporary directory itself and, on Unix, a directory
    /// every local account may write to, a symbolic link or a directory another account owns are refused with a
    /// warning and memory is used instead. Beats
    /// <c>OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY</c> and <c>OTEL_DOTNET_EXPERIMENTAL_OTLP_DISK_RETRY_DIRECTORY_PATH</c>.
    /// See docs/reliability.md.</summary>
    public TelemetryBuilder UseDiskExportStore(string directory, long? maxBytes = null, TimeSpan? maxAge = null)
    {
        Guard.NotBlank(directory, nameof(directory));
        var store = ExportStoreModule.OnDisk(directory);
        if (store is ExportStore.Disk disk && (maxBytes.HasValue || maxAge.HasValue))
        {
            store = ExportStore.NewDisk(disk.directory, maxBytes ?? disk.maxBytes, maxAge ?? disk.maxAge);
        }
        return Apply(c => TelemetryModule.WithExportStore(store, c));
    }

    /// <summary>Keeps what the OTLP exporters cannot send in memory, at most <paramref name="maxBytes"/> of encoded
    /// requests across signals (the default store holds 64 MiB), until the collector answers; what it still holds at
    /// shutdown is dropped and counted. See docs/reliability.md.</summary>
    public TelemetryBuilder UseMemoryExportStore(long maxBytes) =>
        Apply(c => TelemetryModule.WithExportStore(ExportStoreModule.InMemory(maxBytes), c));

    /// <summary>Turns the export store off: a request the collector does not take is retried within its export
    /// deadline, then counted as failed.</summary>
    public TelemetryBuilder WithoutExportStore() => Apply(c => TelemetryModule.WithExportStore(ExportStore.Off, c));

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

    /// <summary>Enables tracing, configured by <paramref name="configure"/>. Calls add up: a second call
    /// continues the first's configuration.</summary>
    public TelemetryBuilder WithTracing(Action<TracingBuilder> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        configure(tracing ??= new TracingBuilder(hosted, config.Tracing?.Value));
        return this;
    }

    /// <summary>Enables metrics, configured by <paramref name="configure"/>. Calls add up.</summary>
    public TelemetryBuilder WithMetrics(Action<MetricsBuilder> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        configure(metrics ??= new MetricsBuilder(hosted, config.Metrics?.Value));
        return this;
    }

    /// <summary>Enables logs, configured by <paramref name="configure"/>. Calls add up. Write them through
    /// <see cref="TelemetrySdk.CreateLogger"/>, or register the SDK with <c>ILoggingBuilder.AddFunctionalTelemetry(sdk)</c>;
    /// hosted, the SDK's logger provider is registered with the host's logging.</summary>
    public TelemetryBuilder WithLogging(Action<LoggingBuilder> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        if (logging is null)
        {
            logging = new LoggingBuilder(hosted, config.Logging?.Value);
            loggingEnabled?.Invoke();
        }

        configure(logging);
        return this;
    }

    /// <summary>Exports traces, metrics and logs over OTLP, as the <c>OTEL_EXPORTER_OTLP_*</c> settings say
    /// (default http/protobuf to <c>http://localhost:4318</c>); it enables the three signals. Each signal's OTLP
    /// exporter is the one its <c>AddOtlpExporter()</c> would add, so calling both for a signal is an error.</summary>
    /// <exception cref="InvalidOperationException">A signal already has an OTLP exporter of its own, or this is the second call.</exception>
    public TelemetryBuilder UseOtlpExporter() => UseOtlp(null, null);

    /// <summary>Exports every signal a vendor receives over OTLP as <paramref name="preset"/> says (endpoint shape,
    /// headers, protocol, temporality; see <see cref="OtlpPreset"/>), the other settings from the
    /// <c>OTEL_EXPORTER_OTLP_*</c> environment variables; it enables those signals (Jaeger: tracing only).</summary>
    /// <exception cref="InvalidOperationException">A signal already has an OTLP exporter of its own, or this is the second call.</exception>
    public TelemetryBuilder UseOtlpExporter(OtlpPreset preset)
    {
        Guard.NotNull(preset, nameof(preset));
        var result = this;
        if (preset.Receives(Signals.Traces))
        {
            result = result.WithTracing(t => t.UseOtlpEverywhere(preset));
        }

        if (preset.Receives(Signals.Metrics))
        {
            result = result.WithMetrics(m => m.UseOtlpEverywhere(preset));
        }

        if (preset.Receives(Signals.Logs))
        {
            result = result.WithLogging(l => l.UseOtlpEverywhere(preset));
        }

        return result;
    }

    /// <summary>Exports traces, metrics and logs over OTLP with this protocol to this base URL: OTLP/HTTP posts to
    /// <c>{baseUrl}/v1/traces</c>, <c>/v1/metrics</c> and <c>/v1/logs</c>; gRPC uses <paramref name="baseUrl"/> as it
    /// is. The other settings come from <c>OTEL_EXPORTER_OTLP_*</c>; it enables the three signals.</summary>
    /// <exception cref="ArgumentException"><paramref name="baseUrl"/> is not an absolute http or https URL.</exception>
    /// <exception cref="InvalidOperationException">A signal already has an OTLP exporter of its own, or this is the second call.</exception>
    public TelemetryBuilder UseOtlpExporter(OtlpExportProtocol protocol, Uri baseUrl)
    {
        Guard.NotNull(baseUrl, nameof(baseUrl));
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The OTLP base URL must be an absolute http or https URL.", nameof(baseUrl));
        }

        if (!Enum.IsDefined(protocol))
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown OTLP protocol.");
        }

        return UseOtlp(protocol, baseUrl);
    }

    /// <summary>Starts the SDK. Dispose the result (or <c>await using</c> it) to flush and shut down.</summary>
    /// <exception cref="ArgumentException">A setting given in code is invalid.</exception>
    /// <exception cref="InvalidOperationException">This builder came from <c>services.AddFunctionalTelemetry()</c>:
    /// the host starts it.</exception>
    public TelemetrySdk Start()
    {
        if (hosted)
        {
            throw new InvalidOperationException(
                "This builder belongs to services.AddFunctionalTelemetry(): the host starts the SDK when it starts and shuts it " +
                "down when it stops. Resolve TelemetrySdk from the services to flush it; Start() is for Telemetry.Create(...).");
        }

        return TelemetryModule.Start(ClearedExportNowhere(Build(StandaloneBuildContext.Instance, null)));
    }

    /// <summary>A signal whose exporters code cleared (<c>ClearExporters()</c>) and left empty exports nowhere:
    /// its <c>OTEL_*_EXPORTER</c> reads <c>none</c> unless the environment sets it, instead of the specification's
    /// <c>otlp</c> default for a signal with no exporter. Apply it after the configuration's environment is final.</summary>
    internal TelemetryConfig ClearedExportNowhere(TelemetryConfig built)
    {
        var silenced = new List<string>();
        if (tracing is { Cleared: true } && built.Tracing?.Value is { } t && t.Exporters.IsEmpty)
        {
            silenced.Add("OTEL_TRACES_EXPORTER");
        }

        if (metrics is { Cleared: true } && built.Metrics?.Value is { } m && m.Readers.IsEmpty)
        {
            silenced.Add("OTEL_METRICS_EXPORTER");
        }

        if (logging is { Cleared: true } && built.Logging?.Value is { } l && l.Exporters.IsEmpty)
        {
            silenced.Add("OTEL_LOGS_EXPORTER");
        }

        if (silenced.Count == 0)
        {
            return built;
        }

        var environment = built.Environment;
        var lookup = FuncConvert.FromFunc<string, FSharpOption<string>>(key =>
            environment.Invoke(key) is { } value ? value
            : silenced.Contains(key) ? FSharpOption<string>.Some("none")
            : FSharpOption<string>.None);
        return TelemetryModule.WithEnvironment(lookup, built);
    }

    /// <summary>The whole configuration. A hosted builder replays its calls over a configuration for
    /// <paramref name="defaultServiceName"/> (which <c>OTEL_SERVICE_NAME</c> and resource attributes set in code
    /// override); the signals read <paramref name="context"/> for what code left unset.</summary>
    internal TelemetryConfig Build(IBuildContext context, string? defaultServiceName)
    {
        var result = config;
        if (hosted)
        {
            result = TelemetryModule.Create(string.IsNullOrWhiteSpace(defaultServiceName) ? "unknown_service" : defaultServiceName);
            foreach (var step in recorded)
            {
                result = step(result);
            }
        }

        if (tracing is { } t)
        {
            var built = t.Build(context);
            result = TelemetryModule.WithTracing(FuncConvert.FromFunc<TracingConfig, TracingConfig>(_ => built), result);
        }

        if (metrics is { } m)
        {
            var built = m.Build(context);
            result = TelemetryModule.WithMetrics(FuncConvert.FromFunc<MetricsConfig, MetricsConfig>(_ => built), result);
        }

        if (logging is { } l)
        {
            var built = l.Build(context);
            result = TelemetryModule.WithLogging(FuncConvert.FromFunc<LoggingConfig, LoggingConfig>(_ => built), result);
        }

        return result;
    }

    private TelemetryBuilder UseOtlp(OtlpExportProtocol? protocol, Uri? baseUrl) =>
        WithTracing(t => t.UseOtlpEverywhere(protocol, baseUrl))
            .WithMetrics(m => m.UseOtlpEverywhere(protocol, baseUrl))
            .WithLogging(l => l.UseOtlpEverywhere(protocol, baseUrl));

    private TelemetryBuilder Apply(Func<TelemetryConfig, TelemetryConfig> step)
    {
        if (hosted)
        {
            recorded.Add(step);
        }
        else
        {
            config = step(config);
        }

        return this;
    }
}
