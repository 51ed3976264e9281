namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers.Binary
open System.Globalization
open System.IO
open System.IO.Compression
open System.Net.Http
open System.Net.Http.Headers
open System.Net.Security
open System.Security.Cryptography.X509Certificates
open System.Text
open System.Threading
open System.Threading.Tasks

/// The HTTP plumbing of the transport: gzip, the handler and its certificates, reading response headers.
module internal OtlpHttp =
    let gzip (data: ReadOnlySpan<byte>) =
        use output = new MemoryStream()

        do
            use compressor = new GZipStream(output, CompressionLevel.Fastest, true)
            compressor.Write data

        output.ToArray()

    let gunzip (data: byte array) =
        try
            use input = new MemoryStream(data)
            use decompressor = new GZipStream(input, CompressionMode.Decompress)
            use output = new MemoryStream()
            decompressor.CopyTo output
            Some(output.ToArray())
        with _ ->
            None

    let private loadCertificates (options: OtlpOptions) (handler: SocketsHttpHandler) =
        match options.CertificatePath with
        | None -> ()
        | Some path ->
            try
                let trusted = X509Certificate2Collection()
                trusted.ImportFromPemFile path

                // Trust exactly the configured CA; name mismatches and missing certificates still fail.
                handler.SslOptions.RemoteCertificateValidationCallback <-
                    RemoteCertificateValidationCallback(fun _ certificate _ errors ->
                        if isNull certificate then
                            false
                        elif errors.HasFlag SslPolicyErrors.RemoteCertificateNameMismatch then
                            false
                        else
                            use chain = new X509Chain()
                            chain.ChainPolicy.TrustMode <- X509ChainTrustMode.CustomRootTrust
                            chain.ChainPolicy.RevocationMode <- X509RevocationMode.NoCheck
                            chain.ChainPolicy.CustomTrustStore.AddRange trusted

                            let leaf =
                                match certificate with
                                | :? X509Certificate2 as c -> c
                                | c -> X509CertificateLoader.LoadCertificate(c.GetRawCertData())

                            chain.Build leaf)
            with e ->
                SelfDiagnostics.error "otlp" $"could not load the CA certificate file {path}: {e.GetType().Name}"

        match options.ClientCertificatePath, options.ClientKeyPath with
        | Some certificatePath, keyPath ->
            try
                let certificate =
                    match keyPath with
                    | Some key -> X509Certificate2.CreateFromPemFile(certificatePath, key)
                    | None -> X509Certificate2.CreateFromPemFile certificatePath

                handler.SslOptions.ClientCertificates <- X509CertificateCollection([| certificate :> X509Certificate |])
            with e ->
                SelfDiagnostics.error
                    "otlp"
                    $"could not load the client certificate {certificatePath}: {e.GetType().Name}"
        | None, Some _ ->
            SelfDiagnostics.warning "otlp" "a client key is configured without a client certificate; ignored"
        | None, None -> ()

    let createHandler (options: OtlpOptions) : HttpMessageHandler =
        let handler =
            new SocketsHttpHandler(
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes 1.,
                AutomaticDecompression = Net.DecompressionMethods.None
            )

        loadCertificates options handler
        handler

    /// The first value of a header, as received (no parsing; no enumerator for a header that has one value).
    let firstHeader (headers: HttpHeaders) (name: string) =
        if isNull headers then
            None
        else
            match headers.NonValidated.TryGetValues name with
            | true, values when values.Count > 0 ->
                let mutable enumerator = values.GetEnumerator()

                if enumerator.MoveNext() then
                    Some enumerator.Current
                else
                    None
            | _ -> None

/// A gRPC request body: the 5-byte prefix (compressed flag, big-endian length), then the message, written
/// straight from the encoder's buffer (no framed copy of the message).
[<Sealed>]
type internal GrpcFrameContent(message: ReadOnlyMemory<byte>, compressed: bool) =
    inherit HttpContent()

    let prefix =
        let bytes = Array.zeroCreate<byte> 5
        bytes[0] <- if compressed then 1uy else 0uy
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1, 4), uint32 message.Length)
        bytes

    override _.SerializeToStreamAsync(stream: IO.Stream, _: Net.TransportContext) =
        task {
            do! stream.WriteAsync(ReadOnlyMemory prefix)
            do! stream.WriteAsync(message)
        }
        :> Threading.Tasks.Task

    override _.TryComputeLength(length: int64 byref) =
        length <- int64 (5 + message.Length)
        true

