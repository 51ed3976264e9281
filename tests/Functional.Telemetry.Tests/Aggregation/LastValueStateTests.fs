module Functional.Telemetry.Tests.LastValueStateTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``last value: the later time wins whatever the order of recording`` () =
    let state =
        LastValueState.record
            (LastValueState.record LastValueState.empty (NumberValue.Long 9L) 200L)
            (NumberValue.Long 1L)
            100L

    Assert.Equal(Some(NumberValue.Long 9L), LastValueState.collect state)
    Assert.Equal(None, LastValueState.collect LastValueState.empty)

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

[<Tests>]
let tests =
    testList
        "LastValueStateTests"
        [
            test "last value: the later time wins whatever the order of recording" {
                ``last value: the later time wins whatever the order of recording`` ()
            }
            test "last value: equal times keep the larger value, and a Long beats an equal Double" {
                ``last value: equal times keep the larger value, and a Long beats an equal Double`` ()
            }
        ]
