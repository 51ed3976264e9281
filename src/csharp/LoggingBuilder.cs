using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>Configures logs: exporters, processors, limits, scopes and the body. Records come from
/// <c>ILogger</c> (register the SDK with <c>ILoggingBuilder.AddFunctionalTelemetry</c>, or use
/// <see cref="TelemetrySdk.CreateLogger"/>; hosted, <c>services.AddFunctionalTelemetry().WithLogging(...)</c> registers
/// the logger provider). <c>OTEL_LOGS_EXPORTER</c> (<c>otlp</c>, <c>console</c>, <c>none</c>), when
/// set, decides which OTLP and console exporters run (those added here keep their options); exporters given as objects
/// and ETW always run. With no exporter added and the variable unset, records are exported over OTLP, the
/// specification's default.</summary>
public sealed class LoggingBuilder
{
    private static readonly SignalFunctions<LoggingConfig, LogRecord> Functions = new(
        Signals.Logs,
        LoggingModule.AddOtlpExporter,
        LoggingModule.AddOtlpFileExporter,
        LoggingModule.AddEtwExporterWith,
        LoggingModule.AddProcessor,
        LoggingModule.AddExporter,
        LoggingModule.AddBatchExporter,
        LoggingModule.AddSimpleExporter,
        LoggingModule.AddConsoleExporter,
        writer => new ConsoleLogExporter(writer),
        config => config.Exporters,
        ConfigRecords.WithExporters);

    private readonly ExporterList<LoggingConfig, LogRecord> exporters;

    /// <summary>A builder whose calls apply at once, as inside <c>Telemetry.Create(...).WithLogging(...)</c>.</summary>
    public LoggingBuilder()
        : this(deferred: false)
    {
    }

    /// <summary>A builder whose calls apply at once (<paramref name="deferred"/> false) or when the host starts the SDK.</summary>
    internal LoggingBuilder(bool deferred, LoggingConfig? initial = null) =>
        exporters = new(deferred, initial ?? LoggingModule.Empty, Functions, "WithLogging(l => ...)", "WithLogging(l => l.AddOtlpExporter(...))");

    /// <summary>Exports over OTLP as the <c>OTEL_EXPORTER_OTLP_*</c> environment variables say (default
    /// http/protobuf to <c>http://localhost:4318</c>), with retries on by default.</summary>
    public LoggingBuilder AddOtlpExporter() => AddOtlpExporter(_ => { });

    /// <summary>Exports over OTLP; <paramref name="configure"/> overrides the environment variables (hosted: it
    /// receives the named <see cref="OtlpExporterOptions"/> <c>logs</c> as configuration left them).</summary>
    /// <exception cref="InvalidOperationException"><c>UseOtlpExporter</c> already sends logs over OTLP.</exception>
    public LoggingBuilder AddOtlpExporter(Action<OtlpExporterOptions> configure)
    {
        exporters.AddOtlpExporter(configure);
        return this;
    }

    /// <summary>Writes log records as JSON Lines of OTLP/JSON to standard output (the specification's OTLP File Exporter;
    /// <c>OTEL_LOGS_EXPORTER=otlp/stdout</c> names it), batched.</summary>
    public LoggingBuilder AddOtlpFileExporter() => AddOtlpFileExporter(_ => { });

    /// <summary>Writes log records as JSON Lines of OTLP/JSON to standard output or to a file rotated by size, as
    /// <paramref name="configure"/> sets (see <see cref="OtlpFileExporterOptions"/>), batched.</summary>
    /// <exception cref="ArgumentException">A blank path, a non-positive file size or a negative count of rotated files.</exception>
    public LoggingBuilder AddOtlpFileExporter(Action<OtlpFileExporterOptions> configure)
    {
        exporters.AddOtlpFileExporter(configure);
        return this;
    }

    /// <summary>Exports over OTLP to a vendor's endpoint as <paramref name="preset"/> says (endpoint shape, headers,
    /// protocol; see <see cref="OtlpPreset"/>), the other settings from the <c>OTEL_EXPORTER_OTLP_*</c> environment
    /// variables.</summary>
    /// <exception cref="ArgumentException">The vendor does not receive logs.</exception>
    /// <exception cref="InvalidOperationException"><c>UseOtlpExporter</c> already sends logs over OTLP.</exception>
    public LoggingBuilder AddOtlpExporter(OtlpPreset preset) => AddOtlpExporter(preset, _ => { });

