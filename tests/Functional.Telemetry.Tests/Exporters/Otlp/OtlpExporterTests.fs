module Functional.Telemetry.Tests.OtlpExporterTests

open Expecto
open System
open System.Buffers
open System.Collections.Concurrent
open System.Diagnostics.Tracing
open System.IO
open System.IO.Compression
open System.Net
open System.Net.Sockets
open System.Security.Cryptography
open System.Security.Cryptography.X509Certificates
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
open FsCheck.FSharp
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.PropertyTests

// ---- test data ----

let private resource: Resource =
    {
        Attributes = [ KeyValue.string "service.name" "otlp-test" ]
        SchemaUrl = ""
    }

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
        Attributes = [ KeyValue.int "index" (int64 index) ]
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

let private varintField field value = Array.append (varint (uint64 (field <<< 3))) (varint value)

let private bytesField field (payload: byte array) =
    Array.concat
        [
            varint (uint64 ((field <<< 3) ||| 2))
            varint (uint64 payload.Length)
            payload
        ]

let private partialSuccessResponse (rejected: int64) (message: string) =
    bytesField 1 (Array.append (varintField 1 (uint64 rejected)) (bytesField 2 (Encoding.UTF8.GetBytes message)))

let private statusWithRetryInfo (seconds: int64) (nanos: int) =
    let duration = Array.append (varintField 1 (uint64 seconds)) (varintField 2 (uint64 nanos))
    let retryInfo = bytesField 1 duration

    let any =
        Array.append
            (bytesField 1 (Encoding.UTF8.GetBytes "type.googleapis.com/google.rpc.RetryInfo"))
            (bytesField 2 retryInfo)

    Array.concat
        [
            varintField 1 8UL
            bytesField 2 (Encoding.UTF8.GetBytes "slow down")
            bytesField 3 any
        ]

/// Trailers holding `details` as the `grpc-status-details-bin` entry (a serialized google.rpc.Status).
let private statusTrailers (details: byte array) =
    let trailers = Grpc.Core.Metadata()
    trailers.Add("grpc-status-details-bin", details)
    trailers

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

