using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>What differs between the span and the log signal for their exporter lists: the core's functions over
/// the signal's configuration.</summary>
internal sealed record SignalFunctions<TConfig, T>(
    string Signal,
    Func<FSharpFunc<OtlpOptions, OtlpOptions>, TConfig, TConfig> AddOtlpExporter,
    Func<FSharpFunc<OtlpFileOptions, OtlpFileOptions>, TConfig, TConfig> AddOtlpFileExporter,
    Func<EtwOptions, TConfig, TConfig> AddEtwExporter,
    Func<FSharpFunc<T, FSharpOption<T>>, TConfig, TConfig> AddProcessor,
    Func<ExportMode, IExporter<T>, TConfig, TConfig> AddExporter,
    Func<IExporter<T>, TConfig, TConfig> AddBatchExporter,
    Func<IExporter<T>, TConfig, TConfig> AddSimpleExporter,
    Func<TConfig, TConfig> AddConsoleExporter,
    Func<TextWriter, IExporter<T>> ConsoleExporter,
    Func<TConfig, IEnumerable<ExporterConfig<T>>> Exporters,
    Func<TConfig, IEnumerable<ExporterConfig<T>>, TConfig> WithExporters)
    where T : class;

/// <summary>The one exporter-list mechanism of the span and log builders (the F# pipeline has its own,
/// <c>ExporterList</c>): processors and exporters in every mode, OTLP (with <c>UseOtlpExporter</c>'s claim), ETW,
/// console, in-memory, clearing, and the steps that run when the SDK is built.</summary>
internal sealed class ExporterList<TConfig, T>
    where T : class
{
    private readonly Steps<TConfig> steps;
    private readonly SignalFunctions<TConfig, T> signal;
    private readonly OtlpClaim otlp;
    private readonly string signalCall;

    public ExporterList(bool deferred, TConfig empty, SignalFunctions<TConfig, T> signal, string signalCall, string otlpCall)
    {
        steps = new(deferred, empty);
        this.signal = signal;
        this.signalCall = signalCall;
        otlp = new(signal.Signal, otlpCall);
    }

    public void Apply(Func<IBuildContext, TConfig, TConfig> step) => steps.Add(step);

    public void Apply(Func<TConfig, TConfig> step) => steps.Add((_, config) => step(config));

    public void AddOtlpExporter(Action<OtlpExporterOptions> configure)
    {
        Guard.NotNull(configure, nameof(configure));
        otlp.Add();
        Apply((context, config) =>
        {
            var options = context.CreateOtlpOptions(signal.Signal);
            configure(options);
            return signal.AddOtlpExporter(options.ToConfigure(), config);
        });
    }

    public void AddOtlpExporter(OtlpPreset preset, Action<OtlpExporterOptions> configure)
    {
        Guard.NotNull(preset, nameof(preset));
        Guard.NotNull(configure, nameof(configure));
        preset.CheckReceives(signal.Signal);
        otlp.Add();
        Apply((context, config) =>
        {
            var options = context.CreateOtlpOptions(signal.Signal);
            configure(options);
            return signal.AddOtlpExporter(preset.Configure(signal.Signal, options.ToConfigure()), config);
        });
    }

    public void UseOtlpEverywhere(OtlpPreset preset)
    {
        otlp.UseEverywhere();
        Apply((context, config) =>
            signal.AddOtlpExporter(preset.Configure(signal.Signal, context.CreateOtlpOptions(signal.Signal).ToConfigure()), config));
    }

    public void UseOtlpEverywhere(OtlpExportProtocol? protocol, Uri? baseUrl)
    {
        otlp.UseEverywhere();
        Apply((context, config) =>
            signal.AddOtlpExporter(OtlpEverywhere.Options(context, signal.Signal, protocol, baseUrl).ToConfigure(), config));
    }

    public void AddOtlpFileExporter(Action<OtlpFileExporterOptions> configure)
    {
        var options = new OtlpFileExporterOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        var function = options.ToConfigure();
        // Checked here, also when a host replays the step later.
        Validation.OrThrow(nameof(options), OtlpFileOptionsModule.Validate(function.Invoke(OtlpFileOptionsModule.Default)));
        Apply(config => signal.AddOtlpFileExporter(function, config));
    }

    public void AddEtwExporter(string providerName, Action<EtwExporterOptions> configure)
    {
        var options = new EtwExporterOptions();
        Guard.NotNull(configure, nameof(configure))(options);
        var etw = options.ToOptions(providerName);
        Apply(config => signal.AddEtwExporter(etw, config));
    }

    public void AddProcessor(Func<T, T?> processor)
    {
        var function = Processors.ToFSharp(Guard.NotNull(processor, nameof(processor)));
        Apply(config => signal.AddProcessor(function, config));
    }

    public void AddExporter(IExporter<T> exporter)
    {
        Guard.NotNull(exporter, nameof(exporter));
        Apply(config => signal.AddBatchExporter(exporter, config));
    }

    public void AddExporter(IExporter<T> exporter, Action<BatchExportOptions> configure)
    {
        Guard.NotNull(exporter, nameof(exporter));
        Guard.NotNull(configure, nameof(configure));
        Apply((context, config) =>
        {
            var options = context.CreateBatchOptions(signal.Signal);
            configure(options);
            return signal.AddExporter(ExportMode.NewBatched(options.ToBatchOptions()), exporter, config);
        });
    }

    public void AddSimpleExporter(IExporter<T> exporter)
    {
        Guard.NotNull(exporter, nameof(exporter));
        Apply(config => signal.AddSimpleExporter(exporter, config));
    }

    public void AddConsoleExporter() => Apply(signal.AddConsoleExporter);

    public void AddConsoleExporter(TextWriter writer)
    {
        Guard.NotNull(writer, nameof(writer));
        Apply(config => signal.AddBatchExporter(signal.ConsoleExporter(writer), config));
    }

    /// <summary>True once <c>ClearExporters()</c> was called: a signal left with no exporter then exports
    /// nowhere, instead of over OTLP by the <c>OTEL_*_EXPORTER</c> default.</summary>
    public bool Cleared { get; private set; }

    public void ClearExporters()
    {
        Cleared = true;
        otlp.Clear();
        Apply(config => signal.WithExporters(config, []));
    }

    public void AddWithServices(string call, Func<IServiceProvider, TConfig, TConfig> step) =>
        steps.AddWithServices(call, signalCall, step);

    /// <summary>The configuration, its exporters without a mode of their own batched as the context's named
    /// batch options say (hosted).</summary>
    public TConfig Build(IBuildContext context)
    {
        var config = steps.Build(context);
        return context.ConfiguredBatchOptions(signal.Signal) is { } batch
            ? signal.WithExporters(config, ConfigRecords.BatchedBy(signal.Exporters(config), batch))
            : config;
    }
}
