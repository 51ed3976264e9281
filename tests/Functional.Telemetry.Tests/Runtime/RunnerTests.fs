module Functional.Telemetry.Tests.RunnerTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Diagnostics.Tracing
open System.Threading
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

let private resource = { Attributes = []; SchemaUrl = "" }

let private patience = TimeSpan.FromSeconds 10.

/// How the fake exporter answers its n-th call (1-based).
type Behaviour<'T> = int -> Batch<'T> -> CancellationToken -> Task<ExportResult>

/// A controllable exporter: records every call, successful batches, call times and shutdowns.
type FakeExporter<'T>(behaviour: Behaviour<'T>) =
    let calls = ConcurrentQueue<'T array>()
    let exported = ConcurrentQueue<'T array>()
    let callTimes = ConcurrentQueue<int64>()
    let shutdowns = ref 0
    let callCount = ref 0
    let shutdownCalled = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    let started = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)

    member _.Calls = List.ofSeq calls
    member _.Exported = List.ofSeq exported
    member _.ExportedItems = exported |> Seq.collect id |> List.ofSeq
    member _.CallTimes = List.ofSeq callTimes
    member _.ShutdownCount = shutdowns.Value
    member _.ShutdownCalled: Task = shutdownCalled.Task
    /// Completes when the first Export call begins.
    member _.Started: Task = started.Task

    interface IExporter<'T> with
        member _.Name = "fake"

        member _.Export(batch, token) =
            let n = Interlocked.Increment &callCount.contents
            callTimes.Enqueue(Stopwatch.GetTimestamp())
            calls.Enqueue batch.Items
            started.TrySetResult() |> ignore
            let result = behaviour n batch token

            result.ContinueWith(fun (t: Task<ExportResult>) ->
                if t.IsCompletedSuccessfully && t.Result = ExportResult.Success then
                    exported.Enqueue batch.Items

                t.Result)

        member _.Shutdown _ =
            Interlocked.Increment &shutdowns.contents |> ignore
            shutdownCalled.TrySetResult() |> ignore
            Task.CompletedTask

let private succeed: Behaviour<'T> = fun _ _ _ -> Task.FromResult ExportResult.Success

let private options delay batch queue =
    {
        ScheduleDelay = delay
        ExportTimeout = TimeSpan.FromSeconds 10.
        MaxQueueSize = queue
        MaxExportBatchSize = batch
    }

let private never = TimeSpan.FromMinutes 10.

let private fastRetry =
    { RetryPolicy.defaults with
        InitialBackoff = TimeSpan.FromMilliseconds 1.
        MaxBackoff = TimeSpan.FromMilliseconds 1.
    }

