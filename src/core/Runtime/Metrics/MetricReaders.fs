namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Functional.Telemetry

namespace Functional.Telemetry

open Functional.Telemetry.FSharp
open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks

/// An exporter's temporality preference (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`).
[<RequireQualifiedAccess>]
type TemporalityPreference =
    /// Everything cumulative (the default; Prometheus needs it).
    | Cumulative
    /// Counters, observable counters, histograms and gauges as delta; up-down counters cumulative.
    | Delta
    /// Synchronous counters and histograms as delta; the rest cumulative.
    | LowMemory

/// Temporality preferences.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module TemporalityPreference =
    /// The temporality an instrument kind gets under a preference (the OTLP exporter spec's table).
    [<CompiledName("TemporalityOf")>]
    let temporalityOf (preference: TemporalityPreference) (kind: InstrumentKind) =
        match preference, kind with
        | TemporalityPreference.Cumulative, _ -> Temporality.Cumulative
        | _, InstrumentKind.UpDownCounter
        | _, InstrumentKind.ObservableUpDownCounter -> Temporality.Cumulative
        | TemporalityPreference.LowMemory, InstrumentKind.ObservableCounter
        | TemporalityPreference.LowMemory, InstrumentKind.ObservableGauge
        | TemporalityPreference.LowMemory, InstrumentKind.Gauge -> Temporality.Cumulative
        | _ -> Temporality.Delta

namespace Functional.Telemetry.FSharp

open Functional.Telemetry
open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks

/// The settings shared by the readers of one metrics pipeline.
type internal MetricsSettings =
    {
        Views: View list
        CardinalityLimit: int
        ExemplarFilter: ExemplarFilter
        Drops: MetricDropCounters
        StartTime: int64
    }

/// The collecting side of one reader: its own streams (so each reader has its own temporality and state).
/// `observe` runs the observable instruments' callbacks before each collection.
[<Sealed>]
type MetricCollector
    internal
    (
        preference: TemporalityPreference,
        histogramDefault: Aggregation option,
        settings: MetricsSettings,
        observe: unit -> unit
    ) =
    // `gate` serialises collections (callbacks included); the stream list has a lock of its own, so creating an
    // instrument (StreamsFor, on the application's thread) never waits for a slow or blocked callback.
    let gate = obj ()
    let streamsGate = obj ()
    let mutable streams: MetricStream array = Array.empty

    // A reader may aggregate histograms differently by default (OTLP's exponential option); a view's choice stays.
    let withReaderDefault (instrument: InstrumentDescriptor) (config: StreamConfig) =
        match histogramDefault with
        | Some aggregation when
            instrument.Kind = InstrumentKind.Histogram
            && config.Aggregation = View.defaultAggregation instrument
            ->
            { config with Aggregation = aggregation }
        | _ -> config

    /// Makes this reader's streams for an instrument (none when views drop it).
    member internal _.StreamsFor(instrument: InstrumentDescriptor) : MetricStream list =
        let created =
            View.streams settings.Views settings.CardinalityLimit instrument
            |> List.map (withReaderDefault instrument)
            |> List.map (fun config ->
                MetricStream(
                    config,
                    TemporalityPreference.temporalityOf preference instrument.Kind,
                    settings.ExemplarFilter,
                    settings.Drops,
                    settings.StartTime
                ))

        lock streamsGate (fun () -> Volatile.Write(&streams, Array.append streams (Array.ofList created)))
        created

    /// Collects every stream now (observable callbacks first). Collections are serialised.
    member _.Collect() : MetricData list =
        lock gate (fun () ->
            try
                observe ()
            with ex ->
                SelfDiagnostics.error "metrics" $"an observable instrument callback threw {ex.GetType().FullName}"

            let now = ActivityConversion.toUnixNanoseconds DateTime.UtcNow

            [
                for stream in Volatile.Read &streams do
                    match stream.Collect now with
                    | Some data -> yield data
                    | None -> ()
            ])

    /// Every stream of this reader.
    member _.Streams: MetricStream list = List.ofArray (Volatile.Read &streams)

    /// Before the final collection: synchronous measurements from now on are counted as dropped (see
    /// `MetricDropCounters.AfterShutdown`) instead of going into cells no collection will read.
    member internal _.Close() =
        lock streamsGate (fun () ->
            for stream in streams do
                stream.Close())

