/// The lock-free metric runtime equals the pure fold: measurements recorded at the same time from several
/// threads, through real System.Diagnostics.Metrics instruments and a started SDK, leave each series' cell in
/// the state the pure monoids (`SumState`, `HistogramState`, `ExponentialHistogramState`) reach by folding the
/// same measurements one by one; and delta collections accumulated with `Temporality.deltaToCumulative`
/// equal the cumulative reader's collection.
module Functional.Telemetry.PropertyTests.MetricRuntimeProperties

open Expecto
open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics.Metrics
open System.Threading
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.PropertyTests.Arbs

/// A meter name no other test listens to (listeners are process-wide).
let private uniqueMeter () = "MetricRuntimeProperties." + Guid.NewGuid().ToString("N")

/// Starts an SDK listening to `meter` with these pull readers, after `configure` (views).
let private startSdk (meter: string) (readers: MetricPullReader list) (configure: MetricsConfig -> MetricsConfig) =
    let addReaders config = readers |> List.fold (fun c reader -> Metrics.addReader reader c) config

    Telemetry.create "metric-runtime-properties"
    |> Telemetry.withEnvironment (Env.ofList [])
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withMetrics (Metrics.addMeter meter >> configure >> addReaders)
    |> Telemetry.start

let private anyValueOf (value: obj) =
    match value with
    | :? string as s -> AnyValue.String s
    | :? int64 as i -> AnyValue.Int i
    | other -> failwithf "unexpected tag value %A" other

/// The attributes the runtime exports for a set of tags: sorted by key.
let private attributesOf (tags: (string * obj) list) =
    tags
    |> List.sortBy fst
    |> List.map (fun (key, value) -> KeyValue.create key (anyValueOf value))

/// A printable, sortable key for an attribute set.
let private attributesKey (attributes: KeyValue list) =
    attributes
    |> List.map (fun a -> sprintf "%s=%A" a.Key a.Value)
    |> String.concat ","

let private tagsOf (case: MetricRuntimeCase<'T>) (m: MetricMeasurement<'T>) =
    let set = Array.ofList case.AttributeSets[m.AttributeSet]

    m.TagOrder
    |> List.map (fun i -> KeyValuePair<string, obj>(fst set[i], snd set[i]))
    |> Array.ofList

/// Records the measurements: each thread its share, in order; the threads start together at a barrier.
let private recordConcurrently (case: MetricRuntimeCase<'T>) (record: 'T -> KeyValuePair<string, obj>[] -> unit) =
    // Tags are built before the threads start, so the threads do nothing but record.
    let shares =
        Array.init case.Threads (fun thread ->
            case.Measurements
            |> List.filter (fun m -> m.Thread = thread)
            |> List.map (fun m -> m.Value, tagsOf case m)
            |> Array.ofList)

    use barrier = new Barrier(case.Threads)
    let errors = ConcurrentQueue<exn>()

    let threads =
        shares
        |> Array.map (fun share ->
            Thread(
                (fun () ->
                    try
                        barrier.SignalAndWait()

                        for value, tags in share do
                            record value tags
                    with ex ->
                        errors.Enqueue ex),
                IsBackground = true
            ))

    for t in threads do
        t.Start()

    for t in threads do
        t.Join()

    if not errors.IsEmpty then
        raise (AggregateException(errors))

/// The pure fold per attribute set (in the sequence's order), sorted by attribute key.
let private expectedStates (case: MetricRuntimeCase<'T>) (empty: 'S) (record: 'S -> 'T -> 'S) (wrap: 'S -> CellState) =
    case.Measurements
    |> List.groupBy (fun m -> attributesOf case.AttributeSets[m.AttributeSet])
    |> List.map (fun (attributes, ms) ->
        attributes, ms |> List.map (fun m -> m.Value) |> List.fold record empty |> wrap)
    |> List.sortBy (fst >> attributesKey)