    /// <summary>Exports over OTLP to a vendor's endpoint as <paramref name="preset"/> says; what
    /// <paramref name="configure"/> sets wins over the preset (hosted: it receives the named
    /// <see cref="OtlpExporterOptions"/> <c>logs</c> as configuration left them).</summary>
    /// <exception cref="ArgumentException">The vendor does not receive logs.</exception>
    /// <exception cref="InvalidOperationException"><c>UseOtlpExporter</c> already sends logs over OTLP.</exception>
    public LoggingBuilder AddOtlpExporter(OtlpPreset preset, Action<OtlpExporterOptions> configure)
    {
        exporters.AddOtlpExporter(preset, configure);
        return this;
    }

    /// <summary>The OTLP exporter of <c>UseOtlpExporter(preset)</c>.</summary>
    internal LoggingBuilder UseOtlpEverywhere(OtlpPreset preset)
    {
        exporters.UseOtlpEverywhere(preset);
        return this;
    }

    /// <summary>The OTLP exporter of <c>UseOtlpExporter</c>.</summary>
    internal LoggingBuilder UseOtlpEverywhere(OtlpExportProtocol? protocol, Uri? baseUrl)
    {
        exporters.UseOtlpEverywhere(protocol, baseUrl);
        return this;
    }

    /// <summary>Writes each record as an ETW event named <c>Log</c> to the EventSource
    /// <paramref name="providerName"/> (ASCII letters, digits, <c>_</c> and <c>-</c>; an invalid name, <c>Functional-Telemetry</c>
    /// or the name of another live EventSource throws <see cref="ArgumentException"/> here). Records are written one at a time on the export thread; with no
    /// session listening only the enabled check runs. See docs/etw.md.</summary>
    public LoggingBuilder AddEtwExporter(string providerName) => AddEtwExporter(providerName, _ => { });

    /// <summary>Writes each record as an ETW event, with these options (event names, resource attributes, the
    /// provider name rule).</summary>
    public LoggingBuilder AddEtwExporter(string providerName, Action<EtwExporterOptions> configure)
    {
        exporters.AddEtwExporter(providerName, configure);
        return this;
    }

    /// <summary>Flattens the <c>ILogger.BeginScope</c> scopes around each call into its attributes
    /// (key/value scopes give their pairs, other scopes an attribute <c>scope</c>). Default: off.</summary>
    public LoggingBuilder IncludeScopes(bool include = true) => Apply(config => LoggingModule.WithScopes(include, config));

    /// <summary>Uses the message template (<c>"Hello {Name}"</c>) as the body instead of the formatted message.
    /// Default: the formatted message is the body and the template is kept as the attribute
    /// <c>{OriginalFormat}</c>.</summary>
    public LoggingBuilder UseTemplateAsBody(bool templateAsBody = true) =>
        Apply(config => LoggingModule.WithTemplateAsBody(templateAsBody, config));

    /// <summary>Sets log record limits. Default: <c>OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT</c> and
    /// <c>OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT</c> (else <c>OTEL_ATTRIBUTE_*</c>), else 128 and no limit
    /// (hosted: <paramref name="configure"/> receives the named <see cref="LogRecordLimitsOptions"/> <c>logs</c>).</summary>
    public LoggingBuilder SetLimits(Action<LogRecordLimitsOptions> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        return Apply((context, config) =>
        {
            var options = context.CreateLogRecordLimitsOptions();
            configure(options);
            return LoggingModule.WithLimits(options.ToLimits(), config);
        });
    }

    /// <summary>Adds a processor run on every record before export: return the record (changed or not) to keep
    /// it, or null to drop it. Processors run in the order added, on the export thread.</summary>
    public LoggingBuilder AddProcessor(Func<LogRecord, LogRecord?> processor)
    {
        exporters.AddProcessor(processor);
        return this;
    }

    /// <summary>Adds an exporter fed in batches (<c>OTEL_BLRP_*</c>; default every 1 s or 512 records, queue 2048,
    /// export timeout 30 s).</summary>
    public LoggingBuilder AddExporter(IExporter<LogRecord> exporter)
    {
        exporters.AddExporter(exporter);
        return this;
    }

    /// <summary>Adds an exporter fed in batches with these settings (the schedule delay starts at 1 s for logs;
    /// hosted, <paramref name="configure"/> receives the named <see cref="BatchExportOptions"/> <c>logs</c>).</summary>
    public LoggingBuilder AddExporter(IExporter<LogRecord> exporter, Action<BatchExportOptions> configure)
    {
        exporters.AddExporter(exporter, configure);
        return this;
    }

