namespace Functional.Telemetry

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

    /// The conversion of `items`: the kept one when `items` was converted before and no answer has settled it,
    /// otherwise `convert items`, kept.
    member _.Convert(items: 'In array, convert: 'In array -> 'Out array) =
        match kept.TryGetValue items with
        | true, converted -> converted
        | _ ->
            let converted = convert items
            kept.AddOrUpdate(items, converted)
            converted

    /// Forgets the conversion of `items` after an export that no retry follows (its answer was not Retryable).
    member _.Settled(items: 'In array, result: ExportResult) =
        match result with
        | ExportResult.Retryable _ -> ()
        | _ -> kept.Remove items |> ignore

    /// Exports the conversion of `batch` with `export`, forgetting it when no retry can follow.
    member x.Export(batch: Batch<'In>, convert: 'In array -> 'Out array, export: 'Out array -> Task<ExportResult>) =
        let converted = x.Convert(batch.Items, convert)

        if converted.Length = 0 then
            x.Settled(batch.Items, ExportResult.Success)
            Task.FromResult ExportResult.Success
        else
            let exported = export converted

            if exported.IsCompletedSuccessfully then
                x.Settled(batch.Items, exported.Result)
                exported
            else
                exported.ContinueWith(
                    (fun (t: Task<ExportResult>) ->
                        if t.IsCompletedSuccessfully then x.Settled(batch.Items, t.Result)
                        else x.Settled(batch.Items, ExportResult.Failure "")

                        t),
                    TaskContinuationOptions.ExecuteSynchronously
                )
                |> fun continued -> continued.Unwrap()

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
