using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>Configures tracing: which ActivitySources to record, sampling, limits, processors, exporters.
/// <c>OTEL_TRACES_EXPORTER</c> (<c>otlp</c>, <c>console</c>, <c>none</c>), when set, decides which OTLP and console
/// exporters run (those added here keep their options); exporters given as objects and ETW always run. With no
/// exporter added and the variable unset, spans are exported over OTLP, the specification's default.</summary>
public sealed class TracingBuilder
{
    /// <summary>Exports over OTLP as the <c>OTEL_EXPORTER_OTLP_*</c> environment variables say (default
    /// http/protobuf to <c>http://localhost:4318</c>), with retries on by default.</summary>
    public TracingBuilder AddOtlpExporter() => AddOtlpExporter(_ => { });

    /// <summary>Exports over OTLP; <paramref name="configure"/> overrides the environment variables.</summary>
    public TracingBuilder AddOtlpExporter(Action<OtlpExporterOptions> configure)
    {
        var options = new OtlpExporterOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        Config = TracingModule.AddOtlpExporter(options.ToConfigure(), Config);
        return this;
    }

    internal TracingConfig Config { get; private set; } = TracingModule.Empty;

    /// <summary>Writes each span as an ETW event named <c>Span</c> (keyword 2) to the EventSource
    /// <paramref name="providerName"/> (ASCII letters, digits, <c>_</c> and <c>-</c>; an invalid name, <c>Functional-Telemetry</c>
    /// or the name of another live EventSource throws <see cref="ArgumentException"/> here). Spans are written as they end, on the export thread. See docs/etw.md.</summary>
    public TracingBuilder AddEtwExporter(string providerName) => AddEtwExporter(providerName, _ => { });

    /// <summary>Writes each span as an ETW event, with these options (<see cref="EtwExporterOptions.LogEventName"/>
    /// does not apply to spans).</summary>
    public TracingBuilder AddEtwExporter(string providerName, Action<EtwExporterOptions> configure)
    {
        var options = new EtwExporterOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        Config = TracingModule.AddEtwExporterWith(options.ToOptions(providerName), Config);
        return this;
    }

    /// <summary>Records spans of ActivitySources with this name; <c>*</c> is a wildcard (<c>MyCompany.*</c>).
    /// Names match case-insensitively. HttpClient is <c>System.Net.Http</c>, ASP.NET Core <c>Microsoft.AspNetCore</c>.</summary>
    /// <exception cref="ArgumentException">The name is empty or contains whitespace.</exception>
    public TracingBuilder AddSource(string name)
    {
        Config = TracingModule.AddSource(Guard.NotBlank(name, nameof(name)), Config);
        return this;
    }

    /// <summary>Records spans of every listed source.</summary>
    public TracingBuilder AddSources(params string[] names)
    {
        foreach (var name in Guard.NotNull(names, nameof(names)))
        {
            AddSource(name);
        }

        return this;
    }

    /// <summary>Sets the sampler. Default: <c>OTEL_TRACES_SAMPLER</c>, else ParentBased(AlwaysOn).</summary>
    public TracingBuilder SetSampler(Sampler sampler)
    {
        Config = TracingModule.WithSampler(Guard.NotNull(sampler, nameof(sampler)).Function, Config);
        return this;
    }

    /// <summary>Sets span limits. Default: the <c>OTEL_SPAN_*_LIMIT</c> variables, else 128 of each.</summary>
    public TracingBuilder SetLimits(Action<SpanLimitsOptions> configure)
    {
        var options = new SpanLimitsOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        Config = TracingModule.WithLimits(options.ToLimits(), Config);
        return this;
    }

    /// <summary>Adds a processor run on every ended, sampled span before export: return the span (changed or
    /// not) to keep it, or null to drop it. Processors run in the order added.</summary>
    public TracingBuilder AddProcessor(Func<Span, Span?> processor)
    {
        Guard.NotNull(processor, nameof(processor));
        Config = TracingModule.AddProcessor(
            FuncConvert.FromFunc<Span, FSharpOption<Span>>(span => processor(span) is { } kept ? FSharpOption<Span>.Some(kept) : FSharpOption<Span>.None),
            Config);
        return this;
    }

    /// <summary>Adds an exporter fed in batches (<c>OTEL_BSP_*</c>; default every 5 s or 512 spans).</summary>
    public TracingBuilder AddExporter(IExporter<Span> exporter)
    {
        Config = TracingModule.AddBatchExporter(Guard.NotNull(exporter, nameof(exporter)), Config);
        return this;
    }

