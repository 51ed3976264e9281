/// The runner's export store path with a model exporter that encodes requests (as OTLP does): requests split inside
/// one runner item (a metrics collection), flush answers, a reader that sleeps while the store's sender works, and a
/// directory removed under the store.
module Functional.Telemetry.Tests.RunnerStoreTests

open Expecto
open System
open System.Collections.Concurrent
open System.IO
open System.Threading
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private resource = { Attributes = []; SchemaUrl = "" }

let private kind = "traces;application/x-model"

let private quickRetry =
    { RetryPolicy.defaults with
        InitialBackoff = TimeSpan.FromMilliseconds 1.
        MaxBackoff = TimeSpan.FromMilliseconds 1.
    }

/// An exporter that encodes requests: each runner item `i` becomes `expand` sub-items (the int32 `i`, as a metrics
/// collection becomes its points), sent in requests of `perRequest` sub-items. `Answer` decides each send; the ids
/// of accepted requests are kept in order, and `Sends` counts every send.
type private ModelRequests(perRequest: int, expand: int) =
    let accepted = ConcurrentQueue<int>()
    let mutable sends = 0

    let decode (body: ReadOnlyMemory<byte>) =
        [
            for i in 0 .. body.Length / 4 - 1 -> BitConverter.ToInt32(body.Span.Slice(i * 4, 4))
        ]

    member val Answer: int -> Task<ExportResult> = (fun _ -> Task.FromResult ExportResult.Success) with get, set

    /// Called after each accepted request's ids were recorded.
    member val AfterAccepted: unit -> unit = ignore with get, set

    /// Ids of the requests the backend accepted, in order (each id `expand` times).
    member _.Accepted = List.ofSeq accepted
    member _.Sends = Volatile.Read &sends

    interface IExporter<int> with
        member _.Name = "model-requests"
        member _.Export(_, _) = Task.FromResult(ExportResult.Failure "the store's path is expected")
        member _.Shutdown _ = Task.CompletedTask

    interface IRequestExporter<int> with
        member _.EncodesRequests = true
        member _.RequestKind = kind

        member _.ExportRequests(batch, deliver, token) =
            task {
                let subItems = batch.Items |> Array.collect (fun id -> Array.replicate expand id)
                let parts = subItems |> Array.chunkBySize perRequest
                let mutable first = 0
                let mutable result = ExportResult.Success
                let mutable index = 0

                while result = ExportResult.Success && index < parts.Length do
                    let part = parts[index]
                    let body = part |> Array.collect BitConverter.GetBytes
                    let! answer = deliver.Invoke(ReadOnlyMemory body, first, part.Length, subItems.Length, token)
                    result <- answer
                    first <- first + part.Length
                    index <- index + 1

                return result
            }

        member this.SendRequest(body, _) =
            task {
                let call = Interlocked.Increment &sends
                let! answer = this.Answer call

                if answer = ExportResult.Success then
                    for id in decode body do
                        accepted.Enqueue id

                    this.AfterAccepted()

                return answer
            }

let private options batch =
    ExportMode.Batched
        {
            ScheduleDelay = TimeSpan.FromHours 1.
            ExportTimeout = TimeSpan.FromSeconds 10.
            MaxQueueSize = 1024
            MaxExportBatchSize = batch
        }

let private start (exporter: ModelRequests) (batch: int) (store: ExportStore) =
    Runner.startWithStore
        "store-test"
        (options batch)
        quickRetry
        resource
        (ExportStores.opener store)
        (exporter :> IExporter<int>)

let private checkBooks (stats: RunnerStats) =
    Assert.Equal(stats.Accepted + stats.Recovered, stats.Exported + stats.Failed + stats.Dropped + stats.Stored)

let private retryable = Task.FromResult(ExportResult.Retryable("model unavailable", Nullable()))