let private start name mode retry (exporter: FakeExporter<'T>) =
    Runner.start name mode retry resource (exporter :> IExporter<'T>)

let private checkBooks (stats: RunnerStats) =
    Assert.Equal(stats.Accepted, stats.Exported + stats.Failed + stats.Dropped)

let ``retry policy defaults follow the OTLP spec`` () =
    let p = RetryPolicy.defaults
    Assert.True p.Enabled
    Assert.Equal(5, p.MaxAttempts)
    Assert.Equal(TimeSpan.FromSeconds 1., p.InitialBackoff)
    Assert.Equal(TimeSpan.FromSeconds 5., p.MaxBackoff)
    Assert.Equal(1.5, p.BackoffMultiplier)
    Assert.False RetryPolicy.disabled.Enabled

let ``backoff grows, is capped, jitters from zero and honours retry-after`` () =
    let p = RetryPolicy.defaults
    Assert.Equal(TimeSpan.Zero, RetryPolicy.backoff p 1 None 0.)
    Assert.Equal(TimeSpan.FromMilliseconds 500., RetryPolicy.backoff p 1 None 0.5)
    Assert.Equal(TimeSpan.FromMilliseconds 1500., RetryPolicy.backoff p 2 None 1.)
    Assert.Equal(TimeSpan.FromSeconds 5., RetryPolicy.backoff p 50 None 1.)
    Assert.Equal(TimeSpan.FromSeconds 3., RetryPolicy.backoff p 1 (Some(TimeSpan.FromSeconds 3.)) 0.2)
    Assert.Equal(TimeSpan.Zero, RetryPolicy.backoff p 1 None nan)

let ``batches by size`` () =
    task {
        let exporter = FakeExporter<int>(succeed)
        use runner = start "size" (ExportMode.Batched(options never 3 100)) RetryPolicy.defaults exporter

        for i in 1..9 do
            Assert.True(runner.Post i)

        let! flushed = runner.ForceFlush patience
        Assert.True flushed
        Assert.Equal<int list>([ 3; 3; 3 ], exporter.Exported |> List.map Array.length)
        Assert.Equal<int list>([ 1..9 ], exporter.ExportedItems)
        Assert.Equal(9L, runner.Stats.Exported)
    }

let ``batches by delay`` () =
    task {
        let arrived = TaskCompletionSource<int array>(TaskCreationOptions.RunContinuationsAsynchronously)

        let exporter =
            FakeExporter<int>(fun _ batch _ ->
                arrived.TrySetResult batch.Items |> ignore
                Task.FromResult ExportResult.Success)

        use runner =
            start
                "delay"
                (ExportMode.Batched(options (TimeSpan.FromMilliseconds 20.) 100 100))
                RetryPolicy.defaults
                exporter

        Assert.True(runner.Post 1)
        Assert.True(runner.Post 2)
        let! items = within patience arrived.Task
        Assert.Equal<int array>([| 1; 2 |], items)
    }

let ``simple mode exports items one by one`` () =
    task {
        let exporter = FakeExporter<string>(succeed)
        use runner = start "simple" ExportMode.Simple RetryPolicy.defaults exporter

        for s in [ "a"; "b"; "c" ] do
            Assert.True(runner.Post s)

        let! flushed = runner.ForceFlush patience
        Assert.True flushed
        Assert.Equal<string array list>([ [| "a" |]; [| "b" |]; [| "c" |] ], exporter.Exported)
    }

let ``a full queue rejects and counts`` () =
    task {
        let release = TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously)
        let exporter = FakeExporter<int>(fun _ _ _ -> release.Task)
        use runner = start "full" (ExportMode.Batched(options never 1 2)) RetryPolicy.defaults exporter
        Assert.True(runner.Post 0)
        do! exporter.Started.WaitAsync patience
        // The reader holds item 0 in an export; the queue takes two more.
        let results = [ for i in 1..5 -> runner.Post i ]
        Assert.Equal<bool list>([ true; true; false; false; false ], results)
        Assert.Equal(3L, runner.Stats.Rejected)
        Assert.Equal(3L, runner.Stats.Accepted)
        release.SetResult ExportResult.Success
        let! done' = runner.Shutdown patience
        Assert.True done'
        Assert.Equal(3L, runner.Stats.Exported)
        Assert.Equal<int list>([ 0; 1; 2 ], exporter.ExportedItems)
        checkBooks runner.Stats
    }

let ``concurrent producers against a full queue overshoot its bound by at most one item each, and lose nothing`` () =
    task {
        let release = TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously)

        let exporter =
            FakeExporter<int>(fun n _ _ ->
                if n = 1 then
                    release.Task
                else
                    Task.FromResult ExportResult.Success)

        let capacity = 100
        let producers = 8
        let perProducer = 2_000
        use runner = start "crowd" (ExportMode.Batched(options never 1 capacity)) RetryPolicy.defaults exporter
        Assert.True(runner.Post -1)
        do! exporter.Started.WaitAsync patience
        // The reader holds item -1 in an export; the producers (threads of their own, released together) race
        // for the queue's 100 places.
        use gate = new Barrier(producers)
        let accepted = Array.zeroCreate<int> producers

        let threads =
            [|
                for id in 0 .. producers - 1 ->
                    Thread(fun () ->
                        gate.SignalAndWait()

                        for i in 0 .. perProducer - 1 do
                            if runner.Post(id * perProducer + i) then
                                accepted[id] <- accepted[id] + 1)
            |]

        for thread in threads do
            thread.Start()

        for thread in threads do
            thread.Join()

        let queued = Array.sum accepted
        Assert.InRange(queued, capacity, capacity + producers)
        Assert.Equal(int64 (queued + 1), runner.Stats.Accepted)
        Assert.Equal(int64 (producers * perProducer - queued), runner.Stats.Rejected)
        release.SetResult ExportResult.Success
        let! done' = runner.Shutdown patience
        Assert.True done'
        Assert.Equal(int64 (queued + 1), runner.Stats.Exported)
        checkBooks runner.Stats
    }

