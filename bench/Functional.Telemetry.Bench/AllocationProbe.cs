using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Runtime.InteropServices;

namespace Functional.Telemetry.Bench;

/// <summary>
/// A quick look at where the sampled span's allocations go, outside BenchmarkDotNet:
/// <c>dotnet run -c Release --project bench/Functional.Telemetry.Bench -- alloc ours|official|bridge [spans]</c>.
/// Starts one SDK (one per process, as in the benchmarks), warms up, then runs the benchmark's span N times and
/// prints bytes per span on the calling thread (the hot path) and in the whole process (the export thread too),
/// and the runtime's sampled allocation ticks (one per ~100 KB) by type, split into hot path and other threads.
/// </summary>
public static class AllocationProbe
{
    private static readonly ActivitySource Listened = new(Sdks.ListenedSource);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();

    private static void Span(ActivitySource source)
    {
        using var activity = source.StartActivity("GET /orders/{id}");
        activity?.SetTag("http.request.method", "GET");
        activity?.SetTag("http.response.status_code", 200);
        activity?.SetTag("cache.hit", true);
    }

    /// <summary>
    /// <c>alloc record [spans]</c>: the bytes of the immutable <c>Span</c> record alone, per span: the benchmark's
    /// span ended N times under a plain listener, then each <c>Activity</c> converted with
    /// <c>ActivityConversion.ToSpan</c> (what our export stage does on the runner's thread), measured on this thread.
    /// </summary>
    private static int RecordSize(int spans)
    {
        var source = new ActivitySource(Sdks.ListenedSource + ".Record");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var ended = new Activity[spans];

        for (var i = 0; i < spans; i++)
        {
            var activity = source.StartActivity("GET /orders/{id}")!;
            activity.SetTag("http.request.method", "GET");
            activity.SetTag("http.response.status_code", 200);
            activity.SetTag("cache.hit", true);
            activity.Stop();
            ended[i] = activity;
        }

        var limits = SpanLimitsModule.Default;
        var records = new Span[spans];

        for (var round = 0; round < 3; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();

            for (var i = 0; i < spans; i++)
            {
                records[i] = ActivityConversion.ToSpan(limits, ended[i]);
            }

            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Console.WriteLine($"round {round}: the Span record of the benchmark's span, {(double)bytes / spans:F1} B/span");
        }

        return 0;
    }

