module Functional.Telemetry.Tests.AggregationTests

open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

// ---- Sum ----

[<Fact>]
let ``sum of longs stays a long and wraps around like Interlocked.Add`` () =
    let total =
        [ 5L; 7L; -2L ]
        |> List.map NumberValue.Long
        |> List.fold SumState.record (SumState.empty NumberKind.Long)

    Assert.Equal(NumberValue.Long 10L, SumState.collect total)

    let wrapped = SumState.record { Total = NumberValue.Long Int64.MaxValue } (NumberValue.Long 1L)

    Assert.Equal(NumberValue.Long Int64.MinValue, SumState.collect wrapped)

[<Fact>]
let ``sum of doubles and merge of two sums`` () =
    let left = SumState.record (SumState.empty NumberKind.Double) (NumberValue.Double 1.5)
    let right = SumState.record (SumState.empty NumberKind.Double) (NumberValue.Double 2.25)
    Assert.Equal(NumberValue.Double 3.75, SumState.collect (SumState.merge left right))
    Assert.Equal(NumberValue.Double 0.0, SumState.collect (SumState.empty NumberKind.Double))

// ---- LastValue ----

[<Fact>]
let ``last value: the later time wins whatever the order of recording`` () =
    let state =
        LastValueState.record
            (LastValueState.record LastValueState.empty (NumberValue.Long 9L) 200L)
            (NumberValue.Long 1L)
            100L

    Assert.Equal(Some(NumberValue.Long 9L), LastValueState.collect state)
    Assert.Equal(None, LastValueState.collect LastValueState.empty)

[<Fact>]
let ``last value: equal times keep the larger value, and a Long beats an equal Double`` () =
    let at value = LastValueState.record LastValueState.empty value 5L
    let small = at (NumberValue.Double 1.0)
    let large = at (NumberValue.Double 2.0)
    Assert.Equal(Some(NumberValue.Double 2.0), LastValueState.collect (LastValueState.merge small large))
    Assert.Equal(Some(NumberValue.Double 2.0), LastValueState.collect (LastValueState.merge large small))

    let asLong = at (NumberValue.Long 3L)
    let asDouble = at (NumberValue.Double 3.0)
    Assert.Equal(Some(NumberValue.Long 3L), LastValueState.collect (LastValueState.merge asLong asDouble))
    Assert.Equal(Some(NumberValue.Long 3L), LastValueState.collect (LastValueState.merge asDouble asLong))

// ---- Explicit-bucket histogram ----

[<Fact>]
let ``default bounds are the OpenTelemetry defaults`` () =
    Assert.Equal<float list>(
        [
            0.0
            5.0
            10.0
            25.0
            50.0
            75.0
            100.0
            250.0
            500.0
            750.0
            1000.0
            2500.0
            5000.0
            7500.0
            10000.0
        ],
        HistogramState.defaultBounds
    )

    let empty = HistogramState.empty HistogramState.defaultBounds
    Assert.Equal(16, empty.Counts.Length)
    Assert.Equal(None, empty.Min)

[<Fact>]
let ``a value equal to a bound goes in that bound's bucket`` () =
    let bounds = [ 0.0; 5.0; 10.0 ]
    Assert.Equal(0, HistogramState.bucketIndex bounds -1.0)
    Assert.Equal(0, HistogramState.bucketIndex bounds 0.0)
    Assert.Equal(1, HistogramState.bucketIndex bounds 0.1)
    Assert.Equal(1, HistogramState.bucketIndex bounds 5.0)
    Assert.Equal(2, HistogramState.bucketIndex bounds 5.000001)
    Assert.Equal(2, HistogramState.bucketIndex bounds 10.0)
    Assert.Equal(3, HistogramState.bucketIndex bounds 10.5)
    Assert.Equal(0, HistogramState.bucketIndex [] 42.0)

