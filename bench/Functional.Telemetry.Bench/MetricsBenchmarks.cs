using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OpenTelemetry.Metrics;

namespace Functional.Telemetry.Bench;

/// <summary>
/// One measurement on a Counter&lt;long&gt; (no tags, three tags), a Histogram&lt;double&gt; with the default
/// explicit buckets and one aggregated as a Base2 exponential histogram (160 buckets), under each SDK. Each SDK
/// listens to its own Meter through a MeterListener; each benchmark has its own setup and runs in its own
/// process, so only one SDK listens in a process. The readers never collect during a run. The tags rotate
/// through ten fixed combinations (values boxed once), all recorded in the setup, so the series already exist.
/// No Activity is current, so a trace-based exemplar filter lets nothing through. The official SDK is the
/// baseline of each pair.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class MetricsBenchmarks
{
    private static readonly BenchInstruments OursInstruments = new(MetricsSdks.OursMeter);
    private static readonly BenchInstruments OfficialInstruments = new(MetricsSdks.OfficialMeter);

    private IDisposable? ours;
    private MeterProvider? official;
    private int next;

    /// <summary>The exemplar filter of both SDKs.</summary>
    [Params(BenchExemplarFilter.TraceBased, BenchExemplarFilter.AlwaysOff)]
    public BenchExemplarFilter Exemplars { get; set; }

    [GlobalSetup(Targets = [nameof(Counter0_Ours), nameof(Counter3_Ours), nameof(Histogram3_Ours), nameof(Exponential3_Ours)])]
    public void SetupOurs()
    {
        ours = MetricsSdks.StartOurs(Exemplars);
        Prime(OursInstruments);
    }

    [GlobalCleanup(Targets = [nameof(Counter0_Ours), nameof(Counter3_Ours), nameof(Histogram3_Ours), nameof(Exponential3_Ours)])]
    public void CleanupOurs() => ours?.Dispose();

    [GlobalSetup(Targets = [nameof(Counter0_Official), nameof(Counter3_Official), nameof(Histogram3_Official), nameof(Exponential3_Official)])]
    public void SetupOfficial()
    {
        official = MetricsSdks.StartOfficial(Exemplars);
        Prime(OfficialInstruments);
    }

    [GlobalCleanup(Targets = [nameof(Counter0_Official), nameof(Counter3_Official), nameof(Histogram3_Official), nameof(Exponential3_Official)])]
    public void CleanupOfficial() => official?.Dispose();

    /// <summary>Creates every series before the measurements start.</summary>
    private static void Prime(BenchInstruments instruments)
    {
        if (Activity.Current is not null)
        {
            throw new InvalidOperationException("No Activity may be current in the metrics benchmarks.");
        }

        instruments.Counter.Add(1);

        for (var i = 0; i < BenchTags.Count; i++)
        {
            var t = BenchTags.Sets[i];
            instruments.Counter.Add(1, t[0], t[1], t[2]);
            instruments.Histogram.Record(BenchTags.Values[i], t[0], t[1], t[2]);
            instruments.Exponential.Record(BenchTags.Values[i], t[0], t[1], t[2]);
        }
    }

    private int Next()
    {
        var i = next + 1;
        next = i == BenchTags.Count ? 0 : i;
        return next;
    }

    private static void Counter0(BenchInstruments instruments) => instruments.Counter.Add(1);

    private void Counter3(BenchInstruments instruments)
    {
        var t = BenchTags.Sets[Next()];
        instruments.Counter.Add(1, t[0], t[1], t[2]);
    }

    private void Histogram3(BenchInstruments instruments)
    {
        var i = Next();
        var t = BenchTags.Sets[i];
        instruments.Histogram.Record(BenchTags.Values[i], t[0], t[1], t[2]);
    }

    private void Exponential3(BenchInstruments instruments)
    {
        var i = Next();
        var t = BenchTags.Sets[i];
        instruments.Exponential.Record(BenchTags.Values[i], t[0], t[1], t[2]);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Counter, 0 tags")]
    public void Counter0_Official() => Counter0(OfficialInstruments);

    [Benchmark]
    [BenchmarkCategory("Counter, 0 tags")]
    public void Counter0_Ours() => Counter0(OursInstruments);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Counter, 3 tags")]
    public void Counter3_Official() => Counter3(OfficialInstruments);

    [Benchmark]
    [BenchmarkCategory("Counter, 3 tags")]
    public void Counter3_Ours() => Counter3(OursInstruments);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Histogram, 3 tags")]
    public void Histogram3_Official() => Histogram3(OfficialInstruments);

    [Benchmark]
    [BenchmarkCategory("Histogram, 3 tags")]
    public void Histogram3_Ours() => Histogram3(OursInstruments);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Exponential histogram, 3 tags")]
    public void Exponential3_Official() => Exponential3(OfficialInstruments);

    [Benchmark]
    [BenchmarkCategory("Exponential histogram, 3 tags")]
    public void Exponential3_Ours() => Exponential3(OursInstruments);
}