/// A receiver whose n-th request (1-based) first waits for `hold n` before its body is read.
let private startHoldingReceiver
    (configure: ListenOptions -> unit)
    (hold: int -> Task)
    (respond: int -> HttpContext -> Task)
    =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore

        builder.WebHost.ConfigureKestrel(fun (kestrel: KestrelServerOptions) ->
            kestrel.Limits.MaxRequestBodySize <- Nullable()
            kestrel.Listen(IPAddress.Loopback, 0, configure))
        |> ignore

        let app = builder.Build()
        let received = ConcurrentQueue<Received>()
        let mutable count = 0
        let mutable arrived = 0

        app.Run(
            RequestDelegate(fun context ->
                task {
                    do! hold (Interlocked.Increment &arrived)
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

let private startReceiverWith (configure: ListenOptions -> unit) (respond: int -> HttpContext -> Task) =
    startHoldingReceiver configure (fun _ -> Task.CompletedTask) respond

let private startReceiver (http2: bool) respond =
    startReceiverWith
        (fun listen -> listen.Protocols <- (if http2 then HttpProtocols.Http2 else HttpProtocols.Http1))
        respond

let private status (code: int) (context: HttpContext) =
    context.Response.StatusCode <- code
    Task.CompletedTask

let private grpcReply (message: byte array) (trailers: (string * string) list) (context: HttpContext) =
    task {
        context.Response.ContentType <- "application/grpc"
        let framed = TestUtil.GrpcFrame.frame false (ReadOnlySpan message)
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

    member _.Payloads = if isNull (box events) then [] else List.ofSeq events

    override _.OnEventSourceCreated source =
        if source.Name = "Functional-Telemetry" then
            base.EnableEvents(source, EventLevel.Verbose)

    override _.OnEventWritten args =
        if not (isNull (box events)) && args.EventId = 7 && not (isNull args.Payload) then
            events.Enqueue(List.ofSeq args.Payload)

// ---- pure response reading ----

let ``Retry-After is delay seconds or an HTTP date`` () =
    let now = DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)
    Assert.Equal(Some(TimeSpan.FromSeconds 7.), OtlpResponse.parseRetryAfter now "7")
    Assert.Equal(Some(TimeSpan.FromSeconds 30.), OtlpResponse.parseRetryAfter now "Thu, 01 Jan 2026 12:00:30 GMT")
    Assert.Equal(Some TimeSpan.Zero, OtlpResponse.parseRetryAfter now "Thu, 01 Jan 2026 11:00:00 GMT")
    Assert.Equal(None, OtlpResponse.parseRetryAfter now "soon")
    Assert.Equal(None, OtlpResponse.parseRetryAfter now "-3")

let ``HTTP statuses are classified per the OTLP spec`` () =
    Assert.Equal(ExportResult.Success, OtlpResponse.classifyHttp 200 None)
    Assert.Equal(ExportResult.Success, OtlpResponse.classifyHttp 202 None)

    for code in [ 429; 502; 503; 504 ] do
        match OtlpResponse.classifyHttp code (Some(TimeSpan.FromSeconds 2.)) with
        | ExportResult.Retryable(_, delay) when delay.HasValue -> Assert.Equal(TimeSpan.FromSeconds 2., delay.Value)
        | other -> failwith $"{code}: {other}"

    for code in [ 400; 401; 404; 500 ] do
        Assert.Equal(ExportResult.Failure $"HTTP {code}", OtlpResponse.classifyHttp code None)

let ``gRPC codes are classified per the OTLP spec`` () =
    Assert.Equal(ExportResult.Success, OtlpResponse.classifyGrpc 0 None)

    for code in [ 1; 4; 10; 11; 14; 15 ] do
        match OtlpResponse.classifyGrpc code None with
        | ExportResult.Retryable(_, delay) when not delay.HasValue -> ()
        | other -> failwith $"{code}: {other}"

    for code in [ 2; 3; 5; 6; 7; 8; 9; 12; 13; 16 ] do
        match OtlpResponse.classifyGrpc code None with
        | ExportResult.Failure _ -> ()
        | other -> failwith $"{code}: {other}"

    Assert.Equal(
        ExportResult.Retryable("gRPC status 8 (RESOURCE_EXHAUSTED)", Nullable(TimeSpan.FromSeconds 2.5)),
        OtlpResponse.classifyGrpc 8 (OtlpResponse.retryDelay (statusTrailers (statusWithRetryInfo 2L 500_000_000)))
    )

let ``RetryInfo is read from the status details trailer and its absence or malformed bytes give none`` () =
    let delay (details: byte array) = OtlpResponse.retryDelay (statusTrailers details)
    Assert.Equal(Some(TimeSpan.FromSeconds 1.25), delay (statusWithRetryInfo 1L 250_000_000))
    Assert.Equal(None, OtlpResponse.retryDelay (Grpc.Core.Metadata()))
    Assert.Equal(None, OtlpResponse.retryDelay null)
    Assert.Equal(None, delay [| 0xFFuy |])
    Assert.Equal(None, delay [| 0x1Auy; 0x10uy; 0x01uy |])
    Assert.Equal(None, delay (varintField 1 8UL))
    // A RetryInfo whose bytes are no RetryInfo, and one with a negative delay.
    let detail (payload: byte array) =
        Array.append
            (bytesField 1 (Encoding.UTF8.GetBytes "type.googleapis.com/google.rpc.RetryInfo"))
            (bytesField 2 payload)

    Assert.Equal(None, delay (bytesField 3 (detail [| 0x0Auy; 0x05uy |])))
    Assert.Equal(None, delay (statusWithRetryInfo -1L 0))
    let full = statusWithRetryInfo 1L 0

    for length in 0 .. full.Length - 1 do
        delay full.[.. length - 1] |> ignore

let ``partial success is read from protobuf and JSON responses`` () =
    Assert.Equal(
        Some { RejectedCount = 3L; ErrorMessage = "too old" },
        OtlpResponse.tryReadPartialSuccessProtobuf (partialSuccessResponse 3L "too old")
    )

    Assert.Equal(None, OtlpResponse.tryReadPartialSuccessProtobuf [||])
    Assert.Equal(None, OtlpResponse.tryReadPartialSuccessProtobuf (bytesField 1 [||]))

    let json (text: string) = OtlpResponse.tryReadPartialSuccessJson (Encoding.UTF8.GetBytes text)

    Assert.Equal(
        Some { RejectedCount = 4L; ErrorMessage = "x" },
        json """{"partialSuccess":{"rejectedDataPoints":"4","errorMessage":"x"}}"""
    )

    Assert.Equal(Some { RejectedCount = 2L; ErrorMessage = "" }, json """{"partialSuccess":{"rejectedSpans":2}}""")
    Assert.Equal(None, json """{"partialSuccess":{}}""")
    Assert.Equal(None, json "{}")
    Assert.Equal(None, json "not json")

// ---- OTLP/HTTP against a real Kestrel receiver ----

let ``http/protobuf posts the encoded spans with the headers and succeeds on 200`` () =
    task {
        use! receiver = startReceiver false (fun _ context -> status 200 context)
        use exporter = OtlpExporter.traces (httpOptions receiver "/v1/traces")
        let spans = [| span 1; span 2 |]
        let! result = export exporter spans
        Assert.Equal(ExportResult.Success, result)
        let request = Assert.Single receiver.Requests
        Assert.Equal("/v1/traces", request.Path)
        Assert.Equal("HTTP/1.1", request.Protocol)
        Assert.Equal("application/x-protobuf", request.Headers.["content-type"])
        Assert.Equal(secret, request.Headers.["api-key"])
        Assert.Equal<byte array>(protobufOf spans, request.Body)
        Assert.Equal("otlp-http-protobuf", (exporter :> IExporter<Span>).Name)
    }

let ``503 with Retry-After is Retryable with that delay`` () =
    task {
        use! receiver =
            startReceiver false (fun _ context ->
                context.Response.Headers.RetryAfter <- Microsoft.Extensions.Primitives.StringValues "7"
                status 503 context)

        use exporter = OtlpExporter.traces (httpOptions receiver "/v1/traces")
        let! result = export exporter [| span 1 |]
        Assert.Equal(ExportResult.Retryable("HTTP 503", Nullable(TimeSpan.FromSeconds 7.)), result)
    }

let ``429 with an HTTP-date Retry-After is Retryable until that date`` () =
    task {
        let date = DateTimeOffset.UtcNow.AddHours 1.

        use! receiver =
            startReceiver false (fun _ context ->
                context.Response.Headers.RetryAfter <- Microsoft.Extensions.Primitives.StringValues(date.ToString("R"))
                status 429 context)

        use exporter = OtlpExporter.traces (httpOptions receiver "/v1/traces")
        let! result = export exporter [| span 1 |]

        match result with
        | ExportResult.Retryable("HTTP 429", delay) when delay.HasValue ->
            Assert.InRange(delay.Value, TimeSpan.FromMinutes 58., TimeSpan.FromMinutes 60.)
        | other -> failwith $"expected Retryable with a delay, got {other}"
    }

let ``400 is a Failure`` () =
    task {
        use! receiver = startReceiver false (fun _ context -> status 400 context)
        use exporter = OtlpExporter.traces (httpOptions receiver "/v1/traces")
        let! result = export exporter [| span 1 |]
        Assert.Equal(ExportResult.Failure "HTTP 400", result)
    }

let ``gzip compression sends a gzip body the receiver can decode`` () =
    task {
        use! receiver = startReceiver false (fun _ context -> status 200 context)

        use exporter =
            OtlpExporter.traces
                { httpOptions receiver "/v1/traces" with
                    Compression = OtlpCompression.Gzip
                }

        let spans = [| span 1; span 2; span 3 |]
        let! result = export exporter spans
        Assert.Equal(ExportResult.Success, result)
        let request = Assert.Single receiver.Requests
        Assert.Equal("gzip", request.Headers.["content-encoding"])
        Assert.Equal<byte array>(protobufOf spans, gunzip request.Body)
    }

let ``http/json posts OTLP/JSON`` () =
    task {
        use! receiver = startReceiver false (fun _ context -> status 200 context)

        use exporter =
            OtlpExporter.traces
                { httpOptions receiver "/v1/traces" with
                    Protocol = OtlpProtocol.HttpJson
                }

        let! result = export exporter [| span 1 |]
        Assert.Equal(ExportResult.Success, result)
        let request = Assert.Single receiver.Requests
        Assert.Equal("application/json", request.Headers.["content-type"])
        let body = Encoding.UTF8.GetString request.Body
        Assert.StartsWith("{\"resourceSpans\":", body)
        Assert.Contains("\"name\":\"span-1\"", body)
    }

let ``connection refused is Retryable`` () =
    task {
        let listener = new TcpListener(IPAddress.Loopback, 0)
        listener.Start()
        let port = (listener.LocalEndpoint :?> IPEndPoint).Port
        listener.Stop()

        use exporter =
            OtlpExporter.traces
                { OtlpOptions.defaults with
                    Endpoint = Some(Uri $"http://127.0.0.1:{port}/v1/traces")
                }

        let! result = export exporter [| span 1 |]

        match result with
        | ExportResult.Retryable(_, delay) when not delay.HasValue -> ()
        | other -> failwith $"expected Retryable, got {other}"
    }

let ``an export that starts while an abandoned one is still sending does not overwrite its body`` () =
    task {
        // The first request's body is not read until the second export has run, so the first send is stuck
        // part-way through a body far larger than the socket buffers.
        let firstArrived = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        let readFirst = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)

        let hold n =
            if n = 1 then
                firstArrived.TrySetResult() |> ignore
                readFirst.Task
            else
                Task.CompletedTask

        use! receiver =
            startHoldingReceiver (fun listen -> listen.Protocols <- HttpProtocols.Http1) hold (fun _ context ->
                status 200 context)

        use exporter =
            OtlpExporter.traces
                { httpOptions receiver "/v1/traces" with
                    Timeout = TimeSpan.FromSeconds 60.
                }

        let payload = String('p', 1024)

        let spans (offset: int) =
            Array.init 16_000 (fun i ->
                { span (offset + i) with
                    Attributes = [ KeyValue.string "payload" payload ]
                })

        let first, second = spans 0, spans 100_000
        let firstExport = (exporter :> IExporter<Span>).Export(batchOf first, CancellationToken.None)
        do! firstArrived.Task.WaitAsync(TimeSpan.FromSeconds 30.)
        let! secondResult = export exporter second
        Assert.Equal(ExportResult.Success, secondResult)
        readFirst.SetResult()
        let! firstResult = firstExport.WaitAsync(TimeSpan.FromSeconds 30.)
        Assert.Equal(ExportResult.Success, firstResult)
        let bodies = receiver.Requests |> List.map (fun r -> r.Body)
        Assert.Equal(2, bodies.Length)
        Assert.Contains(protobufOf first, bodies)
        Assert.Contains(protobufOf second, bodies)
    }

/// Answers with headers that promise a body, writes part of it, then drops the connection.
let private resetMidBody (context: HttpContext) =
    task {
        context.Response.StatusCode <- 200
        context.Response.ContentType <- "application/x-protobuf"
        context.Response.ContentLength <- Nullable 100L
        do! context.Response.Body.WriteAsync([| 0uy; 1uy; 2uy |], 0, 3)
        do! context.Response.Body.FlushAsync()
        context.Abort()
    }
    :> Task

let ``a connection reset while the response body is read is Retryable, over HTTP/1.1 and gRPC`` () =
    task {
        use! http = startReceiver false (fun _ context -> resetMidBody context)
        use httpExporter = OtlpExporter.traces (httpOptions http "/v1/traces")
        let! overHttp = export httpExporter [| span 1 |]
        use! grpc = startReceiver true (fun _ context -> resetMidBody context)
        use grpcExporter = OtlpExporter.traces (grpcOptions grpc)
        let! overGrpc = export grpcExporter [| span 1 |]

        for result in [ overHttp; overGrpc ] do
            match result with
            | ExportResult.Retryable(_, delay) when not delay.HasValue -> ()
            | other -> failwith $"expected Retryable, got {other}"
    }

let ``a request exceeding the timeout is Retryable`` () =
    task {
        use! receiver = startReceiver false (fun _ context -> Task.Delay(Timeout.Infinite, context.RequestAborted))

        use exporter =
            OtlpExporter.traces
                { httpOptions receiver "/v1/traces" with
                    Timeout = TimeSpan.FromMilliseconds 200.
                }

        let! result = export exporter [| span 1 |]
        Assert.Equal(ExportResult.Retryable("request timed out after 200 ms", Nullable()), result)
    }

let ``partial success is reported on the event source without retrying and without header values`` () =
    task {
        let marker = "marker-" + Guid.NewGuid().ToString("N")
        use listener = new PartialSuccessListener()

        use! receiver =
            startReceiver false (fun _ context ->
                task {
                    context.Response.ContentType <- "application/x-protobuf"
                    // A peer that echoes the API key back must not leak it into diagnostics.
                    let body = partialSuccessResponse 2L $"{marker} rejected, key {secret}"
                    do! context.Response.Body.WriteAsync(body, 0, body.Length)
                }
                :> Task)

        use exporter = OtlpExporter.traces (httpOptions receiver "/v1/traces")
        let! result = export exporter [| span 1; span 2; span 3 |]
        Assert.Equal(ExportResult.Success, result)
        Assert.Single receiver.Requests |> ignore

        let ours =
            listener.Payloads
            |> List.filter (fun payload -> payload |> List.exists (fun v -> (string v).Contains marker))

        let payload = Assert.Single ours

        Assert.Equal<obj list>(
            [
                box "traces"
                box "otlp-http-protobuf"
                box 2L
                box $"{marker} rejected, key [redacted]"
            ],
            payload
        )

        for payload in listener.Payloads do
            for value in payload do
                Assert.DoesNotContain(secret, string value)
    }

let ``a partial success is read from a body with a Content-Length, and an empty body is not an error`` () =
    task {
        let marker = "marker-" + Guid.NewGuid().ToString("N")
        use listener = new PartialSuccessListener()

        use! receiver =
            startReceiver false (fun index context ->
                task {
                    if index = 1 then
                        let body = partialSuccessResponse 4L marker
                        context.Response.ContentType <- "application/x-protobuf"
                        context.Response.ContentLength <- int64 body.Length
                        do! context.Response.Body.WriteAsync(body, 0, body.Length)
                    else
                        context.Response.ContentLength <- 0L
                }
                :> Task)

        use exporter = OtlpExporter.traces (httpOptions receiver "/v1/traces")
        let! first = export exporter [| span 1 |]
        let! second = export exporter [| span 2 |]
        Assert.Equal(ExportResult.Success, first)
        Assert.Equal(ExportResult.Success, second)

        let ours =
            listener.Payloads
            |> List.filter (fun payload -> payload |> List.exists (fun v -> (string v).Contains marker))

        Assert.Equal<obj list>([ box "traces"; box "otlp-http-protobuf"; box 4L; box marker ], Assert.Single ours)
    }

let ``after a timed-out request the next one gets a whole timeout of its own`` () =
    task {
        use! receiver =
            startReceiver false (fun index context ->
                if index = 1 then
                    Task.Delay(Timeout.Infinite, context.RequestAborted)
                else
                    status 200 context)

        use exporter =
            OtlpExporter.traces
                { httpOptions receiver "/v1/traces" with
                    Timeout = TimeSpan.FromMilliseconds 300.
                }

        let! first = export exporter [| span 1 |]
        Assert.Equal(ExportResult.Retryable("request timed out after 300 ms", Nullable()), first)
        let! second = export exporter [| span 2 |]
        Assert.Equal(ExportResult.Success, second)
        let! third = export exporter [| span 3 |]
        Assert.Equal(ExportResult.Success, third)
    }

let ``an export cancelled by the caller is Retryable, and the next export succeeds`` () =
    task {
        let arrived = TaskCompletionSource()

        use! receiver =
            startReceiver false (fun index context ->
                if index = 1 then
                    arrived.TrySetResult() |> ignore
                    Task.Delay(Timeout.Infinite, context.RequestAborted)
                else
                    status 200 context)

        use exporter = OtlpExporter.traces (httpOptions receiver "/v1/traces")
        use cancel = new CancellationTokenSource()
        let pending = (exporter :> IExporter<Span>).Export(batchOf [| span 1 |], cancel.Token)
        do! arrived.Task.WaitAsync(TimeSpan.FromSeconds 30.)
        cancel.Cancel()
        let! first = pending.WaitAsync(TimeSpan.FromSeconds 30.)
        Assert.Equal(ExportResult.Retryable("export cancelled", Nullable()), first)
        // A caller's token that is never cancelled, as the runner's usually is not.
        use quiet = new CancellationTokenSource()

        let! second =
            (exporter :> IExporter<Span>).Export(batchOf [| span 2 |], quiet.Token).WaitAsync(TimeSpan.FromSeconds 30.)

        Assert.Equal(ExportResult.Success, second)
        let! third = export exporter [| span 3 |]
        Assert.Equal(ExportResult.Success, third)
    }

let ``concurrent sends on one transport each complete with their own body`` () =
    task {
        use! receiver = startReceiver false (fun _ context -> status 200 context)
        use transport = new OtlpTransport(OtlpSignal.Traces, httpOptions receiver "/v1/traces")
        let bodies = Array.init 16 (fun i -> protobufOf [| span i |])

        let! results =
            Task.WhenAll
                [
                    for body in bodies -> transport.Send(ReadOnlyMemory body, CancellationToken.None)
                ]
            |> TestUtil.within (TimeSpan.FromSeconds 30.)

        Assert.All(results, fun result -> Assert.Equal(ExportResult.Success, result))
        let received = receiver.Requests |> List.map (fun r -> Convert.ToHexString r.Body) |> List.sort
        Assert.Equal<string list>(bodies |> Array.map Convert.ToHexString |> List.ofArray |> List.sort, received)
    }

let ``a batch bigger than the exporter's first buffer, over several scopes, is sent as the encoder writes it``
    (protocol: string)
    =
    task {
        let isGrpc = protocol = "Grpc"

        use! receiver =
            startReceiver isGrpc (fun _ context ->
                if isGrpc then
                    grpcReply [||] [ "grpc-status", "0" ] context
                else
                    status 200 context)

        let scopes =
            [|
                InstrumentationScope.Named "a"
                InstrumentationScope.Named "b"
                InstrumentationScope.Named "c"
            |]

        let spans =
            Array.init 900 (fun i ->
                { span i with
                    Scope = scopes[i % 3]
                    Attributes = [ KeyValue.string "payload" (String('p', (i * 131) % 3_000)) ]
                })

        let options =
            match protocol with
            | "Grpc" -> grpcOptions receiver
            | "HttpJson" ->
                { httpOptions receiver "/v1/traces" with
                    Protocol = OtlpProtocol.HttpJson
                }
            | _ -> httpOptions receiver "/v1/traces"

        use exporter = OtlpExporter.traces options
        // Twice: the second export reuses the buffer the first one grew.
        for _ in 1..2 do
            let! result = export exporter spans
            Assert.Equal(ExportResult.Success, result)

        let expected =
            let buffer = ArrayBufferWriter<byte>()

            if protocol = "HttpJson" then
                OtlpJson.writeTraces resource spans buffer
            else
                OtlpProtobuf.writeTraces resource spans buffer

            let bytes = buffer.WrittenSpan.ToArray()

            if isGrpc then
                TestUtil.GrpcFrame.frame false (ReadOnlySpan bytes)
            else
                bytes

        Assert.True(expected.Length > 1_000_000, string expected.Length)
        let bodies = receiver.Requests |> List.map (fun r -> r.Body)
        Assert.Equal(2, bodies.Length)

        for body in bodies do
            Assert.True((body = expected), $"{protocol}: sent {body.Length} bytes, expected {expected.Length}")
    }

// ---- splitting ----

/// Items are strings; a request is the items joined by newlines, and its size is its length.
let private joined =
    fun (_: Resource) (items: string array) (output: IBufferWriter<byte>) ->
        let bytes = Encoding.UTF8.GetBytes(String.Join("\n", items))
        output.Write(ReadOnlySpan bytes)

let ``a batch over MaxRequestBytes is split and an item that never fits is not sent but counted`` () =
    task {
        use! receiver = startReceiver false (fun _ context -> status 200 context)
        let options = httpOptions receiver "/v1/logs"
        use exporter = new OtlpExporter<string>(new OtlpTransport(OtlpSignal.Logs, options), joined, 10L)
        let! result = export exporter [| "aaaa"; "bbbb"; "cccc"; "dddd"; "eeeeeeeeeeee" |]
        Assert.Equal(ExportResult.Failure "1 of 5 items exceed MaxRequestBytes alone and were not sent", result)

        let bodies = receiver.Requests |> List.map (fun r -> Encoding.UTF8.GetString r.Body)
        Assert.Equal<string list>([ "aaaa\nbbbb"; "cccc"; "dddd" ], bodies)
    }

let ``a retry sends the batch again, and a reused array with new items is sent in full`` () =
    task {
        use! receiver = startReceiver false (fun index context -> status (if index = 2 then 503 else 200) context)
        let options = httpOptions receiver "/v1/logs"
        use exporter = new OtlpExporter<string>(new OtlpTransport(OtlpSignal.Logs, options), joined, 4L)
        let items = [| "aaaa"; "bbbb"; "cccc" |]
        let exporter = exporter :> IExporter<string>
        let! first = exporter.Export(batchOf items, CancellationToken.None)
        Assert.Equal(ExportResult.Retryable("HTTP 503", Nullable()), first)
        let! second = exporter.Export(batchOf items, CancellationToken.None)
        Assert.Equal(ExportResult.Success, second)
        // The same array, refilled (a pooled buffer): nothing may be taken for already sent.
        items[0] <- "dddd"
        items[1] <- "eeee"
        items[2] <- "ffff"
        let! third = exporter.Export(batchOf items, CancellationToken.None)
        Assert.Equal(ExportResult.Success, third)

        let bodies = receiver.Requests |> List.map (fun r -> Encoding.UTF8.GetString r.Body)
        Assert.Equal<string list>([ "aaaa"; "bbbb"; "aaaa"; "bbbb"; "cccc"; "dddd"; "eeee"; "ffff" ], bodies)
    }

let ``real span batches are split into requests no larger than MaxRequestBytes`` () =
    task {
        use! receiver = startReceiver false (fun _ context -> status 200 context)
        let spans = Array.init 5 span
        let twoSpans = OtlpProtobuf.tracesSize resource spans.[0..1]

        use exporter =
            OtlpExporter.traces
                { httpOptions receiver "/v1/traces" with
                    MaxRequestBytes = twoSpans
                }

        let! result = export exporter spans
        Assert.Equal(ExportResult.Success, result)
        let bodies = receiver.Requests |> List.map (fun r -> r.Body)

        Assert.Equal<byte array list>(
            [ protobufOf spans.[0..1]; protobufOf spans.[2..2]; protobufOf spans.[3..4] ],
            bodies
        )
    }

// ---- OTLP/gRPC over h2c against a real Kestrel HTTP/2 receiver ----

let ``grpc sends a framed request to the service path and succeeds on status 0`` () =
    task {
        use! receiver = startReceiver true (fun _ context -> grpcReply [||] [ "grpc-status", "0" ] context)
        use exporter = OtlpExporter.traces (grpcOptions receiver)
        let spans = [| span 1; span 2 |]
        let! result = export exporter spans
        Assert.Equal(ExportResult.Success, result)
        let request = Assert.Single receiver.Requests
        Assert.Equal("HTTP/2", request.Protocol)
        Assert.Equal("/opentelemetry.proto.collector.trace.v1.TraceService/Export", request.Path)
        Assert.Equal("application/grpc", request.Headers.["content-type"])
        Assert.Equal("trailers", request.Headers.["te"])
        Assert.Equal(secret, request.Headers.["api-key"])
        Assert.Equal<byte array>(TestUtil.GrpcFrame.frame false (ReadOnlySpan(protobufOf spans)), request.Body)
    }

let ``grpc gzip compresses the message and flags it`` () =
    task {
        use! receiver = startReceiver true (fun _ context -> grpcReply [||] [ "grpc-status", "0" ] context)

        use exporter =
            OtlpExporter.traces
                { grpcOptions receiver with
                    Compression = OtlpCompression.Gzip
                }

        let spans = [| span 1 |]
        let! result = export exporter spans
        Assert.Equal(ExportResult.Success, result)
        let request = Assert.Single receiver.Requests
        Assert.Equal("gzip", request.Headers.["grpc-encoding"])

        match TestUtil.GrpcFrame.tryUnframe request.Body with
        | Some(true, message) -> Assert.Equal<byte array>(protobufOf spans, gunzip message)
        | other -> failwith $"expected a compressed frame, got {other}"
    }

let ``grpc UNAVAILABLE in the trailers is Retryable`` () =
    task {
        use! receiver =
            startReceiver true (fun _ context ->
                grpcReply [||] [ "grpc-status", "14"; "grpc-message", "try%20later" ] context)

        use exporter = OtlpExporter.traces (grpcOptions receiver)
        let! result = export exporter [| span 1 |]
        Assert.Equal(ExportResult.Retryable("gRPC status 14 (UNAVAILABLE): try later", Nullable()), result)
    }

let ``grpc trailers-only INVALID_ARGUMENT is a Failure`` () =
    task {
        use! receiver = startReceiver true (fun _ context -> trailersOnly [ "grpc-status", "3" ] context)
        use exporter = OtlpExporter.traces (grpcOptions receiver)
        let! result = export exporter [| span 1 |]
        Assert.Equal(ExportResult.Failure "gRPC status 3 (INVALID_ARGUMENT)", result)
    }

let ``grpc RESOURCE_EXHAUSTED is Retryable with RetryInfo's delay, and a Failure without RetryInfo`` () =
    task {
        let details = Convert.ToBase64String(statusWithRetryInfo 3L 250_000_000).TrimEnd('=')

        use! receiver =
            startReceiver true (fun index context ->
                if index = 1 then
                    grpcReply [||] [ "grpc-status", "8"; "grpc-status-details-bin", details ] context
                else
                    grpcReply [||] [ "grpc-status", "8" ] context)

        use exporter = OtlpExporter.metrics { grpcOptions receiver with Headers = [] }
        let metrics: MetricData array = [||]
        let! withInfo = (exporter :> IExporter<MetricData>).Export(batchOf metrics, CancellationToken.None)

        Assert.Equal(
            ExportResult.Retryable("gRPC status 8 (RESOURCE_EXHAUSTED)", Nullable(TimeSpan.FromSeconds 3.25)),
            withInfo
        )

        let! withoutInfo = (exporter :> IExporter<MetricData>).Export(batchOf metrics, CancellationToken.None)
        Assert.Equal(ExportResult.Failure "gRPC status 8 (RESOURCE_EXHAUSTED)", withoutInfo)

        Assert.Equal(
            "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
            (List.head receiver.Requests).Path
        )
    }

let ``grpc partial success in the response message is reported`` () =
    task {
        let marker = "marker-" + Guid.NewGuid().ToString("N")
        use listener = new PartialSuccessListener()

        use! receiver =
            startReceiver true (fun _ context ->
                grpcReply (partialSuccessResponse 1L $"{marker} {secret}") [ "grpc-status", "0" ] context)

        use exporter = OtlpExporter.logs { grpcOptions receiver with Insecure = true }
        let records: LogRecord array = [||]
        let! result = (exporter :> IExporter<LogRecord>).Export(batchOf records, CancellationToken.None)
        Assert.Equal(ExportResult.Success, result)

        let ours =
            listener.Payloads
            |> List.filter (fun payload -> payload |> List.exists (fun v -> (string v).Contains marker))

        Assert.Equal<obj list>([ box "logs"; box "otlp-grpc"; box 1L; box $"{marker} [redacted]" ], Assert.Single ours)
        Assert.Equal("/opentelemetry.proto.collector.logs.v1.LogsService/Export", (List.head receiver.Requests).Path)
    }

// ---- TLS: a private CA and mutual TLS ----

type private Pki =
    {
        Directory: string
        CaPath: string
        ClientCertificatePath: string
        ClientKeyPath: string
        Server: X509Certificate2
    }

let private createPki () =
    let now = DateTimeOffset.UtcNow
    let notBefore, notAfter = now.AddDays -1., now.AddDays 1.
    let curve = ECCurve.NamedCurves.nistP256
    use caKey = ECDsa.Create curve
    let caRequest = CertificateRequest("CN=otlp-test-ca", caKey, HashAlgorithmName.SHA256)
    caRequest.CertificateExtensions.Add(X509BasicConstraintsExtension(true, false, 0, true))

    caRequest.CertificateExtensions.Add(
        X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign ||| X509KeyUsageFlags.CrlSign, true)
    )

    use ca = caRequest.CreateSelfSigned(notBefore, notAfter)

    let issue (subject: string) (usage: string) (key: ECDsa) (serial: byte) =
        let request = CertificateRequest(subject, key, HashAlgorithmName.SHA256)
        request.CertificateExtensions.Add(X509BasicConstraintsExtension(false, false, 0, false))
        let usages = OidCollection()
        usages.Add(Oid usage) |> ignore
        request.CertificateExtensions.Add(X509EnhancedKeyUsageExtension(usages, false))
        let names = SubjectAlternativeNameBuilder()
        names.AddIpAddress IPAddress.Loopback
        names.AddDnsName "localhost"
        request.CertificateExtensions.Add(names.Build())
        request.Create(ca, notBefore, notAfter, [| serial; 1uy; 2uy; 3uy |])

    use serverKey = ECDsa.Create curve
    use serverPublic = issue "CN=localhost" "1.3.6.1.5.5.7.3.1" serverKey 1uy
    use serverWithKey = serverPublic.CopyWithPrivateKey serverKey
    let server = X509CertificateLoader.LoadPkcs12(serverWithKey.Export X509ContentType.Pfx, null)

    use clientKey = ECDsa.Create curve
    use client = issue "CN=otlp-test-client" "1.3.6.1.5.5.7.3.2" clientKey 2uy

    let directory = Directory.CreateTempSubdirectory "otlp-tls-"

    let write name (text: string) =
        let path = Path.Combine(directory.FullName, name)
        File.WriteAllText(path, text)
        path

    {
        Directory = directory.FullName
        CaPath = write "ca.pem" (ca.ExportCertificatePem())
        ClientCertificatePath = write "client.pem" (client.ExportCertificatePem())
        ClientKeyPath = write "client.key" (clientKey.ExportPkcs8PrivateKeyPem())
        Server = server
    }

let private startTlsReceiver (pki: Pki) (http2: bool) (clientSubject: string ref) =
    startReceiverWith
        (fun listen ->
            listen.Protocols <- (if http2 then HttpProtocols.Http2 else HttpProtocols.Http1)

            listen.UseHttps(fun (https: Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions) ->
                https.ServerCertificate <- pki.Server

                https.ClientCertificateMode <-
                    Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate

                https.AllowAnyClientCertificate())
            |> ignore)
        (fun _ context ->
            let certificate = context.Connection.ClientCertificate
            clientSubject.Value <- (if isNull certificate then "none" else certificate.Subject)

            if http2 then
                grpcReply [||] [ "grpc-status", "0" ] context
            else
                status 200 context)

let private tlsOptions (pki: Pki) (receiver: Receiver) =
    { OtlpOptions.defaults with
        Endpoint = Some(Uri(receiver.Address + "/v1/traces"))
        CertificatePath = Some pki.CaPath
        ClientCertificatePath = Some pki.ClientCertificatePath
        ClientKeyPath = Some pki.ClientKeyPath
    }

let ``https with a private CA and a client certificate (mutual TLS)`` () =
    task {
        let pki = createPki ()

        try
            let subject = ref ""
            use! receiver = startTlsReceiver pki false subject
            Assert.StartsWith("https://", receiver.Address)
            use exporter = OtlpExporter.traces (tlsOptions pki receiver)
            let! result = export exporter [| span 1 |]
            Assert.Equal(ExportResult.Success, result)
            Assert.Equal("CN=otlp-test-client", subject.Value)
        finally
            Directory.Delete(pki.Directory, true)
    }

let ``grpc over TLS with a private CA and a client certificate`` () =
    task {
        let pki = createPki ()

        try
            let subject = ref ""
            use! receiver = startTlsReceiver pki true subject

            use exporter =
                OtlpExporter.traces
                    { tlsOptions pki receiver with
                        Endpoint = Some(Uri receiver.Address)
                        Protocol = OtlpProtocol.Grpc
                    }

            let! result = export exporter [| span 1 |]
            Assert.Equal(ExportResult.Success, result)
            Assert.Equal("CN=otlp-test-client", subject.Value)
            Assert.Equal("HTTP/2", (Assert.Single receiver.Requests).Protocol)
        finally
            Directory.Delete(pki.Directory, true)
    }

/// Exports to a TLS receiver of `pki` trusting `certificatePath`: the handshake must fail (Retryable) and the
/// receiver get nothing.
let private refusedByTls pki (certificatePath: string option) =
    task {
        let subject = ref ""
        use! receiver = startTlsReceiver pki false subject

        use exporter =
            OtlpExporter.traces
                { tlsOptions pki receiver with
                    CertificatePath = certificatePath
                }

        let! result = export exporter [| span 1 |]

        match result with
        | ExportResult.Retryable _ -> ()
        | other -> failwith $"expected Retryable, got {other}"

        Assert.Empty receiver.Requests
    }

let ``a server certificate from an untrusted CA is refused (Retryable, nothing received)`` () =
    task {
        let pki = createPki ()

        try
            do! refusedByTls pki None
        finally
            Directory.Delete(pki.Directory, true)
    }

let ``a configured CA that did not issue the server certificate is refused`` () =
    task {
        let pki = createPki ()
        let other = createPki ()

        try
            do! refusedByTls pki (Some other.CaPath)
        finally
            Directory.Delete(pki.Directory, true)
            Directory.Delete(other.Directory, true)
    }

let ``http/json partial success is read from the JSON response`` () =
    task {
        let marker = "marker-" + Guid.NewGuid().ToString("N")
        use listener = new PartialSuccessListener()

        use! receiver =
            startReceiver false (fun _ context ->
                task {
                    context.Response.ContentType <- "application/json"

                    let body =
                        Encoding.UTF8.GetBytes(
                            $"{{\"partialSuccess\":{{\"rejectedLogRecords\":\"5\",\"errorMessage\":\"{marker}\"}}}}"
                        )

                    do! context.Response.Body.WriteAsync(body, 0, body.Length)
                }
                :> Task)

        use exporter =
            OtlpExporter.logs
                { httpOptions receiver "/v1/logs" with
                    Protocol = OtlpProtocol.HttpJson
                }

        let records: LogRecord array = [||]
        let! result = (exporter :> IExporter<LogRecord>).Export(batchOf records, CancellationToken.None)
        Assert.Equal(ExportResult.Success, result)

        let ours =
            listener.Payloads
            |> List.filter (fun payload -> payload |> List.exists (fun v -> (string v).Contains marker))

        Assert.Equal<obj list>([ box "logs"; box "otlp-http-json"; box 5L; box marker ], Assert.Single ours)
    }

let ``a long peer message is redacted before it is cut`` () =
    task {
        let marker = "marker-" + Guid.NewGuid().ToString("N")
        use listener = new PartialSuccessListener()
        // The secret straddles the 256-character cut.
        let message = marker + String('x', 250 - marker.Length) + secret

        use! receiver =
            startReceiver false (fun _ context ->
                task {
                    let body = partialSuccessResponse 1L message
                    do! context.Response.Body.WriteAsync(body, 0, body.Length)
                }
                :> Task)

        use exporter = OtlpExporter.traces (httpOptions receiver "/v1/traces")
        let! result = export exporter [| span 1 |]
        Assert.Equal(ExportResult.Success, result)

        let ours =
            listener.Payloads
            |> List.filter (fun payload -> payload |> List.exists (fun v -> (string v).Contains marker))

        let reported = string (List.last (Assert.Single ours))
        Assert.DoesNotContain(secret.Substring(0, 6), reported)
        Assert.EndsWith("...", reported)
    }

/// A property over 2,000 cases: up to 63 arbitrary bytes, and a gRPC status code from -5 to 29.
let ``response readers never throw on arbitrary bytes`` () =
    Prop.forAll (Arb.fromGen (Gen.zip (Arbs.bytesUpTo 63) (Gen.choose (-5, 29)))) (fun (bytes, code) ->
        OtlpResponse.tryReadPartialSuccessProtobuf bytes |> ignore
        OtlpResponse.tryReadPartialSuccessJson bytes |> ignore
        let delay = OtlpResponse.retryDelay (statusTrailers bytes)
        OtlpResponse.classifyGrpc code delay |> ignore)

// ---- the OTLP exporter in the pipelines ----

let private containsUtf8 (text: string) (body: byte array) =
    let needle = Encoding.UTF8.GetBytes text
    ReadOnlySpan<byte>(body).IndexOf(ReadOnlySpan<byte>(needle)) >= 0

let ``traces, metrics and logs reach the endpoint named by the environment over OTLP`` () =
    task {
        let! receiver = startReceiver false (fun _ context -> status 200 context)

        try
            let name = "Otlp.Pipeline." + Guid.NewGuid().ToString("N")

            let env =
                Env.ofList
                    [
                        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Address
                        "OTEL_EXPORTER_OTLP_HEADERS", "api-key=" + secret
                    ]

            let sdk =
                Telemetry.create "otlp-pipeline"
                |> Telemetry.withEnvironment env
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withResourceDetection false
                |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpExporter id)
                |> Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addOtlpExporter id)
                |> Telemetry.withLogging (Logging.addOtlpExporter id)
                |> Telemetry.start

            use source = new System.Diagnostics.ActivitySource(name)
            source.StartActivity("otlp-span").Dispose()
            use meter = new System.Diagnostics.Metrics.Meter(name)
            meter.CreateCounter<int64>("otlp.counter").Add 3L
            sdk.CreateLogger("otlp.category").LogWarning("otlp log body")
            let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.True flushed
            let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
            Assert.True stopped

            let bodyOf path =
                receiver.Requests
                |> List.filter (fun r -> r.Path = path)
                |> List.map (fun r ->
                    Assert.Equal("application/x-protobuf", r.Headers["content-type"])
                    Assert.Equal(secret, r.Headers["api-key"])
                    r.Body)
                |> Array.concat

            Assert.True(containsUtf8 "otlp-span" (bodyOf "/v1/traces"), "the span name was not sent")
            Assert.True(containsUtf8 "otlp.counter" (bodyOf "/v1/metrics"), "the metric name was not sent")
            Assert.True(containsUtf8 "otlp log body" (bodyOf "/v1/logs"), "the log body was not sent")
            Assert.True(containsUtf8 "otlp-pipeline" (bodyOf "/v1/traces"), "the resource's service.name was not sent")
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