[<Fact>]
let ``histogram record tracks counts, count, sum, min and max`` () =
    let state =
        [ 3.0; 5.0; 12.0; -1.0; 7.0 ]
        |> List.fold HistogramState.record (HistogramState.empty [ 0.0; 5.0; 10.0 ])

    Assert.Equal<int64 list>([ 1L; 2L; 1L; 1L ], state.Counts)
    Assert.Equal(5L, state.Count)
    Assert.Equal(26.0, state.Sum)
    Assert.Equal(Some -1.0, state.Min)
    Assert.Equal(Some 12.0, state.Max)

[<Fact>]
let ``histogram merge adds counts and combines extremes`` () =
    let bounds = [ 10.0 ]
    let left = List.fold HistogramState.record (HistogramState.empty bounds) [ 1.0; 20.0 ]
    let right = List.fold HistogramState.record (HistogramState.empty bounds) [ 2.0; 3.0 ]
    let merged = HistogramState.merge left right
    Assert.Equal<int64 list>([ 3L; 1L ], merged.Counts)
    Assert.Equal(4L, merged.Count)
    Assert.Equal(26.0, merged.Sum)
    Assert.Equal(Some 1.0, merged.Min)
    Assert.Equal(Some 20.0, merged.Max)
    Assert.Equal(left, HistogramState.merge left (HistogramState.empty bounds))

// ---- Exponential histogram ----

let private sampleValues = [ 1.0; 2.0; 3.0; 4.0; 0.5; 1e-300; 1e300; Double.Epsilon ]

let private expectIndexes scale (expected: int list) =
    Assert.Equal<int list>(expected, sampleValues |> List.map (ExponentialHistogramState.bucketIndex scale))

[<Fact>]
let ``exponential index table at scale 0`` () = expectIndexes 0 [ -1; 0; 1; 1; -2; -997; 996; -1075 ]

[<Fact>]
let ``exponential index table at scale 1`` () = expectIndexes 1 [ -1; 1; 3; 3; -3; -1994; 1993; -2149 ]

[<Fact>]
let ``exponential index table at scale 3`` () = expectIndexes 3 [ -1; 7; 12; 15; -9; -7973; 7972; -8593 ]

[<Fact>]
let ``exponential index table at scale -1`` () = expectIndexes -1 [ -1; 0; 0; 0; -1; -499; 498; -538 ]

[<Fact>]
let ``exponential index table at scale 20`` () =
    expectIndexes
        20
        [
            -1
            1048575
            1661953
            2097151
            -1048577
            -1044988223
            1044988222
            -1126170625
        ]

[<Fact>]
let ``exponential index table at the extremes of the scale range`` () =
    Assert.Equal(-2, ExponentialHistogramState.bucketIndex -10 Double.Epsilon)
    Assert.Equal(0, ExponentialHistogramState.bucketIndex -10 Double.MaxValue)
    Assert.Equal(-2, ExponentialHistogramState.bucketIndex -10 (Math.ScaleB(1.0, -1025)))
    Assert.Equal((1024 <<< 20) - 1, ExponentialHistogramState.bucketIndex 20 Double.MaxValue)

[<Fact>]
let ``lower bounds are exact powers of the base`` () =
    Assert.Equal(1.0, ExponentialHistogramState.lowerBound 0 0)
    Assert.Equal(8.0, ExponentialHistogramState.lowerBound 0 3)
    Assert.Equal(0.25, ExponentialHistogramState.lowerBound 0 -2)
    Assert.Equal(16.0, ExponentialHistogramState.lowerBound -2 1)
    Assert.Equal(Math.ScaleB(1.0, -1024), ExponentialHistogramState.lowerBound -10 -1)
    Assert.Equal(Math.Sqrt 2.0, ExponentialHistogramState.lowerBound 1 1, 15)
    Assert.Equal(2.0, ExponentialHistogramState.lowerBound 1 2)
    Assert.Equal(2.0, ExponentialHistogramState.lowerBound 20 (1 <<< 20))
    Assert.Equal(0.5, ExponentialHistogramState.lowerBound 20 -(1 <<< 20))
    Assert.Equal(Double.Epsilon, ExponentialHistogramState.lowerBound 0 -1074)

