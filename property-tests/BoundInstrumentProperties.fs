/// Bound instruments record what unbound ones do: the same measurements, made through `Bind` handles on one meter
/// and through `Add`/`Record` with tags on another (both read by one SDK with a cumulative and a delta reader),
/// collect to the same metrics at every collection: counters, up-down counters, explicit-bucket and exponential
/// histograms, with handles disposed and bound again between measurements and collections interleaved (so delta
/// readers reclaim idle unbound series while bound ones are held).
module Functional.Telemetry.PropertyTests.BoundInstrumentProperties

open Expecto
open System
open System.Collections.Generic
open System.Diagnostics.Metrics
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.PropertyTests.Arbs

/// The instruments of one meter, one per kind, named alike on both meters.
type private ScenarioInstruments(meter: Meter) =
    member val Counter = meter.CreateCounter<int64> "counter"
    member val UpDown = meter.CreateUpDownCounter<int64> "updown"
    member val Histogram = meter.CreateHistogram<float> "histogram"
    member val Exponential = meter.CreateHistogram<float> "exponential"

/// A tag as the F# API takes it.
let private ofTag (tag: KeyValuePair<string, obj>) = KeyValue.create tag.Key (ActivityConversion.toAnyValue tag.Value)

let private tagsOf (set: (string * obj) list) =
    set
    |> List.map (fun (key, value) -> KeyValuePair<string, obj>(key, value))
    |> Array.ofList

/// What a collection says, apart from the scope (the two meters' names differ): each metric's name, unit,
/// description and points, the points ordered by attributes (a series' place in the table is not part of it).
let private observed (meterName: string) (metrics: MetricData seq) =
    let key (attributes: IReadOnlyList<KeyValue>) =
        attributes |> Seq.map (fun a -> $"{a.Key}={a.Value}") |> String.concat ","

    let sortPoints (points: IReadOnlyList<'P>) (attributesOf: 'P -> IReadOnlyList<KeyValue>) =
        points |> Seq.sortBy (attributesOf >> key) |> List.ofSeq

    metrics
    |> Seq.filter (fun m -> m.Scope.Name = meterName)
    |> Seq.map (fun m ->
        let points =
            match m.Points with
            | MetricPoints.Sum(temporality, monotonic, points) ->
                MetricPoints.Sum(temporality, monotonic, sortPoints points _.Attributes)
            | MetricPoints.Gauge points -> MetricPoints.Gauge(sortPoints points _.Attributes)
            | MetricPoints.Histogram(temporality, points) ->
                MetricPoints.Histogram(temporality, sortPoints points _.Attributes)
            | MetricPoints.ExponentialHistogram(temporality, points) ->
                MetricPoints.ExponentialHistogram(temporality, sortPoints points _.Attributes)

        m.Name, m.Unit, m.Description, points)
    |> List.ofSeq
    |> List.sortBy (fun (name, _, _, _) -> name)

/// Runs a scenario on both sides and returns the differences found (empty when every collection agreed).
let private differences (scenario: BoundScenario) =
    let id = Guid.NewGuid().ToString("N")
    let unboundName = "BoundProperties.Unbound." + id
    let boundName = "BoundProperties.Bound." + id
    let cumulative = MetricPullReader()
    let delta = MetricPullReader TemporalityPreference.Delta

    use sdk =
        Telemetry.create "bound-instrument-properties"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withResourceDetection false
        |> Telemetry.withMetrics (
            Metrics.addMeter unboundName
            >> Metrics.addMeter boundName
            >> Metrics.addView
                { View.forInstrument "exponential" with
                    Aggregation = Some(Aggregation.Base2ExponentialHistogram(160, 20, true))
                }
            >> Metrics.addReader cumulative
            >> Metrics.addReader delta
        )
        |> Telemetry.start

    use unboundMeter = new Meter(unboundName)
    use boundMeter = new Meter(boundName)
    let unbound = ScenarioInstruments unboundMeter
    let bound = ScenarioInstruments boundMeter
    let sets = scenario.AttributeSets |> List.map tagsOf |> Array.ofList
    let handles = Dictionary<BoundInstrumentKind * int, IDisposable * (float -> unit)>()

    let handle kind set =
        match handles.TryGetValue((kind, set)) with
        | true, (_, record) -> record
        | _ ->
            let attributes = scenario.AttributeSets[set] |> List.map (fun (k, v) -> KeyValuePair(k, v))

            // Bound through the C#-shaped entry point (tags as .NET passes them) and the F# one alternately.
            let created: IDisposable * (float -> unit) =
                match kind with
                | BoundCounterLong ->
                    let h = bound.Counter.Bind(attributes |> List.map ofTag)
                    h, (fun v -> h.Add(int64 v))
                | BoundUpDownLong ->
                    let h = BoundInstruments.counter<int64> bound.UpDown (Array.ofList attributes)
                    h, (fun v -> h.Add(int64 v))
                | BoundExplicitHistogram ->
                    let h = bound.Histogram.Bind(attributes |> List.map ofTag)
                    h, h.Record
                | BoundExponentialHistogram ->
                    let h = BoundInstruments.histogram<float> bound.Exponential (Array.ofList attributes)
                    h, h.Record

            handles[(kind, set)] <- created
            snd created

    let found = ResizeArray<string>()
    let mutable collections = 0

    let collectBoth () =
        collections <- collections + 1

        for reader, label in [ cumulative, "cumulative"; delta, "delta" ] do
            let metrics = reader.Collect()
            let expected = observed unboundName metrics
            let actual = observed boundName metrics

            if actual <> expected then
                found.Add $"{label} collection {collections}:\nunbound: %A{expected}\nbound:   %A{actual}"

    for step in scenario.Steps do
        match step with
        | BoundMeasure(kind, set, value) ->
            let tags = sets[set]

            match kind with
            | BoundCounterLong -> unbound.Counter.Add(int64 value, tags)
            | BoundUpDownLong -> unbound.UpDown.Add(int64 value, tags)
            | BoundExplicitHistogram -> unbound.Histogram.Record(value, tags)
            | BoundExponentialHistogram -> unbound.Exponential.Record(value, tags)

            handle kind set value
        | BoundUnbind(kind, set) ->
            match handles.TryGetValue((kind, set)) with
            | true, (disposable, _) ->
                disposable.Dispose()
                handles.Remove((kind, set)) |> ignore
            | _ -> ()
        | BoundCollect -> collectBoth ()

    collectBoth ()

    for disposable, _ in handles.Values do
        disposable.Dispose()

    List.ofSeq found

let ``Bound: bound and unbound recordings of the same measurements collect to equal metrics, cumulative and delta`` () =
    Prop.forAll (Arb.fromGen boundScenario) (fun scenario ->
        match differences scenario with
        | [] -> ()
        | first :: _ -> failwith first)

[<Tests>]
let tests =
    testList
        "BoundInstrumentProperties"
        [
            testPropertyWithConfig
                (Check.configWith 100)
                "Bound: bound and unbound recordings of the same measurements collect to equal metrics, cumulative and delta"
                (``Bound: bound and unbound recordings of the same measurements collect to equal metrics, cumulative and delta`` ()
                : FsCheck.Property)
        ]
