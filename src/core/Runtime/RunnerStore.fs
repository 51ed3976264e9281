namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics
open System.Threading
open System.Threading.Tasks

/// How the requests of one batch map to the runner's items. The exporter may split a batch into requests of its
/// own items (`total` of them: spans after the stage's processors, or a metrics collection's points); request
/// [first, first + count) settles the runner's items its share covers: floor(size * (first + count) / total) -
/// floor(size * first / total), so that the shares of all requests add up to the batch. When the exporter has more
/// items than the runner (a collection split into several requests), one runner item can span several requests:
/// those requests form a group, delivered together, so that the item has one fate (sent, kept, or dropped).
module internal RequestShares =
    /// The runner's items request [first, first + count) of `total` settles, in a batch of `size`.
    let share (size: int) (first: int) (count: int) (total: int) =
        if total <= 0 then
            0
        else
            int (int64 size * int64 (first + count) / int64 total)
            - int (int64 size * int64 first / int64 total)

    /// True when request [first, first + count) ends between two of the runner's items (always when the runner has
    /// at least as many items as the exporter): its group ends with it.
    let closes (size: int) (first: int) (count: int) (total: int) =
        total <= size || (int64 size * int64 (first + count)) % int64 total = 0L

/// Groups the requests of one batch (see RequestShares) and hands each group to `deliver` with its bodies, in order,
/// and the runner's items it settles. A request whose group goes on is copied and answered Success at once; the
/// request that closes a group is handed over as it is (its memory is valid until `deliver` completes). `Finish`
/// hands over a group the exporter left open (it stopped before the batch's end). The exporter awaits each
/// request, so there is one caller at a time.
[<Sealed>]
type internal RequestGroups
    (size: int, deliver: ReadOnlyMemory<byte> array -> int -> CancellationToken -> Task<ExportResult>) =
    let parts = ResizeArray<byte array>()
    let mutable items = 0

    let handOver (last: ReadOnlyMemory<byte> voption) (token: CancellationToken) =
        let bodies =
            [|
                for part in parts do
                    ReadOnlyMemory part
                match last with
                | ValueSome body -> body
                | ValueNone -> ()
            |]

        let held = items
        parts.Clear()
        items <- 0
        deliver bodies held token

    /// One request of the batch (see RequestDelivery).
    member _.Hand
        (body: ReadOnlyMemory<byte>, first: int, count: int, total: int, token: CancellationToken)
        : Task<ExportResult> =
        items <- items + RequestShares.share size first count total

        if not (RequestShares.closes size first count total) then
            parts.Add(body.ToArray())
            Task.FromResult ExportResult.Success
        else
            handOver (ValueSome body) token

    /// Hands over the open group, if any.
    member _.Finish(token: CancellationToken) : Task<ExportResult> =
        if parts.Count = 0 then
            Task.FromResult ExportResult.Success
        else
            handOver ValueNone token

