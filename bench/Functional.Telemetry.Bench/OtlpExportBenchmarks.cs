using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.FSharp.Core;
using OpenTelemetry.Exporter;
using Ours = Functional.Telemetry;
using OursF = Functional.Telemetry.FSharp;

namespace Functional.Telemetry.Bench;

/// <summary>
/// One export of a batch to a loopback sink that discards it (<see cref="OtlpSink"/>): 512 spans over
/// http/protobuf and over gRPC, 512 log records and 512 metric points over http/protobuf. Ours is
/// <c>OtlpExporter.traces/logs/metrics</c> (<c>Export</c> called directly and awaited); the official one is
/// <c>OtlpTraceExporter/OtlpLogExporter/OtlpMetricExporter</c> 1.21.0 (<c>Export</c> called directly, synchronous).
/// Both export the same data, built once in setup: 512 activities (5 tags, 1 event with 1 tag), handed to the
/// official exporter as they are and to ours converted to <c>Span</c> records; the same 512 log calls recorded
/// by each SDK (<see cref="OtlpLogData"/>); the same measurements collected by each SDK
/// (<see cref="OtlpMetricData"/>). The official exporter is the baseline of each pair.
/// The compression rows export the same span batch with ours alone (the official exporter 1.20.1 has no
/// compression setting): uncompressed (the baseline), gzip and zstd, over http/protobuf and over gRPC; setup prints
/// the body bytes each one puts on the wire. The "compression alone" rows compress the encoded span request (131 KB)
/// with gzip and with zstd, without sending it.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OtlpExportBenchmarks
{
    /// <summary>Spans per batch (the batch processors' default MaxExportBatchSize).</summary>
    public const int BatchSize = 512;

    private const string SourceName = "Functional.Telemetry.Bench.OtlpExport";

    private OtlpSink? sink;
    private Activity[] activities = [];
    // Two batches of the same items in two arrays, used in turn. An early version of our exporter took a batch
    // whose Items array it had just been given for a retry and skipped the requests already accepted, so one
    // batch exported again and again sent nothing; the exporter keeps no such state now (a test reuses one array),
    // and the alternation stays so that no future state of that kind can flatter the benchmark.
    private Ours.Batch<Ours.Span>[] batches = [];
    private int turn;
    private Ours.IExporter<Ours.Span>? oursHttp;
    private Ours.IExporter<Ours.Span>? oursGrpc;
    private Ours.IExporter<Ours.Span>? oursHttpGzip;
    private Ours.IExporter<Ours.Span>? oursHttpZstd;
    private Ours.IExporter<Ours.Span>? oursGrpcGzip;
    private Ours.IExporter<Ours.Span>? oursGrpcZstd;
    private byte[] encodedSpans = [];
    private OtlpTraceExporter? officialHttp;
    private OtlpTraceExporter? officialGrpc;
    private Ours.Batch<Ours.LogRecord>[] logBatches = [];
    private OpenTelemetry.Logs.LogRecord[] officialLogs = [];
    private Ours.IExporter<Ours.LogRecord>? oursLogs;
    private OtlpLogExporter? officialLogExporter;
    private Ours.Batch<Ours.MetricData>[] metricBatches = [];
    private OpenTelemetry.Metrics.Metric[] officialMetrics = [];
    private IDisposable? officialMeterProvider;
    private IDisposable? officialMeter;
    private Ours.IExporter<Ours.MetricData>? oursMetrics;
    private OtlpMetricExporter? officialMetricExporter;

    /// <summary>512 finished activities: a server span each, 5 tags of four types, 1 event with 1 tag.</summary>
    public static Activity[] RecordActivities()
    {
        using var source = new ActivitySource(SourceName, "1.0.0");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var result = new Activity[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            var activity = source.StartActivity("GET /orders/{id}", ActivityKind.Server)!;
            activity.SetTag("http.request.method", "GET");
            activity.SetTag("http.route", "/orders/{id}");
            activity.SetTag("http.response.status_code", 200);
            activity.SetTag("server.port", 8080L + i);
            activity.SetTag("cache.hit", i % 2 == 0);
            activity.AddEvent(new ActivityEvent(
                "cache.lookup",
                tags: new ActivityTagsCollection { ["cache.key"] = "order-" + i }));
            activity.Stop();
            result[i] = activity;
        }

        return result;
    }

    private static OursF.OtlpOptions OurOptions(Uri endpoint, OursF.OtlpProtocol protocol) =>
        OurOptions(endpoint, protocol, OursF.OtlpCompression.None);

    private static OursF.OtlpOptions OurOptions(Uri endpoint, OursF.OtlpProtocol protocol, OursF.OtlpCompression compression)
    {
        var d = OursF.OtlpOptionsModule.Default;
        return new OursF.OtlpOptions(
            FSharpOption<Uri>.Some(endpoint),
            protocol,
            d.Headers,
            d.Timeout,
            compression,
            d.CertificatePath,
            d.ClientCertificatePath,
            d.ClientKeyPath,
            d.Insecure,
            d.MaxRequestBytes,
            d.TemporalityPreference,
            d.ExponentialHistograms,
            d.Grpc);
    }

    [GlobalSetup]
    public void Setup()
    {
        sink = OtlpSink.StartAsync().GetAwaiter().GetResult();
        activities = RecordActivities();
        var limits = OursF.SpanLimitsModule.Default;
        var spans = activities.Select(a => Ours.ActivityConversion.ToSpan(limits, a)).ToArray();
        batches = [.. Enumerable.Range(0, 2).Select(_ => new Ours.Batch<Ours.Span>(OursF.ResourceModule.Empty, [.. spans]))];

        var httpEndpoint = new Uri(sink.HttpBase, "/v1/traces");
        oursHttp = OursF.OtlpExporter.Traces(OurOptions(httpEndpoint, OursF.OtlpProtocol.HttpProtobuf));
        oursGrpc = OursF.OtlpExporter.Traces(OurOptions(sink.GrpcBase, OursF.OtlpProtocol.Grpc));
        oursHttpGzip = OursF.OtlpExporter.Traces(OurOptions(httpEndpoint, OursF.OtlpProtocol.HttpProtobuf, OursF.OtlpCompression.Gzip));
        oursHttpZstd = OursF.OtlpExporter.Traces(OurOptions(httpEndpoint, OursF.OtlpProtocol.HttpProtobuf, OursF.OtlpCompression.Zstd));
        oursGrpcGzip = OursF.OtlpExporter.Traces(OurOptions(sink.GrpcBase, OursF.OtlpProtocol.Grpc, OursF.OtlpCompression.Gzip));
        oursGrpcZstd = OursF.OtlpExporter.Traces(OurOptions(sink.GrpcBase, OursF.OtlpProtocol.Grpc, OursF.OtlpCompression.Zstd));
        officialHttp = new OtlpTraceExporter(new OpenTelemetry.Exporter.OtlpExporterOptions
        {
            Endpoint = httpEndpoint,
            Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf,
        });
        officialGrpc = new OtlpTraceExporter(new OpenTelemetry.Exporter.OtlpExporterOptions
        {
            Endpoint = sink.GrpcBase,
            Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.Grpc,
        });

        officialLogs = OtlpLogData.OfficialRecords(BatchSize);
        var records = OtlpLogData.OursRecords(BatchSize);
        logBatches = [.. Enumerable.Range(0, 2).Select(_ => new Ours.Batch<Ours.LogRecord>(OursF.ResourceModule.Empty, [.. records]))];
        var logsEndpoint = new Uri(sink.HttpBase, "/v1/logs");
        oursLogs = OursF.OtlpExporter.Logs(OurOptions(logsEndpoint, OursF.OtlpProtocol.HttpProtobuf));
        officialLogExporter = new OtlpLogExporter(new OpenTelemetry.Exporter.OtlpExporterOptions
        {
            Endpoint = logsEndpoint,
            Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf,
        });

        (officialMetrics, var provider, var meter) = OtlpMetricData.OfficialMetrics();
        officialMeterProvider = provider;
        officialMeter = meter;
        var metrics = OtlpMetricData.OursMetrics();
        metricBatches = [.. Enumerable.Range(0, 2).Select(_ => new Ours.Batch<Ours.MetricData>(OursF.ResourceModule.Empty, [.. metrics]))];
        var metricsEndpoint = new Uri(sink.HttpBase, "/v1/metrics");
        oursMetrics = OursF.OtlpExporter.Metrics(OurOptions(metricsEndpoint, OursF.OtlpProtocol.HttpProtobuf));
        officialMetricExporter = new OtlpMetricExporter(new OpenTelemetry.Exporter.OtlpExporterOptions
        {
            Endpoint = metricsEndpoint,
            Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf,
        });

        // Fail fast when an exporter cannot reach the sink: a benchmark of failed exports measures nothing.
        Check("ours http/protobuf", OursHttp().GetAwaiter().GetResult().IsSuccess);
        Check("ours http/protobuf, again", OursHttp().GetAwaiter().GetResult().IsSuccess);
        Check("ours grpc", OursGrpc().GetAwaiter().GetResult().IsSuccess);
        Check("ours grpc, again", OursGrpc().GetAwaiter().GetResult().IsSuccess);
        Check("official http/protobuf", OfficialHttp() == OpenTelemetry.ExportResult.Success);
        Check("official grpc", OfficialGrpc() == OpenTelemetry.ExportResult.Success);
        Check($"ours logs ({logBatches[0].Items.Length} records)", OursLogsHttp().GetAwaiter().GetResult().IsSuccess);
        Check($"ours metrics ({metricBatches[0].Items.Length} metrics)", OursMetricsHttp().GetAwaiter().GetResult().IsSuccess);
        Check($"official metrics ({officialMetrics.Length} metrics)", OfficialMetricsHttp() == OpenTelemetry.ExportResult.Success);
        Check($"official logs ({officialLogs.Length} records)", OfficialLogsHttp() == OpenTelemetry.ExportResult.Success);
        var encoder = new System.Buffers.ArrayBufferWriter<byte>();
        OursF.OtlpProtobuf.WriteTraces(batches[0].Resource, batches[0].Items, encoder);
        encodedSpans = encoder.WrittenSpan.ToArray();
        Console.WriteLine($"// compression alone: {encodedSpans.Length} bytes -> gzip {CompressGzip()}, zstd {CompressZstd()}");
        OnTheWire("http/protobuf, uncompressed", OursHttpUncompressed);
        OnTheWire("http/protobuf, gzip", OursHttpGzip);
        OnTheWire("http/protobuf, zstd", OursHttpZstd);
        OnTheWire("grpc, uncompressed", OursGrpcUncompressed);
        OnTheWire("grpc, gzip", OursGrpcGzip);
        OnTheWire("grpc, zstd", OursGrpcZstd);
    }

    /// <summary>Exports the span batch once and prints the body bytes the sink drained for it (for gRPC: the
    /// 5-byte message prefix and the message, compressed or not).</summary>
    private void OnTheWire(string name, Func<Task<Ours.ExportResult>> export)
    {
        var before = sink!.BodyBytes;
        Check($"ours {name}", export().GetAwaiter().GetResult().IsSuccess);
        Console.WriteLine($"// on the wire: ours {name}: {sink.BodyBytes - before} body bytes for {BatchSize} spans");
    }

    private void Check(string name, bool success)
    {
        if (!success)
        {
            throw new InvalidOperationException($"{name}: the export to the loopback sink failed");
        }

        Console.WriteLine($"// {name}: ok; sink saw {sink!.Requests} requests, {sink.BodyBytes} body bytes so far");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        officialHttp?.Shutdown();
        officialGrpc?.Shutdown();
        officialHttp?.Dispose();
        officialGrpc?.Dispose();
        (oursHttp as IDisposable)?.Dispose();
        (oursGrpc as IDisposable)?.Dispose();
        (oursHttpGzip as IDisposable)?.Dispose();
        (oursHttpZstd as IDisposable)?.Dispose();
        (oursGrpcGzip as IDisposable)?.Dispose();
        (oursGrpcZstd as IDisposable)?.Dispose();
        officialLogExporter?.Shutdown();
        officialLogExporter?.Dispose();
        (oursLogs as IDisposable)?.Dispose();
        officialMetricExporter?.Shutdown();
        officialMetricExporter?.Dispose();
        (oursMetrics as IDisposable)?.Dispose();
        officialMeter?.Dispose();
        officialMeterProvider?.Dispose();
        sink?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private OpenTelemetry.ExportResult Official(OtlpTraceExporter exporter) =>
        exporter.Export(new OpenTelemetry.Batch<Activity>(activities, activities.Length));

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Traces http/protobuf")]
    public OpenTelemetry.ExportResult OfficialHttp() => Official(officialHttp!);

    [Benchmark]
    [BenchmarkCategory("Traces http/protobuf")]
    public Task<Ours.ExportResult> OursHttp() => oursHttp!.Export(batches[turn++ & 1], CancellationToken.None);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Traces grpc")]
    public OpenTelemetry.ExportResult OfficialGrpc() => Official(officialGrpc!);

    [Benchmark]
    [BenchmarkCategory("Traces grpc")]
    public Task<Ours.ExportResult> OursGrpc() => oursGrpc!.Export(batches[turn++ & 1], CancellationToken.None);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Logs http/protobuf")]
    public OpenTelemetry.ExportResult OfficialLogsHttp() =>
        officialLogExporter!.Export(new OpenTelemetry.Batch<OpenTelemetry.Logs.LogRecord>(officialLogs, officialLogs.Length));

    [Benchmark]
    [BenchmarkCategory("Logs http/protobuf")]
    public Task<Ours.ExportResult> OursLogsHttp() => oursLogs!.Export(logBatches[turn++ & 1], CancellationToken.None);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Metrics http/protobuf")]
    public OpenTelemetry.ExportResult OfficialMetricsHttp() =>
        officialMetricExporter!.Export(new OpenTelemetry.Batch<OpenTelemetry.Metrics.Metric>(officialMetrics, officialMetrics.Length));

    [Benchmark]
    [BenchmarkCategory("Metrics http/protobuf")]
    public Task<Ours.ExportResult> OursMetricsHttp() => oursMetrics!.Export(metricBatches[turn++ & 1], CancellationToken.None);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Traces http/protobuf compression")]
    public Task<Ours.ExportResult> OursHttpUncompressed() => oursHttp!.Export(batches[turn++ & 1], CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory("Traces http/protobuf compression")]
    public Task<Ours.ExportResult> OursHttpGzip() => oursHttpGzip!.Export(batches[turn++ & 1], CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory("Traces http/protobuf compression")]
    public Task<Ours.ExportResult> OursHttpZstd() => oursHttpZstd!.Export(batches[turn++ & 1], CancellationToken.None);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Traces grpc compression")]
    public Task<Ours.ExportResult> OursGrpcUncompressed() => oursGrpc!.Export(batches[turn++ & 1], CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory("Traces grpc compression")]
    public Task<Ours.ExportResult> OursGrpcGzip() => oursGrpcGzip!.Export(batches[turn++ & 1], CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory("Traces grpc compression")]
    public Task<Ours.ExportResult> OursGrpcZstd() => oursGrpcZstd!.Export(batches[turn++ & 1], CancellationToken.None);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Traces compression alone")]
    public int CompressGzip() => OursF.OtlpHttp.gzip(encodedSpans).Length;

    [Benchmark]
    [BenchmarkCategory("Traces compression alone")]
    public int CompressZstd() => OursF.OtlpZstd.compress(encodedSpans).Length;

    /// <summary>Compresses the encoded 512-span request with gzip and with zstd in turn, <paramref name="rounds"/> rounds
    /// of 200 each, and prints each round's time per request and the median (outside BenchmarkDotNet:
    /// <c>-- otlp-compress [rounds]</c>).</summary>
    public static int CompressProbe(int rounds)
    {
        var spans = RecordActivities().Select(a => Ours.ActivityConversion.ToSpan(OursF.SpanLimitsModule.Default, a)).ToArray();
        var encoder = new System.Buffers.ArrayBufferWriter<byte>();
        OursF.OtlpProtobuf.WriteTraces(OursF.ResourceModule.Empty, spans, encoder);
        var body = encoder.WrittenSpan.ToArray();
        var gzip = new List<double>();
        var zstd = new List<double>();
        const int perRound = 200;
        var gzipBytes = OursF.OtlpHttp.gzip(body).Length;
        var zstdBytes = OursF.OtlpZstd.compress(body).Length;
        for (var round = 0; round < rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < perRound; i++)
            {
                OursF.OtlpHttp.gzip(body);
            }

            gzip.Add(watch.Elapsed.TotalMicroseconds / perRound);
            watch.Restart();
            for (var i = 0; i < perRound; i++)
            {
                OursF.OtlpZstd.compress(body);
            }

            zstd.Add(watch.Elapsed.TotalMicroseconds / perRound);
            Console.WriteLine($"round {round + 1}: gzip {gzip[^1]:F1} us, zstd {zstd[^1]:F1} us");
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        Console.WriteLine($"{body.Length} B request: gzip {gzipBytes} B, median {Median(gzip):F1} us; zstd {zstdBytes} B, median {Median(zstd):F1} us");
        return 0;
    }
}
