using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>Configures logs: exporters, processors, limits, scopes and the body. Records come from
/// <c>ILogger</c> (register the SDK with <c>ILoggingBuilder.AddFunctionalTelemetry</c>, or use
/// <see cref="TelemetrySdk.CreateLogger"/>). <c>OTEL_LOGS_EXPORTER</c> (<c>otlp</c>, <c>console</c>, <c>none</c>), when
/// set, decides which OTLP and console exporters run (those added here keep their options); exporters given as objects
/// and ETW always run. With no exporter added and the variable unset, records are exported over OTLP, the
/// specification's default.</summary>
public sealed class LoggingBuilder
{
    /// <summary>Exports over OTLP as the <c>OTEL_EXPORTER_OTLP_*</c> environment variables say (default
    /// http/protobuf to <c>http://localhost:4318</c>), with retries on by default.</summary>
    public LoggingBuilder AddOtlpExporter() => AddOtlpExporter(_ => { });

    /// <summary>Exports over OTLP; <paramref name="configure"/> overrides the environment variables.</summary>
    public LoggingBuilder AddOtlpExporter(Action<OtlpExporterOptions> configure)
    {
        var options = new OtlpExporterOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        Config = LoggingModule.AddOtlpExporter(options.ToConfigure(), Config);
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
        var options = new EtwExporterOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        Config = LoggingModule.AddEtwExporterWith(options.ToOptions(providerName), Config);
        return this;
    }

    internal LoggingConfig Config { get; private set; } = LoggingModule.Empty;

    /// <summary>Flattens the <c>ILogger.BeginScope</c> scopes around each call into its attributes
    /// (key/value scopes give their pairs, other scopes an attribute <c>scope</c>). Default: off.</summary>
    public LoggingBuilder IncludeScopes(bool include = true)
    {
        Config = LoggingModule.WithScopes(include, Config);
        return this;
    }

    /// <summary>Uses the message template (<c>"Hello {Name}"</c>) as the body instead of the formatted message.
    /// Default: the formatted message is the body and the template is kept as the attribute
    /// <c>{OriginalFormat}</c>.</summary>
    public LoggingBuilder UseTemplateAsBody(bool templateAsBody = true)
    {
        Config = LoggingModule.WithTemplateAsBody(templateAsBody, Config);
        return this;
    }

    /// <summary>Sets log record limits. Default: <c>OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT</c> and
    /// <c>OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT</c> (else <c>OTEL_ATTRIBUTE_*</c>), else 128 and no limit.</summary>
    public LoggingBuilder SetLimits(Action<LogRecordLimitsOptions> configure)
    {
        var options = new LogRecordLimitsOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        Config = LoggingModule.WithLimits(options.ToLimits(), Config);
        return this;
    }

    /// <summary>Adds a processor run on every record before export: return the record (changed or not) to keep
    /// it, or null to drop it. Processors run in the order added, on the export thread.</summary>
    public LoggingBuilder AddProcessor(Func<LogRecord, LogRecord?> processor)
    {
        Guard.NotNull(processor, nameof(processor));
        Config = LoggingModule.AddProcessor(
            FuncConvert.FromFunc<LogRecord, FSharpOption<LogRecord>>(record => processor(record) is { } kept ? FSharpOption<LogRecord>.Some(kept) : FSharpOption<LogRecord>.None),
            Config);
        return this;
    }

    /// <summary>Adds an exporter fed in batches (<c>OTEL_BLRP_*</c>; default every 1 s or 512 records, queue 2048,
    /// export timeout 30 s).</summary>
    public LoggingBuilder AddExporter(IExporter<LogRecord> exporter)
    {
        Config = LoggingModule.AddBatchExporter(Guard.NotNull(exporter, nameof(exporter)), Config);
        return this;
    }

    /// <summary>Adds an exporter fed in batches with these settings (the schedule delay starts at 1 s for logs).</summary>
    public LoggingBuilder AddExporter(IExporter<LogRecord> exporter, Action<BatchExportOptions> configure)
    {
        var options = new BatchExportOptions { ScheduleDelay = TimeSpan.FromSeconds(1) };
        Guard.NotNull(configure, nameof(configure))(options);
        Config = LoggingModule.AddExporter(ExportMode.NewBatched(options.ToBatchOptions()), Guard.NotNull(exporter, nameof(exporter)), Config);
        return this;
    }

    /// <summary>Adds an exporter fed one record at a time (off the application's thread).</summary>
    public LoggingBuilder AddSimpleExporter(IExporter<LogRecord> exporter)
    {
        Config = LoggingModule.AddSimpleExporter(Guard.NotNull(exporter, nameof(exporter)), Config);
        return this;
    }

    /// <summary>Prints records to standard output, one line each: time, severity, category, body, attributes,
    /// trace and span ids.</summary>
    public LoggingBuilder AddConsoleExporter()
    {
        Config = LoggingModule.AddConsoleExporter(Config);
        return this;
    }

    /// <summary>Prints records to <paramref name="writer"/>, one line each.</summary>
    public LoggingBuilder AddConsoleExporter(TextWriter writer)
    {
        Config = LoggingModule.AddBatchExporter(new ConsoleLogExporter(Guard.NotNull(writer, nameof(writer))), Config);
        return this;
    }

    /// <summary>Keeps exported records in <paramref name="exporter"/> (exported one by one), for tests.</summary>
    public LoggingBuilder AddInMemoryExporter(InMemoryExporter<LogRecord> exporter)
    {
        Config = LoggingModule.AddSimpleExporter(Guard.NotNull(exporter, nameof(exporter)), Config);
        return this;
    }
}

/// <summary>Log record limits for <see cref="LoggingBuilder.SetLimits"/>.</summary>
public sealed class LogRecordLimitsOptions
{
    /// <summary>Most attributes per record. Default 128.</summary>
    public int AttributeCountLimit { get; set; } = 128;

    /// <summary>Longest string or byte-array attribute value; null (the default) for no limit.</summary>
    public int? AttributeValueLengthLimit { get; set; }

    internal LogRecordLimits ToLimits()
    {
        if (AttributeCountLimit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AttributeCountLimit), AttributeCountLimit, "Limits must not be negative.");
        }

        if (AttributeValueLengthLimit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(AttributeValueLengthLimit), AttributeValueLengthLimit, "Limits must not be negative.");
        }

        return new LogRecordLimits(
            AttributeCountLimit,
            AttributeValueLengthLimit is { } limit ? FSharpOption<int>.Some(limit) : FSharpOption<int>.None);
    }
}