let ``shutdown is idempotent, drains the queue and shuts the exporter down once`` () =
    task {
        let exporter = FakeExporter<int>(succeed)
        let runner = start "drain" (ExportMode.Batched(options never 2 100)) RetryPolicy.defaults exporter

        for i in 1..5 do
            Assert.True(runner.Post i)

        let first = runner.Shutdown patience
        let second = runner.Shutdown(TimeSpan.FromMilliseconds 1.)
        Assert.Same(first, second)
        let! ok = first
        Assert.True ok
        Assert.Equal<int list>([ 1..5 ], exporter.ExportedItems)
        Assert.Equal(1, exporter.ShutdownCount)
        Assert.False(runner.Post 6)
        Assert.Equal(1L, runner.Stats.Rejected)
        let! again = runner.Shutdown patience
        Assert.True again
        do! (runner :> IAsyncDisposable).DisposeAsync()
        Assert.Equal(1, exporter.ShutdownCount)
        checkBooks runner.Stats
        Assert.Equal(0L, runner.Stats.Dropped)
    }

let ``an exporter exception is counted and the loop keeps going`` () =
    task {
        let exporter =
            FakeExporter<int>(fun n _ _ ->
                if n = 1 then
                    raise (InvalidOperationException "boom")
                else
                    Task.FromResult ExportResult.Success)

        use runner = start "throws" ExportMode.Simple RetryPolicy.defaults exporter
        Assert.True(runner.Post 1)
        let! _ = runner.ForceFlush patience
        Assert.True(runner.Post 2)
        let! _ = runner.ForceFlush patience
        let stats = runner.Stats
        Assert.Equal(1L, stats.Failed)
        Assert.Equal(1L, stats.Exported)
        Assert.Equal<int list>([ 2 ], exporter.ExportedItems)
    }

let ``a retryable result is retried until success`` () =
    task {
        let exporter =
            FakeExporter<int>(fun n _ _ ->
                Task.FromResult(
                    if n = 1 then
                        ExportResult.Retryable("unavailable", Nullable())
                    else
                        ExportResult.Success
                ))

        use runner = start "retry" ExportMode.Simple fastRetry exporter
        Assert.True(runner.Post 1)
        let! _ = runner.ForceFlush patience
        Assert.Equal(2L, runner.Stats.ExportCalls)
        Assert.Equal(1L, runner.Stats.Exported)
        Assert.Equal(0L, runner.Stats.Failed)
    }

let ``with retries disabled a retryable result fails once`` () =
    task {
        let exporter =
            FakeExporter<int>(fun _ _ _ -> Task.FromResult(ExportResult.Retryable("unavailable", Nullable())))

        use runner = start "noretry" ExportMode.Simple RetryPolicy.disabled exporter
        Assert.True(runner.Post 1)
        let! _ = runner.ForceFlush patience
        Assert.Equal(1L, runner.Stats.ExportCalls)
        Assert.Equal(1L, runner.Stats.Failed)
    }

let ``retries stop at MaxAttempts and a failure is not retried`` () =
    task {
        let exporter =
            FakeExporter<int>(fun _ batch _ ->
                Task.FromResult(
                    if batch.Items.[0] = 1 then
                        ExportResult.Retryable("unavailable", Nullable())
                    else
                        ExportResult.Failure "bad request"
                ))

        use runner = start "attempts" ExportMode.Simple { fastRetry with MaxAttempts = 3 } exporter
        Assert.True(runner.Post 1)
        Assert.True(runner.Post 2)
        let! _ = runner.ForceFlush patience
        Assert.Equal(4L, runner.Stats.ExportCalls)
        Assert.Equal(2L, runner.Stats.Failed)
    }

