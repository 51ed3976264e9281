using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using Ours = Functional.Telemetry;
using OursF = Functional.Telemetry.FSharp;

namespace Functional.Telemetry.Bench;

/// <summary>Our log exporter that accepts every batch and does nothing. It reads log records as views (as the
/// official SDK's exporter reads its pooled LogRecord), so no record is made and no message formatted for it.</summary>
public sealed class NoOpLogExporter : Ours.IExporter<Ours.LogRecordView>
{
    private static readonly Task<Ours.ExportResult> Success = Task.FromResult(Ours.ExportResult.Success);
    private long exported;

    /// <summary>Records handed to this exporter so far.</summary>
    public long Exported => Interlocked.Read(ref exported);

    public string Name => "noop";

    public Task<Ours.ExportResult> Export(Ours.Batch<Ours.LogRecordView> batch, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref exported, batch.Items.Length);
        return Success;
    }

    public Task Shutdown(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The official SDK's log exporter that accepts every batch and does nothing.</summary>
public sealed class NoOpOfficialLogExporter : OpenTelemetry.BaseExporter<OpenTelemetry.Logs.LogRecord>
{
    private long exported;

    /// <summary>Records handed to this exporter so far.</summary>
    public long Exported => Interlocked.Read(ref exported);

    public override OpenTelemetry.ExportResult Export(in OpenTelemetry.Batch<OpenTelemetry.Logs.LogRecord> batch)
    {
        Interlocked.Add(ref exported, batch.Count);
        return OpenTelemetry.ExportResult.Success;
    }
}

/// <summary>Starts a LoggerFactory over each SDK with the same batch settings (minimum level Information).</summary>
public static class LogSdks
{
    /// <summary>Schedule delay on both sides (the specification's default for logs).</summary>
    public const int ScheduleDelayMilliseconds = 1000;

    /// <summary>Our SDK and a LoggerFactory over it.</summary>
    public static (Ours.TelemetrySdk Sdk, ILoggerFactory Factory) StartOurs(NoOpLogExporter exporter)
    {
        var sdk = Ours.Telemetry.Create("bench")
            .WithoutResourceDetection()
            .WithoutPropagatorInstallation()
            .WithLogging(l => l.AddExporter(exporter, o =>
            {
                o.MaxQueueSize = Sdks.MaxQueueSize;
                o.MaxExportBatchSize = Sdks.MaxExportBatchSize;
                o.ScheduleDelay = TimeSpan.FromMilliseconds(ScheduleDelayMilliseconds);
                o.ExportTimeout = TimeSpan.FromMilliseconds(Sdks.ExportTimeoutMilliseconds);
            }))
            .Start();
        var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddFunctionalTelemetry(sdk));
        return (sdk, factory);
    }

    /// <summary>A LoggerFactory with the official SDK's AddOpenTelemetry and a batch processor; with
    /// <paramref name="includeFormattedMessage"/> the official SDK formats the message on the calling thread, as we
    /// format the body.</summary>
    public static ILoggerFactory StartOfficial(NoOpOfficialLogExporter exporter, bool includeFormattedMessage = false) =>
        LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddOpenTelemetry(o =>
            {
                o.IncludeFormattedMessage = includeFormattedMessage;
                o.AddProcessor(new BatchLogRecordExportProcessor(
                    exporter,
                    Sdks.MaxQueueSize,
                    ScheduleDelayMilliseconds,
                    Sdks.ExportTimeoutMilliseconds,
                    Sdks.MaxExportBatchSize));
            }));
}

