namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics
open System.Threading
open System.Threading.Tasks

/// A runner's export store and what it decides (see docs/reliability.md): which request is sent now and which is
/// kept, and when the kept ones are tried again.
///
/// - A request goes to the backend only when the store holds nothing and the backend is not known to be down, so
///   that requests reach it in the order they were made. A retryable answer (or no answer by the export deadline,
///   or no connection at all) keeps the request in the store and marks the backend down: nothing is retried in
///   line, so the queue keeps moving during an outage.
/// - While the store holds something, the runner's reader sends the oldest stored request when a probe is due: at
///   first at once, then after each failed probe with the retry policy's backoff (at least half its bound, growing
///   to MaxBackoff; never sooner than a Retry-After). A success marks the backend up and the next request is sent
///   at once, so the backlog drains as fast as the backend takes it.
/// - A permanent failure of a stored request settles it as failed; a request older than the store's age limit is
///   dropped unsent.
///
/// Stored requests are sent by one sender task at a time (StartReplay), off the runner's reader, while the reader
/// keeps queueing new requests behind them (the store is not empty while the sender holds its head, so Deliver
/// keeps rather than sends: order is kept). Deliver may also run on an export the runner abandoned at its deadline;
/// the store is safe to call concurrently and every count goes through the books' lock (nothing is counted twice,
/// and nothing once the books are closed).
[<Sealed>]
type internal RunnerStore<'T>
    (
        name: string,
        store: IRequestStore,
        requests: IRequestExporter<'T>,
        retry: RetryPolicy,
        exportTimeout: TimeSpan,
        maxAge: TimeSpan,
        accounts: RunnerAccounts,
        abort: CancellationTokenSource
    ) =
    // While the store holds something the reader wakes at least this often (a probe may have come due, or the
    // sender may have finished).
    static let poll = TimeSpan.FromMilliseconds 250.

    let kind = requests.RequestKind
    // Where the requests go, as diagnostics name it.
    let destination = ExportDestination.ofExporter requests
    let mutable down = false
    let mutable probes = 0
    // Stopwatch timestamp before which no probe is made.
    let mutable nextProbe = 0L
    // Set at shutdown's cutoff: from then on nothing is sent, everything is kept.
    let mutable cutOff = false

    // The sender of stored requests: one task at a time, off the runner's reader (a probe that waits for a
    // collector that does not answer never holds the queue).
    let replayGate = obj ()
    let mutable replaying: Task = Task.CompletedTask

    do
        accounts.UnreadableFiles <- fun () -> store.Unreadable
        accounts.StoreIsVolatile <- not store.Durable

    let markUp () =
        Volatile.Write(&down, false)
        probes <- 0
        Volatile.Write(&nextProbe, 0L)

    let markDown (retryAfter: Nullable<TimeSpan>) =
        Volatile.Write(&down, true)
        probes <- probes + 1
        // "Equal jitter": at least half the bound, so a dead collector is not probed in a burst.
        let wait =
            RetryPolicy.backoff
                retry
                (min probes 64)
                (Option.ofNullable retryAfter)
                (0.5 + 0.5 * Random.Shared.NextDouble())

        let wait = max wait (TimeSpan.FromMilliseconds 100.)
        Volatile.Write(&nextProbe, Stopwatch.GetTimestamp() + StopwatchTicks.ofTimeSpan wait)

    let observe (t: Task) = Deadline.observe t

    /// Sends `body` within `token`; the answer, or Retryable when it did not answer in time or threw.
    let send (body: ReadOnlyMemory<byte>) (token: CancellationToken) : Task<ExportResult> =
        task {
            accounts.CountExportCall()

            let sending =
                Task.Run<ExportResult>(
                    Func<Task<ExportResult>>(fun () -> requests.SendRequest(body, token)),
                    CancellationToken.None
                )

            if not sending.IsCompleted then
                let! _ = Task.WhenAny(sending, Task.Delay(Timeout.InfiniteTimeSpan, token))
                ()

            if sending.IsCompletedSuccessfully then
                return sending.Result
            else
                observe sending

                if sending.IsFaulted then
                    let error = sending.Exception.GetBaseException()
                    return ExportResult.Retryable($"the exporter threw {error.GetType().Name}", Nullable())
                else
                    return ExportResult.Retryable("no answer by the export deadline", Nullable())
        }

    let keep (batchId: int64) (body: ReadOnlyMemory<byte>) (items: int) =
        if store.Add(body.Span, items, kind) then
            accounts.Deliver(batchId, items, Kept) |> ignore
        else if accounts.Deliver(batchId, items, StoreFull) then
            SelfDiagnostics.warning name $"export store full: {items} items for {destination} dropped"

    /// Sends the oldest stored request; true when the backend took it (or it was settled otherwise: too old, not
    /// of this exporter's kind, permanently refused), so the next one may follow at once.
    let replayOne (cutoff: CancellationToken) : Task<bool> =
        task {
            let request = store.Take()

            if isNull request then
                return false
            elif DateTime.UtcNow.Ticks - request.StoredAt > maxAge.Ticks then
                store.Remove request
                accounts.StoreExpired(request.Items, request.Own)
                return true
            elif request.Kind <> kind then
                // Made for another protocol (the configuration changed between processes): not sendable here.
                store.Remove request
                accounts.StoreSettled(request.Items, request.Own, false)

                SelfDiagnostics.exportFailed
                    name
                    requests.RequestKind
                    ""
                    $"stored request of another kind ({request.Kind}) dropped"

                return true
            else
                use deadline = CancellationTokenSource.CreateLinkedTokenSource(abort.Token, cutoff)

                if exportTimeout.TotalMilliseconds < float Int32.MaxValue then
                    deadline.CancelAfter exportTimeout

                let! result = send (ReadOnlyMemory request.Body) deadline.Token

                match result with
                | ExportResult.Success ->
                    store.Remove request
                    accounts.StoreSettled(request.Items, request.Own, true)
                    markUp ()
                    return true
                | ExportResult.Failure reason ->
                    store.Remove request
                    accounts.StoreSettled(request.Items, request.Own, false)
                    SelfDiagnostics.exportFailed name requests.RequestKind "" reason
                    markUp ()
                    return true
                | ExportResult.Retryable(_, retryAfter) ->
                    store.Return request
                    markDown retryAfter
                    return false
        }


    /// Sends stored requests oldest first while the backend takes them; ends at the first it does not take, at the
    /// cutoff, or when the books close.
    let replayLoop (cutoff: CancellationToken) : Task =
        task {
            let mutable more = true

            while more
                  && not store.IsEmpty
                  && not cutoff.IsCancellationRequested
                  && not accounts.IsClosed do
                let! ok = replayOne cutoff
                more <- ok
        }

    /// True while the store holds something that may be sent.
    member _.Holding = not store.IsEmpty

    /// The store keeps what it holds past the process.
    member _.Durable = store.Durable

    /// True once the backend gave no or a retryable answer, until it accepts a request again.
    member _.Down = Volatile.Read &down

    /// Starts sending stored requests (off the caller's thread) unless a sender runs already; only when a probe is
    /// due, unless `now` (a flush, the end of shutdown's drain). Returns the running sender.
    member _.StartReplay(cutoff: CancellationToken, now: bool) : Task =
        lock replayGate (fun () ->
            if
                replaying.IsCompleted
                && not (Volatile.Read &cutOff)
                && (now || Stopwatch.GetTimestamp() >= Volatile.Read &nextProbe)
                && not store.IsEmpty
            then
                replaying <- Task.Run(Func<Task>(fun () -> replayLoop cutoff), CancellationToken.None)

            replaying)

    /// The sender running now (a completed task when none).
    member _.Replaying = lock replayGate (fun () -> replaying)

    /// How long the reader may sleep before it looks at the store again: infinite when it holds nothing, else until
    /// the next probe, at most a quarter of a second.
    member _.UntilProbe =
        if store.IsEmpty || Volatile.Read &cutOff then
            Timeout.InfiniteTimeSpan
        else
            let left = Volatile.Read &nextProbe - Stopwatch.GetTimestamp()

            if left <= 0L then
                TimeSpan.Zero
            else
                min poll (Stopwatch.GetElapsedTime(0L, left))

    /// Shutdown's cutoff passed: nothing more is sent, every request is kept (a directory) or dropped (memory).
    member _.CutOff() = Volatile.Write(&cutOff, true)

    /// One request of batch `batchId`, holding `items` of the runner's items: sent now, or kept. Success when sent
    /// or kept (or dropped because the store is full, counted); a permanent failure is returned as it is (the
    /// batch's remaining items then fail).
    member _.Deliver
        (batchId: int64, body: ReadOnlyMemory<byte>, items: int, token: CancellationToken)
        : Task<ExportResult> =
        if items = 0 then
            Task.FromResult ExportResult.Success
        elif Volatile.Read &cutOff || Volatile.Read &down || not store.IsEmpty then
            keep batchId body items
            Task.FromResult ExportResult.Success
        else
            task {
                let! result = send body token

                match result with
                | ExportResult.Success ->
                    accounts.Deliver(batchId, items, Sent) |> ignore
                    markUp ()
                    return ExportResult.Success
                | ExportResult.Failure _ -> return result
                | ExportResult.Retryable(reason, retryAfter) ->
                    // Kept before the backend is marked down: the reader's next probe finds it.
                    keep batchId body items

                    if not (Volatile.Read &down) then
                        SelfDiagnostics.warning
                            name
                            $"export to {destination} failed ({reason}); requests are kept in the export store and sent when it answers"

                    markDown retryAfter
                    return ExportResult.Success
            }

    /// At the end of shutdown's drain: what a memory store still holds is dropped (counted); a directory keeps it.
    member _.Abandon() =
        if not store.Durable then
            let lost = store.RemoveOwn()

            if lost > 0L then
                accounts.StoreLost lost

                SelfDiagnostics.warning
                    name
                    $"{lost} items kept in memory for {destination} were dropped at shutdown (configure a disk export store to keep them)"

    /// Closes the store (a directory's lock is released: another process may send what it holds).
    member _.Dispose() = store.Dispose()
