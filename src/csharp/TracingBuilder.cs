using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>Configures tracing: which ActivitySources to record, sampling, limits, processors, exporters.
/// <c>OTEL_TRACES_EXPORTER</c> (<c>otlp</c>, <c>zipkin</c>, <c>console</c>, <c>none</c>), when set, decides which OTLP,
/// Zipkin and console exporters run (those added here keep their options); exporters given as objects and ETW always run. With no
/// exporter added and the variable unset, spans are exported over OTLP, the specification's default.</summary>
public sealed class TracingBuilder
{
    private static readonly SignalFunctions<TracingConfig, Span> Functions = new(
        Signals.Traces,
        TracingModule.AddOtlpExporter,
        TracingModule.AddOtlpFileExporter,
        TracingModule.AddEtwExporterWith,
        TracingModule.AddProcessor,
        TracingModule.AddExporter,
        TracingModule.AddBatchExporter,
        TracingModule.AddSimpleExporter,
        TracingModule.AddConsoleExporter,
        writer => new ConsoleSpanExporter(writer),
        config => config.Exporters,
        ConfigRecords.WithExporters);

    private readonly ExporterList<TracingConfig, Span> exporters;

    /// <summary>A builder whose calls apply at once, as inside <c>Telemetry.Create(...).WithTracing(...)</c>.</summary>
    public TracingBuilder()
        : this(deferred: false)
    {
    }

    /// <summary>A builder whose calls apply at once (<paramref name="deferred"/> false) or when the host starts the SDK,
    /// over <paramref name="initial"/> (a configuration file's tracing) or nothing.</summary>
    internal TracingBuilder(bool deferred, TracingConfig? initial = null) =>
        exporters = new(deferred, initial ?? TracingModule.Empty, Functions, "WithTracing(t => ...)", "WithTracing(t => t.AddOtlpExporter(...))");

    /// <summary>Exports over OTLP as the <c>OTEL_EXPORTER_OTLP_*</c> environment variables say (default
    /// http/protobuf to <c>http://localhost:4318</c>), with retries on by default.</summary>
    public TracingBuilder AddOtlpExporter() => AddOtlpExporter(_ => { });

    /// <summary>Exports over OTLP; <paramref name="configure"/> overrides the environment variables (hosted: it
    /// receives the named <see cref="OtlpExporterOptions"/> <c>traces</c> as configuration left them).</summary>
    /// <exception cref="InvalidOperationException"><c>UseOtlpExporter</c> already sends traces over OTLP.</exception>
    public TracingBuilder AddOtlpExporter(Action<OtlpExporterOptions> configure)
    {
        exporters.AddOtlpExporter(configure);
        return this;
    }

    /// <summary>Writes spans as JSON Lines of OTLP/JSON to standard output (the specification's OTLP File Exporter;
    /// <c>OTEL_TRACES_EXPORTER=otlp/stdout</c> names it), batched.</summary>
    public TracingBuilder AddOtlpFileExporter() => AddOtlpFileExporter(_ => { });

    /// <summary>Writes spans as JSON Lines of OTLP/JSON to standard output or to a file rotated by size, as
    /// <paramref name="configure"/> sets (see <see cref="OtlpFileExporterOptions"/>), batched.</summary>
    /// <exception cref="ArgumentException">A blank path, a non-positive file size or a negative count of rotated files.</exception>
    public TracingBuilder AddOtlpFileExporter(Action<OtlpFileExporterOptions> configure)
    {
        exporters.AddOtlpFileExporter(configure);
        return this;
    }

    /// <summary>Exports over OTLP to a vendor's endpoint as <paramref name="preset"/> says (endpoint shape, headers,
    /// protocol; see <see cref="OtlpPreset"/>), the other settings from the <c>OTEL_EXPORTER_OTLP_*</c> environment
    /// variables.</summary>
    /// <exception cref="ArgumentException">The vendor does not receive traces.</exception>
    /// <exception cref="InvalidOperationException"><c>UseOtlpExporter</c> already sends traces over OTLP.</exception>
    public TracingBuilder AddOtlpExporter(OtlpPreset preset) => AddOtlpExporter(preset, _ => { });

    /// <summary>Exports over OTLP to a vendor's endpoint as <paramref name="preset"/> says; what
    /// <paramref name="configure"/> sets wins over the preset (hosted: it receives the named
    /// <see cref="OtlpExporterOptions"/> <c>traces</c> as configuration left them).</summary>
    /// <exception cref="ArgumentException">The vendor does not receive traces.</exception>
    /// <exception cref="InvalidOperationException"><c>UseOtlpExporter</c> already sends traces over OTLP.</exception>
    public TracingBuilder AddOtlpExporter(OtlpPreset preset, Action<OtlpExporterOptions> configure)
    {
        exporters.AddOtlpExporter(preset, configure);
        return this;
    }

