using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Ours = Functional.Telemetry;
using OursF = Functional.Telemetry.FSharp;

namespace Functional.Telemetry.Bench;

/// <summary>
/// The same measurements collected once by each SDK, kept for the OTLP metric export benchmark: a counter and an
/// explicit-bucket histogram (default buckets) with 256 attribute sets of 3 tags each, 512 data points in all.
/// Ours as the <c>MetricData</c> of one pull (cumulative); the official SDK's as the <c>Metric</c>s its reader
/// handed to an exporter (cumulative), kept alive with their provider.
/// </summary>
public static class OtlpMetricData
{
    /// <summary>Attribute sets per instrument.</summary>
    public const int SeriesPerInstrument = 256;

    private static void Record(Meter meter)
    {
        var counter = meter.CreateCounter<long>("bench.requests");
        var histogram = meter.CreateHistogram<double>("bench.duration", "ms");
        for (var i = 0; i < SeriesPerInstrument; i++)
        {
            var tags = new TagList
            {
                { "http.route", "/orders/" + (i / 4) },
                { "http.request.method", (i % 4) switch { 0 => "GET", 1 => "POST", 2 => "PUT", _ => "DELETE" } },
                { "http.response.status_code", 200 },
            };
            for (var k = 0; k < 3; k++)
            {
                counter.Add(1 + k, tags);
                histogram.Record(3.5 * (i + k), tags);
            }
        }
    }

    /// <summary>Our metric data of one pull.</summary>
    public static Ours.MetricData[] OursMetrics()
    {
        const string name = "Bench.OtlpExport.Metrics.Ours";
        var reader = new Ours.MetricPullReader();
        var sdk = Ours.Telemetry.Create("bench")
            .WithoutResourceDetection()
            .WithoutPropagatorInstallation()
            .WithMetrics(m => m.AddMeter(name).SetExemplarFilter(Ours.ExemplarFilterKind.AlwaysOff).AddReader(reader))
            .Start();
        using (var meter = new Meter(name))
        {
            Record(meter);
            var data = reader.Collect().ToArray();
            ((IDisposable)sdk).Dispose();
            return data;
        }
    }

    private sealed class Capture : BaseExporter<Metric>
    {
        public Metric[] Metrics = [];

        public override OpenTelemetry.ExportResult Export(in OpenTelemetry.Batch<Metric> batch)
        {
            var list = new List<Metric>();
            foreach (var metric in batch)
            {
                list.Add(metric);
            }

            Metrics = list.ToArray();
            return OpenTelemetry.ExportResult.Success;
        }
    }

    /// <summary>The official SDK's metrics of one collection and the provider that owns them (keep it alive).</summary>
    public static (Metric[] Metrics, MeterProvider Provider, Meter Meter) OfficialMetrics()
    {
        const string name = "Bench.OtlpExport.Metrics.Official";
        var capture = new Capture();
        var reader = new BaseExportingMetricReader(capture);
        var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(name)
            .SetExemplarFilter(ExemplarFilterType.AlwaysOff)
            .AddReader(reader)
            .Build()!;
        var meter = new Meter(name);
        Record(meter);
        provider.ForceFlush();
        return (capture.Metrics, provider, meter);
    }
}
