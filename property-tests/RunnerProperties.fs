/// Model-based properties of the runner: random schedules of posts, flushes and exporter outcome switches run
/// against a real Runner; afterwards every item is accounted for exactly once.
module Functional.Telemetry.PropertyTests.RunnerProperties

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
            if not (runner.ForceFlush(TimeSpan.FromSeconds 10.).GetAwaiter().GetResult()) then
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
            "flushes finished", flushesOk
            "shutdown finished in time", shutdownOk
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

[<Fact>]
let ``every accepted item is exported exactly once or counted as failed or dropped`` () =
    Check.propertyWith
        40
        (Prop.forAll (Arb.fromGen runnerSchedule) (fun schedule ->
            match runSchedule schedule with
            | [] -> true
            | broken -> failwithf "violated: %s" (String.Join("; ", broken))))

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

[<Fact>]
let ``shutdown meets its deadline with a hanging exporter and the books still balance`` () =
    Check.propertyWith
        30
        (Prop.forAll (Arb.fromGen hangingSchedule) (fun (items, queue, batch, timeoutMs) ->
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
            | _ -> failwithf "violated: %s (stats %A, elapsed %O)" (String.Join("; ", broken)) stats clock.Elapsed))
