using System.Buffers;
using BenchmarkDotNet.Attributes;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Ours = Functional.Telemetry;
using OursF = Functional.Telemetry.FSharp;

namespace Functional.Telemetry.Bench;

/// <summary>
/// One scrape's rendering by <c>PrometheusRenderer</c>: 10,000 series (100 metrics of 100 series each: a third
/// counters, a third gauges, a third histograms with 10 bounds, every series with three attributes and the scope
/// labels, plus target_info) into a reused <see cref="ArrayBufferWriter{T}"/>, in both formats. Times and bytes
/// are per series (<c>OperationsPerInvoke</c>); the renderer's caches are warm, as they are from the second
/// scrape on.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class PrometheusBenchmarks
{
    /// <summary>Series per render.</summary>
    public const int Series = 10_000;

    private const int MetricCount = 100;

    private readonly ArrayBufferWriter<byte> buffer = new(8 << 20);
    private OursF.PrometheusRenderer renderer = null!;
    private FSharpList<Ours.MetricData> metrics = FSharpList<Ours.MetricData>.Empty;
    private Ours.Resource resource = null!;

    private static Ours.KeyValue Text(string key, string value) => new(key, Ours.AnyValue.NewString(value));

    private static FSharpList<T> List<T>(IEnumerable<T> items) => ListModule.OfSeq(items);

    [GlobalSetup]
    public void Setup()
    {
        var scope = new Ours.InstrumentationScope("Shop.Api", "1.2.0", "", FSharpList<Ours.KeyValue>.Empty);
        var bounds = List(new[] { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0 });
        var seriesPerMetric = Series / MetricCount;
        var all = new List<Ours.MetricData>();
        for (var m = 0; m < MetricCount; m++)
        {
            FSharpList<Ours.KeyValue> Attributes(int s) => List(new[]
            {
                Text("http.request.method", s % 2 == 0 ? "GET" : "POST"),
                Text("http.route", "/orders/" + (s / 2)),
                new Ours.KeyValue("http.response.status_code", OursF.AnyValues.OfInt64(200 + (s % 3))),
            });

            Ours.MetricPoints points;
            string unit;
            switch (m % 3)
            {
                case 0:
                    unit = "{request}";
                    points = Ours.MetricPoints.NewSum(Ours.Temporality.Cumulative, true, List(
                        Enumerable.Range(0, seriesPerMetric).Select(s => new Ours.NumberPoint(
                            Attributes(s), 1L, 2L, Ours.NumberValue.NewLong(1000L + s), FSharpList<Ours.Exemplar>.Empty))));
                    break;
                case 1:
                    unit = "By";
                    points = Ours.MetricPoints.NewGauge(List(
                        Enumerable.Range(0, seriesPerMetric).Select(s => new Ours.NumberPoint(
                            Attributes(s), 1L, 2L, Ours.NumberValue.NewDouble(s * 1.5), FSharpList<Ours.Exemplar>.Empty))));
                    break;
                default:
                    unit = "s";
                    points = Ours.MetricPoints.NewHistogram(Ours.Temporality.Cumulative, List(
                        Enumerable.Range(0, seriesPerMetric).Select(s => new Ours.HistogramPoint(
                            Attributes(s), 1L, 2L, 55L, 12.5 + s, null, null, bounds,
                            List(Enumerable.Range(0, 11).Select(i => (long)(i % 4 + 2))), FSharpList<Ours.Exemplar>.Empty))));
                    break;
            }

            all.Add(new Ours.MetricData("shop.metric." + m, "Metric number " + m + ".", unit, scope, points));
        }

        metrics = List(all);
        resource = new Ours.Resource(List(new[] { Text("service.name", "shop"), Text("service.instance.id", "i-1") }), "");
        renderer = new OursF.PrometheusRenderer(OursF.PrometheusOptionsModule.Default);
        Text004();
        OpenMetrics();
    }

    /// <summary>Prometheus text 0.0.4.</summary>
    [Benchmark(OperationsPerInvoke = Series)]
    public int Text004()
    {
        buffer.ResetWrittenCount();
        return renderer.Render(OursF.PrometheusFormat.Text, resource, metrics, buffer);
    }

    /// <summary>OpenMetrics 1.0.0.</summary>
    [Benchmark(OperationsPerInvoke = Series)]
    public int OpenMetrics()
    {
        buffer.ResetWrittenCount();
        return renderer.Render(OursF.PrometheusFormat.OpenMetrics, resource, metrics, buffer);
    }
}