let ``an OTLP endpoint set in code that is not http or https is an error when the SDK starts`` () =
    let error =
        Assert.Throws<ArgumentException>(fun () ->
            Telemetry.create "otlp-bad"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withTracing (
                Tracing.addSource "Otlp.Bad"
                >> Tracing.addOtlpExporter (fun o -> { o with Endpoint = Some(Uri "ftp://collector:4318") })
            )
            |> Telemetry.start
            |> ignore)

    Assert.Contains("Endpoint", error.Message)

let ``the default histogram aggregation variable makes OTLP metric histograms exponential`` () =
    let metrics, warnings =
        OtlpOptions.fromEnvironment
            OtlpSignal.Metrics
            (Env.ofList
                [
                    "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "base2_exponential_bucket_histogram"
                ])

    Assert.Empty warnings
    Assert.True metrics.ExponentialHistograms

    let _, bad =
        OtlpOptions.fromEnvironment
            OtlpSignal.Metrics
            (Env.ofList [ "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "fancy" ])

    Assert.Equal("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", (List.exactlyOne bad).Source)

    task {
        let! receiver = startReceiver false (fun _ context -> status 200 context)

        try
            let name = "Otlp.Histograms." + Guid.NewGuid().ToString("N")

            let env =
                Env.ofList
                    [
                        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Address
                        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"
                        "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "base2_exponential_bucket_histogram"
                    ]

            let sdk =
                Telemetry.create "otlp-histograms"
                |> Telemetry.withEnvironment env
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withResourceDetection false
                |> Telemetry.withMetrics (
                    Metrics.addMeter name
                    >> Metrics.addView
                        { View.forInstrument "explicit.by.view" with
                            Aggregation = Some(Aggregation.ExplicitBucketHistogram([ 1.0; 10.0 ], true))
                        }
                    >> Metrics.addOtlpExporter id
                )
                |> Telemetry.start

            use meter = new System.Diagnostics.Metrics.Meter(name)
            meter.CreateHistogram<float>("latency").Record 12.5
            meter.CreateHistogram<float>("explicit.by.view").Record 5.0
            let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
            Assert.True stopped

            let json =
                receiver.Requests
                |> List.filter (fun r -> r.Path = "/v1/metrics")
                |> List.map (fun r -> Encoding.UTF8.GetString r.Body)
                |> String.concat "\n"

            use document = System.Text.Json.JsonDocument.Parse((json.Split('\n')[0]))

            let metrics =
                [
                    for rm in document.RootElement.GetProperty("resourceMetrics").EnumerateArray() do
                        for sm in rm.GetProperty("scopeMetrics").EnumerateArray() do
                            for m in sm.GetProperty("metrics").EnumerateArray() do
                                let kind =
                                    if m.TryGetProperty("exponentialHistogram") |> fst then
                                        "exponential"
                                    elif m.TryGetProperty("histogram") |> fst then
                                        "explicit"
                                    else
                                        "other"

                                m.GetProperty("name").GetString(), kind
                ]
                |> Map.ofList

            Assert.Equal("exponential", metrics["latency"])
            // A view's explicit choice is kept.
            Assert.Equal("explicit", metrics["explicit.by.view"])
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

let ``a 503 with Retry-After is retried by the pipeline and the spans arrive once`` () =
    task {
        let! receiver =
            startReceiver false (fun index context ->
                if index = 1 then
                    context.Response.Headers["Retry-After"] <- "0"
                    status 503 context
                else
                    status 200 context)

        try
            let name = "Otlp.Retry." + Guid.NewGuid().ToString("N")

            let sdk =
                Telemetry.create "otlp-retry"
                |> Telemetry.withEnvironment (Env.ofList [ "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Address ])
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withResourceDetection false
                |> Telemetry.withRetry
                    { RetryPolicy.defaults with
                        InitialBackoff = TimeSpan.FromMilliseconds 10.
                        MaxBackoff = TimeSpan.FromMilliseconds 50.
                    }
                |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpExporter id)
                |> Telemetry.start

            use source = new System.Diagnostics.ActivitySource(name)
            source.StartActivity("retried-span").Dispose()
            let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
            Assert.True stopped
            let stats = (Seq.exactlyOne sdk.SpanPipelines).Stats
            Assert.Equal(1L, stats.Exported)
            Assert.Equal(0L, stats.Failed)
            Assert.Equal(2L, stats.ExportCalls)
            let traces = receiver.Requests |> List.filter (fun r -> r.Path = "/v1/traces")
            Assert.Equal(2, traces.Length)
            Assert.True(traces |> List.forall (fun r -> containsUtf8 "retried-span" r.Body))
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

// ---- gRPC faults through the whole pipeline (HTTP/2 receiver the test controls) ----

let private grpcPipelineWith (store: ExportStore) (receiver: Receiver) (name: string) (timeoutMs: int) =
    Telemetry.create "otlp-grpc-faults"
    |> Telemetry.withExportStore store
    |> Telemetry.withEnvironment (
        Env.ofList
            [
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Address
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"
                "OTEL_BSP_EXPORT_TIMEOUT", string timeoutMs
            ]
    )
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withRetry
        { RetryPolicy.defaults with
            InitialBackoff = TimeSpan.FromMilliseconds 10.
            MaxBackoff = TimeSpan.FromMilliseconds 50.
        }
    |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpExporter id)
    |> Telemetry.start

let private grpcPipeline receiver name timeoutMs = grpcPipelineWith ExportStore.defaults receiver name timeoutMs

let private oneSpan (name: string) =
    use source = new System.Diagnostics.ActivitySource(name)
    source.StartActivity("grpc-span").Dispose()

let ``gRPC UNAVAILABLE is retried with backoff and the span is exported once`` () =
    task {
        let! receiver =
            startReceiver true (fun index context ->
                if index = 1 then
                    grpcReply [||] [ "grpc-status", "14"; "grpc-message", "try later" ] context
                else
                    grpcReply [||] [ "grpc-status", "0" ] context)

        try
            let name = "Otlp.Grpc.Retry." + Guid.NewGuid().ToString("N")
            let sdk = grpcPipeline receiver name 10000
            oneSpan name
            let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
            Assert.True stopped
            let stats = (Seq.exactlyOne sdk.SpanPipelines).Stats
            Assert.Equal((1L, 0L, 2L), (stats.Exported, stats.Failed, stats.ExportCalls))
            Assert.True(receiver.Requests |> List.forall (fun r -> r.Protocol = "HTTP/2"))
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

let ``gRPC INVALID_ARGUMENT is not retried and is counted as failed`` () =
    task {
        let! receiver = startReceiver true (fun _ context -> trailersOnly [ "grpc-status", "3" ] context)

        try
            let name = "Otlp.Grpc.Invalid." + Guid.NewGuid().ToString("N")
            let sdk = grpcPipeline receiver name 10000
            oneSpan name
            let! _ = sdk.Shutdown(TimeSpan.FromSeconds 10.)
            let stats = (Seq.exactlyOne sdk.SpanPipelines).Stats
            Assert.Equal((0L, 1L, 1L), (stats.Exported, stats.Failed, stats.ExportCalls))
            Assert.Equal(1, receiver.Requests.Length)
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

let ``without an export store, retries stop at the export deadline when the collector is slow and keeps answering UNAVAILABLE``
    ()
    =
    task {
        // Each answer takes 150 ms (a slow collector); with a 300 ms export deadline the second attempt is cut
        // off by the deadline, long before the policy's 5 attempts.
        let! receiver =
            startReceiver true (fun _ context ->
                task {
                    do! Task.Delay 150
                    do! grpcReply [||] [ "grpc-status", "14" ] context
                }
                :> Task)

        try
            let name = "Otlp.Grpc.Deadline." + Guid.NewGuid().ToString("N")
            // Without an export store: retries in line, within the export deadline.
            let sdk = grpcPipelineWith ExportStore.Off receiver name 300
            let watch = Diagnostics.Stopwatch.StartNew()
            oneSpan name
            let! _ = sdk.Shutdown(TimeSpan.FromSeconds 10.)
            watch.Stop()
            let stats = (Seq.exactlyOne sdk.SpanPipelines).Stats
            Assert.Equal(1L, stats.Failed)
            Assert.Equal(0L, stats.Exported)
            Assert.InRange(stats.ExportCalls, 1L, 3L)
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds 3., $"took {watch.Elapsed}")
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

// ---- User-Agent and headers HttpClient cannot send ----

/// The SDK's version, as the resource's `telemetry.sdk.version` reports it.
let private sdkVersion =
    match KeyValue.tryFind "telemetry.sdk.version" Resource.telemetrySdk.Attributes with
    | Some(AnyValue.String version) -> version
    | other -> failwith $"no telemetry.sdk.version: {other}"

let ``every OTLP request carries a User-Agent naming the SDK and its version, over http/protobuf, http/json and grpc``
    ()
    =
    task {
        let expected = $"Functional.Telemetry-dotnet/{sdkVersion}"
        use! http = startReceiver false (fun _ context -> status 200 context)
        use! grpc = startReceiver true (fun _ context -> grpcReply [||] [ "grpc-status", "0" ] context)

        let cases =
            [
                http, httpOptions http "/v1/traces"
                http,
                { httpOptions http "/v1/traces" with
                    Protocol = OtlpProtocol.HttpJson
                }
                grpc, grpcOptions grpc
            ]

        for receiver, options in cases do
            let before = receiver.Requests.Length
            use exporter = OtlpExporter.traces options
            let! result = export exporter [| span 1 |]
            Assert.Equal(ExportResult.Success, result)
            let request = List.item before receiver.Requests
            Assert.Equal(expected, request.Headers.["user-agent"])

        // A User-Agent given as a header is a product identifier put before the SDK's (RFC 9110: most significant first).
        use exporter =
            OtlpExporter.traces
                { httpOptions http "/v1/traces" with
                    Headers = [ "User-Agent", "my-distro/1.2" ]
                }

        let! result = export exporter [| span 1 |]
        Assert.Equal(ExportResult.Success, result)
        Assert.Equal($"my-distro/1.2 {expected}", (List.last http.Requests).Headers.["user-agent"])
        Assert.Matches(@"^\d+\.\d+\.\d+", sdkVersion)
    }

let ``headers from the environment that HttpClient cannot send are dropped and the exporter sends with the good ones``
    ()
    =
    task {
        let! receiver = startReceiver false (fun _ context -> status 200 context)

        try
            let name = "Otlp.BadHeaders." + Guid.NewGuid().ToString("N")

            let env =
                Env.ofList
                    [
                        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Address
                        "OTEL_EXPORTER_OTLP_HEADERS",
                        "content-type=application/json,api-key="
                        + secret
                        + ",x-accent=caf%C3%A9,host=elsewhere"
                    ]

            let sdk =
                Telemetry.create "otlp-bad-headers"
                |> Telemetry.withEnvironment env
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withResourceDetection false
                |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpExporter id)
                |> Telemetry.start

            use source = new System.Diagnostics.ActivitySource(name)
            source.StartActivity("bad-headers-span").Dispose()
            let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.True flushed
            let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
            Assert.True stopped
            let request = Assert.Single receiver.Requests
            Assert.Equal("application/x-protobuf", request.Headers.["content-type"])
            Assert.Equal(secret, request.Headers.["api-key"])
            Assert.False(request.Headers.ContainsKey "x-accent")
            Assert.StartsWith("127.0.0.1:", request.Headers.["host"])
            Assert.True(containsUtf8 "bad-headers-span" request.Body)
        finally
            (receiver :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
    }

[<Tests>]
let tests =
    testList
        "OtlpExporterTests"
        [
            test "Retry-After is delay seconds or an HTTP date" { ``Retry-After is delay seconds or an HTTP date`` () }
            test "HTTP statuses are classified per the OTLP spec" {
                ``HTTP statuses are classified per the OTLP spec`` ()
            }
            test "gRPC codes are classified per the OTLP spec" { ``gRPC codes are classified per the OTLP spec`` () }
            test "RetryInfo is read from the status details trailer and its absence or malformed bytes give none" {
                ``RetryInfo is read from the status details trailer and its absence or malformed bytes give none`` ()
            }
            test "partial success is read from protobuf and JSON responses" {
                ``partial success is read from protobuf and JSON responses`` ()
            }
            testTask "http/protobuf posts the encoded spans with the headers and succeeds on 200" {
                do! ``http/protobuf posts the encoded spans with the headers and succeeds on 200`` ()
            }
            testTask "503 with Retry-After is Retryable with that delay" {
                do! ``503 with Retry-After is Retryable with that delay`` ()
            }
            testTask "429 with an HTTP-date Retry-After is Retryable until that date" {
                do! ``429 with an HTTP-date Retry-After is Retryable until that date`` ()
            }
            testTask "400 is a Failure" { do! ``400 is a Failure`` () }
            testTask "gzip compression sends a gzip body the receiver can decode" {
                do! ``gzip compression sends a gzip body the receiver can decode`` ()
            }
            testTask "http/json posts OTLP/JSON" { do! ``http/json posts OTLP/JSON`` () }
            testTask "connection refused is Retryable" { do! ``connection refused is Retryable`` () }
            testTask "an export that starts while an abandoned one is still sending does not overwrite its body" {
                do! ``an export that starts while an abandoned one is still sending does not overwrite its body`` ()
            }
            testTask "a connection reset while the response body is read is Retryable, over HTTP/1.1 and gRPC" {
                do! ``a connection reset while the response body is read is Retryable, over HTTP/1.1 and gRPC`` ()
            }
            testTask "a request exceeding the timeout is Retryable" {
                do! ``a request exceeding the timeout is Retryable`` ()
            }
            testTask "partial success is reported on the event source without retrying and without header values" {
                do! ``partial success is reported on the event source without retrying and without header values`` ()
            }
            testTask "a partial success is read from a body with a Content-Length, and an empty body is not an error" {
                do!
                    ``a partial success is read from a body with a Content-Length, and an empty body is not an error`` ()
            }
            testTask "after a timed-out request the next one gets a whole timeout of its own" {
                do! ``after a timed-out request the next one gets a whole timeout of its own`` ()
            }
            testTask "an export cancelled by the caller is Retryable, and the next export succeeds" {
                do! ``an export cancelled by the caller is Retryable, and the next export succeeds`` ()
            }
            testTask "concurrent sends on one transport each complete with their own body" {
                do! ``concurrent sends on one transport each complete with their own body`` ()
            }
            testTask
                "a batch bigger than the exporter's first buffer, over several scopes, is sent as the encoder writes it(protocol: \"HttpProtobuf\")" {
                do!
                    ``a batch bigger than the exporter's first buffer, over several scopes, is sent as the encoder writes it`` (
                        "HttpProtobuf"
                    )
            }
            testTask
                "a batch bigger than the exporter's first buffer, over several scopes, is sent as the encoder writes it(protocol: \"HttpJson\")" {
                do!
                    ``a batch bigger than the exporter's first buffer, over several scopes, is sent as the encoder writes it`` (
                        "HttpJson"
                    )
            }
            testTask
                "a batch bigger than the exporter's first buffer, over several scopes, is sent as the encoder writes it(protocol: \"Grpc\")" {
                do!
                    ``a batch bigger than the exporter's first buffer, over several scopes, is sent as the encoder writes it`` (
                        "Grpc"
                    )
            }
            testTask "a batch over MaxRequestBytes is split and an item that never fits is not sent but counted" {
                do! ``a batch over MaxRequestBytes is split and an item that never fits is not sent but counted`` ()
            }
            testTask "a retry sends the batch again, and a reused array with new items is sent in full" {
                do! ``a retry sends the batch again, and a reused array with new items is sent in full`` ()
            }
            testTask "real span batches are split into requests no larger than MaxRequestBytes" {
                do! ``real span batches are split into requests no larger than MaxRequestBytes`` ()
            }
            testTask "grpc sends a framed request to the service path and succeeds on status 0" {
                do! ``grpc sends a framed request to the service path and succeeds on status 0`` ()
            }
            testTask "grpc gzip compresses the message and flags it" {
                do! ``grpc gzip compresses the message and flags it`` ()
            }
            testTask "grpc UNAVAILABLE in the trailers is Retryable" {
                do! ``grpc UNAVAILABLE in the trailers is Retryable`` ()
            }
            testTask "grpc trailers-only INVALID_ARGUMENT is a Failure" {
                do! ``grpc trailers-only INVALID_ARGUMENT is a Failure`` ()
            }
            testTask "grpc RESOURCE_EXHAUSTED is Retryable with RetryInfo's delay, and a Failure without RetryInfo" {
                do! ``grpc RESOURCE_EXHAUSTED is Retryable with RetryInfo's delay, and a Failure without RetryInfo`` ()
            }
            testTask "grpc partial success in the response message is reported" {
                do! ``grpc partial success in the response message is reported`` ()
            }
            testTask "https with a private CA and a client certificate (mutual TLS)" {
                do! ``https with a private CA and a client certificate (mutual TLS)`` ()
            }
            testTask "grpc over TLS with a private CA and a client certificate" {
                do! ``grpc over TLS with a private CA and a client certificate`` ()
            }
            testTask "a server certificate from an untrusted CA is refused (Retryable, nothing received)" {
                do! ``a server certificate from an untrusted CA is refused (Retryable, nothing received)`` ()
            }
            testTask "a configured CA that did not issue the server certificate is refused" {
                do! ``a configured CA that did not issue the server certificate is refused`` ()
            }
            testTask "http/json partial success is read from the JSON response" {
                do! ``http/json partial success is read from the JSON response`` ()
            }
            testTask "a long peer message is redacted before it is cut" {
                do! ``a long peer message is redacted before it is cut`` ()
            }
            testPropertyWithConfig
                (Check.configWith 2000)
                "response readers never throw on arbitrary bytes"
                (``response readers never throw on arbitrary bytes`` (): FsCheck.Property)
            testTask "traces, metrics and logs reach the endpoint named by the environment over OTLP" {
                do! ``traces, metrics and logs reach the endpoint named by the environment over OTLP`` ()
            }
            test "an OTLP endpoint set in code that is not http or https is an error when the SDK starts" {
                ``an OTLP endpoint set in code that is not http or https is an error when the SDK starts`` ()
            }
            testTask "the default histogram aggregation variable makes OTLP metric histograms exponential" {
                do! ``the default histogram aggregation variable makes OTLP metric histograms exponential`` ()
            }
            testTask "a 503 with Retry-After is retried by the pipeline and the spans arrive once" {
                do! ``a 503 with Retry-After is retried by the pipeline and the spans arrive once`` ()
            }
            testTask "gRPC UNAVAILABLE is retried with backoff and the span is exported once" {
                do! ``gRPC UNAVAILABLE is retried with backoff and the span is exported once`` ()
            }
            testTask "gRPC INVALID_ARGUMENT is not retried and is counted as failed" {
                do! ``gRPC INVALID_ARGUMENT is not retried and is counted as failed`` ()
            }
            testTask
                "without an export store, retries stop at the export deadline when the collector is slow and keeps answering UNAVAILABLE" {
                do!
                    ``without an export store, retries stop at the export deadline when the collector is slow and keeps answering UNAVAILABLE`` ()
            }
            testTask
                "every OTLP request carries a User-Agent naming the SDK and its version, over http/protobuf, http/json and grpc" {
                do!
                    ``every OTLP request carries a User-Agent naming the SDK and its version, over http/protobuf, http/json and grpc`` ()
            }
            testTask
                "headers from the environment that HttpClient cannot send are dropped and the exporter sends with the good ones" {
                do!
                    ``headers from the environment that HttpClient cannot send are dropped and the exporter sends with the good ones`` ()
            }
        ]