/// Sends encoded OTLP request bodies over OTLP/HTTP or OTLP/gRPC (HTTP/2 through HttpClient) and classifies the
/// outcome. A partial success is reported on the self-diagnostics event source (PartialSuccess, with the signal
/// name, `traces`, `metrics` or `logs`, as the pipeline). Header values never appear in results or diagnostics:
/// a peer's message that echoes one has it replaced by `[redacted]`. Connection failures and timeouts are
/// Retryable. The constructors validate the options (ArgumentException); this one takes the handler to send
/// through (tests), which the transport disposes.
[<Sealed>]
type internal OtlpTransport(signal: OtlpSignal, options: OtlpOptions, handler: HttpMessageHandler) =
    let options = Validation.orThrow (nameof options) (OtlpOptions.validate options)
    let endpoint = OtlpOptions.resolveEndpoint signal options
    // Requests go straight to the handler: HttpClient would add a CancellationTokenSource of its own to every
    // request (linking the caller's token with its own pending-requests token) and buffer every response body,
    // and the transport needs neither (it has its own timeout, and reads a body only when it has a use for it).
    let invoker = new HttpMessageInvoker(handler, true)
    let isGrpc = options.Protocol = OtlpProtocol.Grpc
    let compress = options.Compression = OtlpCompression.Gzip

    let name =
        match options.Protocol with
        | OtlpProtocol.Grpc -> "otlp-grpc"
        | OtlpProtocol.HttpProtobuf -> "otlp-http-protobuf"
        | OtlpProtocol.HttpJson -> "otlp-http-json"

    let requestUri =
        if isGrpc then
            let service =
                match signal with
                | OtlpSignal.Traces -> "trace.v1.TraceService"
                | OtlpSignal.Metrics -> "metrics.v1.MetricsService"
                | OtlpSignal.Logs -> "logs.v1.LogsService"

            let builder = UriBuilder endpoint
            builder.Path <- builder.Path.TrimEnd('/') + $"/opentelemetry.proto.collector.{service}/Export"
            builder.Uri
        else
            endpoint

    // Where requests go, as diagnostics show it (no user info, query or fragment).
    let destination = SelfDiagnostics.displayUrl requestUri

    // One parsed value for every request (requests only read it).
    let contentType =
        match options.Protocol with
        | OtlpProtocol.Grpc -> "application/grpc"
        | OtlpProtocol.HttpProtobuf -> "application/x-protobuf"
        | OtlpProtocol.HttpJson -> "application/json"
        |> MediaTypeHeaderValue

    // The timeout's CancellationTokenSource, kept for the next request when it neither fired nor was cancelled
    // (`TryReset`); a send that finds none (the first, or one running alongside another) makes its own.
    let mutable spareTimeout: CancellationTokenSource = null

    let takeTimeout () =
        match Interlocked.Exchange(&spareTimeout, null) with
        | null -> new CancellationTokenSource()
        | spare -> spare

    // Called once the request is over and the caller's token no longer reaches `timeout`.
    let giveBackTimeout (timeout: CancellationTokenSource) =
        if
            not (timeout.TryReset())
            || not (isNull (Interlocked.CompareExchange(&spareTimeout, timeout, null)))
        then
            timeout.Dispose()

    static let cancelTimeout = Action<obj>(fun state -> (state :?> CancellationTokenSource).Cancel())

    let reportPartial (partial: OtlpPartialSuccess option) =
        match partial with
        | Some p ->
            SelfDiagnostics.partialSuccess
                (OtlpOptions.signalPath signal)
                name
                destination
                p.RejectedCount
                (OtlpResponse.redact options.Headers p.ErrorMessage)
        | None -> ()

    let buildRequest (body: ReadOnlyMemory<byte>) =
        let request = new HttpRequestMessage(HttpMethod.Post, requestUri)

        let content: HttpContent =
            if isGrpc then
                let message =
                    if compress then
                        ReadOnlyMemory(OtlpHttp.gzip body.Span)
                    else
                        body

                new GrpcFrameContent(message, compress)
            elif compress then
                let content = new ByteArrayContent(OtlpHttp.gzip body.Span)
                content.Headers.ContentEncoding.Add "gzip"
                content
            else
                new ReadOnlyMemoryContent(body)

        content.Headers.ContentType <- contentType
        request.Content <- content

        if isGrpc then
            request.Version <- Net.HttpVersion.Version20
            request.VersionPolicy <- HttpVersionPolicy.RequestVersionExact
            request.Headers.TryAddWithoutValidation("te", "trailers") |> ignore

            if compress then
                request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip") |> ignore

        for key, value in options.Headers do
            if not (request.Headers.TryAddWithoutValidation(key, value)) then
                content.Headers.TryAddWithoutValidation(key, value) |> ignore

        request

    let handleHttp (response: HttpResponseMessage) (responseBody: byte array) =
        let status = int response.StatusCode

        if status >= 200 && status < 300 then
            match options.Protocol with
            | OtlpProtocol.HttpJson -> OtlpResponse.tryReadPartialSuccessJson responseBody
            | _ -> OtlpResponse.tryReadPartialSuccessProtobuf responseBody
            |> reportPartial

            ExportResult.Success
        else
            let retryAfter =
                OtlpHttp.firstHeader response.Headers "Retry-After"
                |> Option.bind (OtlpResponse.parseRetryAfter DateTimeOffset.UtcNow)

            OtlpResponse.classifyHttp status retryAfter

    let handleGrpc (response: HttpResponseMessage) (responseBody: byte array) =
        let header name =
            OtlpHttp.firstHeader response.TrailingHeaders name
            |> Option.orElse (OtlpHttp.firstHeader response.Headers name)

        match
            header "grpc-status"
            |> Option.map (fun s -> Int32.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture))
        with
        | Some(true, 0) ->
            match OtlpResponse.tryUnframeGrpc responseBody with
            | Some(false, message) -> OtlpResponse.tryReadPartialSuccessProtobuf message
            | Some(true, message) ->
                OtlpHttp.gunzip message
                |> Option.bind OtlpResponse.tryReadPartialSuccessProtobuf
            | None -> None
            |> reportPartial

            ExportResult.Success
        | Some(true, code) ->
            let details = header "grpc-status-details-bin" |> Option.bind OtlpResponse.decodeBase64

            let serverMessage =
                header "grpc-message"
                |> Option.map (fun m ->
                    try
                        Uri.UnescapeDataString m
                    with _ ->
                        m)
                |> Option.map (OtlpResponse.redact options.Headers)

            match OtlpResponse.classifyGrpc code details, serverMessage with
            | ExportResult.Failure reason, Some m when m <> "" -> ExportResult.Failure $"{reason}: {m}"
            | ExportResult.Retryable(reason, delay), Some m when m <> "" ->
                ExportResult.Retryable($"{reason}: {m}", delay)
            | result, _ -> result
        | _ ->
            let status = int response.StatusCode

            if status = 200 then
                ExportResult.Failure "gRPC response without a valid grpc-status"
            else
                OtlpResponse.classifyHttp status None

    /// A transport over its own SocketsHttpHandler (with the configured CA and client certificates).
    new(signal, options) = new OtlpTransport(signal, options, OtlpHttp.createHandler options)

    /// `otlp-grpc`, `otlp-http-protobuf` or `otlp-http-json`.
    member _.Name = name

    /// `<signal>;<content type>` of the requests it sends: what an export store checks before replaying a body.
    member _.RequestKind = $"{OtlpOptions.signalPath signal};{contentType.MediaType}"

    /// The URL requests go to.
    member _.Endpoint = requestUri

    /// The URL requests go to as diagnostics show it: scheme, host, port and path.
    member _.Destination = destination

    /// Sends one encoded request (an uncompressed Export*ServiceRequest) within the configured timeout.
    member _.Send(body: ReadOnlyMemory<byte>, cancellationToken: CancellationToken) : Task<ExportResult> =
        task {
            let timeout = takeTimeout ()
            timeout.CancelAfter options.Timeout

            // The caller's cancellation cancels the request too (the timeout source is then not reused).
            let link =
                if cancellationToken.CanBeCanceled then
                    cancellationToken.UnsafeRegister(cancelTimeout, timeout)
                else
                    new CancellationTokenRegistration()

            try
                try
                    use request = buildRequest body
                    use! response = invoker.SendAsync(request, timeout.Token)

                    // A body is read only when it has a use: gRPC's holds the message before the trailers (and
                    // the trailers come only after it); an HTTP success's may hold a partial success. An empty
                    // success body (Content-Length: 0) and an error's body are not read.
                    if isGrpc then
                        let! responseBody = response.Content.ReadAsByteArrayAsync(timeout.Token)
                        return handleGrpc response responseBody
                    elif
                        response.IsSuccessStatusCode
                        && response.Content.Headers.ContentLength <> Nullable 0L
                    then
                        let! responseBody = response.Content.ReadAsByteArrayAsync(timeout.Token)
                        return handleHttp response responseBody
                    else
                        return handleHttp response (Array.Empty<byte>())
                with
                | :? OperationCanceledException when cancellationToken.IsCancellationRequested ->
                    return ExportResult.Retryable("export cancelled", Nullable())
                | :? OperationCanceledException ->
                    return
                        ExportResult.Retryable(
                            $"request timed out after {int64 options.Timeout.TotalMilliseconds} ms",
                            Nullable()
                        )
                | :? HttpRequestException as e ->
                    // The socket's error says which connection failure it was (ConnectionRefused: nothing listens).
                    let cause =
                        match e.InnerException with
                        | :? Net.Sockets.SocketException as socket -> $", {socket.SocketErrorCode}"
                        | _ -> ""

                    let reason = $"request failed ({e.HttpRequestError}{cause})"

                    // No connection at all (refused, no route, no such name): the runner does not retry it at
                    // shutdown, and its export store takes the request at once.
                    match e.HttpRequestError with
                    | HttpRequestError.ConnectionError
                    | HttpRequestError.NameResolutionError ->
                        return ExportResult.Retryable(ExportReasons.unreachable reason, Nullable())
                    | _ -> return ExportResult.Retryable(reason, Nullable())
            finally
                // Unregistering waits for a cancellation callback that is running, so none can reach the
                // source once it is given back.
                link.Dispose()
                giveBackTimeout timeout
        }

    interface IDisposable with
        member _.Dispose() =
            invoker.Dispose()

            match Interlocked.Exchange(&spareTimeout, null) with
            | null -> ()
            | spare -> spare.Dispose()
