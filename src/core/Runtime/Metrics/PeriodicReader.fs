namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Functional.Telemetry

/// Hands one whole collection to the exporter as one batch.
[<Sealed>]
type internal CollectionExporter(inner: IExporter<MetricData>) =
    interface IExporter<MetricData list> with
        member _.Name = inner.Name

        member _.Export(batch, token) =
            let items = batch.Items |> Seq.collect id |> Array.ofSeq

            if items.Length = 0 then
                Task.FromResult ExportResult.Success
            else
                Suppression.Run(fun () -> inner.Export({ Resource = batch.Resource; Items = items }, token))

        member _.Shutdown token = inner.Shutdown token

    // The store's path (see IRequestExporter): the collection's data, the requests handed to the runner.
    interface IRequestExporter<MetricData list> with
        member _.EncodesRequests = RequestStage.encodes inner

        member _.ExportRequests(batch, deliver, token) =
            let items = batch.Items |> Seq.collect id |> Array.ofSeq

            if items.Length = 0 then
                Task.FromResult ExportResult.Success
            else
                Suppression.Run(fun () ->
                    (RequestStage.requests inner)
                        .ExportRequests({ Resource = batch.Resource; Items = items }, deliver, token))

        member _.SendRequest(body, token) =
            Suppression.Run(fun () -> (RequestStage.requests inner).SendRequest(body, token))

        member _.RequestKind = (RequestStage.requests inner).RequestKind

    interface IExportDestination with
        member _.Destination = ExportDestination.ofExporter inner

/// Collects on a timer and exports through the runner (one export per collection, with the export timeout
/// and the retry policy). ForceFlush collects and exports at once; Shutdown does a final collection.
[<Sealed>]
type internal PeriodicReader
    (collector: MetricCollector, options: PeriodicReaderOptions, runner: Runner<MetricData list>) =
    let stop = new CancellationTokenSource()

    let collectAndPost () =
        try
            match collector.Collect() with
            | [] -> ()
            | data -> runner.Post data |> ignore
        with ex ->
            SelfDiagnostics.error "metrics" $"collection threw {ex.GetType().FullName}"

    // Started without the starting thread's SynchronizationContext (see NoContext): the loop must not run on a
    // UI thread's context.
    let loop =
        NoContext.run (fun () ->
            task {
                use timer = new PeriodicTimer(options.Interval)
                let mutable running = true

                while running do
                    let! ticked =
                        task {
                            try
                                return! timer.WaitForNextTickAsync stop.Token
                            with :? OperationCanceledException ->
                                return false
                        }

                    if ticked then collectAndPost () else running <- false
            }
            :> Task)

    // `work` on the thread pool, answered false if it has not finished within `timeout` (the work itself goes on:
    // a slow observable callback cannot be interrupted, but the caller is not held past its deadline).
    let within (timeout: TimeSpan) (work: unit -> Task<bool>) = Deadline.orFalse timeout (Task.Run<bool>(work))

    let mutable shutdown: Task<bool> option = None
    let gate = obj ()

    member _.Runner = runner

    member _.ForceFlush(timeout: TimeSpan) =
        let started = Stopwatch.GetTimestamp()

        within timeout (fun () ->
            collectAndPost ()
            runner.ForceFlush(timeout - Stopwatch.GetElapsedTime started))

    member _.Shutdown(timeout: TimeSpan) =
        lock gate (fun () ->
            match shutdown with
            | Some t -> t
            | None ->
                stop.Cancel()

                let started = Stopwatch.GetTimestamp()

                let t =
                    within timeout (fun () ->
                        task {
                            do! loop
                            collector.Close()
                            collectAndPost ()
                            return! runner.Shutdown(timeout - Stopwatch.GetElapsedTime started)
                        })

                shutdown <- Some t
                t)
