using System.Diagnostics;

namespace Functional.Telemetry.Bench;

/// <summary>Accepts every batch of objects.</summary>
public sealed class NoOpObjects : IExporter<object>
{
    public string Name => "noop";
    public Task<ExportResult> Export(Batch<object> batch, CancellationToken cancellationToken) => Task.FromResult(ExportResult.Success);
    public Task Shutdown(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary><c>parts</c>: times the pieces of a direct span on one thread (a rough guide, not BenchmarkDotNet).</summary>
public static class PartsProbe
{
    private static readonly AsyncLocal<object?> Local = new();

    private static void Time(string name, int count, Action body)
    {
        for (var i = 0; i < count / 10; i++) body();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) body();
        Console.WriteLine($"{name}: {clock.Elapsed.TotalNanoseconds / count:F1} ns");
    }

    public static int Run(int count)
    {
        var box = new object();
        long sink = 0;
        Time("DateTime.UtcNow", count, () => sink += DateTime.UtcNow.Ticks);
        Time("Stopwatch.GetTimestamp", count, () => sink += Stopwatch.GetTimestamp());
        Time("Random.Shared.NextInt64 x3", count, () => sink += Random.Shared.NextInt64() ^ Random.Shared.NextInt64() ^ Random.Shared.NextInt64());
        Time("AsyncLocal set and restore", count, () => { var old = Local.Value; Local.Value = box; Local.Value = old; });
        Time("Activity.Current read", count, () => sink += Activity.Current is null ? 0 : 1);

        // The runner alone: one object posted per call to a no-op exporter.
        var options = new Functional.Telemetry.FSharp.BatchOptions(
            TimeSpan.FromMilliseconds(Sdks.ScheduleDelayMilliseconds),
            TimeSpan.FromMilliseconds(Sdks.ExportTimeoutMilliseconds),
            Sdks.MaxQueueSize,
            Sdks.MaxExportBatchSize);
        var runner = Functional.Telemetry.FSharp.Runner.Start(
            "parts",
            Functional.Telemetry.FSharp.ExportMode.NewBatched(options),
            Functional.Telemetry.FSharp.RetryPolicyModule.Default,
            Functional.Telemetry.FSharp.ResourceModule.Empty,
            new NoOpObjects());
        var item = new object();
        Time("runner post", count, () => runner.Post(item));
        runner.Shutdown(TimeSpan.FromSeconds(5)).Wait();

        // The same with a reader that stays asleep (batches larger than the run): the write alone.
        var sleepy = Functional.Telemetry.FSharp.Runner.Start(
            "parts-sleepy",
            Functional.Telemetry.FSharp.ExportMode.NewBatched(new Functional.Telemetry.FSharp.BatchOptions(
                TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30), 1 << 23, 1 << 23)),
            Functional.Telemetry.FSharp.RetryPolicyModule.Default,
            Functional.Telemetry.FSharp.ResourceModule.Empty,
            new NoOpObjects());
        Time("runner post, reader asleep", Math.Min(count, (1 << 23) - 1), () => sleepy.Post(item));
        sleepy.Shutdown(TimeSpan.FromSeconds(5)).Wait();

        var channel = System.Threading.Channels.Channel.CreateUnbounded<object>(
            new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        Time("unbounded channel write, nobody reading", count, () => channel.Writer.TryWrite(item));

        // A sink that hands ended spans to nothing: the direct span's own work, without the queue and its reader.
        var alone = new Functional.Telemetry.DirectSink(
            Microsoft.FSharp.Collections.ListModule.OfArray(new[] { "Bench.Parts" }),
            Functional.Telemetry.FSharp.SamplerModule.ParentBased(Functional.Telemetry.FSharp.SamplerModule.AlwaysOn),
            Microsoft.FSharp.Core.FuncConvert.FromAction<Functional.Telemetry.DirectSpan>(_ => { }));
        Functional.Telemetry.DirectSinks.Add(alone);
        var partsTracer = Functional.Telemetry.FSharp.TracerModule.CreateDirect("Bench.Parts", null);
        var named = Functional.Telemetry.FSharp.TracerModule.Named("GET /orders/{id}");
        Time("direct span alone, no attributes", count, () => Functional.Telemetry.FSharp.TracerModule.StartSpan(partsTracer, named).Dispose());
        Time("direct span alone, 3 attributes", count, () => TracingBenchmarks.NativeSpan(partsTracer));
        Functional.Telemetry.DirectSinks.Remove(alone);

        using var sdk = Sdks.StartOurs(new NoOpExporter());
        var tracer = Sdks.NativeTracer();
        var start = Functional.Telemetry.FSharp.TracerModule.Named("GET /orders/{id}");
        Time("direct span, no attributes", count, () => Functional.Telemetry.FSharp.TracerModule.StartSpan(tracer, start).Dispose());
        Time("direct span, 3 attributes", count, () => TracingBenchmarks.NativeSpan(tracer));
        Console.WriteLine(sink == 42 ? "" : "done");
        return 0;
    }
}
