using System.Diagnostics;

namespace Functional.Telemetry.Bench;

/// <summary>
/// A quick timing of the metrics benchmarks' rows outside BenchmarkDotNet (one SDK per process):
/// <c>dotnet bench/Functional.Telemetry.Bench/bin/Release/net10.0/Functional.Telemetry.Bench.dll metrics ours|official [calls] [row prefix]</c>.
/// Prints ns and bytes per call (calling thread) for each row, after a warm-up, and for ours what a pull
/// collects afterwards (to check the measurements landed).
/// </summary>
public static class MetricsProbe
{
    public static int Run(string sdk, int calls, string? only = null)
    {
        var ours = sdk == "ours";
        var instruments = new BenchInstruments(ours ? MetricsSdks.OursMeter : MetricsSdks.OfficialMeter);
        var reader = new MetricPullReader();
        IDisposable started = ours
            ? Telemetry.Create("bench").WithoutResourceDetection().WithoutPropagatorInstallation()
                .WithMetrics(m => m.AddMeter(MetricsSdks.OursMeter)
                    .AddView(MetricsSdks.ExponentialHistogram, v => v.ExponentialHistogramMaxSize = 160)
                    .AddReader(reader))
                .Start()
            : MetricsSdks.StartOfficial(BenchExemplarFilter.TraceBased);

        var rows = new (string Name, Action<int> Call)[]
        {
            ("counter, 0 tags", _ => instruments.Counter.Add(1)),
            ("counter, 3 tags", i => { var t = BenchTags.Sets[i]; instruments.Counter.Add(1, t[0], t[1], t[2]); }),
            ("histogram, 3 tags", i => { var t = BenchTags.Sets[i]; instruments.Histogram.Record(BenchTags.Values[i], t[0], t[1], t[2]); }),
            ("exponential, 3 tags", i => { var t = BenchTags.Sets[i]; instruments.Exponential.Record(BenchTags.Values[i], t[0], t[1], t[2]); }),
        };

        // Ours only: bound handles (one, bound to the first tag combination) and the bare atomic add they rest on.
        var floor = 0L;
        var t0 = BenchTags.Sets[0];
        using var boundCounter = instruments.Counter.Bind(t0);
        using var boundHistogram = instruments.Histogram.Bind(t0);
        using var boundExponential = instruments.Exponential.Bind(t0);

        if (ours)
        {
            rows =
            [
                .. rows,
                ("counter, bound", _ => boundCounter.Add(1)),
                ("histogram, bound", i => boundHistogram.Record(BenchTags.Values[i])),
                ("exponential, bound", i => boundExponential.Record(BenchTags.Values[i])),
                ("interlocked floor", _ => Interlocked.Add(ref floor, 1)),
            ];
        }

        foreach (var (name, call) in rows.Where(r => only is null || r.Name.StartsWith(only, StringComparison.Ordinal)))
        {
            for (var round = 0; round < 3; round++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                var k = 0;

                for (var n = 0; n < calls; n++)
                {
                    call(k);
                    k = k == BenchTags.Count - 1 ? 0 : k + 1;
                }

                watch.Stop();
                var bytes = GC.GetAllocatedBytesForCurrentThread() - before;

                if (round == 2)
                {
                    Console.WriteLine($"{sdk,-8} {name,-22} {watch.Elapsed.TotalNanoseconds / calls,8:F1} ns  {(double)bytes / calls,6:F2} B/call");
                }
            }
        }

        if (ours)
        {
            foreach (var metric in reader.Collect())
            {
                Console.WriteLine($"collected {metric.Name}: {metric.Points}".Split('\n')[0]);
            }
        }

        started.Dispose();
        return 0;
    }
}
