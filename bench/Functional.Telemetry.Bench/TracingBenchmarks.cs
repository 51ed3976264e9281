using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OpenTelemetry.Trace;

namespace Functional.Telemetry.Bench;

/// <summary>
/// One span of an ActivitySource, started and stopped with three tags, under each SDK; and one span of a
/// source nobody listens to. Each benchmark has its own setup and runs in its own process, so only one SDK's
/// ActivityListener is ever registered in a process. The official SDK is the baseline of each pair.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TracingBenchmarks
{
    private static readonly ActivitySource Listened = new(Sdks.ListenedSource);
    private static readonly ActivitySource Unlistened = new(Sdks.UnlistenedSource);

    private static readonly SpanStart NativeStart = TracerModule.Named("GET /orders/{id}");

    private IDisposable? ours;
    private TracerProvider? official;
    private Functional.Telemetry.FSharp.Tracer? tracer;

    [GlobalSetup(Targets = [nameof(Span_Ours), nameof(Unlistened_Ours)])]
    public void SetupOurs() => ours = Sdks.StartOurs(new NoOpExporter());

    [GlobalCleanup(Targets = [nameof(Span_Ours), nameof(Unlistened_Ours)])]
    public void CleanupOurs() => ours?.Dispose();

    [GlobalSetup(Targets = [nameof(NativeSpan_Ours)])]
    public void SetupNative()
    {
        ours = Sdks.StartOurs(new NoOpExporter());
        tracer = Sdks.NativeTracer();
    }

    [GlobalCleanup(Targets = [nameof(NativeSpan_Ours)])]
    public void CleanupNative()
    {
        ((IDisposable?)tracer)?.Dispose();
        ours?.Dispose();
    }

    [GlobalSetup(Targets = [nameof(Span_Official), nameof(Unlistened_Official)])]
    public void SetupOfficial() => official = Sdks.StartOfficial(new NoOpActivityExporter());

    [GlobalCleanup(Targets = [nameof(Span_Official), nameof(Unlistened_Official)])]
    public void CleanupOfficial() => official?.Dispose();

    /// <summary>What an instrumented library typically does: start, three tags (string, int, bool), stop.</summary>
    private static void Span(ActivitySource source)
    {
        using var activity = source.StartActivity("GET /orders/{id}");
        activity?.SetTag("http.request.method", "GET");
        activity?.SetTag("http.response.status_code", 200);
        activity?.SetTag("cache.hit", true);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Span")]
    public void Span_Official() => Span(Listened);

    [Benchmark]
    [BenchmarkCategory("Span")]
    public void Span_Ours() => Span(Listened);

    /// <summary>The same span through the native F# tracer (a direct tracer: no Activity), as F# code writes it
    /// (the values made per call): <c>Tracer.startSpan</c>, three <c>ActiveSpan.setAttribute</c>, dispose.</summary>
    [Benchmark]
    [BenchmarkCategory("Span")]
    public void NativeSpan_Ours() => NativeSpan(tracer!);

    /// <summary>One span of the native tracer with the benchmark's three attributes.</summary>
    public static void NativeSpan(Functional.Telemetry.FSharp.Tracer tracer)
    {
        using var span = TracerModule.StartSpan(tracer, NativeStart);
        ActiveSpanModule.SetAttribute("http.request.method", AnyValue.NewString("GET"), span);
        ActiveSpanModule.SetAttribute("http.response.status_code", AnyValue.NewInt(200L), span);
        ActiveSpanModule.SetAttribute("cache.hit", AnyValue.NewBool(true), span);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Unlistened")]
    public void Unlistened_Official() => Span(Unlistened);

    [Benchmark]
    [BenchmarkCategory("Unlistened")]
    public void Unlistened_Ours() => Span(Unlistened);
}
