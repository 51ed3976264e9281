module Functional.Telemetry.Tests.ReviewQueueSizeTests

open Expecto
open System
open System.Threading.Tasks
open Xunit
open Functional.Telemetry.FSharp

// BatchOptions.validate accepts any positive MaxQueueSize (OTEL_BSP_MAX_QUEUE_SIZE too). The ring's size is the
// next power of two, doubled in an int: past 2^30 the doubling wraps to negative and then to zero, and the
// constructor never returns (the SDK's start hangs).
let ``a queue of Int32.MaxValue items is made`` () =
    task {
        let making = Task.Run(fun () -> ItemQueue<obj>(Int32.MaxValue) |> ignore)
        let! winner = Task.WhenAny(making, Task.Delay(TimeSpan.FromSeconds 10.))
        Assert.True(Object.ReferenceEquals(winner, making), "ItemQueue(Int32.MaxValue) did not return within 10 s")
    }

[<Tests>]
let tests =
    testList
        "ReviewQueueSizeTests"
        [
            testTask "a queue of Int32.MaxValue items is made" { do! ``a queue of Int32.MaxValue items is made`` () }
        ]