    /// <summary>CPU time of the calling thread (Linux: /proc/thread-self/stat, user + system).</summary>
    private static TimeSpan ThreadCpu()
    {
        if (!OperatingSystem.IsLinux()) return TimeSpan.Zero;
        var fields = File.ReadAllText("/proc/thread-self/stat").Split(") ")[1].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    public static int Run(string sdk, int spans)
    {
        if (sdk == "record")
        {
            return RecordSize(spans);
        }

        IDisposable started;
        Func<string> stats;
        Action body = () => Span(Listened);

        switch (sdk)
        {
            case "native":
                // The native F# tracer's direct spans (no Activity), as TracingBenchmarks.NativeSpan_Ours makes them.
                var nativeExporter = new NoOpExporter();
                var nativeSdk = Sdks.StartOurs(nativeExporter);
                var tracer = Sdks.NativeTracer();
                started = nativeSdk;
                body = () => TracingBenchmarks.NativeSpan(tracer);
                stats = () => $"exported {nativeExporter.Exported}; " + string.Join("; ", nativeSdk.SpanPipelines.Select(p =>
                    $"{p.Name}: accepted {p.Stats.Accepted}, rejected {p.Stats.Rejected}"));
                break;
            case "ours":
                var exporter = new NoOpExporter();
                var ours = Sdks.StartOurs(exporter);
                started = ours;
                stats = () => $"exported {exporter.Exported}; " + string.Join("; ", ours.SpanPipelines.Select(p =>
                    $"{p.Name}: accepted {p.Stats.Accepted}, rejected {p.Stats.Rejected}"));
                break;
            case "official":
                var activityExporter = new NoOpActivityExporter();
                started = Sdks.StartOfficial(activityExporter);
                stats = () => $"exported {activityExporter.Exported}";
                break;
            case "bridge":
                // Our ActivityListener alone (sampling, then the Span conversion on the same thread), no queue.
                var limits = Functional.Telemetry.FSharp.SpanLimitsModule.Default;
                var bridge = new Functional.Telemetry.TracingBridge(
                    Microsoft.FSharp.Collections.ListModule.OfArray(new[] { Sdks.ListenedSource }),
                    Functional.Telemetry.FSharp.SamplerModule.ParentBased(Functional.Telemetry.FSharp.SamplerModule.AlwaysOn),
                    Microsoft.FSharp.Core.FuncConvert.FromAction<System.Diagnostics.Activity>(
                        a => Functional.Telemetry.ActivityConversion.ToSpan(limits, a)));
                started = bridge;
                stats = () => "bridge only: sampling and conversion, no queue";
                break;
            case "listener":
                // Our ActivityListener alone (sampling), the span handed to nothing: the application thread's part.
                var alone = new Functional.Telemetry.TracingBridge(
                    Microsoft.FSharp.Collections.ListModule.OfArray(new[] { Sdks.ListenedSource }),
                    Functional.Telemetry.FSharp.SamplerModule.ParentBased(Functional.Telemetry.FSharp.SamplerModule.AlwaysOn),
                    Microsoft.FSharp.Core.FuncConvert.FromAction<System.Diagnostics.Activity>(_ => { }));
                started = alone;
                stats = () => "listener only: sampling, no queue";
                break;
            default:
                Console.Error.WriteLine("usage: alloc ours|official|native|listener|bridge|record [spans]");
                return 2;
        }

        using (started)
        {
            // Warm up (tiering, scratch buffers, the scope cache), in chunks the queue can absorb.
            for (var i = 0; i < 50_000; i++)
            {
                body();
                if (i % 10_000 == 0) Thread.Sleep(20);
            }

            Thread.Sleep(200);
            var hotThread = OperatingSystem.IsLinux() ? GetTid() : -1;
            using var ticks = new AllocationTicks();
            Thread.Sleep(200);

            var threadBefore = GC.GetAllocatedBytesForCurrentThread();
            var processBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var pauseBefore = GC.GetTotalPauseDuration();
            var gen0Before = GC.CollectionCount(0);
            var gen1Before = GC.CollectionCount(1);
            var gen2Before = GC.CollectionCount(2);
            var threadCpuBefore = Thread.CurrentThread.ManagedThreadId == 0 ? TimeSpan.Zero : ThreadCpu();
            var clock = Stopwatch.StartNew();

            for (var i = 0; i < spans; i++)
            {
                body();
            }

            var elapsed = clock.Elapsed;
            var threadCpu = ThreadCpu() - threadCpuBefore;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var threadBytes = GC.GetAllocatedBytesForCurrentThread() - threadBefore;
            Thread.Sleep(500);
            var processBytes = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
            ticks.Stop();

            Console.WriteLine($"sdk: {sdk}; spans: {spans:N0}; {elapsed.TotalNanoseconds / spans:F0} ns/span (single loop, not BenchmarkDotNet)");
            Console.WriteLine($"cpu: {cpu.TotalNanoseconds / spans:F0} ns/span in the process, {threadCpu.TotalNanoseconds / spans:F0} on the calling thread");
            Console.WriteLine($"gc: {(GC.GetTotalPauseDuration() - pauseBefore).TotalNanoseconds / spans:F0} ns/span paused; collections gen0 {GC.CollectionCount(0) - gen0Before}, gen1 {GC.CollectionCount(1) - gen1Before}, gen2 {GC.CollectionCount(2) - gen2Before}");
            Console.WriteLine($"hot path (calling thread): {(double)threadBytes / spans:F1} B/span");
            Console.WriteLine($"whole process (incl. export thread, 500 ms after): {(double)processBytes / spans:F1} B/span");
            Console.WriteLine(stats());
            ticks.Print(hotThread, spans);
        }

        return 0;
    }

    /// <summary>GCAllocationTick events (the runtime samples one per ~100 KB allocated) summed by type.</summary>
    private sealed class AllocationTicks : EventListener
    {
        private readonly object gate = new();
        private readonly Dictionary<(long Thread, string Type), long> bytes = new();
        private volatile bool stopped;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                // GC keyword (0x1) at Verbose carries GCAllocationTick.
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (stopped || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
            {
                return;
            }

            var typeIndex = e.PayloadNames.IndexOf("TypeName");
            var amountIndex = e.PayloadNames.IndexOf("AllocationAmount64");
            var type = typeIndex >= 0 ? e.Payload![typeIndex] as string ?? "?" : "?";
            var amount = amountIndex >= 0 ? Convert.ToInt64(e.Payload![amountIndex]) : 100_000L;
            var key = (e.OSThreadId, type);

            lock (gate)
            {
                bytes[key] = bytes.GetValueOrDefault(key) + amount;
            }
        }

        public void Stop() => stopped = true;

        public void Print(int hot, int spans)
        {
            List<(bool Hot, string Type, long Bytes)> copy;
            lock (gate)
            {
                copy = bytes
                    .GroupBy(kv => (Hot: hot < 0 || kv.Key.Thread == hot, kv.Key.Type))
                    .Select(g => (g.Key.Hot, g.Key.Type, g.Sum(kv => kv.Value)))
                    .ToList();
            }

            Console.WriteLine("sampled allocations by type (approximate, B/span):");
            foreach (var group in copy.GroupBy(row => row.Hot).OrderByDescending(g => g.Key))
            {
                Console.WriteLine(group.Key || hot < 0 ? "  hot path:" : "  other threads:");
                foreach (var row in group.OrderByDescending(row => row.Bytes).Take(15))
                {
                    Console.WriteLine($"    {(double)row.Bytes / spans,8:F1}  {row.Type}");
                }
            }
        }
    }
}
