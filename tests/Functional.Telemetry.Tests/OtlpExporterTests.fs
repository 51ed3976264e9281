module Functional.Telemetry.Tests.OtlpExporterTests

open System
open System.Buffers
open System.Collections.Concurrent
open System.Diagnostics.Tracing
open System.IO
open System.IO.Compression
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks
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

// ---- test data ----

let private resource: Resource =
    { Attributes = [ Attribute.string "service.name" "otlp-test" ]; SchemaUrl = "" }

let private span (index: int) =
    {
        Context =
            {
                TraceId = TraceId(0x0102030405060708UL, uint64 (index + 1))
                SpanId = SpanId(uint64 (index + 1))
                TraceFlags = TraceFlags.Sampled
                TraceState = TraceState.Empty
                IsRemote = false
            }
        ParentSpanId = SpanId.Empty
        ParentIsRemote = false
        Name = $"span-{index}"
        Kind = SpanKind.Internal
        StartTime = 1000L
        EndTime = 2000L
        Attributes = [ Attribute.int "index" (int64 index) ]
        Events = []
        Links = []
        Status = Status.Unset
        DroppedAttributes = 0
        DroppedEvents = 0
        DroppedLinks = 0
        Scope = InstrumentationScope.Named "otlp-tests"
    }

let private batchOf items = { Resource = resource; Items = items }

let private protobufOf (spans: Span array) =
    let buffer = ArrayBufferWriter<byte>()
    OtlpProtobuf.writeTraces resource spans buffer
    buffer.WrittenSpan.ToArray()

let private secret = "s3cret-" + Guid.NewGuid().ToString("N")

// ---- a tiny protobuf writer for responses and google.rpc.Status ----

let private varint (value: uint64) =
    let bytes = ResizeArray<byte>()
    let mutable v = value

    while v >= 0x80UL do
        bytes.Add(byte (v &&& 0x7FUL) ||| 0x80uy)
        v <- v >>> 7

    bytes.Add(byte v)
    bytes.ToArray()

let private varintField field value =
    Array.append (varint (uint64 (field <<< 3))) (varint value)

let private bytesField field (payload: byte array) =
    Array.concat [ varint (uint64 ((field <<< 3) ||| 2)); varint (uint64 payload.Length); payload ]

let private partialSuccessResponse (rejected: int64) (message: string) =
    bytesField 1 (Array.append (varintField 1 (uint64 rejected)) (bytesField 2 (Encoding.UTF8.GetBytes message)))

let private statusWithRetryInfo (seconds: int64) (nanos: int) =
    let duration = Array.append (varintField 1 (uint64 seconds)) (varintField 2 (uint64 nanos))
    let retryInfo = bytesField 1 duration

    let any =
        Array.append (bytesField 1 (Encoding.UTF8.GetBytes "type.googleapis.com/google.rpc.RetryInfo")) (bytesField 2 retryInfo)

    Array.concat [ varintField 1 8UL; bytesField 2 (Encoding.UTF8.GetBytes "slow down"); bytesField 3 any ]

let private gunzip (data: byte array) =
    use input = new MemoryStream(data)
    use decompressor = new GZipStream(input, CompressionMode.Decompress)
    use output = new MemoryStream()
    decompressor.CopyTo output
    output.ToArray()

// ---- a Kestrel receiver the test controls ----

type private Received =
    {
        Path: string
        Protocol: string
        Headers: Map<string, string>
        Body: byte array
    }

type private Receiver(app: WebApplication, address: string, received: ConcurrentQueue<Received>) =
    member _.Address = address
    member _.Requests = List.ofSeq received

    interface IAsyncDisposable with
        member _.DisposeAsync() = (app :> IAsyncDisposable).DisposeAsync()

