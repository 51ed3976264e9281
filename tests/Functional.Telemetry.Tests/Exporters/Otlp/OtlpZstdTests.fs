/// zstd compression of OTLP bodies: read from the environment and configuration files, sent as
/// `Content-Encoding: zstd` (HTTP) and `grpc-encoding: zstd` (gRPC) to Kestrel receivers on 127.0.0.1, and every body
/// decompressed by an independent decoder (python3-zstandard) back to the exact bytes the encoder wrote.
module Functional.Telemetry.Tests.OtlpZstdTests

open Expecto
open System
open System.Buffers
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.OtlpTestReceiver

let private resource: Resource =
    {
        Attributes = [ KeyValue.string "service.name" "zstd-test" ]
        SchemaUrl = ""
    }

let private span (index: int) =
    {
        Context =
            {
                TraceId = TraceId(0x0A0B0C0D01020304UL, uint64 (index + 1))
                SpanId = SpanId(uint64 (index + 1))
                TraceFlags = TraceFlags.Sampled
                TraceState = TraceState.Empty
                IsRemote = false
            }
        ParentSpanId = SpanId.Empty
        ParentIsRemote = false
        Name = $"GET /orders/{index}"
        Kind = SpanKind.Server
        StartTime = 1_000L + int64 index
        EndTime = 2_000L + int64 index
        Attributes =
            [
                KeyValue.string "http.request.method" "GET"
                KeyValue.string "http.route" "/orders/{id}"
                KeyValue.int "index" (int64 index)
            ]
        Events = []
        Links = []
        Status = Status.Unset
        DroppedAttributes = 0
        DroppedEvents = 0
        DroppedLinks = 0
        Scope = InstrumentationScope.Named "zstd-tests"
    }

let private spans first count = Array.init count (fun i -> span (first + i))

let private encoded (write: Resource -> Span array -> IBufferWriter<byte> -> unit) (items: Span array) =
    let buffer = ArrayBufferWriter<byte>()
    write resource items buffer
    buffer.WrittenSpan.ToArray()

let private export (exporter: IExporter<Span>) (items: Span array) =
    exporter.Export({ Resource = resource; Items = items }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds 30.)

// ---- settings ----

let ``OTEL_EXPORTER_OTLP_COMPRESSION=zstd is read, and a signal's own variable beats the general one`` () =
    let env =
        Env.ofList
            [
                "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"
                "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", " ZSTD "
                "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "zstd"
            ]

    let compression signal =
        let options, warnings = OtlpOptions.fromEnvironment signal env
        Assert.Empty warnings
        options.Compression

    Assert.Equal(OtlpCompression.Gzip, compression OtlpSignal.Traces)
    Assert.Equal(OtlpCompression.Zstd, compression OtlpSignal.Metrics)
    Assert.Equal(OtlpCompression.Zstd, compression OtlpSignal.Logs)

    let general, _ =
        OtlpOptions.fromEnvironment OtlpSignal.Traces (Env.ofList [ "OTEL_EXPORTER_OTLP_COMPRESSION", "zstd" ])

    Assert.Equal(OtlpCompression.Zstd, general.Compression)

