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

/// Hands one encoded request of a batch to the runner: its body (valid until the returned task completes), which
/// of the exporter's items it holds (`count` items from `first`, of `total` in the batch), and the export's token.
/// The runner sends it, or keeps a copy in its export store; Success means sent or kept.
type internal RequestDelivery =
    delegate of
        body: ReadOnlyMemory<byte> * first: int * count: int * total: int * cancellationToken: CancellationToken ->
            Task<ExportResult>

/// Implemented by exporters that send encoded requests (OTLP) and by the export stages around them: the runner then
/// encodes each batch through `ExportRequests` and decides itself what is sent now and what waits in its export
/// store (see docs/reliability.md); `SendRequest` sends a stored request later, as it was encoded.
type internal IRequestExporter<'T> =
    /// False for a stage whose exporter does not encode requests (the runner then calls Export).
    abstract EncodesRequests: bool

    /// Encodes the batch into one or more requests (split to the exporter's size limit) and hands each to
    /// `deliver` in order, awaiting it; stops at the first answer that is not Success and returns it. Items too
    /// big to send alone are not handed over: the answer is then a Failure naming their count.
    abstract ExportRequests:
        batch: Batch<'T> * deliver: RequestDelivery * cancellationToken: CancellationToken -> Task<ExportResult>

    /// Sends one request body as `ExportRequests` handed it over.
    abstract SendRequest: body: ReadOnlyMemory<byte> * cancellationToken: CancellationToken -> Task<ExportResult>

    /// What a stored request must match to be sent by this exporter: `<signal>;<content type>`.
    abstract RequestKind: string

/// What the export stages (span, log and metric) share to pass the request path through to their exporter.
module internal RequestStage =
    /// True when `exporter` encodes requests (see IRequestExporter).
    val encodes: exporter: IExporter<'T> -> bool

    /// `exporter` as an IRequestExporter; only called when `encodes exporter`.
    val requests: exporter: IExporter<'T> -> IRequestExporter<'T>

/// Reasons an exporter gives that the runner reads.
module internal ExportReasons =
    /// A Retryable reason for a peer that could not be reached at all (connection refused, no route, name not
    /// resolved): a shutdown does not retry it, and the export store takes the request at once.
    val unreachable: detail: string -> string

    /// True for a reason made by `unreachable`.
    val isUnreachable: reason: string -> bool