    /// <summary>Adds an exporter fed one record at a time (off the application's thread).</summary>
    public LoggingBuilder AddSimpleExporter(IExporter<LogRecord> exporter)
    {
        exporters.AddSimpleExporter(exporter);
        return this;
    }

    /// <summary>Adds an exporter of log record views fed in batches (<c>OTEL_BLRP_*</c>): it reads each call
    /// through a <see cref="LogRecordView"/>, lent for the export call, and no <see cref="LogRecord"/> is made for
    /// it; the message is formatted only if it reads the body (see <see cref="LogRecordViewExporter"/>).</summary>
    public LoggingBuilder AddExporter(IExporter<LogRecordView> exporter) =>
        AddExporter(new LogRecordViewExporter(Guard.NotNull(exporter, nameof(exporter))));

    /// <summary>Adds an exporter of log record views fed in batches with these settings (see
    /// <see cref="AddExporter(IExporter{LogRecordView})"/>).</summary>
    public LoggingBuilder AddExporter(IExporter<LogRecordView> exporter, Action<BatchExportOptions> configure) =>
        AddExporter(new LogRecordViewExporter(Guard.NotNull(exporter, nameof(exporter))), configure);

    /// <summary>Adds an exporter of log record views fed one record at a time (see
    /// <see cref="AddExporter(IExporter{LogRecordView})"/>).</summary>
    public LoggingBuilder AddSimpleExporter(IExporter<LogRecordView> exporter) =>
        AddSimpleExporter(new LogRecordViewExporter(Guard.NotNull(exporter, nameof(exporter))));

    /// <summary>Prints records to standard output, one line each: time, severity, category, body, attributes,
    /// trace and span ids.</summary>
    public LoggingBuilder AddConsoleExporter()
    {
        exporters.AddConsoleExporter();
        return this;
    }

    /// <summary>Prints records to <paramref name="writer"/>, one line each.</summary>
    public LoggingBuilder AddConsoleExporter(TextWriter writer)
    {
        exporters.AddConsoleExporter(writer);
        return this;
    }

    /// <summary>Keeps exported records in <paramref name="exporter"/> (exported one by one), for tests.</summary>
    public LoggingBuilder AddInMemoryExporter(InMemoryExporter<LogRecord> exporter)
    {
        exporters.AddSimpleExporter(exporter);
        return this;
    }

    /// <summary>Removes every exporter added so far, <c>UseOtlpExporter</c>'s included: a test replaces the
    /// application's exporters with <c>l.ClearExporters().AddInMemoryExporter(records)</c>. Processors, limits and
    /// the other settings stay.</summary>
    public LoggingBuilder ClearExporters()
    {
        exporters.ClearExporters();
        return this;
    }

    /// <summary>True once <see cref="ClearExporters"/> was called.</summary>
    internal bool Cleared => exporters.Cleared;

    /// <summary>Adds a step that needs the container (Functional.Telemetry.Hosting's overloads).</summary>
    internal LoggingBuilder AddWithServices(string call, Func<IServiceProvider, LoggingConfig, LoggingConfig> step)
    {
        exporters.AddWithServices(call, step);
        return this;
    }

    /// <summary>The logging configuration, with the settings <paramref name="context"/> holds for what code left unset.</summary>
    internal LoggingConfig Build(IBuildContext context)
    {
        var config = exporters.Build(context);
        if (config.Limits is null && context.ConfiguredLogRecordLimits() is { } limits)
        {
            config = LoggingModule.WithLimits(limits, config);
        }

        return config;
    }

    private LoggingBuilder Apply(Func<IBuildContext, LoggingConfig, LoggingConfig> step)
    {
        exporters.Apply(step);
        return this;
    }

    private LoggingBuilder Apply(Func<LoggingConfig, LoggingConfig> step) => Apply((_, config) => step(config));
}

/// <summary>Log record limits for <see cref="LoggingBuilder.SetLimits"/>.</summary>
public sealed class LogRecordLimitsOptions
{
    /// <summary>Most attributes per record. Default 128.</summary>
    public int AttributeCountLimit { get; set; } = 128;

    /// <summary>Longest string or byte-array attribute value; null (the default) for no limit.</summary>
    public int? AttributeValueLengthLimit { get; set; }

    /// <summary>The core's limits, checked by the core's one validation (an ArgumentException naming the setting).</summary>
    internal LogRecordLimits ToLimits() =>
        Validation.OrThrow(
            "configure",
            LogRecordLimitsModule.Validate(
                new LogRecordLimits(
                    AttributeCountLimit,
                    AttributeValueLengthLimit is { } limit ? FSharpOption<int>.Some(limit) : FSharpOption<int>.None)));
}
