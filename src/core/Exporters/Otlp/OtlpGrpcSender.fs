namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Net.Http
open System.Net.Sockets
open System.Threading
open System.Threading.Tasks
open Grpc.Core

/// Sends encoded OTLP requests as unary gRPC calls on a Grpc.Net.Client channel and classifies the outcome: the
/// status, trailers and google.rpc.RetryInfo come from the library (RpcException, Grpc.StatusProto); the
/// deadline is the configured timeout. A partial success goes to `report`. Options are validated by the
/// transport.
[<Sealed>]
type internal OtlpGrpcSender
    (
        signal: OtlpSignal,
        options: OtlpOptions,
        endpoint: Uri,
        handler: HttpMessageHandler,
        report: OtlpPartialSuccess option -> unit
    ) =
    let channel = OtlpGrpc.createChannel options (OtlpGrpc.target options endpoint) handler
    let invoker = channel.CreateCallInvoker()
    let exportMethod = OtlpGrpc.exportMethod signal endpoint
    let headers = OtlpGrpc.callHeaders options

    // A call that never got an answer: the HTTP request failed (refused, reset, a protocol error) or no
    // connection could be made (Grpc.Net.Client's load balancer reports the socket's error).
    let rec connectionFailure (error: exn) =
        match error with
        | null -> None
        | :? HttpRequestException as e -> Some(OtlpHttp.requestFailed e)
        | :? SocketException as e ->
            Some(ExportReasons.unreachable $"request failed (ConnectionError, {e.SocketErrorCode})")
        | e -> connectionFailure e.InnerException

    let classify (error: RpcException) (deadline: DateTime) (cancellationToken: CancellationToken) =
        match error.StatusCode with
        | StatusCode.Cancelled when cancellationToken.IsCancellationRequested ->
            ExportResult.Retryable("export cancelled", Nullable())
        // The call's own deadline (a collector's DEADLINE_EXCEEDED before it is classified as one below).
        | StatusCode.DeadlineExceeded when DateTime.UtcNow >= deadline ->
            ExportResult.Retryable($"request timed out after {int64 options.Timeout.TotalMilliseconds} ms", Nullable())
        | code ->
            // The library's own status for a request that failed below gRPC: UNAVAILABLE for socket, I/O and TLS
            // errors, INTERNAL for other HTTP failures (an HTTP/2 protocol error); retried as over HTTP.
            match
                (if code = StatusCode.Unavailable || code = StatusCode.Internal then
                     connectionFailure error.Status.DebugException
                 else
                     None)
            with
            | Some failure -> ExportResult.Retryable(failure, Nullable())
            | None ->
                // The collector's grpc-message (or the library's account of a bad answer), never a header value.
                let message = OtlpResponse.redact options.Headers error.Status.Detail
                let retryDelay = OtlpResponse.retryDelay error.Trailers

                match OtlpResponse.classifyGrpc (int code) retryDelay with
                | ExportResult.Failure reason when message <> "" -> ExportResult.Failure $"{reason}: {message}"
                | ExportResult.Retryable(reason, delay) when message <> "" ->
                    ExportResult.Retryable($"{reason}: {message}", delay)
                | result -> result

    /// Sends one encoded request (an uncompressed Export*ServiceRequest) within the configured timeout.
    member _.Send(body: ReadOnlyMemory<byte>, cancellationToken: CancellationToken) : Task<ExportResult> =
        task {
            let deadline = DateTime.UtcNow + options.Timeout

            try
                use call =
                    invoker.AsyncUnaryCall(
                        exportMethod,
                        null,
                        CallOptions(headers, Nullable deadline, cancellationToken),
                        OtlpGrpcRequest body
                    )

                let! response = call.ResponseAsync
                report response.PartialSuccess
                return ExportResult.Success
            with :? RpcException as e ->
                return classify e deadline cancellationToken
        }

    interface IOtlpSender with
        member this.Send(body, cancellationToken) = this.Send(body, cancellationToken)

    interface IDisposable with
        member _.Dispose() = channel.Dispose()