let ``requests that split a runner item are all sent, and the item is exported once`` () =
    task {
        // 5 items of 4 sub-items each in requests of 3: most requests end inside an item.
        let exporter = ModelRequests(3, 4)
        let runner = start exporter 5 ExportStore.defaults

        for id in 1..5 do
            Assert.True(runner.Post id)

        let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True flushed

        Assert.Equal<int list>(
            [
                for id in 1..5 do
                    yield! List.replicate 4 id
            ],
            exporter.Accepted
        )

        let stats = runner.Stats
        Assert.Equal(5L, stats.Exported)
        let! ok = runner.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.True ok
        checkBooks runner.Stats
    }

let ``requests that split a runner item are all kept in an outage and all sent when the backend is back`` () =
    task {
        let exporter = ModelRequests(3, 4)
        exporter.Answer <- fun _ -> retryable
        let runner = start exporter 5 ExportStore.defaults

        for id in 1..5 do
            Assert.True(runner.Post id)

        let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.False flushed
        Assert.Equal(5L, runner.Stats.Stored)
        exporter.Answer <- fun _ -> Task.FromResult ExportResult.Success
        let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(flushed, $"{runner.Stats}")

        Assert.Equal<int list>(
            [
                for id in 1..5 do
                    yield! List.replicate 4 id
            ],
            exporter.Accepted
        )

        Assert.Equal(5L, runner.Stats.Exported)
        Assert.Equal(0L, runner.Stats.Stored)
        let! _ = runner.Shutdown(TimeSpan.FromSeconds 5.)
        checkBooks runner.Stats
    }

let ``a flush answers false when items were dropped by a full store since it was called`` () =
    task {
        // Requests of 16 bytes; the store takes 8.
        let exporter = ModelRequests(4, 1)
        exporter.Answer <- fun _ -> retryable
        let runner = start exporter 4 (ExportStore.memory 8L)

        for id in 1..8 do
            Assert.True(runner.Post id)

        let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
        let stats = runner.Stats
        Assert.Equal(8L, stats.DroppedStoreFull)
        Assert.Equal(0L, stats.Failed)
        Assert.False(flushed, $"flush answered true with {stats.Dropped} items dropped")
        let! ok = runner.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.False ok
        checkBooks runner.Stats
    }

let ``while the store's sender waits on a collector, the runner's reader sleeps`` () =
    task {
        let exporter = ModelRequests(4, 1)
        let probing = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        let release = TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously)

        // The first send finds the backend down; the next (the sender's probe) hangs until released.
        exporter.Answer <-
            fun call ->
                if call = 1 then
                    retryable
                else
                    probing.TrySetResult() |> ignore
                    release.Task

        let runner = start exporter 4 ExportStore.defaults

        for id in 1..4 do
            Assert.True(runner.Post id)

        do! probing.Task.WaitAsync(TimeSpan.FromSeconds 10.)
        let before = runner.ReaderLoops
        // A window in which nothing happens: a reader that spins turns thousands of times in it.
        do! Task.Delay 200
        let turns = runner.ReaderLoops - before
        release.TrySetResult ExportResult.Success |> ignore
        Assert.True(turns <= 2L, $"the reader turned {turns} times while the sender waited")
        let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(flushed, $"{runner.Stats}")
        Assert.Equal<int list>([ 1..4 ], exporter.Accepted)
        let! ok = runner.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.True ok
    }

let private freshDirectory () =
    Path.Combine(Path.GetTempPath(), "ft-runner-store-" + Guid.NewGuid().ToString("N"))