/// A runner's export store and what it decides (see docs/reliability.md): which request is sent now and which is
/// kept, and when the kept ones are tried again.
///
/// - A request goes to the backend only when the store holds nothing and the backend is not known to be down, so
///   that requests reach it in the order they were made. A retryable answer (or no answer by the export deadline,
///   or no connection at all) keeps the request in the store and marks the backend down: nothing is retried in
///   line, so the queue keeps moving during an outage.
/// - While the store holds something, a sender sends the oldest stored request when a probe is due: at first at
///   once, then after each failed probe with the retry policy's backoff (at least half its bound, growing to
///   MaxBackoff; never sooner than a Retry-After). A success marks the backend up and the next request is sent at
///   once, so the backlog drains as fast as the backend takes it.
/// - A permanent failure of a stored request settles it as failed; a request older than the store's age limit is
///   dropped unsent; a request of this process that vanished from the store (its file removed) is dropped.
///
/// Stored requests are sent by one sender task at a time, off the runner's reader, while the reader keeps queueing
/// new requests behind them (the store is not empty while the sender holds its head, so Deliver keeps rather than
/// sends: order is kept). The sender is started by a one-shot timer armed for the next probe (when a request is
/// kept, and when a sender ends with requests left), by the store when it finds files another process left, and by
/// a flush or shutdown's drain: the runner's reader never polls the store. A sender that fails is observed,
/// counted (`Faults`), reported and tried again after a probe's wait. Deliver may also run on an export the runner
/// abandoned at its deadline; the store is safe to call concurrently and every count goes through the books' lock
/// (nothing is counted twice, and nothing once the books are closed).
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
        abort: CancellationTokenSource,
        cutoff: CancellationToken
    ) =
    let kind = requests.RequestKind
    // Where the requests go, as diagnostics name it.
    let destination = ExportDestination.ofExporter requests
    let mutable down = false
    let mutable probes = 0
    // Stopwatch timestamp before which no probe is made.
    let mutable nextProbe = 0L
    // Set at shutdown's cutoff: from then on nothing is sent, everything is kept.
    let mutable cutOff = false
    let mutable faults = 0L

    // The sender of stored requests: one task at a time, off the runner's reader (a probe that waits for a
    // collector that does not answer never holds the queue). Under `replayGate`: the running sender, and whether
    // only explicit starts (shutdown's drain) may start one, or none at all (disposed).
    let replayGate = obj ()
    let mutable replaying: Task = Task.CompletedTask
    let mutable draining = false
    let mutable disposed = false

    // The probe's one-shot timer; its callback is set below, once the sender can be started.
    let mutable onProbe: unit -> unit = ignore

    let probeTimer =
        QuietTimer.create (fun () -> onProbe ()) Timeout.InfiniteTimeSpan Timeout.InfiniteTimeSpan

    do
        accounts.UnreadableFiles <- fun () -> store.Unreadable
        accounts.StoreIsVolatile <- not store.Durable
        cutoff.Register(fun () -> Volatile.Write(&cutOff, true)) |> ignore

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

    // The sender stopped for a reason of the store's own (not the backend's): it tries again in a second.
    let deferProbe () =
        Volatile.Write(&nextProbe, Stopwatch.GetTimestamp() + StopwatchTicks.ofTimeSpan (TimeSpan.FromSeconds 1.))

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

    /// Items of this process's requests that vanished from the store (their files removed): dropped, reported.
    let settleLost () =
        let lost = store.TakeLost()

        if lost > 0L then
            accounts.StoreVanished lost

            SelfDiagnostics.warning
                name
                $"{lost} items kept in the export store for {destination} were removed from it by someone else and are dropped"

    let keep (batchId: int64) (bodies: ReadOnlyMemory<byte> array) (items: int) =
        match store.Add(bodies, items, kind) with
        | StoreAdd.Added -> accounts.Deliver(batchId, items, Kept) |> ignore
        | StoreAdd.Full ->
            if accounts.Deliver(batchId, items, StoreFull) then
                SelfDiagnostics.warning name $"export store full: a request of {items} items for {destination} dropped"
        | StoreAdd.Unavailable reason ->
            if accounts.Deliver(batchId, items, StoreUnavailable) then
                SelfDiagnostics.warning
                    name
                    $"export store unavailable ({reason}): a request of {items} items for {destination} dropped"

    /// Sends the oldest stored request, body after body; true when the backend took it (or it was settled
    /// otherwise: too old, not of this exporter's kind, permanently refused), so the next one may follow at once.
    let replayOne () : Task<bool> =
        task {
            let request = store.Take()
            settleLost ()

            if isNull request then
                // Nothing it could take although it holds something (a file not readable now): later.
                if not store.IsEmpty then
                    deferProbe ()

                return false
            elif DateTime.UtcNow.Ticks - request.StoredAt > maxAge.Ticks then
                store.Remove request
                accounts.StoreExpired(request.Items, request.Own)
                return true
            elif request.Kind <> kind then
                // Made for another protocol: not sendable here.
                store.Remove request
                accounts.StoreSettled(request.Items, request.Own, false)

                SelfDiagnostics.exportFailed
                    name
                    requests.RequestKind
                    ""
                    $"stored request of another kind ({request.Kind}) dropped"

                return true
            else
                let mutable answer = ExportResult.Success

                while answer = ExportResult.Success && request.Sent < request.Bodies.Length do
                    use deadline = CancellationTokenSource.CreateLinkedTokenSource(abort.Token, cutoff)

                    if exportTimeout.TotalMilliseconds < float Int32.MaxValue then
                        deadline.CancelAfter exportTimeout

                    let! result = send (ReadOnlyMemory request.Bodies[request.Sent]) deadline.Token
                    answer <- result

                    if result = ExportResult.Success then
                        request.Sent <- request.Sent + 1
                        markUp ()

                match answer with
                | ExportResult.Success ->
                    store.Remove request
                    accounts.StoreSettled(request.Items, request.Own, true)
                    return true
                | ExportResult.Failure reason ->
                    store.Remove request
                    accounts.StoreSettled(request.Items, request.Own, false)
                    SelfDiagnostics.exportFailed name requests.RequestKind "" reason
                    markUp ()
                    return true
                | ExportResult.Retryable(_, retryAfter) ->
                    // Back in its place; the bodies sent are not sent again by this process.
                    store.Return request
                    markDown retryAfter
                    return false
        }

    /// Sends stored requests oldest first while the backend takes them; ends at the first it does not take, at the
    /// cutoff, or when the books close. A fault is observed, counted and reported here, never left on the task.
    let replayLoop () : Task =
        task {
            try
                let mutable more = true

                while more
                      && not store.IsEmpty
                      && not cutoff.IsCancellationRequested
                      && not accounts.IsClosed do
                    let! ok = replayOne ()
                    more <- ok

                settleLost ()
            with error ->
                Interlocked.Increment &faults |> ignore
                deferProbe ()

                SelfDiagnostics.error
                    name
                    $"the export store's sender for {destination} failed ({error.GetType().Name}: {error.Message}); it tries again later"
        }

    /// Starts the sender unless one runs: now when `now` (a flush, shutdown's drain) or when a probe is due, else
    /// arms the probe's timer. Returns the running sender (a completed task when none).
    let startReplay (now: bool) : Task =
        lock replayGate (fun () ->
            if
                replaying.IsCompleted
                && not disposed
                && (now || not draining)
                && not (Volatile.Read &cutOff)
                && not cutoff.IsCancellationRequested
                && not accounts.IsClosed
                && not store.IsEmpty
            then
                let left = Volatile.Read &nextProbe - Stopwatch.GetTimestamp()

                if now || left <= 0L then
                    let sender = Task.Run(Func<Task>(fun () -> replayLoop ()), CancellationToken.None)
                    replaying <- sender

                    // When it ends with requests left, the next probe is armed (or the sender started again).
                    sender.ContinueWith(
                        (fun (_: Task) -> onProbe ()),
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default
                    )
                    |> ignore
                else
                    // Whole milliseconds, rounded up (timers may fire a little early; then it is armed again).
                    let ms =
                        (Stopwatch.GetElapsedTime(0L, left).Ticks + TimeSpan.TicksPerMillisecond - 1L)
                        / TimeSpan.TicksPerMillisecond

                    probeTimer.Change(min ms 86_400_000L, int64 Timeout.Infinite) |> ignore

            replaying)

    do
        onProbe <-
            fun () ->
                try
                    startReplay false |> ignore
                with error ->
                    SelfDiagnostics.error name $"the export store's sender could not be started: {error.GetType().Name}"

        store.OnFound <- onProbe

    /// True while the store holds something that may be sent.
    member _.Holding = not store.IsEmpty

    /// The store keeps what it holds past the process.
    member _.Durable = store.Durable

    /// True once the backend gave no or a retryable answer, until it accepts a request again.
    member _.Down = Volatile.Read &down

    /// Senders that failed (observed and reported).
    member _.Faults = Interlocked.Read &faults

    /// Starts sending stored requests (off the caller's thread) unless a sender runs already; only when a probe is
    /// due, unless `now` (a flush, the end of shutdown's drain). Returns the running sender.
    member _.StartReplay(now: bool) : Task = startReplay now

    /// The sender running now (a completed task when none).
    member _.Replaying = lock replayGate (fun () -> replaying)

    /// Shutdown's drain begins: from now on only its own explicit start runs a sender (no timer, no found files).
    member _.Quiesce() = lock replayGate (fun () -> draining <- true)

    /// One group of requests of batch `batchId` (see RequestGroups), holding `items` of the runner's items: sent now,
    /// body after body, or kept (the bodies not sent yet). Success when sent or kept (or dropped because the store
    /// is full or unavailable, counted); a permanent failure is returned as it is (the batch's remaining items then
    /// fail).
    member _.Deliver
        (batchId: int64, bodies: ReadOnlyMemory<byte> array, items: int, token: CancellationToken)
        : Task<ExportResult> =
        if Volatile.Read &cutOff || Volatile.Read &down || not store.IsEmpty then
            keep batchId bodies items
            // Arms the probe when no sender runs.
            startReplay false |> ignore
            Task.FromResult ExportResult.Success
        else
            task {
                let mutable index = 0
                let mutable answer = ExportResult.Success

                while answer = ExportResult.Success && index < bodies.Length do
                    let! result = send bodies[index] token
                    answer <- result

                    if result = ExportResult.Success then
                        index <- index + 1
                        markUp ()

                match answer with
                | ExportResult.Success ->
                    accounts.Deliver(batchId, items, Sent) |> ignore
                    return ExportResult.Success
                | ExportResult.Failure _ -> return answer
                | ExportResult.Retryable(reason, retryAfter) ->
                    // Kept before the backend is marked down: the next probe finds it.
                    keep batchId bodies[index..] items

                    if not (Volatile.Read &down) then
                        SelfDiagnostics.warning
                            name
                            $"export to {destination} failed ({reason}); requests are kept in the export store and sent when it answers"

                    markDown retryAfter
                    startReplay false |> ignore
                    return ExportResult.Success
            }

    /// At the end of shutdown's drain: what a memory store still holds is dropped (counted); a directory keeps it.
    member _.Abandon() =
        settleLost ()

        if not store.Durable then
            let lost = store.RemoveOwn()

            if lost > 0L then
                accounts.StoreLost lost

                SelfDiagnostics.warning
                    name
                    $"{lost} items kept in memory for {destination} were dropped at shutdown (configure a disk export store to keep them)"

    /// Closes the store (a directory's lock is released: another process may send what it holds).
    member _.Dispose() =
        lock replayGate (fun () -> disposed <- true)
        probeTimer.Dispose()
        store.Dispose()
