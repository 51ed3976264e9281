namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading

/// The outcome of one batch, decided once.
type internal BatchOutcome =
    | Exported
    | Failed

/// Where one request of a batch went, on the export store's path.
type internal RequestOutcome =
    /// Sent and accepted.
    | Sent
    /// Kept in the export store.
    | Kept
    /// Dropped because the export store was full.
    | StoreFull
    /// Dropped because the export store could not take it (closed, or its directory cannot be written).
    | StoreUnavailable

/// A runner's books: every item that reaches the runner is counted once, and the invariant once shut down is
/// Accepted + Recovered = Exported + Failed + Dropped + Stored (Rejected items never entered the queue; Recovered
/// items are those of stored requests an earlier process left, each settled when this process sends or drops it).
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
    // Items of the batch in flight already settled request by request (the export store's path).
    let mutable inFlightDone = 0
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

    [<DefaultValue>]
    val mutable private stored: int64

    [<DefaultValue>]
    val mutable private recovered: int64

    [<DefaultValue>]
    val mutable private storeFull: int64

    [<DefaultValue>]
    val mutable private storeExpired: int64

    /// True when the runner's export store does not outlive the process (memory): what it still holds when the
    /// books close is dropped.
    member val StoreIsVolatile = false with get, set

    /// Reads the export store's count of unreadable files (set when the runner has a store).
    member val UnreadableFiles: unit -> int64 = (fun () -> 0L) with get, set

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
                inFlightDone <- 0
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

    /// Settles `count` items of the batch in flight by one request's outcome; false (nothing counted) when that
    /// batch is no longer in flight (shutdown's close counted it).
    member x.Deliver(batchId: int64, count: int, outcome: RequestOutcome) =
        lock gate (fun () ->
            if closed || inFlightId <> batchId then
                false
            else
                let count = min count (inFlight - inFlightDone)
                inFlightDone <- inFlightDone + count

                match outcome with
                | Sent -> Interlocked.Add(&x.exported, int64 count) |> ignore
                | Kept -> Interlocked.Add(&x.stored, int64 count) |> ignore
                | StoreFull ->
                    Interlocked.Add(&x.storeFull, int64 count) |> ignore
                    Interlocked.Add(&x.dropped, int64 count) |> ignore
                    SelfDiagnosticsCounters.addDropped (int64 count)
                | StoreUnavailable ->
                    Interlocked.Add(&x.dropped, int64 count) |> ignore
                    SelfDiagnosticsCounters.addDropped (int64 count)

                true)

    /// Ends the batch in flight on the store's path. What no request settled was dropped by the stage's
    /// processors when the batch `succeeded` (exported, as without a store), else failed (a permanent failure,
    /// items too big to send, an exporter that threw).
    member x.SettleRest(batchId: int64, succeeded: bool) =
        lock gate (fun () ->
            if not closed && inFlightId = batchId then
                let rest = int64 (inFlight - inFlightDone)
                inFlight <- 0
                inFlightDone <- 0
                inFlightId <- 0L

                if rest > 0L then
                    if succeeded then
                        Interlocked.Add(&x.exported, rest) |> ignore
                    else
                        Interlocked.Add(&x.failed, rest) |> ignore
                        SelfDiagnosticsCounters.addFailed rest)

    /// A stored request of `items` left the store: `sent` (accepted by the backend), else failed permanently.
    /// Items this process did not store (`own` false: a file an earlier process left) count as Recovered too.
    member x.StoreSettled(items: int, own: bool, sent: bool) =
        lock gate (fun () ->
            if not closed then
                let items = int64 items

                if own then
                    Interlocked.Add(&x.stored, -items) |> ignore
                else
                    Interlocked.Add(&x.recovered, items) |> ignore

                if sent then
                    Interlocked.Add(&x.exported, items) |> ignore
                else
                    Interlocked.Add(&x.failed, items) |> ignore
                    SelfDiagnosticsCounters.addFailed items)

    /// A stored request of `items` passed the store's age limit and was dropped.
    member x.StoreExpired(items: int, own: bool) =
        lock gate (fun () ->
            if not closed then
                let items = int64 items

                if own then
                    Interlocked.Add(&x.stored, -items) |> ignore
                else
                    Interlocked.Add(&x.recovered, items) |> ignore

                Interlocked.Add(&x.storeExpired, items) |> ignore
                Interlocked.Add(&x.dropped, items) |> ignore
                SelfDiagnosticsCounters.addDropped items)

    /// Items this process stored whose requests vanished from the store (their files were removed): dropped.
    member x.StoreVanished(items: int64) = x.StoreLost items

    /// Items a memory store still held at shutdown: dropped (nothing outlives the process).
    member x.StoreLost(items: int64) =
        lock gate (fun () ->
            if not closed && items > 0L then
                Interlocked.Add(&x.stored, -items) |> ignore
                Interlocked.Add(&x.dropped, items) |> ignore
                SelfDiagnosticsCounters.addDropped items)

    /// Closes the books once `Accepted` is final: the in-flight batch (if any) fails, everything else not settled
    /// is dropped. Returns the number of items not exported by this close (zero when already closed).
    member x.Close() =
        lock gate (fun () ->
            if closed then
                0L
            else
                closed <- true
                Volatile.Write(&closedFlag, 1)
                let inFlightFailed = int64 (inFlight - inFlightDone)
                inFlight <- 0
                inFlightDone <- 0
                inFlightId <- 0L
                Interlocked.Add(&x.failed, inFlightFailed) |> ignore
                SelfDiagnosticsCounters.addFailed inFlightFailed

                // A memory store's items go with the process: dropped.
                if x.StoreIsVolatile then
                    let held = Interlocked.Exchange(&x.stored, 0L)
                    Interlocked.Add(&x.dropped, held) |> ignore
                    SelfDiagnosticsCounters.addDropped held

                // What is in no other book was still queued: dropped. Recovered items are always settled at once,
                // so they balance themselves out here.
                let rest =
                    Interlocked.Read &x.Accepted + Interlocked.Read &x.recovered
                    - Interlocked.Read &x.exported
                    - Interlocked.Read &x.failed
                    - Interlocked.Read &x.dropped
                    - Interlocked.Read &x.stored

                Interlocked.Add(&x.dropped, rest) |> ignore
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
            Stored = Interlocked.Read &x.stored
            Recovered = Interlocked.Read &x.recovered
            DroppedStoreFull = Interlocked.Read &x.storeFull
            DroppedExpired = Interlocked.Read &x.storeExpired
            UnreadableFiles = x.UnreadableFiles()
        }
