/// Model-based properties of the runner: random schedules of posts, flushes and exporter outcome switches run
/// against a real Runner; afterwards every item is accounted for exactly once.
module Functional.Telemetry.PropertyTests.RunnerProperties

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.PropertyTests.Arbs

let private resource = { Attributes = []; SchemaUrl = "" }

let private fastRetry =
    { RetryPolicy.defaults with
        MaxAttempts = 3
        InitialBackoff = TimeSpan.FromMilliseconds 1.
        MaxBackoff = TimeSpan.FromMilliseconds 1.
    }

/// Answers by the current outcome; records every id it was handed and the ids of successful calls.
type private ModelExporter() =
    let mutable outcome = Succeed
    let seen = ConcurrentQueue<int>()
    let succeeded = ConcurrentQueue<int>()
    let mutable shutdowns = 0

    member _.Outcome
        with set value = Volatile.Write(&outcome, value)

    member _.Seen = Set.ofSeq seen
    member _.Succeeded = List.ofSeq succeeded
    member _.Shutdowns = Volatile.Read &shutdowns

    interface IExporter<int> with
        member _.Name = "model"

        member _.Export(batch, _) =
            for id in batch.Items do
                seen.Enqueue id

            match Volatile.Read &outcome with
            | Succeed ->
                for id in batch.Items do
                    succeeded.Enqueue id

                Task.FromResult ExportResult.Success
            | Fail -> Task.FromResult(ExportResult.Failure "model failure")
            | Retry -> Task.FromResult(ExportResult.Retryable("model unavailable", Nullable()))
            | Throw -> raise (InvalidOperationException "model exception")

        member _.Shutdown _ =
            Interlocked.Increment &shutdowns |> ignore
            Task.CompletedTask

let private problems (checks: (string * bool) list) = checks |> List.filter (snd >> not) |> List.map fst

let private runSchedule (schedule: RunnerSchedule) =
    let exporter = ModelExporter()

    let options =
        {
            ScheduleDelay = TimeSpan.FromMilliseconds(float schedule.DelayMs)
            ExportTimeout = TimeSpan.FromSeconds 10.
            MaxQueueSize = schedule.QueueSize
            MaxExportBatchSize = schedule.BatchSize
        }

    let runner =
        Runner.start "model" (ExportMode.Batched options) fastRetry resource (exporter :> IExporter<int>)

    let accepted = ResizeArray<int>()
    let rejected = ResizeArray<int>()
    let mutable next = 0
    let mutable flushesOk = true

    for op in schedule.Ops do
        match op with
        | PostItems count ->
            for _ in 1..count do
                if runner.Post next then
                    accepted.Add next
                else
                    rejected.Add next

                next <- next + 1
        | FlushNow ->
            // A flush finishes (well within its timeout here) and tells the truth: true exactly when nothing failed
            // from its call to its answer (what failed then was queued before it).
            let failedBefore = runner.Stats.Failed
            let flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.).GetAwaiter().GetResult()

            if flushed <> (runner.Stats.Failed = failedBefore) then
                flushesOk <- false
        | SwitchTo outcome -> exporter.Outcome <- outcome

    let shutdownOk = runner.Shutdown(TimeSpan.FromSeconds 10.).GetAwaiter().GetResult()
    let stats = runner.Stats
    let succeeded = exporter.Succeeded
    let acceptedSet = Set.ofSeq accepted
    let rejectedSet = Set.ofSeq rejected
    let succeededSet = Set.ofList succeeded

    problems
        [
            "flushes answered true exactly when nothing failed", flushesOk
            "shutdown answered true exactly when nothing failed or was dropped",
            shutdownOk = (stats.Failed = 0L && stats.Dropped = 0L)
            "Accepted + Rejected = posted", stats.Accepted + stats.Rejected = int64 next
            "Accepted matches the posts that returned true", stats.Accepted = int64 accepted.Count
            "Rejected matches the posts that returned false", stats.Rejected = int64 rejected.Count
            "no id exported twice", succeeded.Length = succeededSet.Count
            "Exported = distinct ids exported with success", stats.Exported = int64 succeededSet.Count
            "only accepted ids were exported", Set.isSubset succeededSet acceptedSet
            "rejected ids never reached the exporter", Set.intersect exporter.Seen rejectedSet |> Set.isEmpty
            "accepted but not exported = Failed + Dropped",
            int64 (acceptedSet - succeededSet).Count = stats.Failed + stats.Dropped
            "nothing dropped by a timely shutdown", stats.Dropped = 0L
            "Accepted = Exported + Failed + Dropped", stats.Accepted = stats.Exported + stats.Failed + stats.Dropped
            "exporter shut down once", exporter.Shutdowns = 1
        ]