    /// <summary>Adds an exporter fed in batches with these settings.</summary>
    public TracingBuilder AddExporter(IExporter<Span> exporter, Action<BatchExportOptions> configure)
    {
        var options = new BatchExportOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        Config = TracingModule.AddExporter(ExportMode.NewBatched(options.ToBatchOptions()), Guard.NotNull(exporter, nameof(exporter)), Config);
        return this;
    }

    /// <summary>Adds an exporter fed one span at a time as spans end (off the application's thread).</summary>
    public TracingBuilder AddSimpleExporter(IExporter<Span> exporter)
    {
        Config = TracingModule.AddSimpleExporter(Guard.NotNull(exporter, nameof(exporter)), Config);
        return this;
    }

    /// <summary>Prints spans to standard output as trace trees with durations, kinds, statuses and attributes.</summary>
    public TracingBuilder AddConsoleExporter()
    {
        Config = TracingModule.AddConsoleExporter(Config);
        return this;
    }

    /// <summary>Prints spans to <paramref name="writer"/> as trace trees.</summary>
    public TracingBuilder AddConsoleExporter(TextWriter writer)
    {
        Config = TracingModule.AddBatchExporter(new ConsoleSpanExporter(Guard.NotNull(writer, nameof(writer))), Config);
        return this;
    }

    /// <summary>Keeps exported spans in <paramref name="exporter"/> (exported one by one as they end), for tests.</summary>
    public TracingBuilder AddInMemoryExporter(InMemoryExporter<Span> exporter)
    {
        Config = TracingModule.AddSimpleExporter(Guard.NotNull(exporter, nameof(exporter)), Config);
        return this;
    }
}

/// <summary>Span limits for <see cref="TracingBuilder.SetLimits"/>. Every count defaults to 128.</summary>
public sealed class SpanLimitsOptions
{
    /// <summary>Most attributes per span. Default 128.</summary>
    public int AttributeCountLimit { get; set; } = 128;

    /// <summary>Longest string or byte-array attribute value; null (the default) for no limit.</summary>
    public int? AttributeValueLengthLimit { get; set; }

    /// <summary>Most events per span. Default 128.</summary>
    public int EventCountLimit { get; set; } = 128;

    /// <summary>Most links per span. Default 128.</summary>
    public int LinkCountLimit { get; set; } = 128;

    /// <summary>Most attributes per event. Default 128.</summary>
    public int AttributePerEventCountLimit { get; set; } = 128;

    /// <summary>Most attributes per link. Default 128.</summary>
    public int AttributePerLinkCountLimit { get; set; } = 128;

    internal SpanLimits ToLimits()
    {
        Check(AttributeCountLimit, nameof(AttributeCountLimit));
        Check(EventCountLimit, nameof(EventCountLimit));
        Check(LinkCountLimit, nameof(LinkCountLimit));
        Check(AttributePerEventCountLimit, nameof(AttributePerEventCountLimit));
        Check(AttributePerLinkCountLimit, nameof(AttributePerLinkCountLimit));
        if (AttributeValueLengthLimit is { } length)
        {
            Check(length, nameof(AttributeValueLengthLimit));
        }

        return new SpanLimits(
            AttributeCountLimit,
            AttributeValueLengthLimit is { } limit ? FSharpOption<int>.Some(limit) : FSharpOption<int>.None,
            EventCountLimit,
            LinkCountLimit,
            AttributePerEventCountLimit,
            AttributePerLinkCountLimit);
    }

    private static void Check(int value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "Limits must not be negative.");
        }
    }
}

/// <summary>Batching settings for one exporter. Defaults are the specification's.</summary>
public sealed class BatchExportOptions
{
    /// <summary>Longest wait before a partial batch is exported. Default 5 s.</summary>
    public TimeSpan ScheduleDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of one export, retries included. Default 30 s.</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Items queued before new ones are dropped (and counted). Default 2048.</summary>
    public int MaxQueueSize { get; set; } = 2048;

    /// <summary>Most items per export call; at most <see cref="MaxQueueSize"/>. Default 512.</summary>
    public int MaxExportBatchSize { get; set; } = 512;

    internal BatchOptions ToBatchOptions() =>
        Validation.OrThrow("options", BatchOptionsModule.Validate(new BatchOptions(ScheduleDelay, ExportTimeout, MaxQueueSize, MaxExportBatchSize)));
}