namespace Functional.Telemetry

open Functional.Telemetry.FSharp
open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Functional.Telemetry.FSharp
open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks

/// A reader that collects when asked (for Prometheus scrapes and tests). Add it to the metrics configuration;
/// once the SDK has started, `Collect` returns the current metrics.
[<Sealed>]
type MetricPullReader(preference: TemporalityPreference) =
    let mutable collector: MetricCollector option = None

    /// A cumulative pull reader.
    new() = MetricPullReader(TemporalityPreference.Cumulative)

    /// The temporality preference.
    member _.Preference = preference

    /// Whether an SDK has attached this reader (it is running).
    member internal _.IsAttached = collector.IsSome

    /// Attaches the SDK's collector; a reader serves one SDK at a time.
    member internal this.Attach(c: MetricCollector) =
        lock this (fun () ->
            if collector.IsSome then
                invalidOp
                    "This MetricPullReader (or PrometheusScrapeHandler) is already attached to a running telemetry SDK; a reader serves one SDK at a time."

            collector <- Some c)

    /// Detaches `c`, if it is still the attached collector.
    member internal this.Detach(c: MetricCollector) =
        lock this (fun () ->
            match collector with
            | Some attached when obj.ReferenceEquals(attached, c) -> collector <- None
            | _ -> ())

    /// Collects now; empty before the SDK starts or after it shuts down.
    member _.Collect() : MetricData list =
        match collector with
        | Some c -> c.Collect()
        | None -> []

    /// This reader's streams (for diagnostics and tests).
    member _.Streams: MetricStream list =
        match collector with
        | Some c -> c.Streams
        | None -> []

namespace Functional.Telemetry.FSharp

open Functional.Telemetry
open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Functional.Telemetry.FSharp
open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks

/// Periodic reading settings (`OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_METRIC_EXPORT_TIMEOUT`).
type PeriodicReaderOptions =
    {
        /// Time between collections. Default 60 s.
        Interval: TimeSpan
        /// Deadline of one export. Default 30 s.
        Timeout: TimeSpan
    }

/// Periodic reader settings.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PeriodicReaderOptions =
    /// 60 s interval, 30 s timeout.
    [<CompiledName("Default")>]
    let defaults =
        {
            Interval = TimeSpan.FromMilliseconds 60000.
            Timeout = TimeSpan.FromMilliseconds 30000.
        }

    /// Reads `OTEL_METRIC_EXPORT_INTERVAL` and `OTEL_METRIC_EXPORT_TIMEOUT` (milliseconds) over the defaults.
    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        let positive v = v > 0
        let interval, w1 = Env.readInt lookup "OTEL_METRIC_EXPORT_INTERVAL" positive 60000
        let timeout, w2 = Env.readInt lookup "OTEL_METRIC_EXPORT_TIMEOUT" positive 30000

        {
            Interval = TimeSpan.FromMilliseconds(float interval)
            Timeout = TimeSpan.FromMilliseconds(float timeout)
        },
        w1 @ w2

    /// Checks options given in code: Interval and Timeout positive. Error with one message per bad setting
    /// (see `Validation`).
    [<CompiledName("Validate")>]
    let validate (options: PeriodicReaderOptions) =
        [
            Validation.check
                (options.Interval > TimeSpan.Zero)
                (nameof options.Interval)
                $"the export interval must be positive, got {options.Interval}."
            Validation.check
                (options.Timeout > TimeSpan.Zero)
                (nameof options.Timeout)
                $"the export timeout must be positive, got {options.Timeout}."
        ]
        |> List.concat
        |> Validation.ofErrors options

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