let ``retry-after is respected`` () =
    task {
        let retryAfter = TimeSpan.FromMilliseconds 150.

        let exporter =
            FakeExporter<int>(fun n _ _ ->
                Task.FromResult(
                    if n = 1 then
                        ExportResult.Retryable("throttled", Nullable retryAfter)
                    else
                        ExportResult.Success
                ))

        use runner = start "retry-after" ExportMode.Simple fastRetry exporter
        let clock = Stopwatch.StartNew()
        Assert.True(runner.Post 1)
        let! _ = runner.ForceFlush patience
        clock.Stop()
        Assert.Equal(2L, runner.Stats.ExportCalls)
        Assert.Equal(1L, runner.Stats.Exported)

        match exporter.CallTimes with
        | [ first; second ] ->
            Assert.True(Stopwatch.GetElapsedTime(first, second) >= retryAfter)
            Assert.True(clock.Elapsed >= retryAfter)
        | other -> failwithf "expected two calls, got %d" other.Length
    }

let ``a retry that would pass the export deadline is not made`` () =
    task {
        let exporter =
            FakeExporter<int>(fun _ _ _ ->
                Task.FromResult(ExportResult.Retryable("throttled", Nullable(TimeSpan.FromMinutes 1.))))

        // A batch of 2: the one item waits for the flush, so its export (and failure) happens during the flush.
        // (With a batch of 1 the post woke the reader, and an export that failed before ForceFlush began was
        // not the flush's to answer for: the flush found nothing pending and answered true.)
        use runner =
            start
                "deadline-retry"
                (ExportMode.Batched
                    { options never 2 10 with
                        ExportTimeout = TimeSpan.FromSeconds 5.
                    })
                fastRetry
                exporter

        Assert.True(runner.Post 1)
        let! flushed = runner.ForceFlush patience
        // The flush finished (the counters are final) but is false: the item was not delivered.
        Assert.False flushed
        Assert.Equal(1L, runner.Stats.ExportCalls)
        Assert.Equal(1L, runner.Stats.Failed)
    }

let ``an exporter that ignores its token is abandoned at the export deadline`` () =
    task {
        let hang = TaskCompletionSource<ExportResult>()

        let exporter =
            FakeExporter<int>(fun n _ _ ->
                if n = 1 then
                    hang.Task
                else
                    Task.FromResult ExportResult.Success)

        use runner =
            start
                "export-timeout"
                (ExportMode.Batched
                    { options never 1 10 with
                        ExportTimeout = TimeSpan.FromMilliseconds 200.
                    })
                RetryPolicy.defaults
                exporter

        Assert.True(runner.Post 1)
        Assert.True(runner.Post 2)
        let! flushed = runner.ForceFlush patience
        Assert.False flushed
        Assert.Equal(1L, runner.Stats.Failed)
        Assert.Equal(1L, runner.Stats.Exported)
        // A later flush with nothing failing is true again.
        Assert.True(runner.Post 3)
        let! again = runner.ForceFlush patience
        Assert.True again
    }

let ``a blocked exporter: the pipeline holds the queue plus the batch in flight, exactly, and counts every rejection``
    ()
    =
    task {
        let release = TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously)
        let exporter = FakeExporter<int>(fun _ _ _ -> release.Task)
        // The defaults: a queue of 2048, batches of 512.
        use runner = start "bound" (ExportMode.Batched(options never 512 2048)) RetryPolicy.defaults exporter

        // One full batch: the reader takes it and the exporter holds it.
        for i in 0..511 do
            Assert.True(runner.Post i)

        do! exporter.Started.WaitAsync patience
        let more = [ for i in 512..4999 -> runner.Post i ]
        // The queue takes MaxQueueSize more; everything after that is rejected and counted.
        Assert.Equal(2048, more |> List.filter id |> List.length)
        Assert.True(more |> List.take 2048 |> List.forall id)
        Assert.Equal(2048 + 512 |> int64, runner.Stats.Accepted)
        Assert.Equal(5000L - 2560L, runner.Stats.Rejected)
        Assert.Equal(512, (Assert.Single exporter.Calls).Length)
        release.SetResult ExportResult.Success
        let! done' = runner.Shutdown patience
        Assert.True done'
        Assert.Equal(2560L, runner.Stats.Exported)
        Assert.Equal<int list>([ 0..2559 ], exporter.ExportedItems)
        checkBooks runner.Stats
    }