let private startReceiver (http2: bool) (respond: int -> HttpContext -> Task) =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore

        builder.WebHost.ConfigureKestrel(fun (kestrel: KestrelServerOptions) ->
            kestrel.Listen(
                IPAddress.Loopback,
                0,
                fun listen -> listen.Protocols <- (if http2 then HttpProtocols.Http2 else HttpProtocols.Http1)
            ))
        |> ignore

        let app = builder.Build()
        let received = ConcurrentQueue<Received>()
        let mutable count = 0

        app.Run(
            RequestDelegate(fun context ->
                task {
                    use body = new MemoryStream()
                    do! context.Request.Body.CopyToAsync body

                    let headers =
                        context.Request.Headers
                        |> Seq.map (fun h -> h.Key.ToLowerInvariant(), h.Value.ToString())
                        |> Map.ofSeq

                    received.Enqueue
                        {
                            Path = context.Request.Path.Value
                            Protocol = context.Request.Protocol
                            Headers = headers
                            Body = body.ToArray()
                        }

                    let index = Interlocked.Increment &count
                    do! respond index context
                }
                :> Task)
        )

        do! app.StartAsync()

        let address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
            |> Seq.head

        return new Receiver(app, address, received)
    }

let private status (code: int) (context: HttpContext) =
    context.Response.StatusCode <- code
    Task.CompletedTask

let private grpcReply (message: byte array) (trailers: (string * string) list) (context: HttpContext) =
    task {
        context.Response.ContentType <- "application/grpc"
        let framed = OtlpResponse.frameGrpc false (ReadOnlySpan message)
        do! context.Response.Body.WriteAsync(framed, 0, framed.Length)

        for key, value in trailers do
            context.Response.AppendTrailer(key, value)
    }
    :> Task

let private trailersOnly (headers: (string * string) list) (context: HttpContext) =
    context.Response.ContentType <- "application/grpc"

    for key, value in headers do
        context.Response.Headers.[key] <- Microsoft.Extensions.Primitives.StringValues value

    Task.CompletedTask

let private httpOptions (receiver: Receiver) path =
    { OtlpOptions.defaults with
        Endpoint = Some(Uri(receiver.Address + path))
        Headers = [ "api-key", secret ]
        Timeout = TimeSpan.FromSeconds 10.
    }

let private grpcOptions (receiver: Receiver) =
    { OtlpOptions.defaults with
        Endpoint = Some(Uri receiver.Address)
        Protocol = OtlpProtocol.Grpc
        Headers = [ "api-key", secret ]
    }

let private export (exporter: IExporter<'T>) (items: 'T array) =
    exporter.Export(batchOf items, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds 30.)

/// Collects the PartialSuccess events (id 7) of the Functional-Telemetry source.
type private PartialSuccessListener() =
    inherit EventListener()
    let events = ConcurrentQueue<obj list>()

    member _.Payloads =
        if isNull (box events) then [] else List.ofSeq events

    override _.OnEventSourceCreated source =
        if source.Name = "Functional-Telemetry" then
            base.EnableEvents(source, EventLevel.Verbose)

    override _.OnEventWritten args =
        if not (isNull (box events)) && args.EventId = 7 && not (isNull args.Payload) then
            events.Enqueue(List.ofSeq args.Payload)

// ---- pure response reading ----

[<Fact>]
let ``Retry-After is delay seconds or an HTTP date`` () =
    let now = DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)
    Assert.Equal(Some(TimeSpan.FromSeconds 7.), OtlpResponse.parseRetryAfter now "7")
    Assert.Equal(Some(TimeSpan.FromSeconds 30.), OtlpResponse.parseRetryAfter now "Thu, 01 Jan 2026 12:00:30 GMT")
    Assert.Equal(Some TimeSpan.Zero, OtlpResponse.parseRetryAfter now "Thu, 01 Jan 2026 11:00:00 GMT")
    Assert.Equal(None, OtlpResponse.parseRetryAfter now "soon")
    Assert.Equal(None, OtlpResponse.parseRetryAfter now "-3")