let ``an unknown compression keeps none and the warning lists zstd among the choices`` () =
    let options, warnings =
        OtlpOptions.fromEnvironment OtlpSignal.Traces (Env.ofList [ "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "brotli" ])

    Assert.Equal(OtlpCompression.None, options.Compression)
    let warning = Assert.Single warnings
    Assert.Equal("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", warning.Source)
    Assert.Contains("zstd", warning.Message)

let ``a configuration file's compression: zstd is read for both OTLP exporters`` () =
    let model, warnings =
        ConfigMappingTests.parse
            """
file_format: "1.0"
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_http:
            endpoint: http://collector:4318/v1/traces
            compression: zstd
    - batch:
        exporter:
          otlp_grpc:
            endpoint: http://collector:4317
            compression: zstd
"""

    Assert.Empty warnings

    let compressions =
        model.Tracing.Value.Processors
        |> List.map (fun p ->
            match p.Exporter with
            | FileExporter.Otlp options -> options.Protocol, options.Compression
            | other -> failwith $"expected OTLP, got {other}")

    Assert.Equal<(OtlpProtocol * OtlpCompression) list>(
        [
            OtlpProtocol.HttpProtobuf, OtlpCompression.Zstd
            OtlpProtocol.Grpc, OtlpCompression.Zstd
        ],
        compressions
    )

let ``a configuration file's unknown compression is an error naming zstd among the supported ones`` () =
    let errors =
        ConfigMappingTests.errorsOf
            """
file_format: "1.0"
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_http:
            compression: lz4
"""

    Assert.Contains(errors, fun e -> e.Message.Contains "unsupported compression 'lz4'" && e.Message.Contains "zstd")

// ---- on the wire ----

let ``http/protobuf with zstd sends Content-Encoding zstd bodies that python3-zstandard decodes to the encoded requests``
    ()
    =
    task {
        let! receiver = start false
        use _ = receiver :> IAsyncDisposable

        use exporter =
            OtlpExporter.traces
                { OtlpOptions.defaults with
                    Endpoint = Some(Uri(receiver.Address + "/v1/traces"))
                    Compression = OtlpCompression.Zstd
                }

        // Two batches: the second request compresses with the context the first gave back.
        let first = spans 0 200
        let second = spans 500 3
        let! firstResult = export exporter first
        let! secondResult = export exporter second
        Assert.Equal(ExportResult.Success, firstResult)
        Assert.Equal(ExportResult.Success, secondResult)

        let requests = receiver.Requests
        Assert.Equal(2, requests.Length)

        for request in requests do
            Assert.Equal("/v1/traces", request.Path)
            Assert.Equal("zstd", request.Header "content-encoding")
            Assert.Equal("application/x-protobuf", request.Header "content-type")
            Assert.True(isZstdFrame request.Body, "the body is not a zstd frame")

        let decoded = zstdDecompress (requests |> List.map _.Body)

        Assert.Equal<byte array list>(
            [
                encoded OtlpProtobuf.writeTraces first
                encoded OtlpProtobuf.writeTraces second
            ],
            decoded
        )

        // 200 similar spans compress well: the wire carries a fraction of the request.
        Assert.True(requests.Head.Body.Length * 3 < decoded.Head.Length, $"{requests.Head.Body.Length} bytes sent")
    }

let ``http/json with zstd sends a zstd body holding the OTLP JSON request`` () =
    task {
        let! receiver = start false
        use _ = receiver :> IAsyncDisposable

        use exporter =
            OtlpExporter.traces
                { OtlpOptions.defaults with
                    Endpoint = Some(Uri(receiver.Address + "/v1/traces"))
                    Protocol = OtlpProtocol.HttpJson
                    Compression = OtlpCompression.Zstd
                }

        let items = spans 0 5
        let! result = export exporter items
        Assert.Equal(ExportResult.Success, result)
        let request = Assert.Single receiver.Requests
        Assert.Equal("zstd", request.Header "content-encoding")
        Assert.Equal("application/json", request.Header "content-type")
        let decoded = zstdDecompress [ request.Body ] |> List.exactlyOne
        Assert.Equal<byte array>(encoded OtlpJson.writeTraces items, decoded)
    }

let ``grpc with zstd sends grpc-encoding zstd and compressed messages that python3-zstandard decodes`` () =
    task {
        let! receiver = start true
        use _ = receiver :> IAsyncDisposable

        use exporter =
            OtlpExporter.traces
                { OtlpOptions.defaults with
                    Endpoint = Some receiver.Uri
                    Protocol = OtlpProtocol.Grpc
                    Compression = OtlpCompression.Zstd
                    Headers = [ "api-key", "k" ]
                }

        let first = spans 0 100
        let second = spans 1000 2
        let! firstResult = export exporter first
        let! secondResult = export exporter second
        Assert.Equal(ExportResult.Success, firstResult)
        Assert.Equal(ExportResult.Success, secondResult)

        let requests = receiver.Requests
        Assert.Equal(2, requests.Length)

        let messages =
            requests
            |> List.map (fun request ->
                Assert.Equal("HTTP/2", request.Protocol)
                Assert.Equal("/opentelemetry.proto.collector.trace.v1.TraceService/Export", request.Path)
                Assert.Equal("zstd", request.Header "grpc-encoding")
                Assert.Contains("zstd", request.Header "grpc-accept-encoding")
                Assert.Equal("k", request.Header "api-key")

                match TestUtil.GrpcFrame.tryUnframe request.Body with
                | Some(true, message) ->
                    Assert.True(isZstdFrame message, "the message is not a zstd frame")
                    message
                | other -> failwith $"expected a compressed gRPC message, got {other}")

        Assert.Equal<byte array list>(
            [
                encoded OtlpProtobuf.writeTraces first
                encoded OtlpProtobuf.writeTraces second
            ],
            zstdDecompress messages
        )
    }

let ``the three signals of a pipeline configured only by OTEL_EXPORTER_OTLP_COMPRESSION=zstd arrive zstd-compressed``
    ()
    =
    task {
        let! receiver = start false
        use _ = receiver :> IAsyncDisposable
        let name = "Zstd.Pipeline." + Guid.NewGuid().ToString("N")

        let sdk =
            Telemetry.create "zstd-pipeline"
            |> Telemetry.withEnvironment (
                Env.ofList
                    [
                        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Address
                        "OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"
                        "OTEL_METRIC_EXPORT_INTERVAL", "600000"
                    ]
            )
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpExporter id)
            |> Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addOtlpExporter id)
            |> Telemetry.withLogging (Logging.addOtlpExporter id)
            |> Telemetry.start

        do
            use source = new ActivitySource(name)
            use meter = new Metrics.Meter(name)
            meter.CreateCounter<int64>("zstd.counter").Add 3L
            source.StartActivity("zstd-span").Dispose()
            let logger = sdk.CreateLogger "zstd.category"
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger, "zstd log {Value}", 42)

        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True flushed
        let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True stopped

        let requests = receiver.Requests
        let paths = requests |> List.map _.Path |> List.distinct |> List.sort
        Assert.Equal<string list>([ "/v1/logs"; "/v1/metrics"; "/v1/traces" ], paths)
        Assert.All(requests, fun r -> Assert.Equal("zstd", r.Header "content-encoding"))

        let decoded = zstdDecompress (requests |> List.map _.Body)
        let text = decoded |> List.map Text.Encoding.UTF8.GetString |> String.concat "\n"
        // Protobuf strings are stored as they are: the names recorded are in the decompressed requests.
        Assert.Contains("zstd-span", text)
        Assert.Contains("zstd.counter", text)
        Assert.Contains("zstd.category", text)
    }