let ``a batch abandoned at its export deadline is counted failed and leaves the pipeline's bound`` () =
    task {
        let hang = TaskCompletionSource<ExportResult>()
        let secondCall = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        let release = TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously)

        let exporter =
            FakeExporter<int>(fun n _ _ ->
                match n with
                | 1 -> hang.Task // ignores its token: abandoned at the deadline
                | _ ->
                    secondCall.TrySetResult() |> ignore
                    release.Task)

        use runner =
            start
                "abandoned"
                (ExportMode.Batched
                    { options never 4 8 with
                        ExportTimeout = TimeSpan.FromMilliseconds 200.
                    })
                RetryPolicy.defaults
                exporter

        // Batch 1 (items 0-3) in the hanging export; the queue fills with 8 more (items 4-11).
        for i in 0..3 do
            Assert.True(runner.Post i)

        do! exporter.Started.WaitAsync patience
        let queued = [ for i in 4..20 -> runner.Post i ]
        Assert.Equal(8, queued |> List.filter id |> List.length)
        // At the deadline batch 1 is failed, and batch 2 (items 4-7) leaves the queue for the exporter.
        do! secondCall.Task.WaitAsync patience
        Assert.Equal(4L, runner.Stats.Failed)
        let after = [ for i in 21..30 -> runner.Post i ]
        Assert.Equal(4, after |> List.filter id |> List.length)
        // Held by the pipeline: the queue (8) and the batch in flight (4); batch 1 is the exporter's own affair.
        Assert.Equal(16L, runner.Stats.Accepted)
        Assert.Equal(int64 (17 - 8 + 10 - 4), runner.Stats.Rejected)
        release.SetResult ExportResult.Success
        let! done' = runner.Shutdown patience
        // Truthful: batch 1 failed, so the shutdown does not answer that everything was delivered.
        Assert.False(done', "shutdown answered true although batch 1 failed")
        Assert.Equal(12L, runner.Stats.Exported)
        checkBooks runner.Stats
    }

let ``force flush returns false at its timeout but the flush goes on`` () =
    task {
        let release = TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously)
        let exporter = FakeExporter<int>(fun _ _ _ -> release.Task)

        use runner =
            start "flush-timeout" (ExportMode.Batched(options never 10 10)) RetryPolicy.defaults exporter

        Assert.True(runner.Post 1)
        let! early = runner.ForceFlush(TimeSpan.FromMilliseconds 100.)
        Assert.False early
        release.SetResult ExportResult.Success
        let! later = runner.ForceFlush patience
        Assert.True later
        Assert.Equal(1L, runner.Stats.Exported)
    }

let ``shutdown returns at its deadline when the exporter hangs and the books balance`` () =
    task {
        let exporter = FakeExporter<int>(fun _ _ _ -> TaskCompletionSource<ExportResult>().Task)

        let runner =
            start
                "hang"
                (ExportMode.Batched
                    { options never 2 100 with
                        ExportTimeout = TimeSpan.FromSeconds 30.
                    })
                RetryPolicy.defaults
                exporter

        for i in 1..5 do
            Assert.True(runner.Post i)

        do! exporter.Started.WaitAsync patience
        let deadline = TimeSpan.FromMilliseconds 200.
        let clock = Stopwatch.StartNew()
        let! ok = runner.Shutdown deadline
        clock.Stop()
        Assert.False ok
        Assert.True(clock.Elapsed >= deadline - TimeSpan.FromMilliseconds 20.)
        Assert.True(clock.Elapsed < deadline + TimeSpan.FromSeconds 2., $"took {clock.Elapsed}")
        let stats = runner.Stats
        Assert.Equal(5L, stats.Accepted)
        Assert.Equal(0L, stats.Exported)
        Assert.Equal(2L, stats.Failed)
        Assert.Equal(3L, stats.Dropped)
        checkBooks stats
        do! exporter.ShutdownCalled.WaitAsync patience
        Assert.Equal(1, exporter.ShutdownCount)
        // Later settlements cannot change the books.
        Assert.Equal(stats, runner.Stats)
    }

