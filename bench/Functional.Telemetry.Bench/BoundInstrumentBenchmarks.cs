using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OpenTelemetry.Metrics;

namespace Functional.Telemetry.Bench;

/// <summary>
/// Bound instruments (<c>counter.Bind(tags)</c>, <c>histogram.Bind(tags)</c>) next to the unbound rows of
/// <see cref="MetricsBenchmarks"/> (same SDK setup, instruments, tags and values) and the official SDK's unbound
/// rows, which are each group's baseline: the official SDK has no bound instruments. A bound row records into one
/// handle bound to the first tag combination (what code holding a handle in a field does); the histogram rows
/// rotate through the same ten values as the unbound ones. <c>Interlocked_Floor</c> is a bare
/// <c>Interlocked.Add</c> on a field: what a bound Add cost when it updated the series' shared cell (bound sums and
/// explicit histograms now write a cell of the calling thread with plain stores). Run with <c>--filter '*Bound*'</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class BoundInstrumentBenchmarks
{
    private static readonly BenchInstruments OursInstruments = new(MetricsSdks.OursMeter);
    private static readonly BenchInstruments OfficialInstruments = new(MetricsSdks.OfficialMeter);

    private IDisposable? ours;
    private MeterProvider? official;
    private BoundCounter<long>? boundCounter;
    private BoundHistogram<double>? boundHistogram;
    private BoundHistogram<double>? boundExponential;
    private long floor;
    private int next;

    /// <summary>The exemplar filter of both SDKs.</summary>
    [Params(BenchExemplarFilter.TraceBased, BenchExemplarFilter.AlwaysOff)]
    public BenchExemplarFilter Exemplars { get; set; }

    [GlobalSetup(Targets = [nameof(Counter0_Ours), nameof(Counter3_Ours), nameof(CounterBound_Ours), nameof(Histogram3_Ours), nameof(HistogramBound_Ours), nameof(Exponential3_Ours), nameof(ExponentialBound_Ours)])]
    public void SetupOurs()
    {
        ours = MetricsSdks.StartOurs(Exemplars);
        Prime(OursInstruments);
        var t = BenchTags.Sets[0];
        boundCounter = OursInstruments.Counter.Bind(t);
        boundHistogram = OursInstruments.Histogram.Bind(t);
        boundExponential = OursInstruments.Exponential.Bind(t);
    }

    [GlobalCleanup(Targets = [nameof(Counter0_Ours), nameof(Counter3_Ours), nameof(CounterBound_Ours), nameof(Histogram3_Ours), nameof(HistogramBound_Ours), nameof(Exponential3_Ours), nameof(ExponentialBound_Ours)])]
    public void CleanupOurs()
    {
        boundCounter?.Dispose();
        boundHistogram?.Dispose();
        boundExponential?.Dispose();
        ours?.Dispose();
    }

    [GlobalSetup(Targets = [nameof(Counter3_Official), nameof(Histogram3_Official), nameof(Exponential3_Official)])]
    public void SetupOfficial()
    {
        official = MetricsSdks.StartOfficial(Exemplars);
        Prime(OfficialInstruments);
    }

    [GlobalCleanup(Targets = [nameof(Counter3_Official), nameof(Histogram3_Official), nameof(Exponential3_Official)])]
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
    [BenchmarkCategory("Counter")]
    public void Counter3_Official() => Counter3(OfficialInstruments);

    [Benchmark]
    [BenchmarkCategory("Counter")]
    public void Counter3_Ours() => Counter3(OursInstruments);

    [Benchmark]
    [BenchmarkCategory("Counter")]
    public void Counter0_Ours() => OursInstruments.Counter.Add(1);

    [Benchmark]
    [BenchmarkCategory("Counter")]
    public void CounterBound_Ours() => boundCounter!.Add(1);

    [Benchmark]
    [BenchmarkCategory("Counter")]
    public void Interlocked_Floor() => Interlocked.Add(ref floor, 1);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Histogram")]
    public void Histogram3_Official() => Histogram3(OfficialInstruments);

    [Benchmark]
    [BenchmarkCategory("Histogram")]
    public void Histogram3_Ours() => Histogram3(OursInstruments);

    [Benchmark]
    [BenchmarkCategory("Histogram")]
    public void HistogramBound_Ours() => boundHistogram!.Record(BenchTags.Values[Next()]);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Exponential histogram")]
    public void Exponential3_Official() => Exponential3(OfficialInstruments);

    [Benchmark]
    [BenchmarkCategory("Exponential histogram")]
    public void Exponential3_Ours() => Exponential3(OursInstruments);

    [Benchmark]
    [BenchmarkCategory("Exponential histogram")]
    public void ExponentialBound_Ours() => boundExponential!.Record(BenchTags.Values[Next()]);
}
