namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics
open System.Collections.Concurrent
open System.Threading
open System.Threading.Tasks

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
    // The items wait in a lock-free ring of `MaxQueueSize` slots (see ItemQueue): an add is one compare-and-swap
    // and two writes, where a channel took a lock and a queue node per write. Once the queue is closed no add can
    // succeed, which `close` relies on: the count read is then final.
    let queue = ItemQueue<'T> options.MaxQueueSize

    // Flush markers, each with the number of items reserved when it was made: it completes once the reader has
    // taken (and exported) that many, so "queued before the flush call" is exact. Closed with the queue, under
    // `markerGate`, so no marker is left behind by the final drain.
    let markers = ConcurrentQueue<struct (TaskCompletionSource<bool> * int64)>()
    let markerGate = obj ()
    let mutable markersClosed = false

    // The books (see RunnerAccounts): what was accepted, rejected, exported, failed and dropped.
    let accounts = RunnerAccounts name

    // Wake-up protocol. The reader is a thread of its own, as the official SDK's batch processor's: waking a
    // thread-pool worker per batch made workers spin for more work after each one, taking CPU from the application
    // (on a 2-core machine, most of a span's cost). It sleeps on `wakeEvent` (which does not spin) for the delay: with
    // a partial batch pending, the delay left since its oldest item was taken; with nothing pending, one whole delay
    // (as the official SDK's batch processor exports every delay). A producer wakes it only when `accepted` reaches
    // `wakeAt`, the count at which a full batch is queued, so a busy pipeline wakes its reader once per batch.
    // Flush, shutdown and close wake it at once. Post therefore costs the queue's add, one Interlocked.Increment and
    // one volatile read.

    /// Items the reader (or close) has taken out of the queue. Changed only under `readGate`.
    let mutable itemsRead = 0L
    let readGate = obj ()
    /// Set by close under `readGate`: the reader takes nothing more.
    let mutable readingStopped = false
    /// When `accepted` reaches this value a full batch is queued and Post wakes the reader.
    let mutable wakeAt = Int64.MaxValue
    /// The sleeping reader's wake-up. Never disposed: a producer may still set it after the reader ended.
    let wakeEvent = new ManualResetEventSlim(false, 0)
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
    // Completed when the reader's thread ends.
    let readerDone = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    let readerTask: Task = readerDone.Task

    let batchSize = options.MaxExportBatchSize
    let delayTicks = options.ScheduleDelay.Ticks

    // Reader-only state: the partial batch and when its oldest item was taken.
    let pending = ResizeArray<'T>(min batchSize 1024)
    let mutable firstAt = 0L
    // When the reader last went to sleep with nothing pending (0: it did not): items taken after such a sleep
    // arrived during it, so their delay is counted from its start (a partial batch never waits more than a delay).
    let mutable idleSince = 0L
    // Turns of the reader's loop (tests check that an idle reader sleeps).
    let mutable loops = 0L

    // A producer that reaches `wakeAt` wakes the reader; only the first does (it takes `wakeAt` back), so the
    // posts made before the reader runs again do not each set the event.
    let wake () =
        if Interlocked.Exchange(&wakeAt, Int64.MaxValue) <> Int64.MaxValue then
            wakeEvent.Set()

    let requestWake () =
        Interlocked.Exchange(&wakeRequested, 1) |> ignore
        wakeEvent.Set()

    /// Refuses every later item and flush (idempotent).
    let closeQueue () =
        // Markers first: a flush that queued its marker did so before the queue closed, so the reader's final
        // drain (which starts once it sees the queue closed) finds it.
        lock markerGate (fun () -> markersClosed <- true)
        queue.Close()

    /// Stops the reader, then closes the books (see `RunnerAccounts.Close`). Returns the number of items not
    /// exported by this close.
    let close () =
        // Called after the queue was closed, so no add can succeed any more: stop the reader, take what is left
        // (it is dropped below), and then `itemsRead` is every item ever added. A producer whose add succeeded may
        // not have counted it yet; wait for it so that Accepted is final.
        let written =
            lock readGate (fun () ->
                readingStopped <- true
                let mutable item = Unchecked.defaultof<'T>

                while queue.TryTake(&item) do
                    itemsRead <- itemsRead + 1L

                let mutable marker = Unchecked.defaultof<struct (TaskCompletionSource<bool> * int64)>

                while markers.TryDequeue(&marker) do
                    let struct (flushed, _) = marker
                    flushed.TrySetResult false |> ignore

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

    /// Takes queued items into `pending` until a full batch or an empty queue; returns a flush marker (null when
    /// none) once every item queued before it has been taken.
    let take () : TaskCompletionSource<bool> =
        lock readGate (fun () ->
            let mutable marker = null

            if not readingStopped then
                let mutable reading = true
                let mutable item = Unchecked.defaultof<'T>
                // What was queued by now (the rest is for the next take).
                let limit = queue.Reserved
                // Counted here and written once: producers read fields that may share its cache line.
                let mutable read = itemsRead

                while reading && pending.Count < batchSize do
                    if queue.TryTakeBefore(limit, &item) then
                        if pending.Count = 0 then
                            firstAt <-
                                if idleSince <> 0L then
                                    idleSince
                                else
                                    Stopwatch.GetTimestamp()

                        pending.Add item
                        read <- read + 1L
                    else
                        reading <- false

                itemsRead <- read

                let mutable next = Unchecked.defaultof<struct (TaskCompletionSource<bool> * int64)>

                if markers.TryPeek(&next) then
                    let struct (flushed, position) = next

                    if position <= itemsRead && markers.TryDequeue(&next) then
                        marker <- flushed

            marker)

    /// Sleeps until `target` items have been accepted, `left` ticks have passed, or someone requests a wake-up.
    let sleepUntil (target: int64) (left: int64) =
        wakeEvent.Reset()
        Volatile.Write(&wakeAt, target)
        // `wakeAt` is published before the re-check (Post's increment is a full fence too): a producer either sees
        // it and wakes the reader, or counted its item before the re-check reads the count.
        Interlocked.MemoryBarrier()

        if Volatile.Read &accounts.Accepted < target && Volatile.Read &wakeRequested = 0 then
            // Whole milliseconds, rounded up so the wait does not end before the delay; capped well below the
            // wait's limit (a longer delay just sleeps again on waking).
            let ms = Math.Min(left / TimeSpan.TicksPerMillisecond + 1L, 86_400_000L)
            wakeEvent.Wait(int ms) |> ignore

        Volatile.Write(&wakeAt, Int64.MaxValue)

    /// The single reader: batches by size or delay, honours flush markers, drains on completion.
    let readLoop () =
        // The reader's thread waits for each export: an exporter's own awaits resume on the thread pool.
        let await (work: Task) = work.GetAwaiter().GetResult()
        let mutable running = true

        let exportPending () =
            let items = pending.ToArray()
            pending.Clear()
            await (export.Export items)

        // Shutdown's drain of the store, once the queue is closed and empty: the store gets its last chance before the
        // cutoff, unless it outlives the process and the backend is known down (its requests wait for the next
        // process).
        let drainStore () =
            match store with
            | Some store ->
                // No timer starts a sender from now on; the one running (whose request the backend may be taking) is
                // awaited: it ends by the cutoff at the latest (its sends are bounded by it).
                store.Quiesce()
                await store.Replaying

                if not (store.Durable && store.Down) then
                    await (store.StartReplay true)

                store.Abandon()
            | None -> ()

        try
            try
                while running do
                    Interlocked.Increment &loops |> ignore
                    // Cleared before taking: a request made after this point is either seen by `take` (its
                    // marker is already queued, or the queue closed) or by the next sleep's re-check.
                    Interlocked.Exchange(&wakeRequested, 0) |> ignore

                    let marker = take ()
                    idleSince <- 0L

                    if not (isNull marker) then
                        if pending.Count > 0 then
                            exportPending ()

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
                        exportPending ()
                    elif accounts.IsClosed then
                        running <- false
                    elif queue.IsClosed && queue.IsEmpty then
                        // Closed and empty: the final drain.
                        if pending.Count > 0 then
                            exportPending ()

                        drainStore ()

                        // A flush whose marker came after this turn's `take` looked: everything queued before it
                        // was exported above (its lost items make the flush false, see ForceFlush).
                        let mutable left = Unchecked.defaultof<struct (TaskCompletionSource<bool> * int64)>

                        while markers.TryDequeue(&left) do
                            let struct (flushed, _) = left

                            flushed.TrySetResult(
                                match store with
                                | Some store -> not store.Holding
                                | None -> true
                            )
                            |> ignore

                        running <- false
                    elif pending.Count > 0 then
                        // A partial batch waits for the rest until its delay, counted from its oldest item.
                        let left = delayTicks - (Stopwatch.GetElapsedTime firstAt).Ticks

                        if left <= 0L then
                            exportPending ()
                        else
                            sleepUntil (itemsRead + int64 (batchSize - pending.Count)) left
                    else
                        // Nothing pending: a full batch or one whole delay wakes the reader (the first item does
                        // not), as the official SDK's batch processor exports every delay; with no delay, the first
                        // item. (The export store's sender runs on its own timer: nothing to poll here.)
                        idleSince <- Stopwatch.GetTimestamp()

                        let struct (target, left) =
                            if delayTicks <= 0L then
                                struct (itemsRead + 1L, Int64.MaxValue)
                            else
                                struct (itemsRead + int64 batchSize, delayTicks)

                        sleepUntil target left
            with error ->
                SelfDiagnostics.error name $"runner loop stopped: {error.GetType().FullName}"

            await (export.ShutdownExporter())
            store |> Option.iter _.Dispose()
        finally
            readerDone.TrySetResult() |> ignore

    let runShutdown (timeout: TimeSpan) : Task<bool> =
        task {
            let timeout = if timeout < TimeSpan.Zero then TimeSpan.Zero else timeout
            // Before the queue closes, so that the drain's exports already retry only what fits the deadline.
            export.BeginShutdown(Stopwatch.GetTimestamp() + StopwatchTicks.ofTimeSpan timeout)
            closeQueue ()
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

    do
        // A background thread of its own, started without the creator's execution context (no AsyncLocal of the
        // application flows into the exports).
        let reader = Thread(ThreadStart(readLoop), IsBackground = true, Name = $"Functional.Telemetry {name}")
        reader.UnsafeStart()

    member _.Name = name

    member _.Post(item: 'T) =
        try
            // The queue refuses an item when MaxQueueSize wait, or once it is closed (shut down).
            if queue.TryAdd item then
                // Counted after the add: close waits for this count to catch up with what was added.
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

                    // Everything reserved so far comes before the marker; none once the queue is closed.
                    let queued =
                        lock markerGate (fun () ->
                            if markersClosed then
                                false
                            else
                                markers.Enqueue(struct (flushed, queue.Reserved))
                                true)

                    if queued then
                        requestWake ()

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
