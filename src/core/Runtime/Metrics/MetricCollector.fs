namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Functional.Telemetry

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
type internal MetricCollector
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
