namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics
open System.Threading
open System.Threading.Tasks

/// A runner's side of its exporter: one batch's export, bounded by the export deadline (retries included) even
/// when the exporter ignores its token, retried under the policy, its outcome settled once in the runner's books;
/// and the exporter's shutdown. Exporters are started on the thread pool so that one that blocks synchronously
/// cannot stall the runner's reader. `abort` (cancelled when shutdown's deadline passes) ends every wait.
[<Sealed>]
type internal RunnerExport<'T>
    (
        name: string,
        exportTimeout: TimeSpan,
        retry: RetryPolicy,
        resource: Resource,
        exporter: IExporter<'T>,
        accounts: RunnerAccounts,
        abort: CancellationTokenSource,
        cutoff: CancellationTokenSource,
        store: RunnerStore<'T> option
    ) =
    // Where the exporter sends, as diagnostics name it (an OTLP endpoint), read once.
    let destination = ExportDestination.ofExporter exporter

    // Completes (without faulting) when the runner is aborted; created once so idle waits add no registrations.
    let aborted: Task = Task.WhenAny(Task.Delay(Timeout.InfiniteTimeSpan, abort.Token)) :> Task
    let mutable exporterShutDown = 0

    // Cancelled when shutdown begins (`BeginShutdown`): a retry's backoff wakes to see whether it still fits.
    let stopping = new CancellationTokenSource()
    let stoppingOrAborted = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token, abort.Token)
    // Stopwatch timestamp of shutdown's deadline; meaningful once `stopping` is cancelled.
    let mutable shutdownDeadline = Int64.MaxValue

    /// Time left before shutdown's deadline (TimeSpan.MaxValue while not shutting down).
    let shutdownRemaining () =
        if stopping.IsCancellationRequested then
            let left = Volatile.Read &shutdownDeadline - Stopwatch.GetTimestamp()

            if left <= 0L then
                TimeSpan.Zero
            else
                Stopwatch.GetElapsedTime(0L, left)
        else
            TimeSpan.MaxValue

    /// Races `work` against `deadline` (an export's token, cancelled at its export deadline or on an abort); true
    /// when `work` finished first. No timer of its own: the token's CancelAfter is the clock.
    let finishesBefore (work: Task) (deadline: CancellationToken) : Task<bool> =
        if work.IsCompleted then
            Task.FromResult true
        else
            task {
                let! winner = Task.WhenAny(work, Task.Delay(Timeout.InfiniteTimeSpan, deadline))
                return Object.ReferenceEquals(winner, work)
            }

    /// Whether a retry after `wait` may still be made for `reason` once shutdown has begun: not for a peer that
    /// could not be reached at all (a refused connection is not worth the application's exit time), and only
    /// when the wait ends before shutdown's deadline.
    let retryFitsShutdown (reason: string) (wait: TimeSpan) =
        not stopping.IsCancellationRequested
        || (not (ExportReasons.isUnreachable reason) && wait < shutdownRemaining ())

    /// Waits at least `wait` by the stopwatch (timers may fire a little early) before a retry for `reason`; false
    /// when the retry is not to be made after all: the runner was aborted, or shutdown began during the wait and
    /// the retry no longer fits (see `retryFitsShutdown`).
    let waitForRetry (reason: string) (wait: TimeSpan) : Task<bool> =
        task {
            let started = Stopwatch.GetTimestamp()
            let mutable left = wait
            let mutable go = true

            while go && left > TimeSpan.Zero && not abort.IsCancellationRequested do
                if not (retryFitsShutdown reason left) then
                    go <- false
                else
                    let delay =
                        if left < TimeSpan.FromMilliseconds 1. then
                            TimeSpan.FromMilliseconds 1.
                        else
                            left

                    // Until shutdown begins, its start ends the wait too (to check the retry still fits).
                    let token =
                        if stopping.IsCancellationRequested then
                            abort.Token
                        else
                            stoppingOrAborted.Token

                    let! _ = Task.WhenAny(Task.Delay(delay, token))
                    left <- wait - Stopwatch.GetElapsedTime started

            return go && not abort.IsCancellationRequested
        }

    let observe (t: Task) =
        t.ContinueWith(
            (fun (done': Task) -> done'.Exception |> ignore),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted
            ||| TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default
        )
        |> ignore

    /// One export attempt, bounded by the export deadline (`token`) even if the exporter ignores its token.
    /// The exporter is called on the runner's own reader thread, as the official SDK calls its exporters: no thread
    /// is woken for it. One that blocks synchronously holds up its own pipeline only (its queue fills and refuses
    /// what comes, counted), and flush and shutdown still end at their deadlines.
    let attemptExport (batch: Batch<'T>) (token: CancellationToken) : Task<Choice<ExportResult, exn, unit>> =
        task {
            accounts.CountExportCall()

            let exportTask =
                try
                    match exporter.Export(batch, token) with
                    | null -> Task.FromException<ExportResult>(InvalidOperationException "Export returned no task")
                    | started -> started
                with error ->
                    Task.FromException<ExportResult> error

            let! finished = finishesBefore exportTask token

            if finished then
                match exportTask.Status with
                | TaskStatus.RanToCompletion -> return Choice1Of3 exportTask.Result
                | TaskStatus.Faulted ->
                    let inner = exportTask.Exception.GetBaseException()
                    return Choice2Of3 inner
                | _ -> return Choice3Of3()
            else
                observe exportTask
                return Choice3Of3()
        }

    /// Without an export store: one batch with retries in line inside its export deadline; its outcome decided once.
    let exportDirect (items: 'T array) : Task =
        task {
            match accounts.BeginBatch items.Length with
            | ValueNone -> ()
            | ValueSome batchId ->
                let started = Stopwatch.GetTimestamp()
                use exportCts = CancellationTokenSource.CreateLinkedTokenSource abort.Token
                // The export deadline, retries included (CancelAfter takes at most Int32.MaxValue ms).
                if exportTimeout.TotalMilliseconds < float Int32.MaxValue then
                    exportCts.CancelAfter exportTimeout

                let batch = { Resource = resource; Items = items }
                let remaining () = exportTimeout - Stopwatch.GetElapsedTime started
                let mutable attempt = 1
                let mutable outcome = ValueNone

                let fail reason =
                    SelfDiagnostics.exportFailed name exporter.Name destination reason
                    outcome <- ValueSome Failed

                while outcome.IsNone do
                    let! result = attemptExport batch exportCts.Token

                    match result with
                    | Choice1Of3 ExportResult.Success -> outcome <- ValueSome Exported
                    | Choice1Of3(ExportResult.Failure reason) -> fail reason
                    | Choice1Of3(ExportResult.Retryable(reason, retryAfter)) ->
                        if not retry.Enabled || attempt >= retry.MaxAttempts then
                            fail $"retryable failure, no attempts left ({attempt} made): {reason}"
                        elif abort.IsCancellationRequested then
                            fail $"retryable failure during an expired shutdown: {reason}"
                        elif not (retryFitsShutdown reason TimeSpan.Zero) then
                            fail $"retryable failure during shutdown, not retried: {reason}"
                        else
                            let wait =
                                RetryPolicy.backoff
                                    retry
                                    attempt
                                    (Option.ofNullable retryAfter)
                                    (Random.Shared.NextDouble())

                            if wait >= remaining () then
                                fail $"retryable failure, next retry would pass the export deadline: {reason}"
                            elif not (retryFitsShutdown reason wait) then
                                fail $"retryable failure, next retry would pass the shutdown deadline: {reason}"
                            else
                                SelfDiagnostics.exportRetry
                                    name
                                    exporter.Name
                                    destination
                                    attempt
                                    (int64 wait.TotalMilliseconds)
                                    reason

                                let! retrying = waitForRetry reason wait

                                if retrying then
                                    attempt <- attempt + 1
                                else
                                    fail $"retryable failure, not retried once shutdown began: {reason}"
                    | Choice2Of3 error ->
                        SelfDiagnostics.exporterException
                            name
                            exporter.Name
                            destination
                            (error.GetType().FullName)
                            error.Message

                        outcome <- ValueSome Failed
                    | Choice3Of3() ->
                        exportCts.Cancel()

                        if abort.IsCancellationRequested then
                            fail "export abandoned at the shutdown deadline"
                        else
                            fail $"export timed out after {int exportTimeout.TotalMilliseconds} ms"

                accounts.Settle(batchId, items.Length, outcome.Value)
        }

    /// The export store's path: the batch is encoded and each request sent or kept by the store (no retries in
    /// line); the books count each request's items as it settles, and the rest when the batch ends.
    let exportThroughStore (store: RunnerStore<'T>) (items: 'T array) : Task =
        task {
            match accounts.BeginBatch items.Length with
            | ValueNone -> ()
            | ValueSome batchId ->
                use exportCts = CancellationTokenSource.CreateLinkedTokenSource(abort.Token, cutoff.Token)

                if exportTimeout.TotalMilliseconds < float Int32.MaxValue then
                    exportCts.CancelAfter exportTimeout

                // Each request handed over in its group (see RequestGroups): the runner's items it holds are its
                // share of the batch (a stage's processors may have dropped some before encoding; a metrics
                // collection may be split into several requests).
                let groups =
                    RequestGroups(items.Length, fun bodies held token -> store.Deliver(batchId, bodies, held, token))

                let deliver =
                    RequestDelivery(fun body first count total token -> groups.Hand(body, first, count, total, token))

                let batch = { Resource = resource; Items = items }
                let requests = RequestStage.requests exporter
                // Read now: an export abandoned at shutdown's deadline goes on after exportCts is disposed.
                let token = exportCts.Token

                let work =
                    Task.Run<ExportResult>(
                        Func<Task<ExportResult>>(fun () ->
                            task {
                                let! result = requests.ExportRequests(batch, deliver, token)
                                // A group the exporter left open (it stopped before the batch's end) is still sent
                                // or kept; the items it did not settle are counted below.
                                let! rest = groups.Finish token

                                return
                                    match result with
                                    | ExportResult.Success -> rest
                                    | other -> other
                            }),
                        CancellationToken.None
                    )

                // Each send is bounded by the export token; encoding and keeping are bounded only by an abort.
                if not work.IsCompleted then
                    let! _ = Task.WhenAny(work, aborted)
                    ()

                let mutable succeeded = false

                if work.IsCompletedSuccessfully then
                    match work.Result with
                    | ExportResult.Success -> succeeded <- true
                    | ExportResult.Failure reason
                    | ExportResult.Retryable(reason, _) ->
                        SelfDiagnostics.exportFailed name exporter.Name destination reason
                elif work.IsFaulted then
                    let error = work.Exception.GetBaseException()

                    SelfDiagnostics.exporterException
                        name
                        exporter.Name
                        destination
                        (error.GetType().FullName)
                        error.Message
                else
                    observe work

                // What no request settled: items a processor dropped (the batch succeeded), else failed.
                accounts.SettleRest(batchId, succeeded)
        }

    /// Exports one batch: through the export store when the runner has one, else with retries in line.
    member _.Export(items: 'T array) : Task =
        match store with
        | Some store -> exportThroughStore store items
        | None -> exportDirect items


    /// Shutdown has begun and must end at `deadline` (a Stopwatch timestamp): retries from now on are made only
    /// when they fit (see `retryFitsShutdown`).
    member _.BeginShutdown(deadline: int64) =
        Volatile.Write(&shutdownDeadline, deadline)

        // With a store, sending stops a quarter of the timeout (at most a second) before the deadline: what is
        // not sent by then is kept (a directory) or dropped (memory) while the deadline still holds.
        if store.IsSome then
            let left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), max deadline (Stopwatch.GetTimestamp()))
            let reserve = min (TimeSpan.FromSeconds 1.) (left / 4.)

            try
                let sending = left - reserve

                if sending <= TimeSpan.Zero then
                    cutoff.Cancel()
                elif sending.TotalMilliseconds < float Int32.MaxValue then
                    cutoff.CancelAfter sending
            with _ ->
                ()

        try
            stopping.Cancel()
        with _ ->
            ()

    /// Shuts the exporter down once, waiting for it at most until the runner is aborted.
    member _.ShutdownExporter() : Task =
        task {
            if Interlocked.Exchange(&exporterShutDown, 1) = 0 then
                try
                    let shutdown = Task.Run(Func<Task>(fun () -> exporter.Shutdown abort.Token), CancellationToken.None)

                    let! winner = Task.WhenAny(shutdown, aborted)

                    if Object.ReferenceEquals(winner, shutdown) then
                        if shutdown.IsFaulted then
                            let error = shutdown.Exception.GetBaseException()

                            SelfDiagnostics.exporterException
                                name
                                exporter.Name
                                destination
                                (error.GetType().FullName)
                                error.Message
                    else
                        observe shutdown
                with error ->
                    SelfDiagnostics.exporterException
                        name
                        exporter.Name
                        destination
                        (error.GetType().FullName)
                        error.Message
        }