[<Tests>]
let tests =
    testList
        "OtlpZstdTests"
        [
            test "OTEL_EXPORTER_OTLP_COMPRESSION=zstd is read, and a signal's own variable beats the general one" {
                ``OTEL_EXPORTER_OTLP_COMPRESSION=zstd is read, and a signal's own variable beats the general one`` ()
            }
            test "an unknown compression keeps none and the warning lists zstd among the choices" {
                ``an unknown compression keeps none and the warning lists zstd among the choices`` ()
            }
            test "a configuration file's compression: zstd is read for both OTLP exporters" {
                ``a configuration file's compression: zstd is read for both OTLP exporters`` ()
            }
            test "a configuration file's unknown compression is an error naming zstd among the supported ones" {
                ``a configuration file's unknown compression is an error naming zstd among the supported ones`` ()
            }
            testTask
                "http/protobuf with zstd sends Content-Encoding zstd bodies that python3-zstandard decodes to the encoded requests" {
                do!
                    ``http/protobuf with zstd sends Content-Encoding zstd bodies that python3-zstandard decodes to the encoded requests`` ()
            }
            testTask "http/json with zstd sends a zstd body holding the OTLP JSON request" {
                do! ``http/json with zstd sends a zstd body holding the OTLP JSON request`` ()
            }
            testTask "grpc with zstd sends grpc-encoding zstd and compressed messages that python3-zstandard decodes" {
                do!
                    ``grpc with zstd sends grpc-encoding zstd and compressed messages that python3-zstandard decodes`` ()
            }
            testTask
                "the three signals of a pipeline configured only by OTEL_EXPORTER_OTLP_COMPRESSION=zstd arrive zstd-compressed" {
                do!
                    ``the three signals of a pipeline configured only by OTEL_EXPORTER_OTLP_COMPRESSION=zstd arrive zstd-compressed`` ()
            }
        ]
