using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Ours = Functional.Telemetry;
using OursF = Functional.Telemetry.FSharp;

namespace Functional.Telemetry.Bench;

/// <summary>
/// What an OTLP export costs below any SDK, against the same loopback sink as <see cref="OtlpExportBenchmarks"/>:
/// <list type="bullet">
/// <item><c>Transport*</c>: one <c>HttpClient</c> POST of the 512-span request already encoded (no encoding,
/// no SDK code): a bare <c>SocketsHttpHandler</c>, the body as <c>ReadOnlyMemoryContent</c>, no timeout token.
/// This is the floor for any exporter that sends through <c>HttpClient</c>, as both SDKs do.</item>
/// <item><c>SendOurs*</c>: the same pre-encoded request through our <c>OtlpTransport.Send</c> alone (no encoding):
/// what our send path costs above the bare <c>HttpClient</c> POST.</item>
/// <item><c>EncodeOurs</c>: our protobuf encoding of the same 512 spans into a reused buffer, without sending.</item>
/// </list>
/// The official exporter's row is repeated here as the baseline, so <c>Ratio</c> reads as a share of its time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OtlpFloorBenchmarks
{
    private OtlpSink? sink;
    private Activity[] activities = [];
    private Ours.Span[] spans = [];
    private byte[] body = [];
    private byte[] grpcBody = [];
    private readonly ArrayBufferWriter<byte> buffer = new(256 * 1024);
    private HttpClient? http1;
    private HttpClient? http2;
    private Uri? tracesUri;
    private Uri? grpcUri;
    private OpenTelemetry.Exporter.OtlpTraceExporter? officialHttp;
    private OpenTelemetry.Exporter.OtlpTraceExporter? officialGrpc;
    private OursF.OtlpTransport? oursHttp;
    private OursF.OtlpTransport? oursGrpc;
    private static readonly MediaTypeHeaderValue Protobuf = new("application/x-protobuf");
    private static readonly MediaTypeHeaderValue Grpc = new("application/grpc");

    [GlobalSetup]
    public void Setup()
    {
        sink = OtlpSink.StartAsync().GetAwaiter().GetResult();
        activities = OtlpExportBenchmarks.RecordActivities();
        var limits = OursF.SpanLimitsModule.Default;
        spans = activities.Select(a => Ours.ActivityConversion.ToSpan(limits, a)).ToArray();
        OursF.OtlpProtobuf.WriteTraces(OursF.ResourceModule.Empty, spans, buffer);
        body = buffer.WrittenSpan.ToArray();
        grpcBody = new byte[body.Length + 5];
        BinaryPrimitives.WriteUInt32BigEndian(grpcBody.AsSpan(1, 4), (uint)body.Length);
        body.CopyTo(grpcBody, 5);
        http1 = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None });
        http2 = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None });
        tracesUri = new Uri(sink.HttpBase, "/v1/traces");
        grpcUri = new Uri(sink.GrpcBase, "/opentelemetry.proto.collector.trace.v1.TraceService/Export");
        officialHttp = new OpenTelemetry.Exporter.OtlpTraceExporter(new OpenTelemetry.Exporter.OtlpExporterOptions
        {
            Endpoint = tracesUri,
            Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf,
        });
        officialGrpc = new OpenTelemetry.Exporter.OtlpTraceExporter(new OpenTelemetry.Exporter.OtlpExporterOptions
        {
            Endpoint = sink.GrpcBase,
            Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.Grpc,
        });
        var d = OursF.OtlpOptionsModule.Default;
        OursF.OtlpOptions Options(Uri endpoint, OursF.OtlpProtocol protocol) => new(
            Microsoft.FSharp.Core.FSharpOption<Uri>.Some(endpoint), protocol, d.Headers, d.Timeout, d.Compression,
            d.CertificatePath, d.ClientCertificatePath, d.ClientKeyPath, d.Insecure, d.MaxRequestBytes,
            d.TemporalityPreference, d.ExponentialHistograms, d.Grpc);
        oursHttp = new OursF.OtlpTransport(OursF.OtlpSignal.Traces, Options(tracesUri, OursF.OtlpProtocol.HttpProtobuf));
        oursGrpc = new OursF.OtlpTransport(OursF.OtlpSignal.Traces, Options(sink.GrpcBase, OursF.OtlpProtocol.Grpc));
        if (TransportHttp().GetAwaiter().GetResult() != HttpStatusCode.OK
            || !SendOursHttp().GetAwaiter().GetResult().IsSuccess
            || !SendOursGrpc().GetAwaiter().GetResult().IsSuccess
            || TransportGrpc().GetAwaiter().GetResult() != HttpStatusCode.OK
            || OfficialHttp() != OpenTelemetry.ExportResult.Success
            || OfficialGrpc() != OpenTelemetry.ExportResult.Success)
        {
            throw new InvalidOperationException("a request to the loopback sink failed");
        }

        Console.WriteLine($"// request body: {body.Length} bytes; sink saw {sink.Requests} requests");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        officialHttp?.Dispose();
        officialGrpc?.Dispose();
        http1?.Dispose();
        http2?.Dispose();
        (oursHttp as IDisposable)?.Dispose();
        (oursGrpc as IDisposable)?.Dispose();
        sink?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The pre-encoded http/protobuf request, as a bare <c>HttpClient</c> caller builds it.</summary>
    private HttpRequestMessage ProtobufRequest() =>
        new(HttpMethod.Post, tracesUri)
        {
            Content = new ReadOnlyMemoryContent(body) { Headers = { ContentType = Protobuf } },
        };

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("http/protobuf")]
    public OpenTelemetry.ExportResult OfficialHttp() =>
        officialHttp!.Export(new OpenTelemetry.Batch<Activity>(activities, activities.Length));

    [Benchmark]
    [BenchmarkCategory("http/protobuf")]
    public async Task<HttpStatusCode> TransportHttp()
    {
        using var request = ProtobufRequest();
        using var response = await http1!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    [Benchmark]
    [BenchmarkCategory("http/protobuf")]
    public HttpStatusCode TransportHttpSync()
    {
        using var request = ProtobufRequest();
        using var response = http1!.Send(request, HttpCompletionOption.ResponseHeadersRead);
        return response.StatusCode;
    }

    [Benchmark]
    [BenchmarkCategory("http/protobuf")]
    public Task<Ours.ExportResult> SendOursHttp() => oursHttp!.Send(body, CancellationToken.None);

    [Benchmark]
    [BenchmarkCategory("http/protobuf")]
    public int EncodeOurs()
    {
        buffer.ResetWrittenCount();
        OursF.OtlpProtobuf.WriteTraces(OursF.ResourceModule.Empty, spans, buffer);
        return buffer.WrittenCount;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("grpc")]
    public OpenTelemetry.ExportResult OfficialGrpc() =>
        officialGrpc!.Export(new OpenTelemetry.Batch<Activity>(activities, activities.Length));

    [Benchmark]
    [BenchmarkCategory("grpc")]
    public async Task<HttpStatusCode> TransportGrpc()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, grpcUri)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ReadOnlyMemoryContent(grpcBody) { Headers = { ContentType = Grpc } },
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await http2!.SendAsync(request, HttpCompletionOption.ResponseContentRead);
        return response.StatusCode;
    }

    [Benchmark]
    [BenchmarkCategory("grpc")]
    public Task<Ours.ExportResult> SendOursGrpc() => oursGrpc!.Send(body, CancellationToken.None);
}