let ``a store directory removed under the sender: what it held is counted as dropped, and the store goes on`` () =
    task {
        let root = freshDirectory ()
        let unobserved = ConcurrentQueue<exn>()

        let handler =
            EventHandler<UnobservedTaskExceptionEventArgs>(fun _ args ->
                if
                    args.Exception.InnerExceptions
                    |> Seq.exists (fun e -> not (isNull e.StackTrace) && e.StackTrace.Contains "Functional.Telemetry")
                then
                    unobserved.Enqueue args.Exception)

        TaskScheduler.UnobservedTaskException.AddHandler handler

        try
            let exporter = ModelRequests(4, 1)
            exporter.Answer <- fun _ -> retryable
            let runner = start exporter 4 (ExportStore.disk root)

            for id in 1..4 do
                Assert.True(runner.Post id)

            let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.False flushed
            Assert.Equal(4L, runner.Stats.Stored)

            // Someone removes the whole directory; the backend comes back.
            Directory.Delete(root, true)
            exporter.Answer <- fun _ -> Task.FromResult ExportResult.Success
            let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
            // The 4 stored items are gone with their files: dropped, so the flush is false.
            Assert.False(flushed, $"{runner.Stats}")
            Assert.Equal(4L, runner.Stats.Dropped)
            Assert.Equal(0L, runner.Stats.Stored)

            // The store goes on: new items are sent (or kept in the recreated directory and then sent).
            for id in 5..8 do
                Assert.True(runner.Post id)

            let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.True(flushed, $"{runner.Stats}")
            Assert.Equal<int list>([ 5..8 ], exporter.Accepted)
            let! ok = runner.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.False ok
            let stats = runner.Stats
            Assert.Equal(4L, stats.Exported)
            Assert.Equal(4L, stats.Dropped)
            checkBooks stats

            for _ in 1..3 do
                GC.Collect()
                GC.WaitForPendingFinalizers()

            Assert.Empty unobserved
        finally
            TaskScheduler.UnobservedTaskException.RemoveHandler handler

            if Directory.Exists root then
                Directory.Delete(root, true)
    }

let ``files another process left in the store's directory while it was empty are found by the next rescan and sent``
    ()
    =
    task {
        let root = freshDirectory ()
        let mutable opened: DiskStore option = None

        // The runner's disk store looks at its directory only when told (no timer): the test is its clock.
        let opener (kind: string) (destination: string) =
            match StoreDirectory.prepare root (StoreDirectory.partsFor kind destination) with
            | Ok directory ->
                let disk =
                    new DiskStore(
                        directory,
                        1024L * 1024L,
                        TimeSpan.FromHours 1.,
                        Timeout.InfiniteTimeSpan,
                        fun () -> DateTime.UtcNow.Ticks
                    )

                opened <- Some disk
                Some(disk :> IRequestStore, TimeSpan.FromHours 1.)
            | Error reason -> failwith reason

        try
            let exporter = ModelRequests(4, 1)
            let arrived = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)

            exporter.AfterAccepted <-
                fun () ->
                    if exporter.Accepted.Length >= 6 then
                        arrived.TrySetResult() |> ignore

            let runner =
                Runner.startWithStore "rescan" (options 4) quickRetry resource opener (exporter :> IExporter<int>)

            // Another process, started later, stores two requests in the same directory and dies.
            let other =
                match StoreDirectory.prepare root (StoreDirectory.partsFor kind "") with
                | Ok directory -> new DiskStore(directory, 1024L * 1024L, TimeSpan.FromHours 1.) :> IRequestStore
                | Error reason -> failwith reason

            let body (ids: int list) = ReadOnlyMemory(ids |> List.toArray |> Array.collect BitConverter.GetBytes)

            Assert.Equal(StoreAdd.Added, other.Add([| body [ 1; 2; 3 ] |], 3, kind))
            Assert.Equal(StoreAdd.Added, other.Add([| body [ 4; 5 ]; body [ 6 ] |], 3, kind))
            other.Dispose()
            Assert.Equal(0, exporter.Sends)

            // The rescan (every 30 s by default) finds them and the sender sends them, without a flush.
            opened.Value.Rescan()
            do! arrived.Task.WaitAsync(TimeSpan.FromSeconds 10.)
            Assert.Equal<int list>([ 1..6 ], exporter.Accepted)
            let! ok = runner.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.True ok
            let stats = runner.Stats
            Assert.Equal(6L, stats.Recovered)
            Assert.Equal(6L, stats.Exported)
            checkBooks stats
        finally
            if Directory.Exists root then
                Directory.Delete(root, true)
    }