/// The runtime's cell states of the stream named `name`, sorted by attribute key.
let private runtimeStates (reader: MetricPullReader) (name: string) =
    reader.Streams
    |> List.filter (fun s -> s.Config.Name = name)
    |> List.collect (fun s -> s.CellStates 0L)
    |> List.sortBy (fst >> attributesKey)

let private failUnlessEqual (expected: 'a) (actual: 'a) =
    if actual <> expected then
        failwithf "runtime differs from the pure fold\nexpected:\n%A\nactual:\n%A" expected actual

/// Records `case` through an instrument made by `create` on a fresh meter and SDK, and compares every series
/// with the pure fold.
let private checkAgainstFold
    (configure: MetricsConfig -> MetricsConfig)
    (create: Meter -> 'T -> KeyValuePair<string, obj>[] -> unit)
    (case: MetricRuntimeCase<'T>)
    (expected: (KeyValue list * CellState) list)
    =
    let name = uniqueMeter ()
    let reader = MetricPullReader()
    use sdk = startSdk name [ reader ] configure
    use meter = new Meter(name)
    recordConcurrently case (create meter)
    failUnlessEqual expected (runtimeStates reader "m")
    ignore sdk

let ``MetricRuntime: Counter<long> from concurrent threads equals the pure SumState fold per attribute set`` () =
    Prop.forAll (Arb.fromGen (metricRuntimeCase counterLongValue)) (fun case ->
        let expected =
            expectedStates
                case
                (SumState.empty NumberKind.Long)
                (fun s v -> SumState.record s (NumberValue.Long v))
                CellState.Sum

        checkAgainstFold
            id
            (fun meter ->
                let counter = meter.CreateCounter<int64>("m")
                fun value tags -> counter.Add(value, tags))
            case
            expected)

let ``MetricRuntime: Counter<double> of exactly adding values equals the pure SumState fold`` () =
    Prop.forAll (Arb.fromGen (metricRuntimeCase counterDoubleValue)) (fun case ->
        let expected =
            expectedStates
                case
                (SumState.empty NumberKind.Double)
                (fun s v -> SumState.record s (NumberValue.Double v))
                CellState.Sum

        checkAgainstFold
            id
            (fun meter ->
                let counter = meter.CreateCounter<float>("m")
                fun value tags -> counter.Add(value, tags))
            case
            expected)

let ``MetricRuntime: UpDownCounter<long> with negative and positive changes equals the pure SumState fold`` () =
    Prop.forAll (Arb.fromGen (metricRuntimeCase upDownLongValue)) (fun case ->
        let expected =
            expectedStates
                case
                (SumState.empty NumberKind.Long)
                (fun s v -> SumState.record s (NumberValue.Long v))
                CellState.Sum

        checkAgainstFold
            id
            (fun meter ->
                let counter = meter.CreateUpDownCounter<int64>("m")
                fun value tags -> counter.Add(value, tags))
            case
            expected)

let private recordHistogram (meter: Meter) =
    let histogram = meter.CreateHistogram<float>("m")
    fun (value: float) (tags: KeyValuePair<string, obj>[]) -> histogram.Record(value, tags)

let ``MetricRuntime: Histogram<double> with the default bounds equals the pure HistogramState fold`` () =
    Prop.forAll (Arb.fromGen (metricRuntimeCase (histogramValue HistogramState.defaultBounds))) (fun case ->
        let expected =
            expectedStates
                case
                (HistogramState.empty HistogramState.defaultBounds)
                HistogramState.record
                CellState.Histogram

        checkAgainstFold id recordHistogram case expected)

let ``MetricRuntime: Histogram<double> with view bounds equals the pure HistogramState fold`` () =
    let gen =
        viewHistogramBounds
        |> Gen.bind (fun bounds -> metricRuntimeCase (histogramValue bounds) |> Gen.map (fun case -> bounds, case))

    Prop.forAll (Arb.fromGen gen) (fun (bounds, case) ->
        let view =
            { View.forInstrument "m" with
                Aggregation = Some(Aggregation.ExplicitBucketHistogram(bounds, true))
            }

        let expected =
            expectedStates case (HistogramState.empty bounds) HistogramState.record CellState.Histogram

        checkAgainstFold (Metrics.addView view) recordHistogram case expected)

let ``MetricRuntime: Histogram<double> through a Base2ExponentialHistogram view equals the pure fold`` () =
    let gen = Gen.zip exponentialMaxSize (metricRuntimeCase exponentialValue)

    Prop.forAll (Arb.fromGen gen) (fun (maxSize, case) ->
        let view =
            { View.forInstrument "m" with
                Aggregation = Some(Aggregation.Base2ExponentialHistogram(maxSize, 20, true))
            }

        let expected =
            expectedStates
                case
                (ExponentialHistogramState.empty maxSize 20)
                ExponentialHistogramState.record
                CellState.ExponentialHistogram

        // The sum's magnitude: the tolerance is relative to the sum of absolute values, since signs cancel.
        let magnitudes =
            expectedStates case 0.0 (fun total v -> total + abs v) (fun total ->
                CellState.Sum { Total = NumberValue.Double total })

        let withoutSum state =
            match state with
            | CellState.ExponentialHistogram e -> CellState.ExponentialHistogram { e with Sum = 0.0 }
            | other -> other

        let name = uniqueMeter ()
        let reader = MetricPullReader()
        use sdk = startSdk name [ reader ] (Metrics.addView view)
        use meter = new Meter(name)
        recordConcurrently case (recordHistogram meter)
        let actual = runtimeStates reader "m"

        failUnlessEqual
            (expected |> List.map (fun (a, s) -> a, withoutSum s))
            (actual |> List.map (fun (a, s) -> a, withoutSum s))

        let sumOf state =
            match state with
            | CellState.ExponentialHistogram e -> e.Sum
            | CellState.Sum { Total = total } -> total.AsDouble
            | _ -> nan

        List.zip3 expected actual magnitudes
        |> List.iter (fun ((a, e), (_, r), (_, m)) ->
            let e, r, m = sumOf e, sumOf r, sumOf m

            if not (abs (e - r) <= 1e-9 * max 1.0 m) then
                failwithf
                    "series %s: exponential histogram sum %.17g differs from the pure fold's %.17g"
                    (attributesKey a)
                    r
                    e)

        ignore sdk)

// ---- delta collections accumulated equal cumulative ----

/// A point with its timestamps and exemplars cleared, for comparing the data alone (the values add exactly,
/// so sums are compared exactly).
let private comparable (points: MetricPoints) =
    let bySeries key = List.sortBy (key >> attributesKey)

    match points with
    | MetricPoints.Sum(t, monotonic, Items ps) ->
        MetricPoints.Sum(
            t,
            monotonic,
            ps
            |> List.map (fun p -> { p with StartTime = 0L; Time = 0L; Exemplars = [] })
            |> bySeries (fun p -> (ReadOnlyList.toList p.Attributes))
        )
    | MetricPoints.Gauge(Items ps) ->
        MetricPoints.Gauge(ps |> List.map (fun p -> { p with StartTime = 0L; Time = 0L; Exemplars = [] }))
    | MetricPoints.Histogram(t, Items ps) ->
        MetricPoints.Histogram(
            t,
            ps
            |> List.map (fun p -> { p with StartTime = 0L; Time = 0L; Exemplars = [] })
            |> bySeries (fun p -> (ReadOnlyList.toList p.Attributes))
        )
    | MetricPoints.ExponentialHistogram(t, Items ps) ->
        MetricPoints.ExponentialHistogram(
            t,
            ps
            |> List.map (fun p -> { p with StartTime = 0L; Time = 0L; Exemplars = [] })
            |> bySeries (fun p -> (ReadOnlyList.toList p.Attributes))
        )

/// The points' case, temporality and monotonicity, without the points.
let private kindOf (points: MetricPoints) =
    match points with
    | MetricPoints.Sum(t, monotonic, _) -> sprintf "Sum %A %b" t monotonic
    | MetricPoints.Gauge _ -> "Gauge"
    | MetricPoints.Histogram(t, _) -> sprintf "Histogram %A" t
    | MetricPoints.ExponentialHistogram(t, _) -> sprintf "ExponentialHistogram %A" t

/// The series whose points differ (paired by attributes), or the whole values when the shapes differ.
let private differences (expected: MetricPoints option) (actual: MetricPoints option) =
    let paired (key: 'p -> KeyValue list) (e: 'p list) (a: 'p list) =
        let byKey points = points |> List.map (fun p -> attributesKey (key p), p) |> Map.ofList
        let e, a = byKey e, byKey a

        [
            for k in Set.union (set e.Keys) (set a.Keys) do
                if Map.tryFind k e <> Map.tryFind k a then
                    yield
                        sprintf
                            "series {%s}\ndelta accumulated: %A\ncumulative: %A"
                            k
                            (Map.tryFind k e)
                            (Map.tryFind k a)
        ]
        |> String.concat "\n"

    match expected, actual with
    | Some(MetricPoints.Sum(_, _, Items e)), Some(MetricPoints.Sum(_, _, Items a)) ->
        paired (fun (p: NumberPoint) -> (ReadOnlyList.toList p.Attributes)) e a
    | Some(MetricPoints.Histogram(_, Items e)), Some(MetricPoints.Histogram(_, Items a)) ->
        paired (fun (p: HistogramPoint) -> (ReadOnlyList.toList p.Attributes)) e a
    | Some(MetricPoints.ExponentialHistogram(_, Items e)), Some(MetricPoints.ExponentialHistogram(_, Items a)) ->
        paired (fun (p: ExponentialHistogramPoint) -> (ReadOnlyList.toList p.Attributes)) e a
    | _ -> sprintf "delta accumulated:\n%A\ncumulative:\n%A" expected actual

let private tagsOfSet (set: int) =
    metricAttributePool[set]
    |> List.map (fun (k, v) -> KeyValuePair<string, obj>(k, v))
    |> Array.ofList

/// Records the rounds into one SDK with a delta and a cumulative pull reader, collecting both after each round;
/// fails unless every metric's delta collections, accumulated with `Temporality.deltaToCumulative`, equal the
/// cumulative reader's last collection. The instrument "exponential" goes through `exponentialAggregation`.
let private checkDeltaAccumulatesToCumulative
    (exponentialAggregation: Aggregation)
    (rounds: RoundMeasurement list list)
    =
    let name = uniqueMeter ()
    let delta = MetricPullReader TemporalityPreference.Delta
    let cumulative = MetricPullReader TemporalityPreference.Cumulative

    let view =
        { View.forInstrument "exponential" with
            Aggregation = Some exponentialAggregation
        }

    // Exponential sums are brought back to the stream's max size, as its cumulative cell would be.
    let accumulate =
        match exponentialAggregation with
        | Aggregation.Base2ExponentialHistogram(maxSize, _, _) -> Temporality.deltaToCumulativeWith maxSize
        | _ -> Temporality.deltaToCumulative

    use sdk = startSdk name [ delta; cumulative ] (Metrics.addView view)
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64>("counter")
    let upDown = meter.CreateUpDownCounter<int64>("updown")
    let histogram = meter.CreateHistogram<float>("histogram")
    let exponential = meter.CreateHistogram<float>("exponential")
    let mutable running: Map<string, MetricPoints> = Map.empty
    let mutable last: MetricData list = []

    for round in rounds do
        for measurement in round do
            match measurement with
            | CounterAdd(v, set) -> counter.Add(v, tagsOfSet set)
            | UpDownAdd(v, set) -> upDown.Add(v, tagsOfSet set)
            | HistogramRecord(v, set) -> histogram.Record(v, tagsOfSet set)
            | ExponentialRecord(v, set) -> exponential.Record(v, tagsOfSet set)

        for data in (delta.Collect() |> List.ofSeq) do
            running <-
                running
                |> Map.add data.Name (accumulate (Map.tryFind data.Name running) data.Points)

        last <- (cumulative.Collect() |> List.ofSeq)

    let expected = running |> Map.map (fun _ points -> comparable points)
    let actual = last |> List.map (fun data -> data.Name, comparable data.Points) |> Map.ofList

    for metric in Set.union (set expected.Keys) (set actual.Keys) do
        if Map.tryFind metric expected <> Map.tryFind metric actual then
            failwithf
                "metric %s: delta accumulated differs from cumulative (same temporality and monotonicity: %b)\n%s"
                metric
                (Option.map kindOf (Map.tryFind metric expected) = Option.map kindOf (Map.tryFind metric actual))
                (differences (Map.tryFind metric expected) (Map.tryFind metric actual))

    ignore sdk

let private isExponential measurement =
    match measurement with
    | ExponentialRecord _ -> true
    | _ -> false

let ``MetricRuntime: delta counters and histograms accumulated with deltaToCumulative equal the cumulative collection``
    ()
    =
    let gen = collectionRounds |> Gen.map (List.map (List.filter (isExponential >> not)))

    Prop.forAll (Arb.fromGen gen) (fun rounds ->
        checkDeltaAccumulatesToCumulative (Aggregation.Base2ExponentialHistogram(160, 20, true)) rounds)

let ``MetricRuntime: delta exponential histograms accumulated with deltaToCumulative equal the cumulative collection``
    ()
    =
    // Max scales up to 4 keep the bucket lists short: accumulated deltas that stay at a high scale span
    // about 2^scale buckets per binade of the data.
    let gen =
        Gen.zip3
            (collectionRounds |> Gen.map (List.map (List.filter isExponential)))
            exponentialMaxSize
            (Gen.choose (-2, 4))

    Prop.forAll (Arb.fromGen gen) (fun (rounds, maxSize, maxScale) ->
        checkDeltaAccumulatesToCumulative (Aggregation.Base2ExponentialHistogram(maxSize, maxScale, true)) rounds)

[<Tests>]
let tests =
    testList
        "MetricRuntimeProperties"
        [
            testPropertyWithConfig
                (Check.configWith 30)
                "MetricRuntime: Counter<long> from concurrent threads equals the pure SumState fold per attribute set"
                (``MetricRuntime: Counter<long> from concurrent threads equals the pure SumState fold per attribute set`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 30)
                "MetricRuntime: Counter<double> of exactly adding values equals the pure SumState fold"
                (``MetricRuntime: Counter<double> of exactly adding values equals the pure SumState fold`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 30)
                "MetricRuntime: UpDownCounter<long> with negative and positive changes equals the pure SumState fold"
                (``MetricRuntime: UpDownCounter<long> with negative and positive changes equals the pure SumState fold`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 30)
                "MetricRuntime: Histogram<double> with the default bounds equals the pure HistogramState fold"
                (``MetricRuntime: Histogram<double> with the default bounds equals the pure HistogramState fold`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 30)
                "MetricRuntime: Histogram<double> with view bounds equals the pure HistogramState fold"
                (``MetricRuntime: Histogram<double> with view bounds equals the pure HistogramState fold`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 30)
                "MetricRuntime: Histogram<double> through a Base2ExponentialHistogram view equals the pure fold"
                (``MetricRuntime: Histogram<double> through a Base2ExponentialHistogram view equals the pure fold`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 30)
                "MetricRuntime: delta counters and histograms accumulated with deltaToCumulative equal the cumulative collection"
                (``MetricRuntime: delta counters and histograms accumulated with deltaToCumulative equal the cumulative collection`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 30)
                "MetricRuntime: delta exponential histograms accumulated with deltaToCumulative equal the cumulative collection"
                (``MetricRuntime: delta exponential histograms accumulated with deltaToCumulative equal the cumulative collection`` ()
                : FsCheck.Property)
        ]
