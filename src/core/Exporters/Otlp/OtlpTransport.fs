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
open System.Text.Json
open System.Threading
open System.Threading.Tasks

type OtlpPartialSuccess = { RejectedCount: int64; ErrorMessage: string }

/// Just enough of a protobuf reader for OTLP responses and google.rpc.Status: varints and length-delimited
/// fields; anything malformed gives None.
module internal ProtoReader =
    let tryReadVarint (data: byte array) (position: int) : (uint64 * int) option =
        let rec loop (value: uint64) shift index =
            if index >= data.Length || shift > 63 then
                None
            else
                let b = data.[index]
                let value = value ||| (uint64 (b &&& 0x7Fuy) <<< shift)

                if b &&& 0x80uy = 0uy then
                    Some(value, index + 1)
                else
                    loop value (shift + 7) (index + 1)

        loop 0UL 0 position

    /// A field's value: Varint, Bytes (length-delimited) or Skipped (fixed32/fixed64).
    type FieldValue =
        | Varint of uint64
        | Bytes of byte array
        | Skipped

    /// All fields of a message, in order, or None when malformed.
    let tryReadFields (data: byte array) : (int * FieldValue) list option =
        let rec loop position acc =
            if position = data.Length then
                Some(List.rev acc)
            else
                match tryReadVarint data position with
                | None -> None
                | Some(key, next) ->
                    let field = int (key >>> 3)

                    match int (key &&& 7UL) with
                    | 0 ->
                        match tryReadVarint data next with
                        | Some(v, after) -> loop after ((field, Varint v) :: acc)
                        | None -> None
                    | 1 when next + 8 <= data.Length -> loop (next + 8) ((field, Skipped) :: acc)
                    | 5 when next + 4 <= data.Length -> loop (next + 4) ((field, Skipped) :: acc)
                    | 2 ->
                        match tryReadVarint data next with
                        | Some(length, start) when length <= uint64 (data.Length - start) ->
                            let length = int length
                            loop (start + length) ((field, Bytes(data.AsSpan(start, length).ToArray())) :: acc)
                        | _ -> None
                    | _ -> None

        if isNull data then None else loop 0 []

