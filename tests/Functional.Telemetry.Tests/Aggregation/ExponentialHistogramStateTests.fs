module Functional.Telemetry.Tests.ExponentialHistogramStateTests

open Expecto
open System
open FsCheck.FSharp
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.PropertyTests

let private sampleValues = [ 1.0; 2.0; 3.0; 4.0; 0.5; 1e-300; 1e300; Double.Epsilon ]

let private expectIndexes scale (expected: int list) =
    Assert.Equal<int list>(expected, sampleValues |> List.map (ExponentialHistogramState.bucketIndex scale))

let ``exponential index table at scale 0`` () = expectIndexes 0 [ -1; 0; 1; 1; -2; -997; 996; -1075 ]

let ``exponential index table at scale 1`` () = expectIndexes 1 [ -1; 1; 3; 3; -3; -1994; 1993; -2149 ]

let ``exponential index table at scale 3`` () = expectIndexes 3 [ -1; 7; 12; 15; -9; -7973; 7972; -8593 ]

let ``exponential index table at scale -1`` () = expectIndexes -1 [ -1; 0; 0; 0; -1; -499; 498; -538 ]

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

let ``exponential index table at the extremes of the scale range`` () =
    Assert.Equal(-2, ExponentialHistogramState.bucketIndex -10 Double.Epsilon)
    Assert.Equal(0, ExponentialHistogramState.bucketIndex -10 Double.MaxValue)
    Assert.Equal(-2, ExponentialHistogramState.bucketIndex -10 (Math.ScaleB(1.0, -1025)))
    Assert.Equal((1024 <<< 20) - 1, ExponentialHistogramState.bucketIndex 20 Double.MaxValue)

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

let ``every sample value lies in its bucket at several scales`` () =
    // Double.Epsilon is left out: below the normal range bucket bounds at positive scales are not representable.
    for scale in [ -10; -1; 0; 1; 3; 20 ] do
        for value in sampleValues |> List.filter (fun v -> v >= 1e-300) do
            let index = ExponentialHistogramState.bucketIndex scale value
            let lower = ExponentialHistogramState.lowerBound scale index
            let upper = ExponentialHistogramState.lowerBound scale (index + 1)
            let message = sprintf "scale %d value %g in (%g, %g]" scale value lower upper
            Assert.True(lower < value && value <= upper, message)

// The values right at, just below and just above bucket bounds are where an index from a logarithm goes wrong:
// properties over Arbs.valuesAroundBucketBound (a scale, a bound, its neighbours and a normal double), as many cases
// as the scales times 200 bounds each.
let private boundCases = 31 * 200

let ``bucket indexes are exact against the bounds at every scale, at and beside the bounds`` () =
    Prop.forAll (Arb.fromGen (Arbs.valuesAroundBucketBound -10)) (fun (scale, values) ->
        for value in values do
            let index = ExponentialHistogramState.bucketIndex scale value
            let lower = ExponentialHistogramState.lowerBound scale index
            let upper = ExponentialHistogramState.lowerBound scale (index + 1)

            Assert.True(
                lower < value && value <= upper,
                sprintf "scale %d value %.17g in (%.17g, %.17g]" scale value lower upper
            )

            Assert.Equal(index, ExponentialHistogramState.bucketIndex scale -value))

let ``the index at one scale lower is the index shifted right by one`` () =
    Prop.forAll (Arb.fromGen (Arbs.valuesAroundBucketBound -9)) (fun (scale, values) ->
        for value in values do
            let index = ExponentialHistogramState.bucketIndex scale value
            Assert.Equal(index >>> 1, ExponentialHistogramState.bucketIndex (scale - 1) value))

let ``scales outside [-10, 20] are refused with a clear error`` () =
    for scale in [ -11; 21; 31 ] do
        let index =
            Assert.Throws<ArgumentOutOfRangeException>(fun () ->
                ExponentialHistogramState.bucketIndex scale 3.0 |> ignore)

        Assert.Contains("[-10, 20]", index.Message)

        Assert.Throws<ArgumentOutOfRangeException>(fun () -> ExponentialHistogramState.lowerBound scale 1 |> ignore)
        |> ignore

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

let ``a single value keeps the max scale`` () =
    let state = ExponentialHistogramState.record (ExponentialHistogramState.empty 160 20) 3.0
    Assert.Equal(20, state.Scale)
    Assert.Equal<(int * int64) list>([ 1661953, 1L ], Map.toList state.Positive)

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

let ``the scale stops at -10 and values that cannot fit are still recorded`` () =
    let state =
        [ Double.Epsilon; 1.0; Double.MaxValue ]
        |> List.fold ExponentialHistogramState.record (ExponentialHistogramState.empty 2 20)

    Assert.Equal(-10, state.Scale)
    Assert.Equal(3L, state.Positive |> Map.toList |> List.sumBy snd)
    Assert.Equal<int list>([ -2; -1; 0 ], state.Positive |> Map.toList |> List.map fst)

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

[<Tests>]
let tests =
    testList
        "ExponentialHistogramStateTests"
        [
            test "exponential index table at scale 0" { ``exponential index table at scale 0`` () }
            test "exponential index table at scale 1" { ``exponential index table at scale 1`` () }
            test "exponential index table at scale 3" { ``exponential index table at scale 3`` () }
            test "exponential index table at scale -1" { ``exponential index table at scale -1`` () }
            test "exponential index table at scale 20" { ``exponential index table at scale 20`` () }
            test "exponential index table at the extremes of the scale range" {
                ``exponential index table at the extremes of the scale range`` ()
            }
            test "lower bounds are exact powers of the base" { ``lower bounds are exact powers of the base`` () }
            test "every sample value lies in its bucket at several scales" {
                ``every sample value lies in its bucket at several scales`` ()
            }
            testPropertyWithConfig
                (Check.configWith boundCases)
                "bucket indexes are exact against the bounds at every scale, at and beside the bounds"
                (``bucket indexes are exact against the bounds at every scale, at and beside the bounds`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith boundCases)
                "the index at one scale lower is the index shifted right by one"
                (``the index at one scale lower is the index shifted right by one`` (): FsCheck.Property)
            test "scales outside [-10, 20] are refused with a clear error" {
                ``scales outside [-10, 20] are refused with a clear error`` ()
            }
            test "recording 1 to 100 with max size 4 downscales to -2, where everything fits" {
                ``recording 1 to 100 with max size 4 downscales to -2, where everything fits`` ()
            }
            test "a single value keeps the max scale" { ``a single value keeps the max scale`` () }
            test "zeros go to the zero bucket and negatives to their own buckets" {
                ``zeros go to the zero bucket and negatives to their own buckets`` ()
            }
            test "the scale stops at -10 and values that cannot fit are still recorded" {
                ``the scale stops at -10 and values that cannot fit are still recorded`` ()
            }
            test "downscale shifts indexes right and adds colliding buckets" {
                ``downscale shifts indexes right and adds colliding buckets`` ()
            }
            test "merging histograms of different scales brings both to a common scale that fits" {
                ``merging histograms of different scales brings both to a common scale that fits`` ()
            }
        ]
