using System.Diagnostics;
using System.Diagnostics.Metrics;
using Functional.Telemetry;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>Bound instruments from C#: <c>Bind</c> extensions on the BCL's instruments, compiled as users write them.</summary>
public class BoundInstrumentTests
{
    private static string UniqueMeter() => "CSharpBound." + Guid.NewGuid().ToString("N");

    private static TelemetrySdk Start(string meter, MetricPullReader reader) =>
        Telemetry.Create("csharp-bound")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection()
            .WithMetrics(m => m.AddMeter(meter).AddReader(reader))
            .Start();

    private static long LongTotal(MetricPullReader reader, string name)
    {
        var metric = Assert.Single(reader.Collect(), m => m.Name == name);
        var point = Assert.Single(metric.Points.NumberPoints);
        Assert.True(point.Value.TryGetInt64(out var total));
        return total;
    }

    [Fact]
    public async Task A_bound_counter_adds_to_the_series_of_its_tags()
    {
        var name = UniqueMeter();
        var reader = new MetricPullReader();
        await using var sdk = Start(name, reader);
        using var meter = new Meter(name);
        var requests = meter.CreateCounter<long>("requests");

        using var get = requests.Bind(new("http.request.method", "GET"), new("http.response.status_code", 200));
        get.Add(2);
        get.Add(3);
        requests.Add(10, new KeyValuePair<string, object?>("http.response.status_code", 200), new("http.request.method", "GET"));

        var metric = Assert.Single(reader.Collect(), m => m.Name == "requests");
        var point = Assert.Single(metric.Points.NumberPoints);
        Assert.True(point.Value.TryGetInt64(out var total));
        Assert.Equal(15, total);
        Assert.Equal(["http.request.method", "http.response.status_code"], point.Attributes.Select(a => a.Key));
    }

    [Fact]
    public async Task TagList_binds_and_every_instrument_kind_and_number_type_records()
    {
        var name = UniqueMeter();
        var reader = new MetricPullReader();
        await using var sdk = Start(name, reader);
        using var meter = new Meter(name);
        var tags = new TagList { { "queue", "orders" } };

        using var depth = meter.CreateUpDownCounter<int>("depth").Bind(tags);
        using var bytes = meter.CreateCounter<double>("bytes").Bind(tags);
        using var latency = meter.CreateHistogram<double>("latency").Bind(tags);
        using var sizes = meter.CreateHistogram<long>("sizes").Bind();
        depth.Add(5);
        depth.Add(-2);
        bytes.Add(1.5);
        latency.Record(12.5);
        latency.Record(7.5);
        sizes.Record(300);

        var metrics = reader.Collect();
        var depthPoint = Assert.Single(Assert.Single(metrics, m => m.Name == "depth").Points.NumberPoints);
        Assert.True(depthPoint.Value.TryGetInt64(out var depthValue));
        Assert.Equal(3, depthValue);
        Assert.Equal("orders", Assert.Single(depthPoint.Attributes).Value.ToString());
        var bytesPoint = Assert.Single(Assert.Single(metrics, m => m.Name == "bytes").Points.NumberPoints);
        Assert.False(bytesPoint.Value.TryGetInt64(out _));
        Assert.Equal(1.5, bytesPoint.Value.AsDouble);
        var latencyPoint = Assert.Single(Assert.Single(metrics, m => m.Name == "latency").Points.HistogramPoints);
        Assert.Equal(2, latencyPoint.Count);
        Assert.Equal(20.0, latencyPoint.Sum);
        var sizePoint = Assert.Single(Assert.Single(metrics, m => m.Name == "sizes").Points.HistogramPoints);
        Assert.Equal(300.0, sizePoint.Sum);
        Assert.Empty(sizePoint.Attributes);
    }

    [Fact]
    public async Task After_Dispose_measurements_are_dropped_and_counted()
    {
        var name = UniqueMeter();
        var reader = new MetricPullReader();
        await using var sdk = Start(name, reader);
        using var meter = new Meter(name);
        var counter = meter.CreateCounter<long>("c");
        var bound = counter.Bind(new KeyValuePair<string, object?>("k", "v"));
        bound.Add(1);
        bound.Dispose();
        bound.Dispose();
        bound.Add(1);

        Assert.Equal(1, LongTotal(reader, "c"));
        Assert.Equal(1, sdk.MetricDrops.AfterUnbind);
    }

    [Fact]
    public void Binding_needs_an_instrument()
    {
        Counter<long> counter = null!;
        Histogram<double> histogram = null!;
        UpDownCounter<int> upDown = null!;
        Assert.Throws<ArgumentNullException>(() => counter.Bind());
        Assert.Throws<ArgumentNullException>(() => histogram.Bind(new TagList()));
        Assert.Throws<ArgumentNullException>(() => upDown.Bind());
    }

    [Fact]
    public async Task A_handle_bound_before_the_SDK_starts_records_once_it_listens()
    {
        var name = UniqueMeter();
        using var meter = new Meter(name);
        using var bound = meter.CreateCounter<long>("c").Bind();
        bound.Add(100);
        var reader = new MetricPullReader();
        await using var sdk = Start(name, reader);
        bound.Add(1);

        Assert.Equal(1, LongTotal(reader, "c"));
    }
}
