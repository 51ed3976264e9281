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
    | Retryable of reason: string * retryAfter: TimeSpan option

    /// A transient failure to retry with backoff (for C# exporters: no F# option needed).
    static member RetryLater(reason: string) = Retryable(reason, None)

    /// A transient failure to retry no sooner than `retryAfter` (a Retry-After header or RetryInfo).
    static member RetryAfter(reason: string, retryAfter: TimeSpan) = Retryable(reason, Some retryAfter)

    /// A permanent failure: the batch is counted as failed and not retried (for C# exporters: no union case
    /// constructor needed).
    static member Failed(reason: string) = Failure reason

    /// A transient failure to retry with backoff, no sooner than `retryAfter` when it has a value (for C#
    /// exporters: `ExportResult.Retry("HTTP 503", retryAfter)` with a `TimeSpan?`).
    static member Retry(reason: string, retryAfter: Nullable<TimeSpan>) =
        Retryable(reason, Option.ofNullable retryAfter)

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
type IExportInterest =
    /// False when an item of this severity number (log records: 1-24; spans: 0) would be dropped by the exporter
    /// now.
    abstract IsInterested: severityNumber: int -> bool

/// An export stage's conversions (activities to spans, captured calls to log records), kept for the runner's
/// retries of each batch. The runner retries a batch with the same `Batch` (the same `Items` array) and makes a
/// new array for every batch; converting again on a retry would run the processors again (a sampling processor
/// would send another subset) and, for logs, read pooled entries that were released after the first conversion.
/// Only the runner calls a stage, so the array's identity is the batch's. Conversions are kept per batch array,
/// weakly (they go with the array): an attempt the runner abandoned at its deadline may finish converting its
/// batch later, while the next batch is being retried, and must not take that batch's place.
[<Sealed>]
type internal ConversionMemo<'In, 'Out when 'In: not struct>() =
    let kept = System.Runtime.CompilerServices.ConditionalWeakTable<'In array, 'Out array>()

    // Keeps `converted` for a retry when the answer is Retryable; otherwise forgets what was kept for `items`.
    member private _.Settle(items: 'In array, converted: 'Out array, wasKept: bool, result: ExportResult voption) =
        match result with
        | ValueSome(ExportResult.Retryable _) -> kept.AddOrUpdate(items, converted)
        | _ ->
            if wasKept then
                kept.Remove items |> ignore

    /// Exports the conversion of `batch` with `export`. A conversion is kept only when its export answers
    /// Retryable (only then does the runner try the same batch again), and dropped once an answer settles it; a
    /// batch that succeeds at once (simple exporters, a batch of one) never touches the table.
    member x.Export(batch: Batch<'In>, convert: 'In array -> 'Out array, export: 'Out array -> Task<ExportResult>) =
        let items = batch.Items

        let struct (converted, wasKept) =
            match kept.TryGetValue items with
            | true, converted -> struct (converted, true)
            | _ -> struct (convert items, false)

        if converted.Length = 0 then
            x.Settle(items, converted, wasKept, ValueNone)
            Task.FromResult ExportResult.Success
        else
            let exported = export converted

            if exported.IsCompleted then
                x.Settle(
                    items,
                    converted,
                    wasKept,
                    (if exported.IsCompletedSuccessfully then
                         ValueSome exported.Result
                     else
                         ValueNone)
                )

                exported
            else
                exported
                    .ContinueWith(
                        (fun (t: Task<ExportResult>) ->
                            x.Settle(
                                items,
                                converted,
                                wasKept,
                                (if t.IsCompletedSuccessfully then
                                     ValueSome t.Result
                                 else
                                     ValueNone)
                            )

                            t),
                        TaskContinuationOptions.ExecuteSynchronously
                    )
                    .Unwrap()

/// Starting the SDK's own asynchronous work with no SynchronizationContext current, so that its awaits resume on
/// the thread pool, never on the caller's context: a UI thread that then blocks (in `Dispose`, or on `.Result`)
/// would otherwise wait for itself. The synchronous start of the work still runs on the caller's thread.
module internal NoContext =
    /// Calls `start` with no SynchronizationContext current, and restores the caller's afterwards.
    let run (start: unit -> 'T) : 'T =
        let previous = SynchronizationContext.Current

        if isNull previous then
            start ()
        else
            SynchronizationContext.SetSynchronizationContext null

            try
                start ()
            finally
                SynchronizationContext.SetSynchronizationContext previous

/// Waiting for the SDK's own work with a deadline.
module internal Deadline =
    /// `work`'s answer, or false if it has not answered within `timeout` (or failed); the work itself goes on.
    let orFalse (timeout: TimeSpan) (work: Task<bool>) : Task<bool> =
        // WaitAsync takes at most UInt32.MaxValue - 1 ms; anything longer waits without a deadline.
        let timeout =
            if timeout < TimeSpan.Zero then
                TimeSpan.Zero
            elif timeout.TotalMilliseconds >= float UInt32.MaxValue - 1.0 then
                Timeout.InfiniteTimeSpan
            else
                timeout

        work
            .WaitAsync(timeout)
            .ContinueWith((fun (t: Task<bool>) -> t.IsCompletedSuccessfully && t.Result), TaskScheduler.Default)
