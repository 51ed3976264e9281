using System.Diagnostics.Metrics;
using Functional.Telemetry;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The metrics part of the C# facade, compiled as C# users will.</summary>
public class MetricsBuilderTests
{
    private static string UniqueMeter() => "CSharpMetrics." + Guid.NewGuid().ToString("N");

    private static TelemetryBuilder Base() =>
        Telemetry.Create("csharp-metrics")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection();

    [Fact]
    public async Task Counters_and_histograms_reach_the_in_memory_exporter_on_flush()
    {
        var name = UniqueMeter();
        var exporter = new InMemoryExporter<MetricData>();
        await using var sdk = Base()
            .WithMetrics(m => m.AddMeter(name).AddInMemoryExporter(exporter, Temporalities.Delta))
            .Start();

        using var meter = new Meter(name);
        var orders = meter.CreateCounter<long>("orders", "{order}");
        var latency = meter.CreateHistogram<double>("latency", "ms");
        orders.Add(2, new KeyValuePair<string, object?>("region", "eu"));
        orders.Add(3, new KeyValuePair<string, object?>("region", "eu"));
        latency.Record(12.5);

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var sum = Assert.Single(exporter.Items, m => m.Name == "orders");
        Assert.Equal("{order}", sum.Unit);
        Assert.True(sum.Points.IsSum);
        Assert.True(sum.Points.IsMonotonic());
        var point = Assert.Single(sum.Points.NumberPoints);
        Assert.True(point.Value.TryGetInt64(out var total));
        Assert.Equal(5, total);
        Assert.Equal(Temporality.Delta, sum.Points.GetTemporality());

        var histogram = Assert.Single(exporter.Items, m => m.Name == "latency");
        var histogramPoint = Assert.Single(histogram.Points.HistogramPoints);
        Assert.Equal(1, histogramPoint.Count);
        Assert.Equal(12.5, histogramPoint.Sum);

        // The model reads as plain .NET: IReadOnlyList collections and nullable extremes.
        IReadOnlyList<double> bounds = histogramPoint.Bounds;
        IReadOnlyList<long> counts = histogramPoint.BucketCounts;
        Assert.Equal(bounds.Count + 1, counts.Count);
        Assert.Equal(1, counts.Sum());
        double? min = histogramPoint.Min;
        Assert.Equal(12.5, min);
        Assert.Equal(12.5, histogramPoint.Max!.Value);
        Assert.Equal("eu", point.Attributes[0].Value.ToString());
        Assert.Equal("region", Assert.Single(point.Attributes).Key);
    }

    [Fact]
    public void Views_rename_filter_and_rebucket()
    {
        var name = UniqueMeter();
        var reader = new MetricPullReader();
        using var sdk = Base()
            .WithMetrics(m => m
                .AddMeter(name)
                .AddView("requests", v => { v.Name = "http.requests"; v.AllowedAttributes = new[] { "method" }; })
                .AddView("size", v => v.HistogramBounds = new[] { 100.0, 1000.0 })
                .AddView("debug.*", v => v.Drop = true)
                .AddReader(reader))
            .Start();

        using var meter = new Meter(name);
        meter.CreateCounter<int>("requests").Add(1, new("method", "GET"), new("user", "alice"));
        meter.CreateHistogram<int>("size").Record(500);
        meter.CreateCounter<int>("debug.calls").Add(1);

        var metrics = reader.Collect();
        Assert.Equal(new[] { "http.requests", "size" }, metrics.Select(m => m.Name).OrderBy(n => n));
        var request = Assert.Single(metrics.Single(m => m.Name == "http.requests").Points.NumberPoints);
        Assert.Equal("method", Assert.Single(request.Attributes).Key);
        var size = Assert.Single(metrics.Single(m => m.Name == "size").Points.HistogramPoints);
        Assert.Equal(new long[] { 0, 1, 0 }, size.BucketCounts);
    }

    [Fact]
    public void Bad_metrics_configuration_is_a_clear_error()
    {
        Assert.Throws<ArgumentException>(() => Base().WithMetrics(m => m.AddMeter("")));
        Assert.Throws<ArgumentException>(() => Base().WithMetrics(m => m.AddView("a*", v => v.Name = "renamed")));
        Assert.Throws<ArgumentException>(() => Base().WithMetrics(m => m.AddView("h", v => v.HistogramBounds = new[] { 5.0, 1.0 })));
        Assert.Throws<ArgumentException>(() => Base().WithMetrics(m => m.SetCardinalityLimit(0)));
        Assert.Throws<ArgumentException>(() =>
            Base().WithMetrics(m => m.AddExporter(new InMemoryExporter<MetricData>(), TimeSpan.Zero, TimeSpan.FromSeconds(1))));
    }
}