[<Fact>]
let ``every sample value lies in its bucket at several scales`` () =
    // Double.Epsilon is left out: below the normal range bucket bounds at positive scales are not representable.
    for scale in [ -10; -1; 0; 1; 3; 20 ] do
        for value in sampleValues |> List.filter (fun v -> v >= 1e-300) do
            let index = ExponentialHistogramState.bucketIndex scale value
            let lower = ExponentialHistogramState.lowerBound scale index
            let upper = ExponentialHistogramState.lowerBound scale (index + 1)
            let message = sprintf "scale %d value %g in (%g, %g]" scale value lower upper
            Assert.True(lower < value && value <= upper, message)

// The values right at, just below and just above bucket bounds are where an index from a logarithm goes wrong.
let private valuesAroundBounds scale (random: Random) =
    [
        // Indexes whose bounds are normal numbers: exponents within +-1000.
        let reach = if scale >= 0 then 1000 <<< scale else 1000 >>> -scale

        for _ in 1..200 do
            let index = random.Next(-reach, reach)
            let bound = ExponentialHistogramState.lowerBound scale index
            yield bound
            yield Math.BitDecrement bound
            yield Math.BitIncrement bound
            yield Math.ScaleB(1.0 + random.NextDouble(), random.Next(-1000, 1000))
    ]

[<Fact>]
let ``bucket indexes are exact against the bounds at every scale, at and beside the bounds`` () =
    let random = Random 20261122

    for scale in -10 .. 20 do
        for value in valuesAroundBounds scale random do
            let index = ExponentialHistogramState.bucketIndex scale value
            let lower = ExponentialHistogramState.lowerBound scale index
            let upper = ExponentialHistogramState.lowerBound scale (index + 1)

            Assert.True(
                lower < value && value <= upper,
                sprintf "scale %d value %.17g in (%.17g, %.17g]" scale value lower upper
            )

            Assert.Equal(index, ExponentialHistogramState.bucketIndex scale -value)

[<Fact>]
let ``the index at one scale lower is the index shifted right by one`` () =
    let random = Random 7

    for scale in -9 .. 20 do
        for value in valuesAroundBounds scale random do
            let index = ExponentialHistogramState.bucketIndex scale value
            Assert.Equal(index >>> 1, ExponentialHistogramState.bucketIndex (scale - 1) value)

[<Fact>]
let ``scales outside [-10, 20] are refused with a clear error`` () =
    for scale in [ -11; 21; 31 ] do
        let index =
            Assert.Throws<ArgumentOutOfRangeException>(fun () ->
                ExponentialHistogramState.bucketIndex scale 3.0 |> ignore)

        Assert.Contains("[-10, 20]", index.Message)

        Assert.Throws<ArgumentOutOfRangeException>(fun () -> ExponentialHistogramState.lowerBound scale 1 |> ignore)
        |> ignore

[<Fact>]
let ``recording 1 to 100 with max size 4 downscales to -2, where everything fits`` () =
    let state =
        [ 1..100 ]
        |> List.map float
        |> List.fold ExponentialHistogramState.record (ExponentialHistogramState.empty 4 20)

    Assert.Equal(-2, state.Scale)
    Assert.Equal<(int * int64) list>([ -1, 1L; 0, 15L; 1, 84L ], Map.toList state.Positive)
    Assert.Equal(100L, state.Count)
    Assert.Equal(5050.0, state.Sum)
    Assert.Equal(Some 1.0, state.Min)
    Assert.Equal(Some 100.0, state.Max)

[<Fact>]
let ``a single value keeps the max scale`` () =
    let state = ExponentialHistogramState.record (ExponentialHistogramState.empty 160 20) 3.0
    Assert.Equal(20, state.Scale)
    Assert.Equal<(int * int64) list>([ 1661953, 1L ], Map.toList state.Positive)

