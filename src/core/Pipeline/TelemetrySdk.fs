namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Functional.Telemetry

type ExportPipeline =
    {
        Name: string
        Stats: RunnerStats
    }

    member x.Deconstruct(name: outref<string>, stats: outref<RunnerStats>) =
        name <- x.Name
        stats <- x.Stats

[<Sealed>]
type TelemetrySdk
    internal
    (
        resource: Resource,
        propagator: TextMapPropagator,
        parts: PipelinePart list,
        spanRunners: Runner<obj> list,
        metricRunners: Runner<MetricData list> list,
        metricDrops: MetricDropCounters,
        prometheusEndpoints: PrometheusServer list,
        scrapeHandlers: PrometheusScrapeHandler list,
        loggerBridge: LoggerBridge,
        installation: IDisposable option,
        diagnostics: DiagnosticsRegistration
    ) =
    // How long the diagnostics sink may still take once the deadline has passed: the one bound past it.
    static let diagnosticsMoment = TimeSpan.FromMilliseconds 50.

    let shutdownGate = obj ()
    let mutable shutdown: Task<bool> option = None

    let all = PipelinePart.all

    // C# reads these: read-only arrays, not F# lists.
    let endpoints = Array.ofList prometheusEndpoints |> Array.AsReadOnly :> IReadOnlyList<_>
    let handlers = Array.ofList scrapeHandlers |> Array.AsReadOnly :> IReadOnlyList<_>

    let pipelines (stats: (string * RunnerStats) list) : IReadOnlyList<ExportPipeline> =
        stats
        |> List.map (fun (name, stats) -> { Name = name; Stats = stats })
        |> Array.ofList
        |> Array.AsReadOnly
        :> IReadOnlyList<_>

    member _.Resource = resource
    member _.PropagatorValue = propagator
    member _.SpanPipelines = pipelines (spanRunners |> List.map (fun r -> r.Name, r.Stats))
    member _.MetricPipelines = pipelines (metricRunners |> List.map (fun r -> r.Name, r.Stats))
    member _.MetricDrops = metricDrops
    member _.PrometheusEndpoints = endpoints
    member _.PrometheusScrapeHandlers = handlers
    member _.LogPipelines = pipelines loggerBridge.Pipelines
    member _.LoggerProvider = loggerBridge :> ILoggerProvider
    member _.CreateLogger(category: string) = loggerBridge.CreateLogger category

    // Flushing and shutting down start with no SynchronizationContext (see NoContext): their awaits must not
    // resume on the caller's context (a UI thread that then blocks in Dispose or on `.Result` would wait for itself).
    member _.ForceFlush(timeout: TimeSpan) =
        NoContext.run (fun () -> all (parts |> List.map (fun p -> p.ForceFlush timeout)))

    member _.Shutdown(timeout: TimeSpan) =
        lock shutdownGate (fun () ->
            match shutdown with
            | Some running -> running
            | None ->
                let running =
                    NoContext.run (fun () ->
                        task {
                            let started = Stopwatch.GetTimestamp()
                            let left () = timeout - Stopwatch.GetElapsedTime started
                            let first, last = parts |> List.partition (fun p -> not p.ShutsDownLast)

                            // One deadline for the whole shutdown. The parts that shut down last (logging) are kept
                            // a share of it (a fifth, at most a second) so that what the others log while they drain
                            // can still be exported; they then get whatever is left. Each part's answer is awaited
                            // at most for its share, whatever the part does.
                            let reserve =
                                if List.isEmpty last then
                                    TimeSpan.Zero
                                else
                                    min (TimeSpan.FromSeconds 1.) (timeout / 5.)

                            let shutDown (budget: TimeSpan) (group: PipelinePart list) =
                                let budget = max budget TimeSpan.Zero

                                all (group |> List.map (fun p -> Deadline.orFalse budget (p.Shutdown budget)))

                            let! ok = shutDown (timeout - reserve) first
                            let! lastOk = shutDown (left ()) last
                            installation |> Option.iter (fun i -> i.Dispose())
                            // What the shutdown reported reaches the sink before the sink goes: within what is left
                            // of the deadline, but never less than a moment (the small bound past the deadline) nor
                            // more than a second.
                            let closing = min (TimeSpan.FromSeconds 1.) (max (left ()) diagnosticsMoment)
                            let! _ = Deadline.orFalse closing (diagnostics.Close closing)
                            return ok && lastOk
                        })

                shutdown <- Some running
                running)

    member x.Dispose() = x.Shutdown(TimeSpan.FromSeconds 5.).GetAwaiter().GetResult() |> ignore

    member x.DisposeAsync() = ValueTask(x.Shutdown(TimeSpan.FromSeconds 5.) :> Task)

    interface IDisposable with
        member x.Dispose() = x.Dispose()

    interface IAsyncDisposable with
        member x.DisposeAsync() = x.DisposeAsync()

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

[<AutoOpen>]
module TelemetrySdkExtensions =
    type TelemetrySdk with
        member x.Propagator = x.PropagatorValue
