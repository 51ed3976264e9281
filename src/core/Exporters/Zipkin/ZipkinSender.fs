namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Net.Http
open System.Net.Http.Headers
open System.Threading
open System.Threading.Tasks

/// Posts encoded Zipkin JSON bodies to the endpoint through HttpClient's handler and classifies the answer as the
/// OTLP/HTTP exporter does: 2xx is Success; 429, 502, 503 and 504 are Retryable (after `Retry-After` when the
/// receiver sends one); a connection failure or the timeout is Retryable (a peer that cannot be reached at all is
/// marked unreachable, for the runner's shutdown and export store); any other status is a Failure.
[<Sealed>]
type internal ZipkinSender(options: ZipkinOptions, handler: HttpMessageHandler) =
    // Straight to the handler, as the OTLP/HTTP sender does (no per-request token source of HttpClient's own).
    let invoker = new HttpMessageInvoker(handler, true)
    let contentType = MediaTypeHeaderValue "application/json"
    let userAgent = $"Functional.Telemetry-dotnet/{Resource.sdkVersion}"

    static let cancelTimeout = Action<obj>(fun state -> (state :?> CancellationTokenSource).Cancel())

    /// Sends one body within the timeout; the caller's token cancels it too.
    member _.Send(body: ReadOnlyMemory<byte>, cancellationToken: CancellationToken) : Task<ExportResult> =
        task {
            use timeout = new CancellationTokenSource(options.Timeout)

            use _link =
                if cancellationToken.CanBeCanceled then
                    cancellationToken.UnsafeRegister(cancelTimeout, timeout)
                else
                    new CancellationTokenRegistration()

            try
                use request = new HttpRequestMessage(HttpMethod.Post, options.Endpoint)
                let content = new ReadOnlyMemoryContent(body)
                content.Headers.ContentType <- contentType
                request.Content <- content
                request.Headers.TryAddWithoutValidation("User-Agent", userAgent) |> ignore
                use! response = invoker.SendAsync(request, timeout.Token)
                let status = int response.StatusCode

                let retryAfter =
                    if status >= 200 && status < 300 then
                        None
                    else
                        OtlpHttp.firstHeader response.Headers "Retry-After"
                        |> Option.bind (OtlpResponse.parseRetryAfter DateTimeOffset.UtcNow)

                return OtlpResponse.classifyHttp status retryAfter
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
        }

    interface IDisposable with
        member _.Dispose() = invoker.Dispose()
