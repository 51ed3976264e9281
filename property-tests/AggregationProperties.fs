module Functional.Telemetry.PropertyTests.AggregationProperties

open Expecto
open System
open Xunit
open FsCheck
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp

// ---- shared law checks ----

/// Splits items at the (sorted) cut points into consecutive chunks, empty chunks included.
let private chunks (items: 'T list, cuts: int list) =
    (0 :: cuts) @ [ items.Length ]
    |> List.pairwise
    |> List.map (fun (start, stop) -> items |> List.skip start |> List.take (stop - start))

/// Merge is associative and commutative with `empty` as identity, over states built by folding measurements.
let private monoidLaws
    (empty: 'S)
    (record: 'S -> 'M -> 'S)
    (merge: 'S -> 'S -> 'S)
    (same: 'S -> 'S -> bool)
    (measurement: Gen<'M>)
    =
    let states = Gen.zip3 (Gen.listOf measurement) (Gen.listOf measurement) (Gen.listOf measurement)

    Prop.forAll (Arb.fromGen states) (fun (a, b, c) ->
        let x = List.fold record empty a
        let y = List.fold record empty b
        let z = List.fold record empty c

        same (merge (merge x y) z) (merge x (merge y z))
        && same (merge x y) (merge y x)
        && same (merge empty x) x
        && same (merge x empty) x)

/// One fold over everything equals folding each chunk of any split and merging the results.
let private foldEqualsChunkedFold
    (empty: 'S)
    (record: 'S -> 'M -> 'S)
    (merge: 'S -> 'S -> 'S)
    (same: 'S -> 'S -> bool)
    (measurement: Gen<'M>)
    =
    Prop.forAll (Arb.fromGen (Arbs.withCuts measurement)) (fun (items, cuts) ->
        let whole = List.fold record empty items

        let chunked =
            chunks (items, cuts)
            |> List.map (List.fold record empty)
            |> List.fold merge empty

        same whole chunked)

// ---- Sum ----

let ``sum of longs is a commutative monoid, wrap-around included`` () =
    monoidLaws
        (SumState.empty NumberKind.Long)
        SumState.record
        SumState.merge
        (=)
        (Arbs.anyLong |> Gen.map NumberValue.Long)

let ``sum of longs: one fold equals chunked folds merged`` () =
    foldEqualsChunkedFold
        (SumState.empty NumberKind.Long)
        SumState.record
        SumState.merge
        (=)
        (Arbs.anyLong |> Gen.map NumberValue.Long)

let ``sum of doubles is a commutative monoid`` () =
    monoidLaws
        (SumState.empty NumberKind.Double)
        SumState.record
        SumState.merge
        (=)
        (Arbs.exactDouble |> Gen.map NumberValue.Double)

let ``sum of doubles: one fold equals chunked folds merged`` () =
    foldEqualsChunkedFold
        (SumState.empty NumberKind.Double)
        SumState.record
        SumState.merge
        (=)
        (Arbs.exactDouble |> Gen.map NumberValue.Double)

// ---- LastValue ----

let private recordLast state (value, time) = LastValueState.record state value time

let ``last value is a commutative monoid, ties included`` () =
    monoidLaws LastValueState.empty recordLast LastValueState.merge (=) Arbs.lastValueMeasurement

let ``last value: one fold equals chunked folds merged`` () =
    foldEqualsChunkedFold LastValueState.empty recordLast LastValueState.merge (=) Arbs.lastValueMeasurement

let ``last value keeps a measurement with the latest time`` () =
    Prop.forAll (Arb.fromGen (Gen.listOf Arbs.lastValueMeasurement)) (fun items ->
        let state = List.fold recordLast LastValueState.empty items

        match state.Latest, items with
        | None, [] -> true
        | Some(value, time), _ -> time = (items |> List.map snd |> List.max) && List.contains (value, time) items
        | _ -> false)

// ---- Explicit-bucket histogram ----

/// Runs a law for several sets of bounds.
let private histogramLaw (law: HistogramState -> Gen<float> -> Property) =
    // A few fixed sets of bounds (the defaults, none, one, irregular): the laws hold for each (each case checks all).
    [
        for bounds in [ HistogramState.defaultBounds; []; [ 0.0 ]; [ -10.0; -0.25; 3.5; 1000.0 ] ] do
            law (HistogramState.empty bounds) Arbs.exactDouble
            |> Prop.label $"bounds %A{bounds}"
    ]
    |> List.reduce (.&.)

let ``histogram is a commutative monoid`` () =
    histogramLaw (fun empty values -> monoidLaws empty HistogramState.record HistogramState.merge (=) values)

let ``histogram: one fold equals chunked folds merged`` () =
    histogramLaw (fun empty values -> foldEqualsChunkedFold empty HistogramState.record HistogramState.merge (=) values)

let ``histogram buckets hold exactly the values between their bounds`` () =
    Prop.forAll (Arb.fromGen (Gen.zip Arbs.histogramBounds (Gen.listOf Arbs.exactDouble))) (fun (bounds, values) ->
        let state = List.fold HistogramState.record (HistogramState.empty bounds) values
        let lower = Double.NegativeInfinity :: bounds
        let upper = bounds @ [ Double.PositiveInfinity ]

        let between low high = values |> List.filter (fun v -> low < v && v <= high) |> List.length |> int64

        let expected = List.map2 between lower upper

        state.Counts = expected
        && state.Count = int64 values.Length
        && (ReadOnlyList.toList state.Counts).Length = bounds.Length + 1)

// ---- Exponential histogram ----

let private magnitude (state: ExponentialHistogramState) =
    let abs (value: float option) = value |> Option.map (fun v -> Math.Abs v) |> Option.defaultValue 0.0
    max (abs state.Min) (abs state.Max)

/// Equal in everything but the float sum, which may differ by rounding in the order of additions.
let private sameExponential (a: ExponentialHistogramState) (b: ExponentialHistogramState) =
    let tolerance = 1e-12 * float (max a.Count 1L) * max (magnitude a) (magnitude b)

    { a with Sum = 0.0 } = { b with Sum = 0.0 }
    && Math.Abs(a.Sum - b.Sum) <= tolerance

let private exponentialLaw (law: ExponentialHistogramState -> Property) =
    // A few settings per law: small sizes (frequent downscaling), the defaults, and a low max scale (each case checks
    // all).
    [
        for maxSize, maxScale in [ 2, 20; 4, 20; 7, 3; 160, 20; 3, -8 ] do
            law (ExponentialHistogramState.empty maxSize maxScale)
            |> Prop.label $"max size {maxSize}, max scale {maxScale}"
    ]
    |> List.reduce (.&.)

let ``exponential histogram is a commutative monoid`` () =
    exponentialLaw (fun empty ->
        monoidLaws
            empty
            ExponentialHistogramState.record
            ExponentialHistogramState.merge
            sameExponential
            Arbs.wideDouble)

let ``exponential histogram: one fold equals chunked folds merged`` () =
    exponentialLaw (fun empty ->
        foldEqualsChunkedFold
            empty
            ExponentialHistogramState.record
            ExponentialHistogramState.merge
            sameExponential
            Arbs.wideDouble)

let private recordAll (maxSize, maxScale) values =
    List.fold ExponentialHistogramState.record (ExponentialHistogramState.empty maxSize maxScale) values

let ``exponential histogram: each value lies in its bucket at the final scale`` () =
    Prop.forAll (Arb.fromGen (Gen.zip Arbs.exponentialConfig (Gen.listOf Arbs.wideDouble))) (fun (config, values) ->
        let state = recordAll config values
        let nonZero = values |> List.filter (fun v -> v <> 0.0)

        let inBucket value =
            let index = ExponentialHistogramState.bucketIndex state.Scale value
            let lower = ExponentialHistogramState.lowerBound state.Scale index
            let upper = ExponentialHistogramState.lowerBound state.Scale (index + 1)
            let m = Math.Abs value

            // Exact for normal values; below them the bounds themselves are rounded to subnormals.
            if Double.IsNormal m then
                m > lower && m <= upper
            else
                m > lower * (1.0 - 1e-12) && m <= upper * (1.0 + 1e-12)

        // The state's buckets are exactly the values' indexes at the final scale.
        let expected (sign: float -> bool) =
            nonZero
            |> List.filter sign
            |> List.countBy (ExponentialHistogramState.bucketIndex state.Scale)
            |> List.map (fun (index, count) -> index, int64 count)
            |> Map.ofList

        List.forall inBucket nonZero
        && state.Positive = expected (fun v -> v > 0.0)
        && state.Negative = expected (fun v -> v < 0.0))

let ``exponential histogram: counts add up and each sign spans at most MaxSize buckets`` () =
    Prop.forAll (Arb.fromGen (Gen.zip Arbs.exponentialConfig (Gen.listOf Arbs.wideDouble))) (fun (config, values) ->
        let maxSize, maxScale = config
        let state = recordAll config values
        let total (buckets: Map<int, int64>) = buckets |> Map.toList |> List.sumBy snd

        let span (buckets: Map<int, int64>) =
            if Map.isEmpty buckets then
                0
            else
                fst (Map.maxKeyValue buckets) - fst (Map.minKeyValue buckets) + 1

        let fits buckets = span buckets <= maxSize || state.Scale = -10

        state.Count = int64 values.Length
        && state.Count = state.ZeroCount + total state.Positive + total state.Negative
        && state.ZeroCount = int64 (values |> List.filter (fun v -> v = 0.0) |> List.length)
        && fits state.Positive
        && fits state.Negative
        && state.Scale <= maxScale
        && state.Scale >= -10)

let ``exponential histogram: the scale is the highest at which the data fits`` () =
    Prop.forAll (Arb.fromGen (Gen.zip Arbs.exponentialConfig (Gen.listOf Arbs.wideDouble))) (fun (config, values) ->
        let state = recordAll config values

        // One scale higher (when allowed), some sign would need more than MaxSize buckets.
        let spanAt scale (sign: float -> bool) =
            let indexes =
                values
                |> List.filter sign
                |> List.map (ExponentialHistogramState.bucketIndex scale)

            if indexes.IsEmpty then
                0
            else
                List.max indexes - List.min indexes + 1

        state.Scale = snd config
        || spanAt (state.Scale + 1) (fun v -> v > 0.0) > state.MaxSize
        || spanAt (state.Scale + 1) (fun v -> v < 0.0) > state.MaxSize)

let ``exponential histogram: merging different scales equals recording everything`` () =
    let inputs =
        Gen.zip3 Arbs.exponentialConfig (Gen.listOf (Arbs.wideDoubleIn -20 0)) (Gen.listOf (Arbs.wideDoubleIn 10 60))

    Prop.forAll (Arb.fromGen inputs) (fun (config, small, large) ->
        let merged = ExponentialHistogramState.merge (recordAll config small) (recordAll config large)
        let direct = recordAll config (small @ large)

        let mergedTheOtherWay =
            ExponentialHistogramState.merge (recordAll config large) (recordAll config small)

        sameExponential merged direct && sameExponential mergedTheOtherWay direct)

// ---- Temporality ----

let private seriesAttributes (series: int) = [ KeyValue.int "series" (int64 series) ]

let private sortPoints (points: MetricPoints) =
    let bySeries (attributes: KeyValue list) = string attributes

    match points with
    | MetricPoints.Sum(t, m, Items p) ->
        MetricPoints.Sum(t, m, p |> List.sortBy (fun x -> bySeries (ReadOnlyList.toList x.Attributes)))
    | MetricPoints.Histogram(t, Items p) ->
        MetricPoints.Histogram(t, p |> List.sortBy (fun x -> bySeries (ReadOnlyList.toList x.Attributes)))
    | other -> other

/// Per collection i (interval [10i, 10(i+1)]), the series measured in it and their measurements, in series order.
let private perSeries (collection: (int * 'T) list) =
    collection
    |> List.groupBy fst
    |> List.sortBy fst
    |> List.map (fun (s, items) -> s, List.map snd items)

let private numberPoint series start time value =
    {
        Attributes = seriesAttributes series
        StartTime = start
        Time = time
        Value = value
        Exemplars = []
    }

let private histogramBounds = [ -100.0; 0.0; 0.25; 100.0 ]

let private histogramPoint series start time (values: float list) =
    List.fold HistogramState.record (HistogramState.empty histogramBounds) values
    |> HistogramState.toPoint (seriesAttributes series) start time []

/// Delta collections: each series measured in collection i gets a point over [10i, 10(i+1)].
let private deltaSums (collections: (int * int64) list list) =
    collections
    |> List.mapi (fun i collection ->
        perSeries collection
        |> List.map (fun (s, values) ->
            numberPoint s (int64 i * 10L) (int64 (i + 1) * 10L) (NumberValue.Long(List.sum values)))
        |> fun points -> MetricPoints.Sum(Temporality.Delta, true, Items points))

/// Cumulative collections: collection i has every series seen so far, from its first interval; `point` gets the
/// series, its start, the collection index and its values so far.
let private cumulativeOf (point: int -> int64 -> int -> 'T list -> 'P) (collections: (int * 'T) list list) =
    collections
    |> List.mapi (fun i _ ->
        let seen = collections |> List.take (i + 1) |> List.concat
        let firstSeen s = collections |> List.findIndex (List.exists (fun (x, _) -> x = s))

        perSeries seen
        |> List.map (fun (s, values) -> point s (int64 (firstSeen s) * 10L) i values))

/// The end of the last interval, up to collection i, in which the series was measured.
let private lastMeasured (collections: (int * 'T) list list) series i =
    let last =
        collections
        |> List.take (i + 1)
        |> List.findIndexBack (List.exists (fun (x, _) -> x = series))

    int64 (last + 1) * 10L

let private endOf (i: int) = int64 (i + 1) * 10L

let private accumulate (deltas: MetricPoints list) =
    deltas
    |> List.scan (fun running delta -> Some(Temporality.deltaToCumulative running delta)) None
    |> List.choose id

let ``delta sums accumulated equal the sum of everything`` () =
    Prop.forAll (Arb.fromGen (Arbs.seriesCollections Arbs.smallLong)) (fun collections ->
        let results = accumulate (deltaSums collections)

        // Series stay in the cumulative once seen, with the time they were last measured.
        let expected =
            cumulativeOf
                (fun s start i values ->
                    numberPoint s start (lastMeasured collections s i) (NumberValue.Long(List.sum values)))
                collections
            |> List.map (fun points -> MetricPoints.Sum(Temporality.Cumulative, true, Items points))

        List.map sortPoints results = expected)

let ``cumulative sums to deltas and back give the cumulative sums`` () =
    Prop.forAll (Arb.fromGen (Arbs.seriesCollections Arbs.increment)) (fun collections ->
        let cumulative =
            collections
            |> cumulativeOf (fun s start i values -> numberPoint s start (endOf i) (NumberValue.Long(List.sum values)))
            |> List.map (fun points -> MetricPoints.Sum(Temporality.Cumulative, true, Items points))

        let deltas =
            cumulative
            |> List.mapi (fun i current ->
                Temporality.cumulativeToDelta (if i = 0 then None else Some cumulative[i - 1]) current)

        deltas
        |> List.forall (function
            | MetricPoints.Sum(Temporality.Delta, _, _) -> true
            | _ -> false)
        && accumulate deltas = cumulative)

let private withoutExtremes (points: MetricPoints) =
    match points with
    | MetricPoints.Histogram(t, Items p) ->
        MetricPoints.Histogram(t, p |> List.map (fun x -> { x with Min = Nullable(); Max = Nullable() }))
    | other -> other

let ``delta histograms accumulated equal the histogram of everything`` () =
    Prop.forAll (Arb.fromGen (Arbs.seriesCollections Arbs.exactDouble)) (fun collections ->
        let deltas =
            collections
            |> List.mapi (fun i collection ->
                perSeries collection
                |> List.map (fun (s, values) -> histogramPoint s (int64 i * 10L) (int64 (i + 1) * 10L) values)
                |> fun points -> MetricPoints.Histogram(Temporality.Delta, Items points))

        let expected =
            collections
            |> cumulativeOf (fun s start i values -> histogramPoint s start (lastMeasured collections s i) values)
            |> List.map (fun points -> MetricPoints.Histogram(Temporality.Cumulative, Items points))

        List.map sortPoints (accumulate deltas) = expected)

let ``cumulative histograms to deltas and back give the cumulative histograms, extremes aside`` () =
    Prop.forAll (Arb.fromGen (Arbs.seriesCollections Arbs.exactDouble)) (fun collections ->
        let cumulative =
            cumulativeOf (fun s start i values -> histogramPoint s start (endOf i) values) collections
            |> List.map (fun points -> MetricPoints.Histogram(Temporality.Cumulative, Items points))

        let deltas =
            cumulative
            |> List.mapi (fun i current ->
                Temporality.cumulativeToDelta (if i = 0 then None else Some cumulative[i - 1]) current)

        List.map withoutExtremes (accumulate deltas) = List.map withoutExtremes cumulative)

let private exponentialPoint series start time (values: float list) =
    recordAll (4, 20) values
    |> ExponentialHistogramState.toPoint (seriesAttributes series) start time []

let ``cumulative exponential histograms to deltas and back give the cumulative ones, extremes aside`` () =
    let erase (points: MetricPoints) =
        match points with
        | MetricPoints.ExponentialHistogram(t, Items p) ->
            MetricPoints.ExponentialHistogram(t, p |> List.map (fun x -> { x with Min = Nullable(); Max = Nullable() }))
        | other -> other

    Prop.forAll (Arb.fromGen (Arbs.seriesCollections Arbs.exactSpreadDouble)) (fun collections ->
        let cumulative =
            cumulativeOf (fun s start i values -> exponentialPoint s start (endOf i) values) collections
            |> List.map (fun points -> MetricPoints.ExponentialHistogram(Temporality.Cumulative, Items points))

        let deltas =
            cumulative
            |> List.mapi (fun i current ->
                Temporality.cumulativeToDelta (if i = 0 then None else Some cumulative[i - 1]) current)

        List.map erase (accumulate deltas) = List.map erase cumulative)

[<Tests>]
let tests =
    testList
        "AggregationProperties"
        [
            testPropertyWithConfig
                Check.config
                "sum of longs is a commutative monoid, wrap-around included"
                (``sum of longs is a commutative monoid, wrap-around included`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "sum of longs: one fold equals chunked folds merged"
                (``sum of longs: one fold equals chunked folds merged`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "sum of doubles is a commutative monoid"
                (``sum of doubles is a commutative monoid`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "sum of doubles: one fold equals chunked folds merged"
                (``sum of doubles: one fold equals chunked folds merged`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "last value is a commutative monoid, ties included"
                (``last value is a commutative monoid, ties included`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "last value: one fold equals chunked folds merged"
                (``last value: one fold equals chunked folds merged`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "last value keeps a measurement with the latest time"
                (``last value keeps a measurement with the latest time`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "histogram is a commutative monoid"
                (``histogram is a commutative monoid`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "histogram: one fold equals chunked folds merged"
                (``histogram: one fold equals chunked folds merged`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "histogram buckets hold exactly the values between their bounds"
                (``histogram buckets hold exactly the values between their bounds`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "exponential histogram is a commutative monoid"
                (``exponential histogram is a commutative monoid`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "exponential histogram: one fold equals chunked folds merged"
                (``exponential histogram: one fold equals chunked folds merged`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "exponential histogram: each value lies in its bucket at the final scale"
                (``exponential histogram: each value lies in its bucket at the final scale`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "exponential histogram: counts add up and each sign spans at most MaxSize buckets"
                (``exponential histogram: counts add up and each sign spans at most MaxSize buckets`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "exponential histogram: the scale is the highest at which the data fits"
                (``exponential histogram: the scale is the highest at which the data fits`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "exponential histogram: merging different scales equals recording everything"
                (``exponential histogram: merging different scales equals recording everything`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "delta sums accumulated equal the sum of everything"
                (``delta sums accumulated equal the sum of everything`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "cumulative sums to deltas and back give the cumulative sums"
                (``cumulative sums to deltas and back give the cumulative sums`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "delta histograms accumulated equal the histogram of everything"
                (``delta histograms accumulated equal the histogram of everything`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "cumulative histograms to deltas and back give the cumulative histograms, extremes aside"
                (``cumulative histograms to deltas and back give the cumulative histograms, extremes aside`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "cumulative exponential histograms to deltas and back give the cumulative ones, extremes aside"
                (``cumulative exponential histograms to deltas and back give the cumulative ones, extremes aside`` ()
                : FsCheck.Property)
        ]