[<Fact>]
let ``zeros go to the zero bucket and negatives to their own buckets`` () =
    let state =
        [ 0.0; -0.0; -3.0; -3.0; 4.0 ]
        |> List.fold ExponentialHistogramState.record (ExponentialHistogramState.empty 160 0)

    Assert.Equal(2L, state.ZeroCount)
    Assert.Equal<(int * int64) list>([ 1, 2L ], Map.toList state.Negative)
    Assert.Equal<(int * int64) list>([ 1, 1L ], Map.toList state.Positive)
    Assert.Equal(5L, state.Count)
    Assert.Equal(-2.0, state.Sum)
    Assert.Equal(Some -3.0, state.Min)
    Assert.Equal(Some 4.0, state.Max)

[<Fact>]
let ``the scale stops at -10 and values that cannot fit are still recorded`` () =
    let state =
        [ Double.Epsilon; 1.0; Double.MaxValue ]
        |> List.fold ExponentialHistogramState.record (ExponentialHistogramState.empty 2 20)

    Assert.Equal(-10, state.Scale)
    Assert.Equal(3L, state.Positive |> Map.toList |> List.sumBy snd)
    Assert.Equal<int list>([ -2; -1; 0 ], state.Positive |> Map.toList |> List.map fst)

[<Fact>]
let ``downscale shifts indexes right and adds colliding buckets`` () =
    let state =
        { ExponentialHistogramState.empty 160 0 with
            Positive = Map.ofList [ -3, 1L; -2, 2L; 1, 3L; 2, 4L; 3, 5L ]
            Negative = Map.ofList [ 5, 1L ]
        }

    let lower = ExponentialHistogramState.downscale 1 state
    Assert.Equal(-1, lower.Scale)
    Assert.Equal<(int * int64) list>([ -2, 1L; -1, 2L; 0, 3L; 1, 9L ], Map.toList lower.Positive)
    Assert.Equal<(int * int64) list>([ 2, 1L ], Map.toList lower.Negative)
    Assert.Equal(state, ExponentialHistogramState.downscale 0 state)

[<Fact>]
let ``merging histograms of different scales brings both to a common scale that fits`` () =
    let record values =
        values
        |> List.fold ExponentialHistogramState.record (ExponentialHistogramState.empty 4 20)

    let small = record [ 1.0; 1.5 ]
    let large = record [ 100.0; 1000.0 ]
    let merged = ExponentialHistogramState.merge small large
    let direct = record [ 1.0; 1.5; 100.0; 1000.0 ]
    Assert.True(small.Scale > large.Scale)
    Assert.Equal(direct, merged)
    Assert.Equal(direct, ExponentialHistogramState.merge large small)

// ---- Measurement checks ----

[<Fact>]
let ``non-finite doubles are rejected for every kind`` () =
    let kinds =
        [
            InstrumentKind.Counter
            InstrumentKind.Histogram
            InstrumentKind.Gauge
            InstrumentKind.UpDownCounter
        ]

    for kind in kinds do
        for value in [ Double.NaN; Double.PositiveInfinity; Double.NegativeInfinity ] do
            Assert.Equal(Error Measurement.Rejection.NotFinite, Measurement.validate kind (NumberValue.Double value))

[<Fact>]
let ``only counters and observable counters reject negative values`` () =
    let negative = NumberValue.Long -1L
    Assert.Equal(Error Measurement.Rejection.NegativeIncrement, Measurement.validate InstrumentKind.Counter negative)

    Assert.Equal(
        Error Measurement.Rejection.NegativeIncrement,
        Measurement.validate InstrumentKind.ObservableCounter (NumberValue.Double -0.5)
    )

    for kind in
        [
            InstrumentKind.Histogram
            InstrumentKind.UpDownCounter
            InstrumentKind.ObservableUpDownCounter
            InstrumentKind.Gauge
            InstrumentKind.ObservableGauge
        ] do
        Assert.Equal(Ok negative, Measurement.validate kind negative)

    Assert.Equal(Ok(NumberValue.Long 0L), Measurement.validate InstrumentKind.Counter (NumberValue.Long 0L))

// ---- Temporality ----

let private attrs pairs = pairs |> List.map (fun (k, v) -> KeyValue.string k v)

