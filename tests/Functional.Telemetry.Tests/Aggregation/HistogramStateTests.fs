module Functional.Telemetry.Tests.HistogramStateTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

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
    Assert.Equal(16, (ReadOnlyList.toList empty.Counts).Length)
    Assert.Equal(None, empty.Min)

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

let ``histogram record tracks counts, count, sum, min and max`` () =
    let state =
        [ 3.0; 5.0; 12.0; -1.0; 7.0 ]
        |> List.fold HistogramState.record (HistogramState.empty [ 0.0; 5.0; 10.0 ])

    Assert.Equal<int64 list>([ 1L; 2L; 1L; 1L ], (ReadOnlyList.toList state.Counts))
    Assert.Equal(5L, state.Count)
    Assert.Equal(26.0, state.Sum)
    Assert.Equal(Some -1.0, state.Min)
    Assert.Equal(Some 12.0, state.Max)

let ``histogram merge adds counts and combines extremes`` () =
    let bounds = [ 10.0 ]
    let left = List.fold HistogramState.record (HistogramState.empty bounds) [ 1.0; 20.0 ]
    let right = List.fold HistogramState.record (HistogramState.empty bounds) [ 2.0; 3.0 ]
    let merged = HistogramState.merge left right
    Assert.Equal<int64 list>([ 3L; 1L ], (ReadOnlyList.toList merged.Counts))
    Assert.Equal(4L, merged.Count)
    Assert.Equal(26.0, merged.Sum)
    Assert.Equal(Some 1.0, merged.Min)
    Assert.Equal(Some 20.0, merged.Max)
    Assert.Equal(left, HistogramState.merge left (HistogramState.empty bounds))

[<Tests>]
let tests =
    testList
        "HistogramStateTests"
        [
            test "default bounds are the OpenTelemetry defaults" {
                ``default bounds are the OpenTelemetry defaults`` ()
            }
            test "a value equal to a bound goes in that bound's bucket" {
                ``a value equal to a bound goes in that bound's bucket`` ()
            }
            test "histogram record tracks counts, count, sum, min and max" {
                ``histogram record tracks counts, count, sum, min and max`` ()
            }
            test "histogram merge adds counts and combines extremes" {
                ``histogram merge adds counts and combines extremes`` ()
            }
        ]