/// A memory store whose Take throws while `Broken` (a store must not throw; the runner survives one that does).
type private BrokenStore() =
    let inner = new MemoryStore(StoreBudget(1024L * 1024L)) :> IRequestStore
    member val Broken = false with get, set

    interface IRequestStore with
        member _.Add(bodies, items, kind) = inner.Add(bodies, items, kind)

        member this.Take() =
            if this.Broken then
                raise (IOException "the store's disk went away")

            inner.Take()

        member _.Remove request = inner.Remove request
        member _.Return request = inner.Return request
        member _.IsEmpty = inner.IsEmpty
        member _.Durable = false
        member _.Unreadable = 0L
        member _.RemoveOwn() = inner.RemoveOwn()
        member _.TakeLost() = 0L

        member _.OnFound
            with get () = ignore
            and set _ = ()

        member _.Dispose() = inner.Dispose()

let ``a sender that faults is observed and counted, the flush answers, and sending resumes`` () =
    task {
        let unobserved = ConcurrentQueue<exn>()

        let handler =
            EventHandler<UnobservedTaskExceptionEventArgs>(fun _ args ->
                if
                    args.Exception.InnerExceptions
                    |> Seq.exists (fun e ->
                        e.Message.Contains "the store's disk went away"
                        || (not (isNull e.StackTrace) && e.StackTrace.Contains "Functional.Telemetry"))
                then
                    unobserved.Enqueue args.Exception)

        TaskScheduler.UnobservedTaskException.AddHandler handler

        try
            let store = new BrokenStore()
            let exporter = ModelRequests(4, 1)
            exporter.Answer <- fun _ -> retryable

            let runner =
                Runner.startWithStore
                    "broken-store"
                    (options 4)
                    quickRetry
                    resource
                    (fun _ _ -> Some(store :> IRequestStore, TimeSpan.MaxValue))
                    (exporter :> IExporter<int>)

            for id in 1..4 do
                Assert.True(runner.Post id)

            let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.False flushed
            Assert.Equal(4L, runner.Stats.Stored)
            store.Broken <- true
            exporter.Answer <- fun _ -> Task.FromResult ExportResult.Success
            // The sender faults on Take: observed, counted; the flush still answers (false: the store holds them).
            let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.False flushed
            Assert.True(runner.StoreFaults >= 1L, $"{runner.StoreFaults} faults")
            store.Broken <- false
            let! flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.True(flushed, $"{runner.Stats}")
            Assert.Equal<int list>([ 1..4 ], exporter.Accepted)
            let! ok = runner.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.True ok
            checkBooks runner.Stats

            for _ in 1..3 do
                GC.Collect()
                GC.WaitForPendingFinalizers()

            Assert.Empty unobserved
        finally
            TaskScheduler.UnobservedTaskException.RemoveHandler handler
    }

[<Tests>]
let tests =
    testSequencedGroup
        "RunnerStoreTests"
        (testList
            "RunnerStoreTests"
            [
                testTask "requests that split a runner item are all sent, and the item is exported once" {
                    do! ``requests that split a runner item are all sent, and the item is exported once`` ()
                }
                testTask
                    "requests that split a runner item are all kept in an outage and all sent when the backend is back" {
                    do!
                        ``requests that split a runner item are all kept in an outage and all sent when the backend is back`` ()
                }
                testTask "a flush answers false when items were dropped by a full store since it was called" {
                    do! ``a flush answers false when items were dropped by a full store since it was called`` ()
                }
                testTask "while the store's sender waits on a collector, the runner's reader sleeps" {
                    do! ``while the store's sender waits on a collector, the runner's reader sleeps`` ()
                }
                testTask
                    "a store directory removed under the sender: what it held is counted as dropped, and the store goes on" {
                    do!
                        ``a store directory removed under the sender: what it held is counted as dropped, and the store goes on`` ()
                }
                testTask
                    "files another process left in the store's directory while it was empty are found by the next rescan and sent" {
                    do!
                        ``files another process left in the store's directory while it was empty are found by the next rescan and sent`` ()
                }
                testTask "a sender that faults is observed and counted, the flush answers, and sending resumes" {
                    do! ``a sender that faults is observed and counted, the flush answers, and sending resumes`` ()
                }
            ])
