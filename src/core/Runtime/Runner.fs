namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics
open System.Threading
open System.Threading.Channels
open System.Threading.Tasks

/// What travels through the channel: an item, or a flush marker that completes once everything before it
/// has been exported (FIFO order makes "queued before the flush call" exact).
[<Struct>]
type private Message<'T> =
    | Item of item: 'T
    | Flush of flush: TaskCompletionSource<bool>

[<Sealed>]
type internal Runner<'T>
    (
        name: string,
        options: BatchOptions,
        retry: RetryPolicy,
        resource: Resource,
        exporter: IExporter<'T>,
        openStore: string -> string -> (IRequestStore * TimeSpan) option
    ) =
    // The queue is bounded by `capacity` (see Post), over a single-reader unbounded channel: its reads take no
    // lock (a bounded channel locks on every read as well as every write, and the producers and the reader
    // contended for it). Its writes still take the channel's lock, which `close` relies on: once the channel is
    // completed no write can succeed, so the count read is final.
    let channel =
        Channel.CreateUnbounded<Message<'T>>(
            UnboundedChannelOptions(SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false)
        )

    let capacity = int64 options.MaxQueueSize

    // The books (see RunnerAccounts): what was accepted, rejected, exported, failed and dropped.
    let accounts = RunnerAccounts name

    // Wake-up protocol. The reader sleeps in one of two ways:
    // - with nothing pending, on the channel's own WaitToReadAsync: the first write wakes it (and starts the
    //   delay clock);
    // - with a partial batch pending, on `waiter` (a fresh TaskCompletionSource per sleep, i.e. at most one
    //   per batch) plus the one `timer` armed for the delay left. A producer wakes it only when `accepted`
    //   reaches `wakeAt`, the count at which a full batch is queued; flush, shutdown and close wake it at once.
    // Post therefore costs the channel write, one Interlocked.Increment and two volatile reads.

    /// Items the reader (or close) has taken out of the channel. Changed only under `readGate`.
    let mutable itemsRead = 0L
    /// `itemsRead` as of the reader's last take, for Post's bound: written once per take, so producers reading it
    /// do not pull a cache line the reader writes per item.
    let mutable itemsReadPublished = 0L
    let readGate = obj ()
    /// Set by close under `readGate`: the reader takes nothing more.
    let mutable readingStopped = false
    /// When `accepted` reaches this value a full batch is queued and Post wakes the reader.
    let mutable wakeAt = Int64.MaxValue
    /// The sleeping reader's wake-up, null when it is not sleeping on a partial batch. Whoever swaps it out
    /// completes it.
    let mutable waiter: TaskCompletionSource = null
    /// Set (before waking) by flush, shutdown and close, so a wake-up that races with the reader going to sleep
    /// is not lost.
    let mutable wakeRequested = 0

    let abort = new CancellationTokenSource()

    // With an export store, shutdown stops sending a little before its deadline (see RunnerExport.BeginShutdown),
    // so that what is not sent by then is still kept in time.
    let cutoff = new CancellationTokenSource()

    // The export store, for an exporter that encodes requests (OTLP) while retries are on: what the backend
    // cannot take waits there (see RunnerStore). Opened by the request kind and the destination (a directory
    // gives each its subdirectory).
    let store =
        if retry.Enabled && RequestStage.encodes exporter then
            let requests = RequestStage.requests exporter

            openStore requests.RequestKind (ExportDestination.ofExporter requests)
            |> Option.map (fun (store, maxAge) ->
                RunnerStore<'T>(
                    name,
                    store,
                    requests,
                    retry,
                    options.ExportTimeout,
                    maxAge,
                    accounts,
                    abort,
                    cutoff.Token
                ))
        else
            None

    // The exporter's side: each batch's export (deadline, retries or the store, outcome in the books) and its
    // shutdown.
    let export =
        RunnerExport<'T>(name, options.ExportTimeout, retry, resource, exporter, accounts, abort, cutoff, store)

    let mutable shutdownTask: Task<bool> = null
    let mutable readerTask: Task = null

    let batchSize = options.MaxExportBatchSize
    let delayTicks = options.ScheduleDelay.Ticks

    // Reader-only state: the partial batch and when its oldest item was taken.
    let pending = ResizeArray<'T>(min batchSize 1024)
    let mutable firstAt = 0L
    // Turns of the reader's loop (tests check that an idle reader sleeps).
    let mutable loops = 0L

    let wake () =
        let current = Volatile.Read &waiter

        if
            not (isNull current)
            && Object.ReferenceEquals(Interlocked.CompareExchange(&waiter, null, current), current)
        then
            current.TrySetResult() |> ignore

    let requestWake () =
        Interlocked.Exchange(&wakeRequested, 1) |> ignore
        wake ()

    // The one timer bounding a partial batch's wait; re-armed per sleep, never per item.
    let timer =
        let suppress = not (ExecutionContext.IsFlowSuppressed())

        let flow =
            if suppress then
                ExecutionContext.SuppressFlow()
            else
                Unchecked.defaultof<_>

        try
            new Timer(TimerCallback(fun _ -> wake ()), null, Timeout.Infinite, Timeout.Infinite)
        finally
            if suppress then
                flow.Undo()

    /// Stops the reader, then closes the books (see `RunnerAccounts.Close`). Returns the number of items not
    /// exported by this close.
    let close () =
        // Called after the channel was completed, so no write can succeed any more: stop the reader, take what
        // is left (it is dropped below), and then `itemsRead` is every item ever written. A producer whose
        // write succeeded may not have counted it yet; wait for it so that Accepted is final.
        let written =
            lock readGate (fun () ->
                readingStopped <- true
                let mutable message = Unchecked.defaultof<Message<'T>>

                while channel.Reader.TryRead(&message) do
                    match message with
                    | Item _ -> itemsRead <- itemsRead + 1L
                    | Flush flushed -> flushed.TrySetResult false |> ignore

                itemsRead)

        let mutable spin = SpinWait()

        while Volatile.Read &accounts.Accepted < written do
            spin.SpinOnce()

        let lost = accounts.Close()

        try
            abort.Cancel()
        with _ ->
            ()

        requestWake ()
        lost

    /// Takes queued items into `pending` until a full batch, a flush marker (returned) or an empty queue.
    let take () : TaskCompletionSource<bool> =
        lock readGate (fun () ->
            let mutable marker = null
            let mutable reading = not readingStopped
            let mutable message = Unchecked.defaultof<Message<'T>>

            while reading && pending.Count < batchSize do
                if channel.Reader.TryRead(&message) then
                    match message with
                    | Item item ->
                        if pending.Count = 0 then
                            firstAt <- Stopwatch.GetTimestamp()

                        pending.Add item
                        itemsRead <- itemsRead + 1L
                    | Flush flushed ->
                        marker <- flushed
                        reading <- false
                else
                    reading <- false

            Volatile.Write(&itemsReadPublished, itemsRead)
            marker)

    /// Sleeps until a full batch is queued, `left` ticks have passed, or someone requests a wake-up.
    let sleep (left: int64) : Task =
        let signal = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        let target = itemsRead + int64 (batchSize - pending.Count)
        Volatile.Write(&wakeAt, target)
        Interlocked.Exchange(&waiter, signal) |> ignore

        // Re-check after publishing (Interlocked.Exchange is a full fence, as is Post's increment).
        if Volatile.Read &accounts.Accepted >= target || Volatile.Read &wakeRequested <> 0 then
            Interlocked.CompareExchange(&waiter, null, signal) |> ignore
            Task.CompletedTask
        else
            // Whole milliseconds, rounded up so the timer does not fire before the delay; capped well
            // below Timer's limit (a longer delay just re-arms on waking).
            let ms =
                Math.Min((left + TimeSpan.TicksPerMillisecond - 1L) / TimeSpan.TicksPerMillisecond, 86_400_000L)

            timer.Change(ms, int64 Timeout.Infinite) |> ignore
            signal.Task

    /// The single reader: batches by size or delay, honours flush markers, drains on completion.
    let readLoop () : Task =
        task {
            let reader = channel.Reader
            let mutable running = true

            let exportPending () =
                let items = pending.ToArray()
                pending.Clear()
                export.Export items

            // Shutdown's drain of the store, once the queue is completed and empty (whether the reader found it so
            // on a turn or was asleep on the empty queue): the store gets its last chance before the cutoff, unless
            // it outlives the process and the backend is known down (its requests wait for the next process).
            let drainStore () : Task =
                task {
                    match store with
                    | Some store ->
                        // No timer starts a sender from now on; the one running (whose request the backend may be
                        // taking) is awaited: it ends by the cutoff at the latest (its sends are bounded by it).
                        store.Quiesce()
                        do! store.Replaying

                        if not (store.Durable && store.Down) then
                            do! store.StartReplay true

                        store.Abandon()
                    | None -> ()
                }

            try
                while running do
                    Interlocked.Increment &loops |> ignore
                    // Cleared before taking: a request made after this point is either seen by `take` (its
                    // marker or completion is already in the channel) or by the next sleep's re-check.
                    Interlocked.Exchange(&wakeRequested, 0) |> ignore

                    let marker = take ()

                    if not (isNull marker) then
                        if pending.Count > 0 then
                            do! exportPending ()

                        // A flush also tries the store now, whatever the backoff: true once the sender has emptied
                        // it. The reader goes on meanwhile.
                        match store with
                        | Some store when store.Holding ->
                            store
                                .StartReplay(true)
                                .ContinueWith(
                                    (fun (_: Task) -> marker.TrySetResult(not store.Holding) |> ignore),
                                    TaskScheduler.Default
                                )
                            |> ignore
                        | _ -> marker.TrySetResult true |> ignore
                    elif pending.Count >= batchSize then
                        do! exportPending ()
                    elif accounts.IsClosed then
                        running <- false
                    elif reader.Completion.IsCompleted then
                        // Completed and empty: the final drain.
                        if pending.Count > 0 then
                            do! exportPending ()

                        do! drainStore ()
                        running <- false
                    elif pending.Count > 0 then
                        let left = delayTicks - (Stopwatch.GetElapsedTime firstAt).Ticks

                        if left <= 0L then
                            do! exportPending ()
                        else
                            do! sleep left
                            Volatile.Write(&wakeAt, Int64.MaxValue)
                    else
                        // Nothing pending: the channel wakes us on the first write, a flush or completion. (The
                        // export store's sender runs on its own timer: nothing to poll here.)
                        let! more = reader.WaitToReadAsync()

                        // Completed while the reader slept (nothing pending): the store's drain all the same.
                        if not more then
                            do! drainStore ()
                            running <- false
            with error ->
                SelfDiagnostics.error name $"runner loop stopped: {error.GetType().FullName}"

            do! export.ShutdownExporter()
            store |> Option.iter _.Dispose()
            timer.Dispose()
        }

    let runShutdown (timeout: TimeSpan) : Task<bool> =
        task {
            let timeout = if timeout < TimeSpan.Zero then TimeSpan.Zero else timeout
            // Before the channel completes, so that the drain's exports already retry only what fits the deadline.
            export.BeginShutdown(Stopwatch.GetTimestamp() + StopwatchTicks.ofTimeSpan timeout)
            channel.Writer.TryComplete() |> ignore
            requestWake ()
            use deadline = new CancellationTokenSource()
            let! winner = Task.WhenAny(readerTask, Task.Delay(timeout, deadline.Token))
            deadline.Cancel()
            let inTime = Object.ReferenceEquals(winner, readerTask)
            let lost = close ()
            accounts.ReportRejected true

            if not inTime then
                SelfDiagnostics.shutdownTimedOut name lost

            // True only when everything this pipeline ever accepted was delivered: an export that failed earlier
            // (or during the drain) makes the answer false, as an item dropped at the deadline does.
            let stats = accounts.Stats
            return inTime && lost = 0L && stats.Failed = 0L && stats.Dropped = 0L
        }

    do readerTask <- Task.Run(Func<Task>(fun () -> readLoop ()))

    member _.Name = name

    member _.Post(item: 'T) =
        try
            // Queued = accepted - read. The check and the write are not one step, so concurrent producers can
            // overshoot the bound by at most one item each; the published read count lags by at most a batch,
            // which only makes the bound stricter.
            if Volatile.Read &accounts.Accepted - Volatile.Read &itemsReadPublished >= capacity then
                accounts.Reject()
                false
            elif channel.Writer.TryWrite(Item item) then
                // Counted after the write: close waits for this count to catch up with what was written.
                if Interlocked.Increment &accounts.Accepted >= Volatile.Read &wakeAt then
                    wake ()

                true
            else
                accounts.Reject()
                false
        with _ ->
            false

    member _.Shutdown(timeout: TimeSpan) : Task<bool> =
        let existing = Volatile.Read &shutdownTask

        if not (isNull existing) then
            existing
        else
            let started = TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)

            let previous = Interlocked.CompareExchange(&shutdownTask, started.Task, null)

            if not (isNull previous) then
                previous
            else
                // Its awaits must not resume on the caller's SynchronizationContext (see NoContext); the channel
                // is completed before this returns, so nothing posted after Shutdown is accepted.
                NoContext
                    .run(fun () -> runShutdown timeout)
                    .ContinueWith(
                        (fun (t: Task<bool>) -> started.TrySetResult(t.IsCompletedSuccessfully && t.Result) |> ignore),
                        TaskScheduler.Default
                    )
                |> ignore

                started.Task

    member _.ForceFlush(timeout: TimeSpan) : Task<bool> =
        // Without the caller's SynchronizationContext, as Shutdown.
        NoContext.run (fun () ->
            // Whatever fails or is dropped from now until the marker is reached was queued before it (or was held
            // by the export store): the flush is then false, as Shutdown answers.
            let lostNow () =
                let stats = accounts.Stats
                stats.Failed + stats.Dropped

            let lostBefore = lostNow ()

            let work =
                task {
                    let flushed = TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)
                    let mutable queued = true

                    try
                        do! channel.Writer.WriteAsync(Flush flushed)
                        requestWake ()
                    with _ ->
                        queued <- false

                    let shutdown = Volatile.Read &shutdownTask

                    if not queued then
                        // Shut down (or shutting down): the drain exports what was queued before this call.
                        if isNull shutdown then return false else return! shutdown
                    elif isNull shutdown then
                        let! done' = flushed.Task
                        return done' && lostNow () = lostBefore
                    else
                        let! winner = Task.WhenAny(flushed.Task, shutdown)
                        let! done' = winner
                        return done' && lostNow () = lostBefore
                }

            Deadline.orFalse timeout work)

    member _.Stats = accounts.Stats

    member _.ReaderLoops = Volatile.Read &loops

    member _.StoreFaults =
        match store with
        | Some store -> store.Faults
        | None -> 0L

    interface IAsyncDisposable with
        member this.DisposeAsync() = ValueTask(this.Shutdown(TimeSpan.FromSeconds 5.) :> Task)

    interface IDisposable with
        member this.Dispose() = this.Shutdown(TimeSpan.FromSeconds 5.).GetAwaiter().GetResult() |> ignore

