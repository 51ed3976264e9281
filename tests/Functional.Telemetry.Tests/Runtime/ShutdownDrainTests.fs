/// Shutdown's final drain of the export store when the runner's reader was idle (asleep on the empty queue) as the
/// queue completed: the drain still runs, so the sender in flight is awaited and what the store holds gets its last
/// chance, instead of the books closing on a request the backend is taking.
module Functional.Telemetry.Tests.ShutdownDrainTests

open Expecto
open System
open System.Threading
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private resource = { Attributes = []; SchemaUrl = "" }

/// An exporter that encodes each batch as one request of its int32 items; `Answer n` answers the n-th send (1-based),
/// and `Shutdown` records whether a send was still in flight when the runner shut the exporter down.
type private Requests() =
    let mutable sends = 0
    let mutable inFlight = 0
    let mutable shutDownWhileSending = false

    member val Answer: int -> Task<ExportResult> = (fun _ -> Task.FromResult ExportResult.Success) with get, set

    /// Completes when the runner shuts the exporter down.
    member val ShutDown = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)

    member _.Sends = Volatile.Read &sends
    member _.ShutDownWhileSending = Volatile.Read &shutDownWhileSending

    interface IExporter<int> with
        member _.Name = "drain-requests"
        member _.Export(_, _) = Task.FromResult(ExportResult.Failure "the store's path is expected")

        member this.Shutdown _ =
            Volatile.Write(&shutDownWhileSending, Volatile.Read &inFlight > 0)
            this.ShutDown.TrySetResult() |> ignore
            Task.CompletedTask

    interface IRequestExporter<int> with
        member _.EncodesRequests = true
        member _.RequestKind = "traces;application/x-drain"

        member _.ExportRequests(batch, deliver, token) =
            let body = batch.Items |> Array.collect BitConverter.GetBytes
            deliver.Invoke(ReadOnlyMemory body, 0, batch.Items.Length, batch.Items.Length, token)

        member this.SendRequest(_, _) =
            task {
                let call = Interlocked.Increment &sends
                Interlocked.Increment &inFlight |> ignore

                try
                    return! this.Answer call
                finally
                    Interlocked.Decrement &inFlight |> ignore
            }

let private start (exporter: Requests) =
    Runner.startWithStore
        "drain-test"
        (ExportMode.Batched
            {
                ScheduleDelay = TimeSpan.FromHours 1.
                ExportTimeout = TimeSpan.FromSeconds 30.
                MaxQueueSize = 1024
                MaxExportBatchSize = 4
            })
        { RetryPolicy.defaults with
            InitialBackoff = TimeSpan.FromMilliseconds 1.
            MaxBackoff = TimeSpan.FromMilliseconds 1.
        }
        resource
        (ExportStores.opener ExportStore.defaults)
        (exporter :> IExporter<int>)

/// Unavailable, to be asked again only after a minute: no probe comes before the test is over.
let private downForAMinute =
    Task.FromResult(ExportResult.Retryable("backend unavailable", Nullable(TimeSpan.FromMinutes 1.)))

let ``shutdown waits for the store's sender in flight while the reader sleeps, and counts what the backend took`` () =
    task {
        let exporter = Requests()
        let sending = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        let answer = TaskCompletionSource<ExportResult>(TaskCreationOptions.RunContinuationsAsynchronously)

        // The batch's send finds the backend down (the request is kept); the sender's probe hangs until answered.
        exporter.Answer <-
            fun call ->
                if call = 1 then
                    Task.FromResult(ExportResult.Retryable("backend unavailable", Nullable()))
                else
                    sending.TrySetResult() |> ignore
                    answer.Task

        let runner = start exporter

        for id in 1..4 do
            Assert.True(runner.Post id)

        // The probe is in flight and the reader, with nothing queued, sleeps on the queue.
        do! sending.Task.WaitAsync(TimeSpan.FromSeconds 10.)
        let shutdown = runner.Shutdown(TimeSpan.FromSeconds 20.)

        // A shutdown that does not wait for the sender shuts the exporter down at once (recorded); one that waits
        // does nothing observable until the probe is answered, so it is answered after a moment either way.
        let! _ = Task.WhenAny(exporter.ShutDown.Task, Task.Delay 200)
        answer.TrySetResult ExportResult.Success |> ignore
        let! ok = shutdown
        let stats = runner.Stats
        Assert.False(exporter.ShutDownWhileSending, "the exporter was shut down while the store's sender was sending")
        Assert.True(ok, $"{stats}")
        Assert.Equal(4L, stats.Exported)
        Assert.Equal(0L, stats.Dropped)
        Assert.Equal(0L, stats.Stored)
        Assert.Equal(2, exporter.Sends)
    }

let ``shutdown's drain sends what the store holds although the reader slept and no probe is due`` () =
    task {
        let exporter = Requests()
        let kept = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)

        // Down for the batch's send (no probe for a minute), up for the drain's.
        exporter.Answer <-
            fun call ->
                if call = 1 then
                    kept.TrySetResult() |> ignore
                    downForAMinute
                else
                    Task.FromResult ExportResult.Success

        let runner = start exporter

        for id in 1..4 do
            Assert.True(runner.Post id)

        do! kept.Task.WaitAsync(TimeSpan.FromSeconds 10.)
        let! ok = runner.Shutdown(TimeSpan.FromSeconds 20.)
        let stats = runner.Stats
        Assert.True(ok, $"{stats}")
        Assert.Equal(4L, stats.Exported)
        Assert.Equal(0L, stats.Dropped)
        Assert.Equal(2, exporter.Sends)
    }

[<Tests>]
let tests =
    testList
        "ShutdownDrainTests"
        [
            testTask
                "shutdown waits for the store's sender in flight while the reader sleeps, and counts what the backend took" {
                do!
                    ``shutdown waits for the store's sender in flight while the reader sleeps, and counts what the backend took`` ()
            }
            testTask "shutdown's drain sends what the store holds although the reader slept and no probe is due" {
                do! ``shutdown's drain sends what the store holds although the reader slept and no probe is due`` ()
            }
        ]