let private numberPoint attributes start time value =
    {
        Attributes = attributes
        StartTime = start
        Time = time
        Value = value
        Exemplars = []
    }

[<Fact>]
let ``cumulative sums become deltas per series, matched whatever the attribute order`` () =
    let ab = attrs [ "a", "1"; "b", "2" ]
    let ba = attrs [ "b", "2"; "a", "1" ]
    let other = attrs [ "a", "9" ]

    let previous =
        MetricPoints.Sum(Temporality.Cumulative, true, [ numberPoint ab 0L 10L (NumberValue.Long 5L) ])

    let current =
        MetricPoints.Sum(
            Temporality.Cumulative,
            true,
            [
                numberPoint ba 0L 20L (NumberValue.Long 12L)
                numberPoint other 15L 20L (NumberValue.Long 3L)
            ]
        )

    let expected =
        MetricPoints.Sum(
            Temporality.Delta,
            true,
            [
                numberPoint ba 10L 20L (NumberValue.Long 7L)
                numberPoint other 15L 20L (NumberValue.Long 3L)
            ]
        )

    Assert.Equal(expected, Temporality.cumulativeToDelta (Some previous) current)

    let firstDelta =
        MetricPoints.Sum(Temporality.Delta, true, [ numberPoint ab 0L 10L (NumberValue.Long 5L) ])

    Assert.Equal(firstDelta, Temporality.cumulativeToDelta None previous)

[<Fact>]
let ``a series gone from the current collection is absent from the delta`` () =
    let previous =
        MetricPoints.Sum(
            Temporality.Cumulative,
            false,
            [
                numberPoint (attrs [ "k", "x" ]) 0L 10L (NumberValue.Double 1.0)
                numberPoint (attrs [ "k", "y" ]) 0L 10L (NumberValue.Double 2.0)
            ]
        )

    let y = attrs [ "k", "y" ]

    let current =
        MetricPoints.Sum(Temporality.Cumulative, false, [ numberPoint y 0L 20L (NumberValue.Double 2.5) ])

    Assert.Equal(
        MetricPoints.Sum(Temporality.Delta, false, [ numberPoint y 10L 20L (NumberValue.Double 0.5) ]),
        Temporality.cumulativeToDelta (Some previous) current
    )

[<Fact>]
let ``delta sums accumulate from the first start, and quiet series are carried`` () =
    let x = attrs [ "k", "x" ]
    let y = attrs [ "k", "y" ]
    let first = MetricPoints.Sum(Temporality.Delta, true, [ numberPoint x 0L 10L (NumberValue.Long 4L) ])
    let second = MetricPoints.Sum(Temporality.Delta, true, [ numberPoint y 10L 20L (NumberValue.Long 1L) ])
    let third = MetricPoints.Sum(Temporality.Delta, true, [ numberPoint x 20L 30L (NumberValue.Long 6L) ])
    let r1 = Temporality.deltaToCumulative None first
    let r2 = Temporality.deltaToCumulative (Some r1) second
    let r3 = Temporality.deltaToCumulative (Some r2) third

    Assert.Equal(
        MetricPoints.Sum(
            Temporality.Cumulative,
            true,
            [
                numberPoint x 0L 30L (NumberValue.Long 10L)
                numberPoint y 10L 20L (NumberValue.Long 1L)
            ]
        ),
        r3
    )

let private histogramPoint start time (values: float list) =
    values
    |> List.fold HistogramState.record (HistogramState.empty [ 0.0; 10.0 ])
    |> HistogramState.toPoint (attrs [ "route", "/" ]) start time []

