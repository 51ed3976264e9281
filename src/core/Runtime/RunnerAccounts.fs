namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading

/// The outcome of one batch, decided once.
type internal BatchOutcome =
    | Exported
    | Failed

/// A runner's books: every item that reaches the runner is counted once, and the invariant once shut down is
/// Accepted = Exported + Failed + Dropped (Rejected items never entered the queue).
///
/// Accepted, Rejected and ExportCalls are bumped lock-free; Exported, Failed, Dropped and the batch in flight
/// change only under a lock, so each batch's outcome is decided exactly once: by the runner's reader when its
/// export settles, or by a shutdown that gave up waiting and closed the books (the batch then fails and whatever
/// is still queued is dropped). Losses are added to the process-wide totals (`SelfDiagnosticsCounters`) and
/// rejections are reported on the event source, at most once a second.
[<Sealed>]
type internal RunnerAccounts(name: string) =
    let gate = obj ()
    let mutable closed = false
    let mutable closedFlag = 0
    let mutable inFlight = 0
    let mutable inFlightId = 0L
    let mutable nextBatchId = 0L

    // Throttled reporting of rejections: at most one event per second with the count since the last one.
    let mutable reportedRejected = 0L
    let mutable lastRejectReport = Environment.TickCount64 - 1000L

    /// Items the queue accepted; bumped by the producers (after their write), read by the runner's bound.
    [<DefaultValue>]
    val mutable Accepted: int64

    [<DefaultValue>]
    val mutable private rejected: int64

    [<DefaultValue>]
    val mutable private exported: int64

    [<DefaultValue>]
    val mutable private failed: int64

    [<DefaultValue>]
    val mutable private dropped: int64

    [<DefaultValue>]
    val mutable private exportCalls: int64

    /// Reports the rejections since the last report: at most once a second unless `force`.
    member x.ReportRejected(force: bool) =
        let now = Environment.TickCount64
        let last = Volatile.Read &lastRejectReport

        if
            (force || now - last >= 1000L)
            && Interlocked.CompareExchange(&lastRejectReport, now, last) = last
        then
            // The count since the last report, derived from `rejected` so that a rejection costs one
            // Interlocked operation fewer.
            let total = Interlocked.Read &x.rejected
            let mutable previous = Volatile.Read &reportedRejected

            while total > previous
                  && Interlocked.CompareExchange(&reportedRejected, total, previous) <> previous do
                previous <- Volatile.Read &reportedRejected

            let count = total - previous

            if count > 0L then
                SelfDiagnostics.itemsRejected name count

    /// Counts an item refused by Post (queue full, or shut down).
    member x.Reject() =
        Interlocked.Increment &x.rejected |> ignore
        SelfDiagnosticsCounters.addRejected 1L
        x.ReportRejected false

    /// Counts an export call (retries included).
    member x.CountExportCall() = Interlocked.Increment &x.exportCalls |> ignore

    /// Registers a batch as in flight and returns its id; ValueNone when shutdown already closed the books
    /// (the batch was then counted as dropped by the close).
    member _.BeginBatch(size: int) =
        lock gate (fun () ->
            if closed then
                ValueNone
            else
                nextBatchId <- nextBatchId + 1L
                inFlight <- size
                inFlightId <- nextBatchId
                ValueSome nextBatchId)

    /// Settles a batch once: ignored when shutdown's close already counted it as failed.
    member x.Settle(batchId: int64, size: int, outcome: BatchOutcome) =
        lock gate (fun () ->
            if not closed && inFlightId = batchId then
                inFlight <- 0
                inFlightId <- 0L

                match outcome with
                | Exported -> Interlocked.Add(&x.exported, int64 size) |> ignore
                | Failed ->
                    Interlocked.Add(&x.failed, int64 size) |> ignore
                    SelfDiagnosticsCounters.addFailed (int64 size))

    /// Closes the books once `Accepted` is final: the in-flight batch (if any) fails, everything else not settled
    /// is dropped. Returns the number of items not exported by this close (zero when already closed).
    member x.Close() =
        lock gate (fun () ->
            if closed then
                0L
            else
                closed <- true
                Volatile.Write(&closedFlag, 1)
                let inFlightFailed = int64 inFlight
                inFlight <- 0
                inFlightId <- 0L
                Interlocked.Add(&x.failed, inFlightFailed) |> ignore
                SelfDiagnosticsCounters.addFailed inFlightFailed

                let rest =
                    Interlocked.Read &x.Accepted
                    - Interlocked.Read &x.exported
                    - Interlocked.Read &x.failed

                Interlocked.Exchange(&x.dropped, rest) |> ignore
                SelfDiagnosticsCounters.addDropped rest
                inFlightFailed + rest)

    /// True once the books are closed.
    member _.IsClosed = Volatile.Read &closedFlag = 1

    /// A snapshot of the counters.
    member x.Stats =
        {
            Accepted = Interlocked.Read &x.Accepted
            Rejected = Interlocked.Read &x.rejected
            Exported = Interlocked.Read &x.exported
            Failed = Interlocked.Read &x.failed
            Dropped = Interlocked.Read &x.dropped
            ExportCalls = Interlocked.Read &x.exportCalls
        }
