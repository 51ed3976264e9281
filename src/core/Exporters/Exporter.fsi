namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading
open System.Threading.Tasks

/// The outcome of one export call.
[<RequireQualifiedAccess>]
type ExportResult =
    /// Everything was accepted.
    | Success
    /// Failed and must not be retried (bad request, authentication, a bug): the batch is counted as failed.
    | Failure of reason: string
    /// Failed transiently (unavailable, throttled, timed out): the runner retries with exponential backoff and
    /// full jitter within the export deadline, waiting at least `retryAfter` when the peer asked for it.
    | Retryable of reason: string * retryAfter: Nullable<TimeSpan>

    /// A transient failure to retry with backoff (for C# exporters: no F# option needed).
    static member RetryLater: reason: string -> ExportResult

    /// A transient failure to retry no sooner than `retryAfter` (a Retry-After header or RetryInfo).
    static member RetryAfter: reason: string * retryAfter: TimeSpan -> ExportResult

    /// A permanent failure: the batch is counted as failed and not retried (for C# exporters: no union case
    /// constructor needed).
    static member Failed: reason: string -> ExportResult

    /// A transient failure to retry with backoff, no sooner than `retryAfter` when it has a value (for C#
    /// exporters: `ExportResult.Retry("HTTP 503", retryAfter)` with a `TimeSpan?`).
    static member Retry: reason: string * retryAfter: Nullable<TimeSpan> -> ExportResult

/// What an exporter is handed: the items of one batch and the resource they came from.
type Batch<'T> =
    {
        /// The resource of the pipeline that produced the items.
        Resource: Resource
        /// The items, oldest first. Never empty.
        Items: 'T array
    }

/// The narrow exporter contract. Exporters own no threads: the runner calls Export from its single reader,
/// never concurrently, and cancels the token at the export deadline.
type IExporter<'T> =
    /// A short name for diagnostics, for example `console` or `otlp-grpc`.
    abstract Name: string

    /// Exports one batch. Exceptions are caught and counted by the runner, but exporters should return Failure instead.
    abstract Export: batch: Batch<'T> * cancellationToken: CancellationToken -> Task<ExportResult>

    /// Releases the exporter's resources; called once, after the last Export.
    abstract Shutdown: cancellationToken: CancellationToken -> Task

/// Implemented by exporters that can tell cheaply, before a record exists, that they would write it nowhere right
/// now (the ETW exporters while no session listens). The SDK then neither captures nor builds such log records
/// or spans for them, and a logger whose every exporter says so reports the level as disabled.
[<AllowNullLiteral>]
type internal IExportInterest =
    /// False when an item of this severity number (log records: 1-24; spans: 0) would be dropped by the exporter
    /// now.
    abstract IsInterested: severityNumber: int -> bool

/// Implemented by exporters that send to a URL (OTLP), and by the export stages around them: where exports go, as
/// the SDK's diagnostics name it (scheme, host, port and path; never user info, query or headers).
type internal IExportDestination =
    /// The destination; empty when there is none to name.
    abstract Destination: string

/// Reading an exporter's destination.
module internal ExportDestination =
    /// The exporter's destination when it names one, else empty.
    val ofExporter: exporter: obj -> string

/// Reasons an exporter gives that the runner reads.
module internal ExportReasons =
    /// A Retryable reason for a peer that could not be reached at all (connection refused, no route, name not
    /// resolved): a shutdown does not retry it, and the export store takes the request at once.
    val unreachable: detail: string -> string

    /// True for a reason made by `unreachable`.
    val isUnreachable: reason: string -> bool