[<RequireQualifiedAccess>]
module internal Runner =
    let private simpleOptions =
        {
            ScheduleDelay = TimeSpan.Zero
            ExportTimeout = TimeSpan.FromSeconds 30.
            MaxQueueSize = 2048
            MaxExportBatchSize = 1
        }

    [<CompiledName("Start")>]
    let start (name: string) (mode: ExportMode) (retry: RetryPolicy) (resource: Resource) (exporter: IExporter<'T>) =
        let options =
            match mode with
            | ExportMode.Simple -> simpleOptions
            | ExportMode.Batched options -> Validation.orThrow (nameof options) (BatchOptions.validate options)

        new Runner<'T>(name, options, retry, resource, exporter, (fun _ _ -> None))

    [<CompiledName("StartWithStore")>]
    let startWithStore
        (name: string)
        (mode: ExportMode)
        (retry: RetryPolicy)
        (resource: Resource)
        (openStore: string -> string -> (IRequestStore * TimeSpan) option)
        (exporter: IExporter<'T>)
        =
        let options =
            match mode with
            | ExportMode.Simple -> simpleOptions
            | ExportMode.Batched options -> Validation.orThrow (nameof options) (BatchOptions.validate options)

        new Runner<'T>(name, options, retry, resource, exporter, openStore)
