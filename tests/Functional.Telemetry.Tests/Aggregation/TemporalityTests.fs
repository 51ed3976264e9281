module Functional.Telemetry.Tests.TemporalityTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private attrs pairs = pairs |> List.map (fun (k, v) -> KeyValue.string k v)

let private numberPoint attributes start time value =
    {
        Attributes = attributes
        StartTime = start
        Time = time
        Value = value
        Exemplars = []
    }

let ``cumulative sums become deltas per series, matched whatever the attribute order`` () =
    let ab = attrs [ "a", "1"; "b", "2" ]
    let ba = attrs [ "b", "2"; "a", "1" ]
    let other = attrs [ "a", "9" ]

    let previous =
        MetricPoints.Sum(Temporality.Cumulative, true, Items [ numberPoint ab 0L 10L (NumberValue.Long 5L) ])

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
        MetricPoints.Sum(Temporality.Delta, true, Items [ numberPoint ab 0L 10L (NumberValue.Long 5L) ])

    Assert.Equal(firstDelta, Temporality.cumulativeToDelta None previous)

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
        MetricPoints.Sum(Temporality.Cumulative, false, Items [ numberPoint y 0L 20L (NumberValue.Double 2.5) ])

    Assert.Equal(
        MetricPoints.Sum(Temporality.Delta, false, Items [ numberPoint y 10L 20L (NumberValue.Double 0.5) ]),
        Temporality.cumulativeToDelta (Some previous) current
    )

let ``delta sums accumulate from the first start, and quiet series are carried`` () =
    let x = attrs [ "k", "x" ]
    let y = attrs [ "k", "y" ]

    let first =
        MetricPoints.Sum(Temporality.Delta, true, Items [ numberPoint x 0L 10L (NumberValue.Long 4L) ])

    let second =
        MetricPoints.Sum(Temporality.Delta, true, Items [ numberPoint y 10L 20L (NumberValue.Long 1L) ])

    let third =
        MetricPoints.Sum(Temporality.Delta, true, Items [ numberPoint x 20L 30L (NumberValue.Long 6L) ])

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

let ``histogram temporality round trip`` () =
    let c1 = MetricPoints.Histogram(Temporality.Cumulative, Items [ histogramPoint 0L 10L [ 1.0; 20.0 ] ])

    let c2 =
        MetricPoints.Histogram(Temporality.Cumulative, Items [ histogramPoint 0L 20L [ 1.0; 20.0; 5.0; -3.0 ] ])

    let d2 = Temporality.cumulativeToDelta (Some c1) c2

    match d2 with
    | MetricPoints.Histogram(Temporality.Delta, Items [ point ]) ->
        Assert.Equal(10L, point.StartTime)
        Assert.Equal(2L, point.Count)
        Assert.Equal(2.0, point.Sum)
        Assert.Equal<int64 list>([ 1L; 1L; 0L ], (ReadOnlyList.toList point.BucketCounts))
        Assert.Equal(Nullable(), point.Min)
        Assert.Equal(Nullable(), point.Max)
    | other -> failwithf "unexpected %A" other

    let d1 = Temporality.cumulativeToDelta None c1
    let r1 = Temporality.deltaToCumulative None d1

    match Temporality.deltaToCumulative (Some r1) d2 with
    | MetricPoints.Histogram(Temporality.Cumulative, Items [ point ]) ->
        let expected = histogramPoint 0L 20L [ 1.0; 20.0; 5.0; -3.0 ]
        // The delta lost its extremes, so the cumulative ones are unknown too.
        Assert.Equal({ expected with Min = Nullable(); Max = Nullable() }, point)
    | other -> failwithf "unexpected %A" other

let ``delta histograms accumulate min of mins and max of maxes`` () =
    let d1 = MetricPoints.Histogram(Temporality.Delta, Items [ histogramPoint 0L 10L [ 3.0 ] ])
    let d2 = MetricPoints.Histogram(Temporality.Delta, Items [ histogramPoint 10L 20L [ -1.0; 2.0 ] ])

    Assert.Equal(
        MetricPoints.Histogram(Temporality.Cumulative, Items [ histogramPoint 0L 20L [ 3.0; -1.0; 2.0 ] ]),
        Temporality.deltaToCumulative (Some(Temporality.deltaToCumulative None d1)) d2
    )

let private exponentialPoint start time (values: float list) =
    values
    |> List.fold ExponentialHistogramState.record (ExponentialHistogramState.empty 4 20)
    |> ExponentialHistogramState.toPoint [] start time []

let ``exponential histogram deltas are taken at the common scale`` () =
    let c1 = exponentialPoint 0L 10L [ 1.0; 1.5 ]
    let c2 = exponentialPoint 0L 20L [ 1.0; 1.5; 0.0; 100.0; -2.0 ]

    let previous = MetricPoints.ExponentialHistogram(Temporality.Cumulative, Items [ c1 ])
    let current = MetricPoints.ExponentialHistogram(Temporality.Cumulative, Items [ c2 ])

    match Temporality.cumulativeToDelta (Some previous) current with
    | MetricPoints.ExponentialHistogram(Temporality.Delta, Items [ delta ]) ->
        let expected = exponentialPoint 10L 20L [ 0.0; 100.0; -2.0 ]
        Assert.Equal(c2.Scale, delta.Scale)
        Assert.Equal(3L, delta.Count)
        Assert.Equal(1L, delta.ZeroCount)
        Assert.Equal(98.0, delta.Sum)
        // The delta's buckets are those of its own values at the cumulative's scale.
        let atScale (values: float list) = values |> List.map (ExponentialHistogramState.bucketIndex c2.Scale)

        Assert.Equal(atScale [ 100.0 ] |> List.head, delta.Positive.Offset)
        Assert.Equal<int64 list>([ 1L ], (ReadOnlyList.toList delta.Positive.Counts))
        Assert.Equal(atScale [ 2.0 ] |> List.head, delta.Negative.Offset)
        Assert.Equal(10L, delta.StartTime)
        Assert.Equal(expected.Time, delta.Time)
    | other -> failwithf "unexpected %A" other

let ``gauges and already-converted points pass through`` () =
    let gauge = MetricPoints.Gauge [ numberPoint [] 0L 10L (NumberValue.Long 1L) ]
    Assert.Equal(gauge, Temporality.cumulativeToDelta None gauge)
    Assert.Equal(gauge, Temporality.deltaToCumulative None gauge)

    let delta =
        MetricPoints.Sum(Temporality.Delta, true, Items [ numberPoint [] 0L 10L (NumberValue.Long 1L) ])

    Assert.Equal(delta, Temporality.cumulativeToDelta None delta)

[<Tests>]
let tests =
    testList
        "TemporalityTests"
        [
            test "cumulative sums become deltas per series, matched whatever the attribute order" {
                ``cumulative sums become deltas per series, matched whatever the attribute order`` ()
            }
            test "a series gone from the current collection is absent from the delta" {
                ``a series gone from the current collection is absent from the delta`` ()
            }
            test "delta sums accumulate from the first start, and quiet series are carried" {
                ``delta sums accumulate from the first start, and quiet series are carried`` ()
            }
            test "histogram temporality round trip" { ``histogram temporality round trip`` () }
            test "delta histograms accumulate min of mins and max of maxes" {
                ``delta histograms accumulate min of mins and max of maxes`` ()
            }
            test "exponential histogram deltas are taken at the common scale" {
                ``exponential histogram deltas are taken at the common scale`` ()
            }
            test "gauges and already-converted points pass through" {
                ``gauges and already-converted points pass through`` ()
            }
        ]