[<Fact>]
let ``histogram temporality round trip`` () =
    let c1 = MetricPoints.Histogram(Temporality.Cumulative, [ histogramPoint 0L 10L [ 1.0; 20.0 ] ])

    let c2 =
        MetricPoints.Histogram(Temporality.Cumulative, [ histogramPoint 0L 20L [ 1.0; 20.0; 5.0; -3.0 ] ])

    let d2 = Temporality.cumulativeToDelta (Some c1) c2

    match d2 with
    | MetricPoints.Histogram(Temporality.Delta, [ point ]) ->
        Assert.Equal(10L, point.StartTime)
        Assert.Equal(2L, point.Count)
        Assert.Equal(2.0, point.Sum)
        Assert.Equal<int64 list>([ 1L; 1L; 0L ], point.BucketCounts)
        Assert.Equal(None, point.Min)
        Assert.Equal(None, point.Max)
    | other -> failwithf "unexpected %A" other

    let d1 = Temporality.cumulativeToDelta None c1
    let r1 = Temporality.deltaToCumulative None d1

    match Temporality.deltaToCumulative (Some r1) d2 with
    | MetricPoints.Histogram(Temporality.Cumulative, [ point ]) ->
        let expected = histogramPoint 0L 20L [ 1.0; 20.0; 5.0; -3.0 ]
        // The delta lost its extremes, so the cumulative ones are unknown too.
        Assert.Equal({ expected with Min = None; Max = None }, point)
    | other -> failwithf "unexpected %A" other

[<Fact>]
let ``delta histograms accumulate min of mins and max of maxes`` () =
    let d1 = MetricPoints.Histogram(Temporality.Delta, [ histogramPoint 0L 10L [ 3.0 ] ])
    let d2 = MetricPoints.Histogram(Temporality.Delta, [ histogramPoint 10L 20L [ -1.0; 2.0 ] ])

    Assert.Equal(
        MetricPoints.Histogram(Temporality.Cumulative, [ histogramPoint 0L 20L [ 3.0; -1.0; 2.0 ] ]),
        Temporality.deltaToCumulative (Some(Temporality.deltaToCumulative None d1)) d2
    )

let private exponentialPoint start time (values: float list) =
    values
    |> List.fold ExponentialHistogramState.record (ExponentialHistogramState.empty 4 20)
    |> ExponentialHistogramState.toPoint [] start time []

[<Fact>]
let ``exponential histogram deltas are taken at the common scale`` () =
    let c1 = exponentialPoint 0L 10L [ 1.0; 1.5 ]
    let c2 = exponentialPoint 0L 20L [ 1.0; 1.5; 0.0; 100.0; -2.0 ]

    let previous = MetricPoints.ExponentialHistogram(Temporality.Cumulative, [ c1 ])
    let current = MetricPoints.ExponentialHistogram(Temporality.Cumulative, [ c2 ])

    match Temporality.cumulativeToDelta (Some previous) current with
    | MetricPoints.ExponentialHistogram(Temporality.Delta, [ delta ]) ->
        let expected = exponentialPoint 10L 20L [ 0.0; 100.0; -2.0 ]
        Assert.Equal(c2.Scale, delta.Scale)
        Assert.Equal(3L, delta.Count)
        Assert.Equal(1L, delta.ZeroCount)
        Assert.Equal(98.0, delta.Sum)
        // The delta's buckets are those of its own values at the cumulative's scale.
        let atScale (values: float list) = values |> List.map (ExponentialHistogramState.bucketIndex c2.Scale)

        Assert.Equal(atScale [ 100.0 ] |> List.head, delta.Positive.Offset)
        Assert.Equal<int64 list>([ 1L ], delta.Positive.Counts)
        Assert.Equal(atScale [ 2.0 ] |> List.head, delta.Negative.Offset)
        Assert.Equal(10L, delta.StartTime)
        Assert.Equal(expected.Time, delta.Time)
    | other -> failwithf "unexpected %A" other

[<Fact>]
let ``gauges and already-converted points pass through`` () =
    let gauge = MetricPoints.Gauge [ numberPoint [] 0L 10L (NumberValue.Long 1L) ]
    Assert.Equal(gauge, Temporality.cumulativeToDelta None gauge)
    Assert.Equal(gauge, Temporality.deltaToCumulative None gauge)
    let delta = MetricPoints.Sum(Temporality.Delta, true, [ numberPoint [] 0L 10L (NumberValue.Long 1L) ])
    Assert.Equal(delta, Temporality.cumulativeToDelta None delta)