/// <summary>
/// <c>logger.LogInformation("Hello {Name} {Count}", ...)</c> through each SDK's ILoggerProvider with a batch
/// processor and a no-op exporter; and a <c>LoggerMessage.Define</c> call at a level the filter disables.
/// One SDK per process (GlobalSetup targets); the official SDK is the baseline of each pair.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LoggingBenchmarks
{
    private static readonly Action<ILogger, string, int, Exception?> DebugHello =
        LoggerMessage.Define<string, int>(LogLevel.Debug, new EventId(1, "DebugHello"), "Hello {Name} {Count}");

    private Ours.TelemetrySdk? ours;
    private ILoggerFactory? factory;
    private ILogger logger = null!;

    [GlobalSetup(Targets = [nameof(Log_Ours), nameof(DisabledDefine_Ours)])]
    public void SetupOurs()
    {
        (ours, factory) = LogSdks.StartOurs(new NoOpLogExporter());
        logger = factory.CreateLogger("Bench.Logging");
    }

    [GlobalSetup(Targets = [nameof(Log_Official), nameof(DisabledDefine_Official)])]
    public void SetupOfficial()
    {
        factory = LogSdks.StartOfficial(new NoOpOfficialLogExporter());
        logger = factory.CreateLogger("Bench.Logging");
    }

    [GlobalSetup(Targets = [nameof(LogFormatted_Official)])]
    public void SetupOfficialFormatted()
    {
        factory = LogSdks.StartOfficial(new NoOpOfficialLogExporter(), includeFormattedMessage: true);
        logger = factory.CreateLogger("Bench.Logging");
    }

    [GlobalSetup(Targets = [nameof(LogFormatted_Ours)])]
    public void SetupOursFormatted() => SetupOurs();

    [GlobalCleanup]
    public void Cleanup()
    {
        factory?.Dispose();
        ((IDisposable?)ours)?.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Log")]
    public void Log_Official() => logger.LogInformation("Hello {Name} {Count}", "World", 42);

    [Benchmark]
    [BenchmarkCategory("Log")]
    public void Log_Ours() => logger.LogInformation("Hello {Name} {Count}", "World", 42);

    /// <summary>The official SDK with IncludeFormattedMessage = true (it then formats the message, as we format
    /// the body); ours is the same call as Log_Ours.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("LogFormatted")]
    public void LogFormatted_Official() => logger.LogInformation("Hello {Name} {Count}", "World", 42);

    [Benchmark]
    [BenchmarkCategory("LogFormatted")]
    public void LogFormatted_Ours() => logger.LogInformation("Hello {Name} {Count}", "World", 42);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("DisabledDefine")]
    public void DisabledDefine_Official() => DebugHello(logger, "World", 42, null);

    [Benchmark]
    [BenchmarkCategory("DisabledDefine")]
    public void DisabledDefine_Ours() => DebugHello(logger, "World", 42, null);
}

/// <summary>
/// Where the log call's time and bytes go, outside BenchmarkDotNet:
/// <c>dotnet bench/.../Functional.Telemetry.Bench.dll alloc-logs ours|official [records]</c>. Prints ns per call
/// in one loop, bytes per call on the calling thread and in the whole process, and the pipeline counters.
/// </summary>
public static class LogAllocationProbe
{
    public static int Run(string sdk, int count)
    {
        ILoggerFactory factory;
        IDisposable? owner = null;
        Func<string> stats;
        switch (sdk)
        {
            case "ours":
                var exporter = new NoOpLogExporter();
                var (started, oursFactory) = LogSdks.StartOurs(exporter);
                factory = oursFactory;
                owner = started;
                stats = () => $"exported {exporter.Exported}; " + string.Join("; ", started.LogPipelines.Select(p =>
                    $"{p.Name}: accepted {p.Stats.Accepted}, rejected {p.Stats.Rejected}"));
                break;
            case "official":
                var official = new NoOpOfficialLogExporter();
                factory = LogSdks.StartOfficial(official);
                stats = () => $"exported {official.Exported}";
                break;
            default:
                Console.Error.WriteLine("usage: alloc-logs ours|official [records]");
                return 2;
        }

        using (factory)
        using (owner)
        {
            var logger = factory.CreateLogger("Bench.Logging");
            for (var i = 0; i < 200_000; i++)
            {
                logger.LogInformation("Hello {Name} {Count}", "World", 42);
                if (i % 10_000 == 0) Thread.Sleep(20);
            }

            Thread.Sleep(1500);
            var threadBefore = GC.GetAllocatedBytesForCurrentThread();
            var processBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                logger.LogInformation("Hello {Name} {Count}", "World", 42);
            }

            var elapsed = clock.Elapsed;
            var threadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBefore;
            Thread.Sleep(1500);
            var processBytes = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
            Console.WriteLine($"sdk: {sdk}; records: {count:N0}; {elapsed.TotalNanoseconds / count:F0} ns/call (single loop)");
            Console.WriteLine($"hot path (calling thread): {(double)threadBytes / count:F1} B/call");
            Console.WriteLine($"whole process (incl. export thread, 1.5 s after): {(double)processBytes / count:F1} B/call");
            Console.WriteLine(stats());
        }

        return 0;
    }
}
