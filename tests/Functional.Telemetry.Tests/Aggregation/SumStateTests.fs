module Functional.Telemetry.Tests.SumStateTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``sum of longs stays a long and wraps around like Interlocked.Add`` () =
    let total =
        [ 5L; 7L; -2L ]
        |> List.map NumberValue.Long
        |> List.fold SumState.record (SumState.empty NumberKind.Long)

    Assert.Equal(NumberValue.Long 10L, SumState.collect total)

    let wrapped = SumState.record { Total = NumberValue.Long Int64.MaxValue } (NumberValue.Long 1L)

    Assert.Equal(NumberValue.Long Int64.MinValue, SumState.collect wrapped)

let ``sum of doubles and merge of two sums`` () =
    let left = SumState.record (SumState.empty NumberKind.Double) (NumberValue.Double 1.5)
    let right = SumState.record (SumState.empty NumberKind.Double) (NumberValue.Double 2.25)
    Assert.Equal(NumberValue.Double 3.75, SumState.collect (SumState.merge left right))
    Assert.Equal(NumberValue.Double 0.0, SumState.collect (SumState.empty NumberKind.Double))

[<Tests>]
let tests =
    testList
        "SumStateTests"
        [
            test "sum of longs stays a long and wraps around like Interlocked.Add" {
                ``sum of longs stays a long and wraps around like Interlocked.Add`` ()
            }
            test "sum of doubles and merge of two sums" { ``sum of doubles and merge of two sums`` () }
        ]
