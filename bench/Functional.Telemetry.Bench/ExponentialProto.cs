using System.Diagnostics;

namespace Functional.Telemetry.Bench;

/// <summary>
/// A prototype measuring two ideas for the exponential histogram cell's hot path (src/core/Runtime/Metrics/Cells.fs,
/// src/core/Aggregation/Aggregation.fs `bucketIndex`), on the benchmark's ten values at scale 3 (where the cell
/// settles for them with 160 buckets): `-- expo-proto [calls]`.
/// </summary>
public static class ExponentialProto
{
    private const int MaxSize = 160;

    // As in Cells.fs:215: two divisions, and Cells.fs:277 computes it twice.
    private static int SlotNow(int index) => ((index % MaxSize) + MaxSize) % MaxSize;

    // One division and a branch.
    private static int SlotOne(int index)
    {
        var r = index % MaxSize;
        return r < 0 ? r + MaxSize : r;
    }

    // As in Aggregation.fs:206-224 (scale > 0).
    private static int IndexNow(int scale, double value)
    {
        var magnitude = Math.Abs(value);
        var exponent = Math.ILogB(magnitude);
        var significand = Math.ScaleB(magnitude, -exponent);
        if (significand == 1.0) return (exponent << scale) - 1;
        var subBuckets = 1 << scale;
        var within = (int)Math.Floor(Math.Log2(significand) * subBuckets);
        return (exponent << scale) + Math.Min(within, subBuckets - 1);
    }

    // The exponent and significand read from the bits (normal values; subnormals keep the current path).
    private static int IndexBits(int scale, double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value) & long.MaxValue;
        var biased = (int)(bits >> 52);
        if (biased == 0) return IndexNow(scale, value);
        var exponent = biased - 1023;
        var fraction = bits & 0xFFFFFFFFFFFFFL;
        if (fraction == 0) return (exponent << scale) - 1;
        var significand = BitConverter.Int64BitsToDouble(fraction | 0x3FF0000000000000L);
        var subBuckets = 1 << scale;
        var within = (int)(Math.Log2(significand) * subBuckets);
        return (exponent << scale) + Math.Min(within, subBuckets - 1);
    }

    public static int Run(int calls)
    {
        var counts = new long[MaxSize];
        var values = BenchTags.Values;

        for (var i = 0; i < values.Length; i++)
        {
            if (IndexNow(3, values[i]) != IndexBits(3, values[i])) throw new InvalidOperationException("index differs");
        }

        void Time(string name, Action<int> body)
        {
            for (var round = 0; round < 3; round++)
            {
                var watch = Stopwatch.StartNew();
                var k = 0;
                for (var n = 0; n < calls; n++)
                {
                    body(k);
                    k = k == values.Length - 1 ? 0 : k + 1;
                }

                if (round == 2) Console.WriteLine($"{name,-40} {watch.Elapsed.TotalNanoseconds / calls,6:F1} ns");
            }
        }

        Time("empty (delegate and loop)", _ => { });
        Time("now: index + slot twice", k => { var x = IndexNow(3, values[k]); counts[SlotNow(x)] = counts[SlotNow(x)] + 1; });
        Time("slot once, one division", k => { var x = IndexNow(3, values[k]); var s = SlotOne(x); counts[s]++; });
        Time("bits index + slot once", k => { var x = IndexBits(3, values[k]); var s = SlotOne(x); counts[s]++; });
        return 0;
    }
}