let ``every accepted item is exported exactly once or counted as failed or dropped`` () =
    Prop.forAll (Arb.fromGen runnerSchedule) (fun schedule ->
        match runSchedule schedule with
        | [] -> true
        | broken -> failwithf "violated: %s" (String.Join("; ", broken)))

/// An exporter whose export never completes and ignores its token.
type private HangingExporter() =
    let mutable shutdowns = 0
    member _.Shutdowns = Volatile.Read &shutdowns

    interface IExporter<int> with
        member _.Name = "hanging"
        member _.Export(_, _) = TaskCompletionSource<ExportResult>().Task

        member _.Shutdown _ =
            Interlocked.Increment &shutdowns |> ignore
            Task.CompletedTask

let ``shutdown meets its deadline with a hanging exporter and the books still balance`` () =
    Prop.forAll (Arb.fromGen hangingSchedule) (fun (items, queue, batch, timeoutMs) ->
        let exporter = HangingExporter()

        let options =
            {
                ScheduleDelay = TimeSpan.FromMilliseconds 1.
                ExportTimeout = TimeSpan.FromSeconds 30.
                MaxQueueSize = queue
                MaxExportBatchSize = batch
            }

        let runner =
            Runner.start "hanging" (ExportMode.Batched options) fastRetry resource (exporter :> IExporter<int>)

        let accepted = [ for i in 1..items -> runner.Post i ] |> List.filter id |> List.length
        let timeout = TimeSpan.FromMilliseconds(float timeoutMs)
        let clock = Stopwatch.StartNew()
        let ok = runner.Shutdown(timeout).GetAwaiter().GetResult()
        clock.Stop()
        let stats = runner.Stats

        let broken =
            problems
                [
                    "returned within timeout + 2 s", clock.Elapsed < timeout + TimeSpan.FromSeconds 2.
                    "false exactly when something was accepted", ok = (accepted = 0)
                    "Accepted + Rejected = posted", stats.Accepted + stats.Rejected = int64 items
                    "Accepted = posts that returned true", stats.Accepted = int64 accepted
                    "nothing exported", stats.Exported = 0L
                    "Accepted = Exported + Failed + Dropped",
                    stats.Accepted = stats.Exported + stats.Failed + stats.Dropped
                    "at most one batch failed in flight", stats.Failed <= int64 batch
                ]

        match broken with
        | [] -> true
        | _ -> failwithf "violated: %s (stats %A, elapsed %O)" (String.Join("; ", broken)) stats clock.Elapsed)

// ---- the export store's path ----

/// An exporter that encodes requests (as OTLP does): each batch becomes requests of at most `perRequest` ids
/// (4 bytes each), and each send answers by the current outcome, recording the ids it accepted in order.
type private ModelRequestExporter(perRequest: int) =
    let mutable outcome = Succeed
    let succeeded = ConcurrentQueue<int>()
    let mutable sends = 0

    let decode (body: ReadOnlyMemory<byte>) =
        [
            for i in 0 .. body.Length / 4 - 1 -> BitConverter.ToInt32(body.Span.Slice(i * 4, 4))
        ]

    member _.Outcome
        with set value = Volatile.Write(&outcome, value)

    member _.Succeeded = List.ofSeq succeeded

    interface IExporter<int> with
        member _.Name = "model-requests"
        member _.Export(_, _) = Task.FromResult(ExportResult.Failure "the store's path is expected")
        member _.Shutdown _ = Task.CompletedTask

    interface IRequestExporter<int> with
        member _.EncodesRequests = true
        member _.RequestKind = "traces;application/x-model"

        member _.ExportRequests(batch, deliver, token) =
            task {
                let parts = batch.Items |> Array.chunkBySize perRequest
                let mutable first = 0
                let mutable result = ExportResult.Success
                let mutable index = 0

                while result = ExportResult.Success && index < parts.Length do
                    let part = parts[index]
                    let body = part |> Array.collect BitConverter.GetBytes
                    let! answer = deliver.Invoke(ReadOnlyMemory body, first, part.Length, batch.Items.Length, token)
                    result <- answer
                    first <- first + part.Length
                    index <- index + 1

                return result
            }

        member _.SendRequest(body, _) =
            Interlocked.Increment &sends |> ignore

            match Volatile.Read &outcome with
            | Succeed ->
                for id in decode body do
                    succeeded.Enqueue id

                Task.FromResult ExportResult.Success
            | Fail -> Task.FromResult(ExportResult.Failure "model failure")
            | Retry -> Task.FromResult(ExportResult.Retryable("model unavailable", Nullable()))
            | Throw -> raise (InvalidOperationException "model exception")