    /// <summary>The OTLP exporter of <c>UseOtlpExporter(preset)</c>.</summary>
    internal TracingBuilder UseOtlpEverywhere(OtlpPreset preset)
    {
        exporters.UseOtlpEverywhere(preset);
        return this;
    }

    /// <summary>The OTLP exporter of <c>UseOtlpExporter</c>.</summary>
    internal TracingBuilder UseOtlpEverywhere(OtlpExportProtocol? protocol, Uri? baseUrl)
    {
        exporters.UseOtlpEverywhere(protocol, baseUrl);
        return this;
    }

    /// <summary>Exports spans to Zipkin (JSON v2 over HTTP) as the <c>OTEL_EXPORTER_ZIPKIN_*</c> environment variables
    /// say (default <c>http://localhost:9411/api/v2/spans</c>), with retries on by default. See docs/zipkin.md.</summary>
    public TracingBuilder AddZipkinExporter() => AddZipkinExporter(_ => { });

    /// <summary>Exports spans to Zipkin; <paramref name="configure"/> overrides the environment variables (hosted: it
    /// receives the named <see cref="ZipkinExporterOptions"/> <c>traces</c> as configuration left them, section
    /// <c>FunctionalTelemetry:Traces:Zipkin</c>).</summary>
    public TracingBuilder AddZipkinExporter(Action<ZipkinExporterOptions> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        return Apply((context, config) =>
        {
            var options = context.CreateZipkinOptions();
            configure(options);
            return TracingModule.AddZipkinExporter(options.ToConfigure(), config);
        });
    }

    /// <summary>Makes the trace ids of new traces with <paramref name="generator"/>:
    /// <see cref="TraceIdGenerator.AwsXRay"/> for AWS X-Ray (process-wide: .NET's <c>Activity.TraceIdGenerator</c> is
    /// set while the SDK runs and put back at its shutdown). Default <see cref="TraceIdGenerator.Random"/>.</summary>
    public TracingBuilder SetIdGenerator(TraceIdGenerator generator)
    {
        var core = generator switch
        {
            TraceIdGenerator.Random => IdGenerator.Random,
            TraceIdGenerator.AwsXRay => IdGenerator.AwsXRay,
            _ => throw new ArgumentOutOfRangeException(nameof(generator), generator, "Not a TraceIdGenerator."),
        };
        return Apply(config => TracingModule.WithIdGenerator(core, config));
    }

    /// <summary>Writes each span as an ETW event named <c>Span</c> (keyword 2) to the EventSource
    /// <paramref name="providerName"/> (ASCII letters, digits, <c>_</c> and <c>-</c>; an invalid name, <c>Functional-Telemetry</c>
    /// or the name of another live EventSource throws <see cref="ArgumentException"/> here). Spans are written as they end, on the export thread. See docs/etw.md.</summary>
    public TracingBuilder AddEtwExporter(string providerName) => AddEtwExporter(providerName, _ => { });

    /// <summary>Writes each span as an ETW event, with these options (<see cref="EtwExporterOptions.LogEventName"/>
    /// does not apply to spans).</summary>
    public TracingBuilder AddEtwExporter(string providerName, Action<EtwExporterOptions> configure)
    {
        exporters.AddEtwExporter(providerName, configure);
        return this;
    }