/// Collects the runner's events for one pipeline.
type private PipelineListener(pipeline: string) =
    inherit EventListener()
    let events = ConcurrentQueue<EventWrittenEventArgs>()

    member _.Events = if isNull (box events) then [] else List.ofSeq events

    override _.OnEventSourceCreated source =
        if source.Name = "Functional-Telemetry" then
            base.EnableEvents(source, EventLevel.Verbose)

    override _.OnEventWritten args =
        if
            not (isNull (box events))
            && not (isNull args.Payload)
            && args.Payload.Count > 0
            && (string args.Payload.[0]) = pipeline
        then
            events.Enqueue args

let ``events report rejections and failures without item content`` () =
    task {
        let pipeline = "events-" + Guid.NewGuid().ToString("N")
        use listener = new PipelineListener(pipeline)
        let release = TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously)
        let exporter = FakeExporter<string>(fun _ _ _ -> release.Task)
        use runner = start pipeline (ExportMode.Batched(options never 1 1)) RetryPolicy.defaults exporter
        Assert.True(runner.Post "secret-item-0")
        do! exporter.Started.WaitAsync patience
        Assert.True(runner.Post "secret-item-1")
        Assert.False(runner.Post "secret-item-2")
        release.SetResult(ExportResult.Failure "rejected by peer")
        let! _ = runner.ForceFlush patience
        let events = (ReadOnlyList.toList listener.Events)
        let named name = events |> List.filter (fun e -> e.EventName = name)
        let rejected = Assert.Single(named "ItemsRejected")
        Assert.Equal(EventLevel.Warning, rejected.Level)
        Assert.Equal(1L, rejected.Payload.[1] :?> int64)
        let failed = named "ExportFailed"
        Assert.Equal(2, failed.Length)
        Assert.All(failed, fun e -> Assert.Equal(EventLevel.Error, e.Level))

        for e in events do
            for value in e.Payload do
                Assert.DoesNotContain("secret", string value)
    }

let ``a full batch is exported at once without waiting for the delay or a flush`` () =
    task {
        let arrived = TaskCompletionSource<int array>(TaskCreationOptions.RunContinuationsAsynchronously)

        let exporter =
            FakeExporter<int>(fun _ batch _ ->
                arrived.TrySetResult batch.Items |> ignore
                Task.FromResult ExportResult.Success)

        use runner = start "full-batch" (ExportMode.Batched(options never 3 100)) RetryPolicy.defaults exporter
        Assert.True(runner.Post 1)
        // Give the reader time to take the first item and sleep on a partial batch (no signal exists for
        // "asleep"); the assertion below holds either way, this only makes the interesting path likely.
        do! Task.Delay 50
        Assert.True(runner.Post 2)
        Assert.True(runner.Post 3)
        let! items = within patience arrived.Task
        Assert.Equal<int array>([| 1; 2; 3 |], items)
    }

