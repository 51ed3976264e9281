namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Net.Http
open System.Net.Http.Headers
open System.Threading
open System.Threading.Tasks

/// What a transport sends through: OTLP/HTTP on HttpClient's handler, or OTLP/gRPC on Grpc.Net.Client.
type internal IOtlpSender =
    inherit IDisposable

    /// Sends one encoded Export*ServiceRequest (uncompressed) within the configured timeout.
    abstract Send: body: ReadOnlyMemory<byte> * cancellationToken: CancellationToken -> Task<ExportResult>

/// Sends encoded OTLP/HTTP request bodies (protobuf or JSON) through HttpClient's handler and classifies the
/// answer; a partial success goes to `report`. Options are validated by the transport.
[<Sealed>]
type internal OtlpHttpSender
    (options: OtlpOptions, endpoint: Uri, handler: HttpMessageHandler, report: OtlpPartialSuccess option -> unit) =
    // Requests go straight to the handler: HttpClient would add a CancellationTokenSource of its own to every
    // request (linking the caller's token with its own pending-requests token) and buffer every response body,
    // and the transport needs neither (it has its own timeout, and reads a body only when it has a use for it).
    let invoker = new HttpMessageInvoker(handler, true)

    // One parsed value for every request (requests only read it).
    let contentType =
        match options.Protocol with
        | OtlpProtocol.HttpJson -> "application/json"
        | _ -> "application/x-protobuf"
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

    let userAgent = OtlpHttp.userAgent options
    let extraHeaders = options.Headers |> List.filter (fst >> OtlpHttp.isUserAgent >> not)

    let buildRequest (body: ReadOnlyMemory<byte>) =
        let request = new HttpRequestMessage(HttpMethod.Post, endpoint)

        let content: HttpContent =
            match options.Compression with
            | OtlpCompression.None -> new ReadOnlyMemoryContent(body)
            | OtlpCompression.Gzip ->
                let content = new ByteArrayContent(OtlpHttp.gzip body.Span)
                content.Headers.ContentEncoding.Add "gzip"
                content
            | OtlpCompression.Zstd ->
                let content = new ByteArrayContent(OtlpZstd.compress body.Span)
                content.Headers.ContentEncoding.Add "zstd"
                content

        content.Headers.ContentType <- contentType
        request.Content <- content

        request.Headers.TryAddWithoutValidation("User-Agent", userAgent) |> ignore

        // Content headers the transport does not set (`content-language`, `expires`, ...) go on the content;
        // validation has refused those it sets.
        for key, value in extraHeaders do
            if not (request.Headers.TryAddWithoutValidation(key, value)) then
                content.Headers.TryAddWithoutValidation(key, value) |> ignore

        request

    let handleHttp (response: HttpResponseMessage) (responseBody: byte array) =
        let status = int response.StatusCode

        if status >= 200 && status < 300 then
            match options.Protocol with
            | OtlpProtocol.HttpJson -> OtlpResponse.tryReadPartialSuccessJson responseBody
            | _ -> OtlpResponse.tryReadPartialSuccessProtobuf responseBody
            |> report

            ExportResult.Success
        else
            let retryAfter =
                OtlpHttp.firstHeader response.Headers "Retry-After"
                |> Option.bind (OtlpResponse.parseRetryAfter DateTimeOffset.UtcNow)

            OtlpResponse.classifyHttp status retryAfter

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

                    // A body is read only when it has a use: a success's may hold a partial success. An empty
                    // success body (Content-Length: 0) and an error's body are not read.
                    if
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
                | :? HttpRequestException as e -> return ExportResult.Retryable(OtlpHttp.requestFailed e, Nullable())
            finally
                // Unregistering waits for a cancellation callback that is running, so none can reach the
                // source once it is given back.
                link.Dispose()
                giveBackTimeout timeout
        }

    interface IOtlpSender with
        member this.Send(body, cancellationToken) = this.Send(body, cancellationToken)

    interface IDisposable with
        member _.Dispose() =
            invoker.Dispose()

            match Interlocked.Exchange(&spareTimeout, null) with
            | null -> ()
            | spare -> spare.Dispose()
