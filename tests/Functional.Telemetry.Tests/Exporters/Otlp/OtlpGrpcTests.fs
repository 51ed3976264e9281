/// OTLP/gRPC on Grpc.Net.Client against real Kestrel HTTP/2 (h2c) receivers on 127.0.0.1: a collector fleet
/// behind a static address list with round-robin, a `dns:///` target, HTTP/2 keepalive pings, headers that cannot
/// be gRPC metadata.
module Functional.Telemetry.Tests.OtlpGrpcTests

open Expecto
open System
open System.Collections.Concurrent
open System.IO
open System.Net
open System.Text
open System.Threading
open System.Threading.Tasks
open Google.Protobuf
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Hosting.Server
open Microsoft.AspNetCore.Hosting.Server.Features
open Microsoft.AspNetCore.Http
open Microsoft.AspNetCore.Server.Kestrel.Core
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

// ---- reading what a receiver got ----

/// The length-delimited values of field `field` in a protobuf message (read with Google.Protobuf).
let private fieldValues (field: int) (message: byte array) =
    use input = new CodedInputStream(message)
    let values = ResizeArray<byte array>()
    let mutable tag = input.ReadTag()

    while tag <> 0u do
        if
            WireFormat.GetTagFieldNumber tag = field
            && WireFormat.GetTagWireType tag = WireFormat.WireType.LengthDelimited
        then
            values.Add(input.ReadBytes().ToByteArray())
        else
            input.SkipLastField()

        tag <- input.ReadTag()

    List.ofSeq values

/// The span names of an ExportTraceServiceRequest: resource_spans (1) / scope_spans (2) / spans (2) / name (5).
let private spanNames (request: byte array) =
    fieldValues 1 request
    |> List.collect (fieldValues 2)
    |> List.collect (fieldValues 2)
    |> List.collect (fieldValues 5)
    |> List.map Encoding.UTF8.GetString

// ---- a gRPC receiver: Kestrel h2c on 127.0.0.1, answering every Export with OK ----

type private Replica(app: WebApplication, port: int, spans: ConcurrentQueue<string>, headers: ConcurrentQueue<string>) =
    member _.Port = port
    member _.Address = Uri $"http://127.0.0.1:{port}"
    /// The span names received, in order.
    member _.Spans = List.ofSeq spans
    /// The request headers received (`name: value`).
    member _.Headers = List.ofSeq headers
    member _.Stop() = app.StopAsync()

    interface IAsyncDisposable with
        member _.DisposeAsync() = (app :> IAsyncDisposable).DisposeAsync()

/// Starts a receiver; `logging` may add a logger provider (Kestrel's own logs).
let private startReplica (logging: ILoggingBuilder -> unit) =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore
        logging builder.Logging

        builder.WebHost.ConfigureKestrel(fun (kestrel: KestrelServerOptions) ->
            kestrel.Listen(IPAddress.Loopback, 0, (fun listen -> listen.Protocols <- HttpProtocols.Http2)))
        |> ignore

        let app = builder.Build()
        let spans = ConcurrentQueue<string>()
        let headers = ConcurrentQueue<string>()

        app.Run(
            RequestDelegate(fun context ->
                task {
                    use body = new MemoryStream()
                    do! context.Request.Body.CopyToAsync body

                    for header in context.Request.Headers do
                        headers.Enqueue $"{header.Key.ToLowerInvariant()}: {header.Value}"

                    match TestUtil.GrpcFrame.tryUnframe (body.ToArray()) with
                    | Some(false, message) ->
                        for name in spanNames message do
                            spans.Enqueue name
                    | _ -> ()

                    context.Response.ContentType <- "application/grpc"
                    let framed = TestUtil.GrpcFrame.frame false ReadOnlySpan.Empty
                    do! context.Response.Body.WriteAsync(framed, 0, framed.Length)
                    context.Response.AppendTrailer("grpc-status", "0")
                }
                :> Task)
        )

        do! app.StartAsync()

        let address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
            |> Seq.head

        return new Replica(app, Uri(address).Port, spans, headers)
    }

let private grpcOptions =
    { OtlpOptions.defaults with
        Protocol = OtlpProtocol.Grpc
        Timeout = TimeSpan.FromSeconds 5.
    }