let ``posts racing a shutdown are counted once each and the books balance`` () =
    task {
        for round in 1..10 do
            let exporter = FakeExporter<int>(succeed)

            let runner =
                start
                    $"race-{round}"
                    (ExportMode.Batched(options (TimeSpan.FromMilliseconds 1.) 16 64))
                    RetryPolicy.defaults
                    exporter

            let stop = ref 0

            let producer (first: int) =
                Task.Run(fun () ->
                    let mutable posted = 0L
                    let mutable taken = 0L

                    while Volatile.Read &stop.contents = 0 do
                        if runner.Post(first + int posted) then
                            taken <- taken + 1L

                        posted <- posted + 1L

                    struct (posted, taken))

            let producers = [| producer 0; producer 100_000_000 |]
            // Shut down while both producers are posting (not before they start).
            SpinWait.SpinUntil((fun () -> runner.Stats.Accepted >= 1000L), patience)
            |> ignore

            let! ok = runner.Shutdown patience
            Volatile.Write(&stop.contents, 1)
            let! counts = Task.WhenAll producers
            let posted = counts |> Array.sumBy (fun struct (p, _) -> p)
            let taken = counts |> Array.sumBy (fun struct (_, t) -> t)
            let stats = runner.Stats
            Assert.True ok
            Assert.Equal(taken, stats.Accepted)
            Assert.Equal(posted, stats.Accepted + stats.Rejected)
            checkBooks stats
            Assert.Equal(0L, stats.Dropped)
            Assert.Equal(stats.Accepted, stats.Exported)
            Assert.Equal(int stats.Exported, exporter.ExportedItems.Length)
    }

[<Tests>]
let tests =
    testList
        "RunnerTests"
        [
            test "retry policy defaults follow the OTLP spec" { ``retry policy defaults follow the OTLP spec`` () }
            test "backoff grows, is capped, jitters from zero and honours retry-after" {
                ``backoff grows, is capped, jitters from zero and honours retry-after`` ()
            }
            testTask "batches by size" { do! ``batches by size`` () }
            testTask "batches by delay" { do! ``batches by delay`` () }
            testTask "simple mode exports items one by one" { do! ``simple mode exports items one by one`` () }
            testTask "a full queue rejects and counts" { do! ``a full queue rejects and counts`` () }
            testTask
                "concurrent producers against a full queue overshoot its bound by at most one item each, and lose nothing" {
                do!
                    ``concurrent producers against a full queue overshoot its bound by at most one item each, and lose nothing`` ()
            }
            testTask "shutdown is idempotent, drains the queue and shuts the exporter down once" {
                do! ``shutdown is idempotent, drains the queue and shuts the exporter down once`` ()
            }
            testTask "an exporter exception is counted and the loop keeps going" {
                do! ``an exporter exception is counted and the loop keeps going`` ()
            }
            testTask "a retryable result is retried until success" {
                do! ``a retryable result is retried until success`` ()
            }
            testTask "with retries disabled a retryable result fails once" {
                do! ``with retries disabled a retryable result fails once`` ()
            }
            testTask "retries stop at MaxAttempts and a failure is not retried" {
                do! ``retries stop at MaxAttempts and a failure is not retried`` ()
            }
            testTask "retry-after is respected" { do! ``retry-after is respected`` () }
            testTask "a retry that would pass the export deadline is not made" {
                do! ``a retry that would pass the export deadline is not made`` ()
            }
            testTask "an exporter that ignores its token is abandoned at the export deadline" {
                do! ``an exporter that ignores its token is abandoned at the export deadline`` ()
            }
            testTask
                "a blocked exporter: the pipeline holds the queue plus the batch in flight, exactly, and counts every rejection" {
                do!
                    ``a blocked exporter: the pipeline holds the queue plus the batch in flight, exactly, and counts every rejection`` ()
            }
            testTask "a batch abandoned at its export deadline is counted failed and leaves the pipeline's bound" {
                do! ``a batch abandoned at its export deadline is counted failed and leaves the pipeline's bound`` ()
            }
            testTask "force flush returns false at its timeout but the flush goes on" {
                do! ``force flush returns false at its timeout but the flush goes on`` ()
            }
            testTask "shutdown returns at its deadline when the exporter hangs and the books balance" {
                do! ``shutdown returns at its deadline when the exporter hangs and the books balance`` ()
            }
            testTask "events report rejections and failures without item content" {
                do! ``events report rejections and failures without item content`` ()
            }
            testTask "a full batch is exported at once without waiting for the delay or a flush" {
                do! ``a full batch is exported at once without waiting for the delay or a flush`` ()
            }
            testTask "posts racing a shutdown are counted once each and the books balance" {
                do! ``posts racing a shutdown are counted once each and the books balance`` ()
            }
        ]
