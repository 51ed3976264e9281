using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Ours = Functional.Telemetry;
using OursF = Functional.Telemetry.FSharp;

namespace Functional.Telemetry.Bench;

/// <summary>Which exemplar filter both SDKs use in a metrics benchmark (always the same on both sides).</summary>
public enum BenchExemplarFilter
{
    /// <summary>Trace-based: ours by default; the official SDK only when set (its default is AlwaysOff).</summary>
    TraceBased,

    /// <summary>Always off: the official SDK's default.</summary>
    AlwaysOff,
}

/// <summary>The official SDK's metric exporter that accepts every batch and does nothing (never called during a
/// benchmark: the reader's interval is far longer than a run).</summary>
public sealed class NoOpMetricExporter : BaseExporter<Metric>
{
    public override OpenTelemetry.ExportResult Export(in OpenTelemetry.Batch<Metric> batch) => OpenTelemetry.ExportResult.Success;
}

/// <summary>Starts each SDK's metrics with the same settings: one Meter (its own name per SDK), the default
/// aggregations, a Base2 exponential histogram view with 160 buckets on one instrument, the same exemplar filter,
/// and a reader that never collects during a run. Each benchmark process starts exactly one of them.</summary>
public static class MetricsSdks
{
    /// <summary>The Meter our SDK listens to.</summary>
    public const string OursMeter = "Bench.Metrics.Ours";

    /// <summary>The Meter the official SDK listens to.</summary>
    public const string OfficialMeter = "Bench.Metrics.Official";

    /// <summary>The histogram instrument both SDKs aggregate as a Base2 exponential histogram.</summary>
    public const string ExponentialHistogram = "bench.exponential";

    /// <summary>Official reader interval: ten minutes, never reached in a run.</summary>
    public const int ExportIntervalMilliseconds = 600_000;

    /// <summary>Starts Functional.Telemetry's metrics with a pull reader nobody pulls.</summary>
    public static Ours.TelemetrySdk StartOurs(BenchExemplarFilter filter) =>
        Ours.Telemetry.Create("bench")
            .WithoutResourceDetection()
            .WithoutPropagatorInstallation()
            .WithMetrics(m => m
                .AddMeter(OursMeter)
                .AddView(ExponentialHistogram, v => v.ExponentialHistogramMaxSize = 160)
                .SetExemplarFilter(filter == BenchExemplarFilter.TraceBased
                    ? Ours.ExemplarFilterKind.TraceBased
                    : Ours.ExemplarFilterKind.AlwaysOff)
                .AddReader(new Ours.MetricPullReader()))
            .Start();

    /// <summary>Starts the official SDK's metrics with a periodic reader whose interval is never reached.</summary>
    public static MeterProvider StartOfficial(BenchExemplarFilter filter) =>
        Sdk.CreateMeterProviderBuilder()
            .AddMeter(OfficialMeter)
            .AddView(ExponentialHistogram, new Base2ExponentialBucketHistogramConfiguration())
            .SetExemplarFilter(filter == BenchExemplarFilter.TraceBased
                ? ExemplarFilterType.TraceBased
                : ExemplarFilterType.AlwaysOff)
            .AddReader(new PeriodicExportingMetricReader(new NoOpMetricExporter(), ExportIntervalMilliseconds))
            .Build()!;
}

/// <summary>The same instruments on one Meter: what an instrumented library creates once.</summary>
public sealed class BenchInstruments
{
    public BenchInstruments(string meterName)
    {
        Meter = new Meter(meterName);
        Counter = Meter.CreateCounter<long>("bench.requests");
        Histogram = Meter.CreateHistogram<double>("bench.duration");
        Exponential = Meter.CreateHistogram<double>(MetricsSdks.ExponentialHistogram);
    }

    public Meter Meter { get; }

    public Counter<long> Counter { get; }

    public Histogram<double> Histogram { get; }

    public Histogram<double> Exponential { get; }
}

/// <summary>Ten fixed combinations of three tags (string, int, bool), values boxed once, and ten measurement
/// values: rotated through by the benchmarks so every series exists after the warm-up.</summary>
public static class BenchTags
{
    public const int Count = 10;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH"];
    private static readonly object[] Statuses = [200, 404, 500];
    private static readonly object[] Hits = [true, false];

    /// <summary>Combination i: (method, status, cache hit).</summary>
    public static readonly KeyValuePair<string, object?>[][] Sets =
        Enumerable.Range(0, Count)
            .Select(i => new KeyValuePair<string, object?>[]
            {
                new("http.request.method", Methods[i % Methods.Length]),
                new("http.response.status_code", Statuses[i % Statuses.Length]),
                new("cache.hit", Hits[i % Hits.Length]),
            })
            .ToArray();

    /// <summary>Measurement values spread over the default explicit buckets (0 to 10000).</summary>
    public static readonly double[] Values = [0.7, 3.2, 8.0, 17.5, 42.0, 88.8, 230.0, 640.0, 1800.0, 7200.0];
}
