using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Functional.Telemetry.Bench;

/// <summary>
/// The rows of <see cref="BoundInstrumentBenchmarks"/> timed outside BenchmarkDotNet, by wall clock and by the
/// calling thread's CPU time (<c>CLOCK_THREAD_CPUTIME_ID</c>): on a machine shared with other work the wall clock
/// counts the time the thread waited for a core, the thread's CPU time does not.
/// <c>dotnet bench/Functional.Telemetry.Bench/bin/Release/net10.0/Functional.Telemetry.Bench.dll bound ours|official [TraceBased|AlwaysOff] [calls] [rounds]</c>.
/// Each row is a loop of direct calls (no delegate) in a method of its own; prints, per row, the lowest and the
/// median of the rounds, in ns per call.
/// </summary>
public static class BoundProbe
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static long ThreadCpuNanoseconds()
    {
        ClockGetTime(ClockThreadCpuTime, out var t);
        return t.Seconds * 1_000_000_000L + t.Nanoseconds;
    }

    private static long floor;

    public static int Run(string sdk, BenchExemplarFilter filter, int calls, int rounds)
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("The bound probe reads the thread's CPU time through Linux's clock_gettime.");
            return 1;
        }

        var ours = sdk == "ours";
        var instruments = new BenchInstruments(ours ? MetricsSdks.OursMeter : MetricsSdks.OfficialMeter);
        IDisposable started = ours ? MetricsSdks.StartOurs(filter) : MetricsSdks.StartOfficial(filter);
        var t0 = BenchTags.Sets[0];

        // Every series exists before timing, as in the benchmarks.
        instruments.Counter.Add(1);

        for (var i = 0; i < BenchTags.Count; i++)
        {
            var t = BenchTags.Sets[i];
            instruments.Counter.Add(1, t[0], t[1], t[2]);
            instruments.Histogram.Record(BenchTags.Values[i], t[0], t[1], t[2]);
            instruments.Exponential.Record(BenchTags.Values[i], t[0], t[1], t[2]);
        }

        var rows = new List<(string Name, Action<int> Loop)>
        {
            ("Counter3", n => Counter3(instruments, n)),
            ("Histogram3", n => Histogram3(instruments, n)),
            ("Exponential3", n => Exponential3(instruments, n)),
        };

        BoundCounter<long>? boundCounter = null;
        BoundHistogram<double>? boundHistogram = null;
        BoundHistogram<double>? boundExponential = null;

        if (ours)
        {
            boundCounter = instruments.Counter.Bind(t0);
            boundHistogram = instruments.Histogram.Bind(t0);
            boundExponential = instruments.Exponential.Bind(t0);
            rows.Add(("Counter0", n => Counter0(instruments, n)));
            rows.Add(("CounterBound", n => CounterBound(boundCounter, n)));
            rows.Add(("HistogramBound", n => HistogramBound(boundHistogram, n)));
            rows.Add(("HistogramBound_1value", n => HistogramBoundOneValue(boundHistogram, n)));
            rows.Add(("ExponentialBound", n => ExponentialBound(boundExponential, n)));
            rows.Add(("CounterBound_2threads", n => OnTwoThreads(n, m => CounterBound(boundCounter, m))));
            rows.Add(("HistogramBound_2threads", n => OnTwoThreads(n, m => HistogramBound(boundHistogram, m))));
            rows.Add(("Interlocked_Floor", FloorLoop));
        }

        foreach (var (name, loop) in rows)
        {
            twoThreadCpu = -1;
            loop(calls); // warm-up (and tier-up: the loops are hot methods)
            loop(calls);
            var wall = new List<double>();
            var cpu = new List<double>();

            for (var round = 0; round < rounds; round++)
            {
                var cpuBefore = ThreadCpuNanoseconds();
                var wallBefore = Stopwatch.GetTimestamp();
                loop(calls);
                var wallNs = Stopwatch.GetElapsedTime(wallBefore).TotalNanoseconds;
                var cpuNs = twoThreadCpu >= 0 ? twoThreadCpu : ThreadCpuNanoseconds() - cpuBefore;
                wall.Add(wallNs / calls);
                cpu.Add((double)cpuNs / calls);
            }

            wall.Sort();
            cpu.Sort();
            Console.WriteLine(
                $"{sdk,-8} {filter,-10} {name,-18} cpu {cpu[0],6:F2} ns (median {cpu[rounds / 2],6:F2})   wall {wall[0],6:F2} ns (median {wall[rounds / 2],6:F2})");
        }

        boundCounter?.Dispose();
        boundHistogram?.Dispose();
        boundExponential?.Dispose();
        started.Dispose();
        return 0;
    }

    private static long twoThreadCpu = -1;

    /// Runs <paramref name="loop"/> on two threads at once on the same handle (each its own thread cell), and
    /// leaves their CPU time in <see cref="twoThreadCpu"/> as the per-call time of <paramref name="n"/> calls:
    /// the two threads' CPU time summed, over twice the calls.
    private static void OnTwoThreads(int n, Action<int> loop)
    {
        var start = new Barrier(2);
        var cpu = new long[2];
        var threads = new Thread[2];

        for (var t = 0; t < 2; t++)
        {
            var index = t;
            threads[t] = new Thread(() =>
            {
                start.SignalAndWait();
                var before = ThreadCpuNanoseconds();
                loop(n);
                cpu[index] = ThreadCpuNanoseconds() - before;
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        twoThreadCpu = (cpu[0] + cpu[1]) / 2;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Counter0(BenchInstruments instruments, int n)
    {
        var counter = instruments.Counter;

        for (var i = 0; i < n; i++)
        {
            counter.Add(1);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Counter3(BenchInstruments instruments, int n)
    {
        var counter = instruments.Counter;
        var k = 0;

        for (var i = 0; i < n; i++)
        {
            var t = BenchTags.Sets[k];
            counter.Add(1, t[0], t[1], t[2]);
            k = k == BenchTags.Count - 1 ? 0 : k + 1;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Histogram3(BenchInstruments instruments, int n)
    {
        var histogram = instruments.Histogram;
        var k = 0;

        for (var i = 0; i < n; i++)
        {
            var t = BenchTags.Sets[k];
            histogram.Record(BenchTags.Values[k], t[0], t[1], t[2]);
            k = k == BenchTags.Count - 1 ? 0 : k + 1;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Exponential3(BenchInstruments instruments, int n)
    {
        var histogram = instruments.Exponential;
        var k = 0;

        for (var i = 0; i < n; i++)
        {
            var t = BenchTags.Sets[k];
            histogram.Record(BenchTags.Values[k], t[0], t[1], t[2]);
            k = k == BenchTags.Count - 1 ? 0 : k + 1;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CounterBound(BoundCounter<long> bound, int n)
    {
        for (var i = 0; i < n; i++)
        {
            bound.Add(1);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void HistogramBound(BoundHistogram<double> bound, int n)
    {
        var k = 0;

        for (var i = 0; i < n; i++)
        {
            bound.Record(BenchTags.Values[k]);
            k = k == BenchTags.Count - 1 ? 0 : k + 1;
        }
    }

    /// <summary>The same value every time: no bucket search mispredicted.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void HistogramBoundOneValue(BoundHistogram<double> bound, int n)
    {
        for (var i = 0; i < n; i++)
        {
            bound.Record(42.0);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ExponentialBound(BoundHistogram<double> bound, int n)
    {
        var k = 0;

        for (var i = 0; i < n; i++)
        {
            bound.Record(BenchTags.Values[k]);
            k = k == BenchTags.Count - 1 ? 0 : k + 1;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FloorLoop(int n)
    {
        for (var i = 0; i < n; i++)
        {
            Interlocked.Add(ref floor, 1);
        }
    }
}