let private export (exporter: IExporter<Span>) (names: string list) =
    let spans =
        names
        |> List.mapi (fun index name ->
            {
                Context =
                    {
                        TraceId = TraceId(1UL, uint64 (index + 1))
                        SpanId = SpanId(uint64 (index + 1))
                        TraceFlags = TraceFlags.Sampled
                        TraceState = TraceState.Empty
                        IsRemote = false
                    }
                ParentSpanId = SpanId.Empty
                ParentIsRemote = false
                Name = name
                Kind = SpanKind.Internal
                StartTime = 1000L
                EndTime = 2000L
                Attributes = []
                Events = []
                Links = []
                Status = Status.Unset
                DroppedAttributes = 0
                DroppedEvents = 0
                DroppedLinks = 0
                Scope = InstrumentationScope.Named "otlp-grpc-tests"
            })
        |> Array.ofList

    exporter.Export({ Resource = Resource.empty; Items = spans }, CancellationToken.None)
    |> TestUtil.within (TimeSpan.FromSeconds 30.)

// ---- a fleet: static addresses, round-robin ----

let ``spans spread over a static fleet with round-robin, and with a replica stopped mid-run every span arrives once``
    ()
    =
    task {
        let! a = startReplica ignore
        let! b = startReplica ignore
        let! c = startReplica ignore
        let replicas = [ a; b; c ]

        try
            let name = "Otlp.Grpc.Fleet." + Guid.NewGuid().ToString("N")

            let sdk =
                Telemetry.create "otlp-grpc-fleet"
                |> Telemetry.withEnvironment (Env.ofList [ "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10" ])
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withResourceDetection false
                |> Telemetry.withRetry
                    { RetryPolicy.defaults with
                        MaxAttempts = 10
                        InitialBackoff = TimeSpan.FromMilliseconds 10.
                        MaxBackoff = TimeSpan.FromMilliseconds 100.
                    }
                |> Telemetry.withTracing (
                    Tracing.addSource name
                    >> Tracing.addOtlpExporter (fun o ->
                        { o with
                            Protocol = OtlpProtocol.Grpc
                            Grpc =
                                { o.Grpc with
                                    Addresses = replicas |> List.map (fun r -> r.Address)
                                    LoadBalancing = OtlpLoadBalancing.RoundRobin
                                }
                        })
                )
                |> Telemetry.start

            use source = new System.Diagnostics.ActivitySource(name)

            // 60 rounds of 10 spans, each flushed (one request per round); the second replica stops after round 30.
            let produce (rounds: int seq) =
                task {
                    for round in rounds do
                        for i in 1..10 do
                            source.StartActivity($"fleet-{round}-{i}").Dispose()

                        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 20.)
                        Assert.True(flushed, $"round {round} was not flushed")
                }

            do! produce [ 1..30 ]
            // Round-robin: every replica took part of the first half.
            for replica in replicas do
                Assert.NotEmpty replica.Spans

            Assert.Equal(300, replicas |> List.sumBy (fun r -> r.Spans.Length))
            do! b.Stop()
            let stoppedWith = b.Spans.Length
            do! produce [ 31..60 ]
            let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 20.)
            Assert.True stopped

            // Every span arrived exactly once; the stopped replica got nothing more, the others got the rest.
            let received = replicas |> List.collect (fun r -> r.Spans)

            let expected =
                [
                    for round in 1..60 do
                        for i in 1..10 -> $"fleet-{round}-{i}"
                ]

            Assert.Equal(600, received.Length)
            Assert.Equal<string list>(List.sort expected, List.sort received)
            Assert.Equal(stoppedWith, b.Spans.Length)
            Assert.Equal(600 - stoppedWith, a.Spans.Length + c.Spans.Length)
            let stats = (Seq.exactlyOne sdk.SpanPipelines).Stats
            Assert.Equal((600L, 0L, 0L), (stats.Exported, stats.Failed, stats.Dropped))
        finally
            for replica in replicas do
                (replica :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

// ---- a dns:/// target ----

let ``a dns:///localhost target reaches the receiver (plain text with Insecure)`` () =
    task {
        let! receiver = startReplica ignore

        try
            let options =
                { grpcOptions with
                    Endpoint = Some(Uri $"dns:///localhost:{receiver.Port}")
                    Insecure = true
                }

            use exporter = OtlpExporter.traces options
            let! result = export exporter [ "over-dns" ]
            Assert.Equal(ExportResult.Success, result)
            Assert.Equal<string list>([ "over-dns" ], receiver.Spans)

            Assert.Equal(
                $"dns:///localhost:{receiver.Port}/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                (exporter :> IExportDestination).Destination
            )
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

// ---- keepalive pings ----

/// Counts the HTTP/2 PING frames Kestrel logs receiving (its Trace-level frame log), from `Mark` on.
type private PingCounter() =
    let mutable pings = 0
    let mutable counting = false
    let enough = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)

    /// Completes once two pings arrived after `Mark`.
    member _.TwoMore = enough.Task

    /// Counts from now on.
    member _.Mark() = counting <- true

    /// A log message of Kestrel's: `Connection id "..." received PING frame for stream ID 0 with length 8 and
    /// flags NONE.` (an ACK has `flags ACK`).
    member _.Saw(message: string) =
        if
            counting
            && message.Contains "received PING frame"
            && message.Contains "flags NONE"
        then
            if Interlocked.Increment &pings >= 2 then
                enough.TrySetResult() |> ignore

    interface ILoggerProvider with
        member this.CreateLogger _ =
            { new ILogger with
                member _.BeginScope _ = null
                member _.IsEnabled _ = true

                member _.Log(_, _, state, error, formatter) = this.Saw(formatter.Invoke(state, error))
            }

        member _.Dispose() = ()

let ``keepalive pings reach the receiver on an idle connection`` () =
    task {
        let counter = new PingCounter()

        let! receiver =
            startReplica (fun logging ->
                logging.AddProvider counter |> ignore
                logging.SetMinimumLevel LogLevel.Trace |> ignore)

        try
            let options =
                { grpcOptions with
                    Endpoint = Some receiver.Address
                    Grpc =
                        { grpcOptions.Grpc with
                            KeepAlivePingDelay = Some(TimeSpan.FromSeconds 1.)
                            KeepAlivePingTimeout = TimeSpan.FromSeconds 5.
                            KeepAlivePingPolicy = Net.Http.HttpKeepAlivePingPolicy.Always
                        }
                }

            use exporter = OtlpExporter.traces options
            let! result = export exporter [ "before-the-pings" ]
            Assert.Equal(ExportResult.Success, result)
            // The connection is idle from here on: no request, no data, so any PING is a keepalive ping (HTTP/2's
            // RTT pings go with data).
            counter.Mark()
            do! counter.TwoMore.WaitAsync(TimeSpan.FromSeconds 20.)
            // The connection survived its pings.
            let! again = export exporter [ "after-the-pings" ]
            Assert.Equal(ExportResult.Success, again)
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

// ---- headers ----

let ``headers are sent as gRPC metadata, and one that cannot be a metadata key is left out`` () =
    task {
        let! receiver = startReplica ignore

        try
            let options =
                { grpcOptions with
                    Endpoint = Some receiver.Address
                    Headers = [ "Api-Key", "k1"; "x-trace-bin", "raw"; "odd!name", "v" ]
                    Compression = OtlpCompression.Gzip
                }

            use exporter = OtlpExporter.traces options
            let! result = export exporter [ "with-headers" ]
            Assert.Equal(ExportResult.Success, result)
            Assert.Contains("api-key: k1", receiver.Headers)
            Assert.Contains("grpc-encoding: gzip", receiver.Headers)
            Assert.DoesNotContain(receiver.Headers, fun h -> h.StartsWith "x-trace-bin" || h.StartsWith "odd!name")
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

[<Tests>]
let tests =
    testList
        "OtlpGrpcTests"
        [
            testTask
                "spans spread over a static fleet with round-robin, and with a replica stopped mid-run every span arrives once" {
                do!
                    ``spans spread over a static fleet with round-robin, and with a replica stopped mid-run every span arrives once`` ()
            }
            testTask "a dns:///localhost target reaches the receiver (plain text with Insecure)" {
                do! ``a dns:///localhost target reaches the receiver (plain text with Insecure)`` ()
            }
            testTask "keepalive pings reach the receiver on an idle connection" {
                do! ``keepalive pings reach the receiver on an idle connection`` ()
            }
            testTask "headers are sent as gRPC metadata, and one that cannot be a metadata key is left out" {
                do! ``headers are sent as gRPC metadata, and one that cannot be a metadata key is left out`` ()
            }
        ]