[<RequireQualifiedAccess>]
module OtlpResponse =
    [<CompiledName("ParseRetryAfter")>]
    let parseRetryAfter (now: DateTimeOffset) (value: string) =
        if String.IsNullOrWhiteSpace value then
            None
        else
            let text = value.Trim()

            match Int64.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture) with
            | true, seconds when seconds <= int64 (TimeSpan.MaxValue.TotalSeconds) ->
                Some(TimeSpan.FromSeconds(float seconds))
            | true, _ -> None
            | _ ->
                match
                    DateTimeOffset.TryParse(
                        text,
                        CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal ||| DateTimeStyles.AllowWhiteSpaces
                    )
                with
                | true, date -> Some(if date > now then date - now else TimeSpan.Zero)
                | _ -> None

    [<CompiledName("ClassifyHttp")>]
    let classifyHttp (status: int) (retryAfter: TimeSpan option) =
        if status >= 200 && status < 300 then
            ExportResult.Success
        else
            match status with
            | 429
            | 502
            | 503
            | 504 -> ExportResult.Retryable($"HTTP {status}", retryAfter)
            | _ -> ExportResult.Failure $"HTTP {status}"

    let private grpcCodeName code =
        match code with
        | 0 -> "OK"
        | 1 -> "CANCELLED"
        | 2 -> "UNKNOWN"
        | 3 -> "INVALID_ARGUMENT"
        | 4 -> "DEADLINE_EXCEEDED"
        | 5 -> "NOT_FOUND"
        | 6 -> "ALREADY_EXISTS"
        | 7 -> "PERMISSION_DENIED"
        | 8 -> "RESOURCE_EXHAUSTED"
        | 9 -> "FAILED_PRECONDITION"
        | 10 -> "ABORTED"
        | 11 -> "OUT_OF_RANGE"
        | 12 -> "UNIMPLEMENTED"
        | 13 -> "INTERNAL"
        | 14 -> "UNAVAILABLE"
        | 15 -> "DATA_LOSS"
        | 16 -> "UNAUTHENTICATED"
        | _ -> "UNKNOWN_CODE"

    let private tryDuration (bytes: byte array) =
        ProtoReader.tryReadFields bytes
        |> Option.bind (fun fields ->
            let seconds =
                fields
                |> List.tryPick (function
                    | 1, ProtoReader.Varint v -> Some(int64 v)
                    | _ -> None)
                |> Option.defaultValue 0L

            let nanos =
                fields
                |> List.tryPick (function
                    | 2, ProtoReader.Varint v -> Some(int64 (int32 v))
                    | _ -> None)
                |> Option.defaultValue 0L

            if seconds < 0L || nanos < 0L || seconds > 315_576_000_000L then
                None
            else
                Some(TimeSpan.FromSeconds(float seconds) + TimeSpan.FromTicks(nanos / 100L)))

    [<CompiledName("TryReadRetryDelay")>]
    let tryReadRetryDelay (statusDetails: byte array) =
        ProtoReader.tryReadFields statusDetails
        |> Option.bind (fun status ->
            status
            |> List.tryPick (fun field ->
                match field with
                | 3, ProtoReader.Bytes any ->
                    ProtoReader.tryReadFields any
                    |> Option.bind (fun anyFields ->
                        let typeUrl =
                            anyFields
                            |> List.tryPick (function
                                | 1, ProtoReader.Bytes b -> Some(Encoding.UTF8.GetString b)
                                | _ -> None)

                        match typeUrl with
                        | Some url when url.EndsWith("google.rpc.RetryInfo", StringComparison.Ordinal) ->
                            let retryInfo =
                                anyFields
                                |> List.tryPick (function
                                    | 2, ProtoReader.Bytes b -> Some b
                                    | _ -> None)
                                |> Option.defaultValue [||]

                            ProtoReader.tryReadFields retryInfo
                            |> Option.bind (fun infoFields ->
                                match
                                    infoFields
                                    |> List.tryPick (function
                                        | 1, ProtoReader.Bytes b -> Some b
                                        | _ -> None)
                                with
                                | Some duration -> tryDuration duration
                                | None -> Some TimeSpan.Zero)
                        | _ -> None)
                | _ -> None))

    [<CompiledName("ClassifyGrpc")>]
    let classifyGrpc (status: int) (statusDetails: byte array option) =
        let reason = $"gRPC status {status} ({grpcCodeName status})"

        match status with
        | 0 -> ExportResult.Success
        | 1
        | 4
        | 10
        | 11
        | 14
        | 15 -> ExportResult.Retryable(reason, None)
        | 8 ->
            match statusDetails |> Option.bind tryReadRetryDelay with
            | Some delay -> ExportResult.Retryable(reason, Some delay)
            | None -> ExportResult.Failure reason
        | _ -> ExportResult.Failure reason

    let private nonEmpty (partial: OtlpPartialSuccess) =
        if partial.RejectedCount <> 0L || partial.ErrorMessage <> "" then
            Some partial
        else
            None

    [<CompiledName("TryReadPartialSuccessProtobuf")>]
    let tryReadPartialSuccessProtobuf (body: byte array) =
        ProtoReader.tryReadFields body
        |> Option.bind (
            List.tryPick (function
                | 1, ProtoReader.Bytes b -> Some b
                | _ -> None)
        )
        |> Option.bind ProtoReader.tryReadFields
        |> Option.bind (fun fields ->
            let rejected =
                fields
                |> List.tryPick (function
                    | 1, ProtoReader.Varint v -> Some(int64 v)
                    | _ -> None)
                |> Option.defaultValue 0L

            let message =
                fields
                |> List.tryPick (function
                    | 2, ProtoReader.Bytes b -> Some(Encoding.UTF8.GetString b)
                    | _ -> None)
                |> Option.defaultValue ""

            nonEmpty { RejectedCount = rejected; ErrorMessage = message })

    let private tryJsonInt64 (element: JsonElement) =
        match element.ValueKind with
        | JsonValueKind.Number ->
            match element.TryGetInt64() with
            | true, v -> Some v
            | _ -> None
        | JsonValueKind.String ->
            match Int64.TryParse(element.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
            | true, v -> Some v
            | _ -> None
        | _ -> None

    [<CompiledName("TryReadPartialSuccessJson")>]
    let tryReadPartialSuccessJson (body: byte array) =
        if isNull body || body.Length = 0 then
            None
        else
            try
                use document = JsonDocument.Parse(ReadOnlyMemory body)
                let root = document.RootElement

                match root.ValueKind with
                | JsonValueKind.Object ->
                    match root.TryGetProperty "partialSuccess" with
                    | true, partial when partial.ValueKind = JsonValueKind.Object ->
                        let rejected =
                            [ "rejectedSpans"; "rejectedDataPoints"; "rejectedLogRecords" ]
                            |> List.tryPick (fun key ->
                                match partial.TryGetProperty key with
                                | true, v -> tryJsonInt64 v
                                | _ -> None)
                            |> Option.defaultValue 0L

                        let message =
                            match partial.TryGetProperty "errorMessage" with
                            | true, v when v.ValueKind = JsonValueKind.String -> v.GetString()
                            | _ -> ""

                        nonEmpty { RejectedCount = rejected; ErrorMessage = message }
                    | _ -> None
                | _ -> None
            with :? JsonException ->
                None

    [<CompiledName("FrameGrpc")>]
    let frameGrpc (compressed: bool) (message: ReadOnlySpan<byte>) =
        let framed = Array.zeroCreate (5 + message.Length)
        framed.[0] <- if compressed then 1uy else 0uy
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1, 4), uint32 message.Length)
        message.CopyTo(framed.AsSpan 5)
        framed

    [<CompiledName("TryUnframeGrpc")>]
    let tryUnframeGrpc (body: byte array) =
        if isNull body || body.Length < 5 then
            None
        else
            let length = BinaryPrimitives.ReadUInt32BigEndian(ReadOnlySpan(body, 1, 4))

            if uint64 length > uint64 (body.Length - 5) then
                None
            else
                Some(body.[0] = 1uy, body.AsSpan(5, int length).ToArray())

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

    /// Replaces every configured header value in a peer's text (a peer may echo what it was sent).
    let redact (headers: (string * string) list) (text: string) =
        let text = if isNull text then "" else text

        // Replace before truncating, so a cut never leaves a prefix of a secret behind.
        let redacted =
            headers
            |> List.fold
                (fun (acc: string) (_, value) ->
                    if String.IsNullOrEmpty value then
                        acc
                    else
                        acc.Replace(value, "[redacted]", StringComparison.Ordinal))
                text

        if redacted.Length > 256 then
            redacted.Substring(0, 256) + "..."
        else
            redacted

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

    let decodeBase64 (text: string) =
        let trimmed = text.Trim()
        let padded = trimmed.PadRight(trimmed.Length + (4 - trimmed.Length % 4) % 4, '=')

        try
            Some(Convert.FromBase64String padded)
        with _ ->
            None

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

[<Sealed>]
type OtlpTransport(signal: OtlpSignal, options: OtlpOptions, handler: HttpMessageHandler) =
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
            try
                TelemetryEventSource.Log.PartialSuccess(
                    OtlpOptions.signalPath signal,
                    name,
                    p.RejectedCount,
                    OtlpHttp.redact options.Headers p.ErrorMessage
                )
            with _ ->
                ()
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
            let details = header "grpc-status-details-bin" |> Option.bind OtlpHttp.decodeBase64

            let serverMessage =
                header "grpc-message"
                |> Option.map (fun m ->
                    try
                        Uri.UnescapeDataString m
                    with _ ->
                        m)
                |> Option.map (OtlpHttp.redact options.Headers)

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

    new(signal, options) = new OtlpTransport(signal, options, OtlpHttp.createHandler options)

    member _.Name = name

    member _.Endpoint = requestUri

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
                    return ExportResult.Retryable("export cancelled", None)
                | :? OperationCanceledException ->
                    return
                        ExportResult.Retryable(
                            $"request timed out after {int64 options.Timeout.TotalMilliseconds} ms",
                            None
                        )
                | :? HttpRequestException as e ->
                    return ExportResult.Retryable($"request failed ({e.HttpRequestError})", None)
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
