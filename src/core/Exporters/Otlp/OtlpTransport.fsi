namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Net.Http
open System.Threading
open System.Threading.Tasks

/// A partial success reported by the peer: it accepted the request but rejected some items.
type OtlpPartialSuccess =
    {
        /// Items the peer rejected (spans, data points or log records).
        RejectedCount: int64
        /// The peer's explanation (may be empty).
        ErrorMessage: string
    }

/// Pure reading of OTLP responses: status classification, Retry-After, partial success, gRPC RetryInfo.
/// Every function is total: malformed input gives None (or a Failure), never an exception.
[<RequireQualifiedAccess>]
module OtlpResponse =
    /// Parses a Retry-After value: delay seconds, or an HTTP date (relative to `now`; a past date gives zero).
    [<CompiledName("ParseRetryAfter")>]
    val parseRetryAfter: now: DateTimeOffset -> value: string -> TimeSpan option

    /// Classifies an HTTP status: 2xx Success; 429, 502, 503, 504 Retryable (after `retryAfter`); others Failure.
    [<CompiledName("ClassifyHttp")>]
    val classifyHttp: status: int -> retryAfter: TimeSpan option -> ExportResult

    /// Classifies a gRPC status code: 0 Success; 1, 4, 10, 11, 14, 15 Retryable; 8 (RESOURCE_EXHAUSTED) Retryable
    /// only when the `grpc-status-details-bin` bytes carry a google.rpc.RetryInfo; others Failure.
    /// The reason names the code; the server's message is not included (it may echo request content).
    [<CompiledName("ClassifyGrpc")>]
    val classifyGrpc: status: int -> statusDetails: byte array option -> ExportResult

    /// Reads the retry delay of a google.rpc.RetryInfo inside a serialized google.rpc.Status.
    [<CompiledName("TryReadRetryDelay")>]
    val tryReadRetryDelay: statusDetails: byte array -> TimeSpan option

    /// Reads `partial_success` (field 1: rejected count = field 1, error_message = field 2) of a protobuf
    /// Export*ServiceResponse; None when absent, empty or malformed.
    [<CompiledName("TryReadPartialSuccessProtobuf")>]
    val tryReadPartialSuccessProtobuf: body: byte array -> OtlpPartialSuccess option

    /// Reads `partialSuccess` of an OTLP/JSON Export*ServiceResponse (`rejectedSpans`, `rejectedDataPoints` or
    /// `rejectedLogRecords`, as a number or a string, and `errorMessage`); None when absent, empty or malformed.
    [<CompiledName("TryReadPartialSuccessJson")>]
    val tryReadPartialSuccessJson: body: byte array -> OtlpPartialSuccess option

    /// Frames a gRPC message: compressed-flag byte, big-endian uint32 length, then the message.
    [<CompiledName("FrameGrpc")>]
    val frameGrpc: compressed: bool -> message: ReadOnlySpan<byte> -> byte array

    /// Reads the first gRPC message of a response body: (compressed flag, message); None when truncated.
    [<CompiledName("TryUnframeGrpc")>]
    val tryUnframeGrpc: body: byte array -> (bool * byte array) option

/// Sends encoded OTLP request bodies over OTLP/HTTP or OTLP/gRPC (HTTP/2 through HttpClient) and classifies the
/// outcome. A partial success is reported on the self-diagnostics event source (PartialSuccess, with the signal
/// name, `traces`, `metrics` or `logs`, as the pipeline). Header values never appear in results or diagnostics:
/// a peer's message that echoes one has it replaced by `[redacted]`. Connection failures and timeouts are
/// Retryable. The constructors validate the options (ArgumentException).
[<Sealed>]
type OtlpTransport =
    /// A transport over its own SocketsHttpHandler (with the configured CA and client certificates).
    new: signal: OtlpSignal * options: OtlpOptions -> OtlpTransport

    /// A transport over the given handler (tests); the transport disposes it.
    new: signal: OtlpSignal * options: OtlpOptions * handler: HttpMessageHandler -> OtlpTransport

    /// `otlp-grpc`, `otlp-http-protobuf` or `otlp-http-json`.
    member Name: string

    /// The URL requests go to.
    member Endpoint: Uri

    /// Sends one encoded request (an uncompressed Export*ServiceRequest) within the configured timeout.
    member Send: body: ReadOnlyMemory<byte> * cancellationToken: CancellationToken -> Task<ExportResult>

    interface IDisposable
