using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Ours = Functional.Telemetry;

namespace Functional.Telemetry.Bench;

/// <summary>
/// Spans exported end to end: <see cref="Spans"/> spans produced through an ActivitySource (the three tags of
/// <see cref="TracingBenchmarks"/>), then flushed over OTLP http/protobuf to the loopback sink
/// (<see cref="OtlpSink"/>), under each SDK with its defaults (batch processor, queue 2048, batch 512). One
/// invocation is the whole path: the hot path on the calling thread, the batching, encoding and sending on the
/// SDK's own thread, and the sink's reading of the bodies (on the same machine: it competes for the same cores).
/// Mean is per span (<c>OperationsPerInvoke</c>). The CPU time per span, which this row's target is stated in, is
/// printed by the <c>e2e-cpu</c> probe (<see cref="EndToEndProbe"/>): the process's CPU time over many rounds.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class EndToEndBenchmarks
{
    /// <summary>Spans per invocation: the default queue holds them all, so none is dropped on either side.</summary>
    public const int Spans = 2048;

    private const string SourceName = "Bench.EndToEnd";
    private static readonly ActivitySource Source = new(SourceName);

    private OtlpSink? sink;
    private Ours.TelemetrySdk? ours;
    private TracerProvider? official;

    /// <summary>Starts our SDK exporting to the sink.</summary>
    public static Ours.TelemetrySdk StartOurs(OtlpSink sink) =>
        Ours.Telemetry.Create("bench")
            .WithoutResourceDetection()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t
                .AddSource(SourceName)
                .SetSampler(Ours.Sampler.ParentBased(Ours.Sampler.AlwaysOn))
                .AddOtlpExporter(o =>
                {
                    o.Endpoint = new Uri(sink.HttpBase, "/v1/traces");
                    o.Protocol = Ours.OtlpExportProtocol.HttpProtobuf;
                }))
            .Start();

    /// <summary>Starts the official SDK exporting to the sink.</summary>
    public static TracerProvider StartOfficial(OtlpSink sink) =>
        Sdk.CreateTracerProviderBuilder()
            .AddSource(SourceName)
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(sink.HttpBase, "/v1/traces");
                o.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
            })
            .Build()!;

    /// <summary>Produces <see cref="Spans"/> spans.</summary>
    public static void Produce()
    {
        for (var i = 0; i < Spans; i++)
        {
            using var activity = Source.StartActivity("GET /orders/{id}");
            activity?.SetTag("http.request.method", "GET");
            activity?.SetTag("http.response.status_code", 200);
            activity?.SetTag("cache.hit", true);
        }
    }

    /// <summary>Fails fast when the spans did not reach the sink: a benchmark of failed exports measures nothing.</summary>
    public static void CheckDelivered(OtlpSink sink, bool flushed, string name)
    {
        if (!flushed || sink.Requests == 0)
        {
            throw new InvalidOperationException($"{name}: the flush answered {flushed}, the sink saw {sink.Requests} requests");
        }
    }

    [GlobalSetup(Target = nameof(Ours_EndToEnd))]
    public void SetupOurs()
    {
        sink = OtlpSink.StartAsync().GetAwaiter().GetResult();
        ours = StartOurs(sink);
        Produce();
        CheckDelivered(sink, ours.ForceFlush(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult(), "ours");
    }

    [GlobalSetup(Target = nameof(Official_EndToEnd))]
    public void SetupOfficial()
    {
        sink = OtlpSink.StartAsync().GetAwaiter().GetResult();
        official = StartOfficial(sink);
        Produce();
        CheckDelivered(sink, official.ForceFlush(30_000), "official");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ours?.Dispose();
        official?.Dispose();
        sink?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Spans)]
    [BenchmarkCategory("Spans exported end to end, http/protobuf")]
    public bool Official_EndToEnd()
    {
        Produce();
        return official!.ForceFlush(30_000);
    }

    [Benchmark(OperationsPerInvoke = Spans)]
    [BenchmarkCategory("Spans exported end to end, http/protobuf")]
    public bool Ours_EndToEnd()
    {
        Produce();
        return ours!.ForceFlush(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
    }
}

/// <summary>
/// The process CPU time per span of the end-to-end path (<c>-- e2e-cpu ours|official [rounds]</c>): one SDK per
/// process, <see cref="EndToEndBenchmarks.Spans"/> spans produced and flushed per round, after 20 warm-up rounds.
/// The sink runs in the same process, so its reading of the bodies is counted on both sides alike.
/// </summary>
public static class EndToEndProbe
{
    /// <summary>Runs the probe; prints CPU and wall time per span.</summary>
    public static int Run(string sdk, int rounds)
    {
        var sink = OtlpSink.StartAsync().GetAwaiter().GetResult();
        IDisposable provider;
        Func<bool> flush;
        if (sdk == "ours")
        {
            var s = EndToEndBenchmarks.StartOurs(sink);
            provider = s;
            flush = () => s.ForceFlush(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }
        else
        {
            var s = EndToEndBenchmarks.StartOfficial(sink);
            provider = s;
            flush = () => s.ForceFlush(30_000);
        }

        void Round(string name)
        {
            EndToEndBenchmarks.Produce();
            EndToEndBenchmarks.CheckDelivered(sink, flush(), name);
        }

        for (var i = 0; i < 20; i++)
        {
            Round(sdk);
        }

        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < rounds; i++)
        {
            Round(sdk);
        }

        wall.Stop();
        process.Refresh();
        var spans = (double)rounds * EndToEndBenchmarks.Spans;
        var cpuNs = (process.TotalProcessorTime - cpu0).TotalNanoseconds / spans;
        var wallNs = wall.Elapsed.TotalNanoseconds / spans;
        Console.WriteLine($"{sdk}: {cpuNs:F0} ns CPU per span, {wallNs:F0} ns wall per span ({rounds} rounds of {EndToEndBenchmarks.Spans} spans; sink saw {sink.Requests} requests)");
        provider.Dispose();
        sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }
}
