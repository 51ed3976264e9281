namespace Functional.Telemetry

open System.Threading.Tasks

/// An export stage's conversions (activities to spans, captured calls to log records), kept for the runner's
/// retries of each batch. The runner retries a batch with the same `Batch` (the same `Items` array) and makes a
/// new array for every batch; converting again on a retry would run the processors again (a sampling processor
/// would send another subset) and, for logs, read pooled entries that were released after the first conversion.
/// Only the runner calls a stage, so the array's identity is the batch's. Conversions are kept per batch array,
/// weakly (they go with the array): an attempt the runner abandoned at its deadline may finish converting its
/// batch later, while the next batch is being retried, and must not take that batch's place.
/// A conversion that holds lent views (pooled span views, log calls' views) is given back by `release` once its
/// export has settled: its task completed with an answer other than Retryable. One whose export never completes
/// (abandoned at the deadline and still running) is never given back, so an exporter that is still reading its
/// views never sees them reused; the pool makes new ones instead.
[<Sealed>]
type internal ConversionMemo<'In, 'Out when 'In: not struct>(release: 'Out array -> unit) =
    let kept = System.Runtime.CompilerServices.ConditionalWeakTable<'In array, 'Out array>()

    /// A memo whose conversions hold nothing to give back.
    new() = ConversionMemo<'In, 'Out>(ignore)

    // Keeps `converted` for a retry when the answer is Retryable; otherwise forgets what was kept for `items` and
    // gives the conversion back.
    member private _.Settle(items: 'In array, converted: 'Out array, wasKept: bool, result: ExportResult voption) =
        match result with
        | ValueSome(ExportResult.Retryable _) -> kept.AddOrUpdate(items, converted)
        | _ ->
            if wasKept then
                kept.Remove items |> ignore

            release converted

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
