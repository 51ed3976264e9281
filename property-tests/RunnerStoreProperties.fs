/// Model-based properties of the export store's path when the exporter splits the runner's items (as a metrics
/// collection becomes several requests): random schedules of posts, flushes and outcome switches against a real
/// Runner with a memory store; afterwards every item was delivered whole exactly once, or counted as failed or
/// dropped, and flushes and the shutdown told the truth.
module Functional.Telemetry.PropertyTests.RunnerStoreProperties

open Expecto
open System
open System.Collections.Concurrent
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

/// Each runner item (an id) becomes `expand` sub-items (the id repeated), sent in requests of `perRequest`
/// sub-items (4 bytes each): requests end inside items. Each send answers by the current outcome; the sub-items of
/// accepted requests are recorded in order.
type private SplittingExporter(perRequest: int, expand: int) =
    let mutable outcome = Succeed
    let accepted = ConcurrentQueue<int>()

    let decode (body: ReadOnlyMemory<byte>) =
        [
            for i in 0 .. body.Length / 4 - 1 -> BitConverter.ToInt32(body.Span.Slice(i * 4, 4))
        ]

    member _.Outcome
        with set value = Volatile.Write(&outcome, value)

    member _.Accepted = List.ofSeq accepted

    interface IExporter<int> with
        member _.Name = "splitting"
        member _.Export(_, _) = Task.FromResult(ExportResult.Failure "the store's path is expected")
        member _.Shutdown _ = Task.CompletedTask

    interface IRequestExporter<int> with
        member _.EncodesRequests = true
        member _.RequestKind = "metrics;application/x-model"

        member _.ExportRequests(batch, deliver, token) =
            task {
                let subItems = batch.Items |> Array.collect (Array.replicate expand)
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

        member _.SendRequest(body, _) =
            match Volatile.Read &outcome with
            | Succeed ->
                for id in decode body do
                    accepted.Enqueue id

                Task.FromResult ExportResult.Success
            | Fail -> Task.FromResult(ExportResult.Failure "model failure")
            | Retry -> Task.FromResult(ExportResult.Retryable("model unavailable", Nullable()))
            | Throw -> raise (InvalidOperationException "model exception")

let private problems (checks: (string * bool) list) = checks |> List.filter (snd >> not) |> List.map fst

let private lost (stats: RunnerStats) = stats.Failed + stats.Dropped

let private run (schedule: RunnerSchedule) (perRequest: int) (expand: int) (storeBytes: int64) =
    let exporter = SplittingExporter(perRequest, expand)

    let options =
        {
            ScheduleDelay = TimeSpan.FromMilliseconds(float schedule.DelayMs)
            ExportTimeout = TimeSpan.FromSeconds 10.
            MaxQueueSize = schedule.QueueSize
            MaxExportBatchSize = schedule.BatchSize
        }

    let runner =
        Runner.startWithStore
            "splitting"
            (ExportMode.Batched options)
            fastRetry
            resource
            (ExportStores.opener (ExportStore.memory storeBytes))
            (exporter :> IExporter<int>)

    let accepted = ResizeArray<int>()
    let mutable next = 0
    let mutable flushesOk = true

    for op in schedule.Ops do
        match op with
        | PostItems count ->
            for _ in 1..count do
                if runner.Post next then
                    accepted.Add next

                next <- next + 1
        | FlushNow ->
            let before = lost runner.Stats
            let flushed = runner.ForceFlush(TimeSpan.FromSeconds 10.).GetAwaiter().GetResult()

            // True only when nothing was lost meanwhile and nothing is left in the store.
            if flushed && (lost runner.Stats <> before || runner.Stats.Stored <> 0L) then
                flushesOk <- false
        | SwitchTo outcome -> exporter.Outcome <- outcome

    let shutdownOk = runner.Shutdown(TimeSpan.FromSeconds 10.).GetAwaiter().GetResult()
    let stats = runner.Stats
    let delivered = exporter.Accepted
    let counts = delivered |> List.countBy id |> Map.ofList
    let whole = counts |> Map.filter (fun _ n -> n = expand) |> Map.keys |> Set.ofSeq
    let acceptedSet = Set.ofSeq accepted

    problems
        [
            "Accepted + Rejected = posted", stats.Accepted + stats.Rejected = int64 next
            "no sub-item delivered twice", counts |> Map.forall (fun _ n -> n <= expand)
            "sub-items delivered in the order they were posted", delivered = List.sort delivered
            "Exported = items delivered whole", stats.Exported = int64 whole.Count
            "only accepted items were delivered", Set.isSubset (Set.ofSeq counts.Keys) acceptedSet
            "a memory store holds nothing after shutdown", stats.Stored = 0L
            "Accepted = Exported + Failed + Dropped + Stored",
            stats.Accepted = stats.Exported + stats.Failed + stats.Dropped + stats.Stored
            "store-full drops are part of Dropped", stats.DroppedStoreFull <= stats.Dropped
            "flushes answered true only when nothing was lost and the store was empty", flushesOk
            "shutdown answered true exactly when nothing failed or was dropped",
            shutdownOk = (stats.Failed = 0L && stats.Dropped = 0L)
        ]

let ``items split across requests are delivered whole once, in order, or counted as failed or dropped`` () =
    Prop.forAll
        (Arb.fromGen (
            Gen.zip3
                runnerSchedule
                (Gen.zip (Gen.choose (1, 5)) (Gen.choose (1, 4)))
                (Gen.elements [ 8L; 64L; 1024L * 1024L ])
        ))
        (fun (schedule, (perRequest, expand), storeBytes) ->
            match run schedule perRequest expand storeBytes with
            | [] -> true
            | broken -> failwithf "violated: %s" (String.Join("; ", broken)))

[<Tests>]
let tests =
    testList
        "RunnerStoreProperties"
        [
            testPropertyWithConfig
                (Check.configWith 30)
                "items split across requests are delivered whole once, in order, or counted as failed or dropped"
                (``items split across requests are delivered whole once, in order, or counted as failed or dropped`` ()
                : FsCheck.Property)
        ]