    /// <summary>Records spans of ActivitySources with this name; <c>*</c> is a wildcard (<c>MyCompany.*</c>).
    /// Names match case-insensitively. HttpClient is <c>System.Net.Http</c>, ASP.NET Core <c>Microsoft.AspNetCore</c>.</summary>
    /// <exception cref="ArgumentException">The name is empty or contains whitespace.</exception>
    public TracingBuilder AddSource(string name)
    {
        Guard.NotBlank(name, nameof(name));
        return Apply(config => TracingModule.AddSource(name, config));
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

    /// <summary>Records HttpClient's spans (.NET's <c>System.Net.Http</c> ActivitySource), which follow the HTTP client
    /// semantic conventions: name <c>{method}</c>, <c>http.request.method</c>, <c>server.address</c>,
    /// <c>server.port</c>, <c>url.full</c> with the query redacted, <c>network.protocol.version</c>,
    /// <c>http.response.status_code</c>, <c>error.type</c>, status Error from 400 on and when the request throws,
    /// with an <c>exception</c> event. With .NET's URL redaction switched off
    /// (<c>System.Net.Http.DisableUriRedaction</c>), <c>url.full</c> is redacted here (credentials and query values
    /// become <c>REDACTED</c>). See docs/instrumentation.md.</summary>
    public TracingBuilder AddHttpClientInstrumentation() => AddHttpClientInstrumentation(_ => { });

    /// <summary>Records HttpClient's spans with a filter, enrichers or without exception events; added again, the
    /// last options win.</summary>
    public TracingBuilder AddHttpClientInstrumentation(Action<HttpClientTraceInstrumentationOptions> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        var options = new HttpClientTraceInstrumentationOptions();
        configure(options);
        var core = options.ToOptions();
        return Apply(config => TracingModule.AddHttpClientInstrumentation(FuncConvert.FromFunc<HttpClientInstrumentationOptions, HttpClientInstrumentationOptions>(_ => core), config));
    }

    /// <summary>Records Grpc.Net.Client's spans (one client span per call) named and tagged per the RPC semantic
    /// conventions: name <c>{service}/{method}</c>, <c>rpc.system</c> = <c>grpc</c>, <c>rpc.service</c>,
    /// <c>rpc.method</c>, <c>rpc.grpc.status_code</c>, <c>server.address</c>, <c>server.port</c>, status Error for
    /// every status but OK. The HTTP/2 request under each call is HttpClient's span:
    /// <see cref="AddHttpClientInstrumentation()"/> records it.</summary>
    public TracingBuilder AddGrpcClientInstrumentation() => AddGrpcClientInstrumentation(_ => { });

    /// <summary>Records Grpc.Net.Client's spans with a filter or enrichers; added again, the last options win.</summary>
    public TracingBuilder AddGrpcClientInstrumentation(Action<GrpcClientTraceInstrumentationOptions> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        var options = new GrpcClientTraceInstrumentationOptions();
        configure(options);
        var core = options.ToOptions();
        return Apply(config => TracingModule.AddGrpcClientInstrumentation(FuncConvert.FromFunc<GrpcClientInstrumentationOptions, GrpcClientInstrumentationOptions>(_ => core), config));
    }

    /// <summary>Sets the sampler. Default: <c>OTEL_TRACES_SAMPLER</c>, else ParentBased(AlwaysOn).</summary>
    public TracingBuilder SetSampler(Sampler sampler)
    {
        var function = Guard.NotNull(sampler, nameof(sampler)).Function;
        return Apply(config => TracingModule.WithSampler(function, config));
    }

    /// <summary>Sets span limits. Default: the <c>OTEL_SPAN_*_LIMIT</c> variables, else 128 of each (hosted:
    /// <paramref name="configure"/> receives the named <see cref="SpanLimitsOptions"/> <c>traces</c>).</summary>
    public TracingBuilder SetLimits(Action<SpanLimitsOptions> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        return Apply((context, config) =>
        {
            var options = context.CreateSpanLimitsOptions();
            configure(options);
            return TracingModule.WithLimits(options.ToLimits(), config);
        });
    }

    /// <summary>Adds a processor run on every ended, sampled span before export: return the span (changed or
    /// not) to keep it, or null to drop it. Processors run in the order added.</summary>
    public TracingBuilder AddProcessor(Func<Span, Span?> processor)
    {
        exporters.AddProcessor(processor);
        return this;
    }

    /// <summary>Adds an exporter fed in batches (<c>OTEL_BSP_*</c>; default every 5 s or 512 spans).</summary>
    public TracingBuilder AddExporter(IExporter<Span> exporter)
    {
        exporters.AddExporter(exporter);
        return this;
    }

    /// <summary>Adds an exporter fed in batches with these settings (hosted: <paramref name="configure"/> receives
    /// the named <see cref="BatchExportOptions"/> <c>traces</c>).</summary>
    public TracingBuilder AddExporter(IExporter<Span> exporter, Action<BatchExportOptions> configure)
    {
        exporters.AddExporter(exporter, configure);
        return this;
    }

    /// <summary>Adds an exporter fed one span at a time as spans end (off the application's thread).</summary>
    public TracingBuilder AddSimpleExporter(IExporter<Span> exporter)
    {
        exporters.AddSimpleExporter(exporter);
        return this;
    }

    /// <summary>Adds an exporter of span views fed in batches (<c>OTEL_BSP_*</c>): it reads each span through a
    /// <see cref="SpanView"/>, lent for the export call, and no <see cref="Span"/> record is made for it (see
    /// <see cref="SpanViewExporter"/>).</summary>
    public TracingBuilder AddExporter(IExporter<SpanView> exporter) =>
        AddExporter(new SpanViewExporter(Guard.NotNull(exporter, nameof(exporter))));

    /// <summary>Adds an exporter of span views fed in batches with these settings (see
    /// <see cref="AddExporter(IExporter{SpanView})"/>).</summary>
    public TracingBuilder AddExporter(IExporter<SpanView> exporter, Action<BatchExportOptions> configure) =>
        AddExporter(new SpanViewExporter(Guard.NotNull(exporter, nameof(exporter))), configure);

    /// <summary>Adds an exporter of span views fed one span at a time as spans end (see
    /// <see cref="AddExporter(IExporter{SpanView})"/>).</summary>
    public TracingBuilder AddSimpleExporter(IExporter<SpanView> exporter) =>
        AddSimpleExporter(new SpanViewExporter(Guard.NotNull(exporter, nameof(exporter))));

    /// <summary>Prints spans to standard output as trace trees with durations, kinds, statuses and attributes.</summary>
    public TracingBuilder AddConsoleExporter()
    {
        exporters.AddConsoleExporter();
        return this;
    }

    /// <summary>Prints spans to <paramref name="writer"/> as trace trees.</summary>
    public TracingBuilder AddConsoleExporter(TextWriter writer)
    {
        exporters.AddConsoleExporter(writer);
        return this;
    }

    /// <summary>Keeps exported spans in <paramref name="exporter"/> (exported one by one as they end), for tests.</summary>
    public TracingBuilder AddInMemoryExporter(InMemoryExporter<Span> exporter)
    {
        exporters.AddSimpleExporter(exporter);
        return this;
    }

    /// <summary>Removes every exporter added so far, <c>UseOtlpExporter</c>'s included: a test replaces the
    /// application's exporters with <c>t.ClearExporters().AddInMemoryExporter(spans)</c>. Sources, sampler, limits
    /// and processors stay.</summary>
    public TracingBuilder ClearExporters()
    {
        exporters.ClearExporters();
        return this;
    }

    /// <summary>Adds an instrumentation (Functional.Telemetry.AspNetCore's); <paramref name="make"/> receives the
    /// container of a hosted builder when the host starts the SDK, null for a builder of <c>Telemetry.Create(...)</c>.
    /// One of the same name added before is replaced.</summary>
    internal TracingBuilder AddInstrumentation(Func<IServiceProvider?, TracingInstrumentation> make)
    {
        Guard.NotNull(make, nameof(make));
        return Apply((context, config) =>
            TracingModule.AddInstrumentation(make(context is StandaloneBuildContext ? null : context.Services), config));
    }

    /// <summary>True once <see cref="ClearExporters"/> was called.</summary>
    internal bool Cleared => exporters.Cleared;

    /// <summary>Adds a step that needs the container (Functional.Telemetry.Hosting's overloads).</summary>
    internal TracingBuilder AddWithServices(string call, Func<IServiceProvider, TracingConfig, TracingConfig> step)
    {
        exporters.AddWithServices(call, step);
        return this;
    }

    /// <summary>The tracing configuration, with the settings <paramref name="context"/> holds for what code left unset.</summary>
    internal TracingConfig Build(IBuildContext context)
    {
        var config = exporters.Build(context);
        if (config.Limits is null && context.ConfiguredSpanLimits() is { } limits)
        {
            config = TracingModule.WithLimits(limits, config);
        }

        return config;
    }

    private TracingBuilder Apply(Func<IBuildContext, TracingConfig, TracingConfig> step)
    {
        exporters.Apply(step);
        return this;
    }

    private TracingBuilder Apply(Func<TracingConfig, TracingConfig> step) => Apply((_, config) => step(config));
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

    /// <summary>The core's limits, checked by the core's one validation (an ArgumentException naming the setting).</summary>
    internal SpanLimits ToLimits() =>
        Validation.OrThrow(
            "configure",
            SpanLimitsModule.Validate(
                new SpanLimits(
                    AttributeCountLimit,
                    AttributeValueLengthLimit is { } limit ? FSharpOption<int>.Some(limit) : FSharpOption<int>.None,
                    EventCountLimit,
                    LinkCountLimit,
                    AttributePerEventCountLimit,
                    AttributePerLinkCountLimit)));
}

/// <summary>Batching settings for one exporter. Defaults are the specification's.</summary>
public sealed class BatchExportOptions
{
    /// <summary>Longest wait before a partial batch is exported. Default 5 s.</summary>
    public TimeSpan ScheduleDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of one export, retries included. Default 30 s.</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Items waiting for export before new ones are dropped (and counted). The batch being exported (up to
    /// <see cref="MaxExportBatchSize"/> items) has left the queue, so a blocked pipeline holds
    /// <c>MaxQueueSize + MaxExportBatchSize</c> items, as the specification's batch processor does. At most 16,777,216
    /// (2^24: the queue's slots are allocated when the pipeline starts). Default 2048.</summary>
    public int MaxQueueSize { get; set; } = 2048;

    /// <summary>Most items per export call; at most <see cref="MaxQueueSize"/>. Default 512.</summary>
    public int MaxExportBatchSize { get; set; } = 512;

    internal BatchOptions ToBatchOptions() =>
        Validation.OrThrow("options", BatchOptionsModule.Validate(new BatchOptions(ScheduleDelay, ExportTimeout, MaxQueueSize, MaxExportBatchSize)));
}