let private runStoreSchedule (schedule: RunnerSchedule) (perRequest: int) (storeBytes: int64) =
    let exporter = ModelRequestExporter(perRequest)

    let options =
        {
            ScheduleDelay = TimeSpan.FromMilliseconds(float schedule.DelayMs)
            ExportTimeout = TimeSpan.FromSeconds 10.
            MaxQueueSize = schedule.QueueSize
            MaxExportBatchSize = schedule.BatchSize
        }

    let opener = ExportStores.opener (ExportStore.memory storeBytes)

    let runner =
        Runner.startWithStore
            "model-store"
            (ExportMode.Batched options)
            fastRetry
            resource
            opener
            (exporter :> IExporter<int>)

    let accepted = ResizeArray<int>()
    let mutable next = 0

    for op in schedule.Ops do
        match op with
        | PostItems count ->
            for _ in 1..count do
                if runner.Post next then
                    accepted.Add next

                next <- next + 1
        | FlushNow -> runner.ForceFlush(TimeSpan.FromSeconds 10.).GetAwaiter().GetResult() |> ignore
        | SwitchTo outcome -> exporter.Outcome <- outcome

    let shutdownOk = runner.Shutdown(TimeSpan.FromSeconds 10.).GetAwaiter().GetResult()
    let stats = runner.Stats
    let succeeded = exporter.Succeeded
    let succeededSet = Set.ofList succeeded
    let acceptedSet = Set.ofSeq accepted

    problems
        [
            "Accepted + Rejected = posted", stats.Accepted + stats.Rejected = int64 next
            "Accepted matches the posts that returned true", stats.Accepted = int64 accepted.Count
            "no id delivered twice", succeeded.Length = succeededSet.Count
            "ids delivered in the order they were posted", succeeded = List.sort succeeded
            "Exported = distinct ids delivered", stats.Exported = int64 succeededSet.Count
            "only accepted ids were delivered", Set.isSubset succeededSet acceptedSet
            "accepted but not delivered = Failed + Dropped",
            int64 (acceptedSet - succeededSet).Count = stats.Failed + stats.Dropped
            "a memory store holds nothing after shutdown", stats.Stored = 0L
            "Accepted = Exported + Failed + Dropped + Stored",
            stats.Accepted = stats.Exported + stats.Failed + stats.Dropped + stats.Stored
            "store-full drops are part of Dropped", stats.DroppedStoreFull <= stats.Dropped
            "shutdown answered true exactly when nothing failed or was dropped",
            shutdownOk = (stats.Failed = 0L && stats.Dropped = 0L)
        ]

let ``through the export store every accepted item is delivered once, in order, or counted as failed or dropped`` () =
    Prop.forAll
        (Arb.fromGen (Gen.zip3 runnerSchedule (Gen.choose (1, 4)) (Gen.elements [ 8L; 64L; 1024L * 1024L ])))
        (fun (schedule, perRequest, storeBytes) ->
            match runStoreSchedule schedule perRequest storeBytes with
            | [] -> true
            | broken -> failwithf "violated: %s" (String.Join("; ", broken)))

[<Tests>]
let tests =
    testList
        "RunnerProperties"
        [
            testPropertyWithConfig
                (Check.configWith 40)
                "every accepted item is exported exactly once or counted as failed or dropped"
                (``every accepted item is exported exactly once or counted as failed or dropped`` (): FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 30)
                "shutdown meets its deadline with a hanging exporter and the books still balance"
                (``shutdown meets its deadline with a hanging exporter and the books still balance`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 30)
                "through the export store every accepted item is delivered once, in order, or counted as failed or dropped"
                (``through the export store every accepted item is delivered once, in order, or counted as failed or dropped`` ()
                : FsCheck.Property)
        ]