[<Fact>]
let ``HTTP statuses are classified per the OTLP spec`` () =
    Assert.Equal(ExportResult.Success, OtlpResponse.classifyHttp 200 None)
    Assert.Equal(ExportResult.Success, OtlpResponse.classifyHttp 202 None)

    for code in [ 429; 502; 503; 504 ] do
        match OtlpResponse.classifyHttp code (Some(TimeSpan.FromSeconds 2.)) with
        | ExportResult.Retryable(_, Some delay) -> Assert.Equal(TimeSpan.FromSeconds 2., delay)
        | other -> failwith $"{code}: {other}"

    for code in [ 400; 401; 404; 500 ] do
        Assert.Equal(ExportResult.Failure $"HTTP {code}", OtlpResponse.classifyHttp code None)

[<Fact>]
let ``gRPC codes are classified per the OTLP spec`` () =
    Assert.Equal(ExportResult.Success, OtlpResponse.classifyGrpc 0 None)

    for code in [ 1; 4; 10; 11; 14; 15 ] do
        match OtlpResponse.classifyGrpc code None with
        | ExportResult.Retryable(_, None) -> ()
        | other -> failwith $"{code}: {other}"

    for code in [ 2; 3; 5; 6; 7; 8; 9; 12; 13; 16 ] do
        match OtlpResponse.classifyGrpc code None with
        | ExportResult.Failure _ -> ()
        | other -> failwith $"{code}: {other}"

    Assert.Equal(
        ExportResult.Retryable("gRPC status 8 (RESOURCE_EXHAUSTED)", Some(TimeSpan.FromSeconds 2.5)),
        OtlpResponse.classifyGrpc 8 (Some(statusWithRetryInfo 2L 500_000_000))
    )

[<Fact>]
let ``RetryInfo reading never throws on malformed bytes`` () =
    Assert.Equal(None, OtlpResponse.tryReadRetryDelay [| 0xFFuy |])
    Assert.Equal(None, OtlpResponse.tryReadRetryDelay [| 0x1Auy; 0x10uy; 0x01uy |])
    Assert.Equal(None, OtlpResponse.tryReadRetryDelay (varintField 1 8UL))
    let full = statusWithRetryInfo 1L 0

    for length in 0 .. full.Length - 1 do
        OtlpResponse.tryReadRetryDelay full.[.. length - 1] |> ignore

[<Fact>]
let ``partial success is read from protobuf and JSON responses`` () =
    Assert.Equal(
        Some { RejectedCount = 3L; ErrorMessage = "too old" },
        OtlpResponse.tryReadPartialSuccessProtobuf (partialSuccessResponse 3L "too old")
    )

    Assert.Equal(None, OtlpResponse.tryReadPartialSuccessProtobuf [||])
    Assert.Equal(None, OtlpResponse.tryReadPartialSuccessProtobuf (bytesField 1 [||]))

    let json (text: string) =
        OtlpResponse.tryReadPartialSuccessJson (Encoding.UTF8.GetBytes text)

    Assert.Equal(
        Some { RejectedCount = 4L; ErrorMessage = "x" },
        json """{"partialSuccess":{"rejectedDataPoints":"4","errorMessage":"x"}}"""
    )

    Assert.Equal(Some { RejectedCount = 2L; ErrorMessage = "" }, json """{"partialSuccess":{"rejectedSpans":2}}""")
    Assert.Equal(None, json """{"partialSuccess":{}}""")
    Assert.Equal(None, json "{}")
    Assert.Equal(None, json "not json")

[<Fact>]
let ``gRPC framing is a flag byte and a big-endian length`` () =
    let framed = OtlpResponse.frameGrpc true (ReadOnlySpan [| 7uy; 8uy; 9uy |])
    Assert.Equal<byte array>([| 1uy; 0uy; 0uy; 0uy; 3uy; 7uy; 8uy; 9uy |], framed)
    Assert.Equal(Some(true, [| 7uy; 8uy; 9uy |]), OtlpResponse.tryUnframeGrpc framed)
    Assert.Equal(None, OtlpResponse.tryUnframeGrpc framed.[.. 6])
