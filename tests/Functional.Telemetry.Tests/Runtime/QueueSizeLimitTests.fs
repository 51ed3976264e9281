module Functional.Telemetry.Tests.QueueSizeLimitTests

open Expecto
open System
open Xunit
open Functional.Telemetry.FSharp

// The runner's ring allocates its slots when the pipeline starts (as the official SDK's circular buffer does), so
// MaxQueueSize has a ceiling: 2^24. Past 2^30 the ring's power-of-two size would overflow (the constructor looped
// forever on Int32.MaxValue before the limit).
let ``MaxQueueSize above 2^24 is refused in code, naming the setting`` () =
    match BatchOptions.validate { BatchOptions.defaults with MaxQueueSize = (1 <<< 24) + 1 } with
    | Ok _ -> Assert.Fail "a MaxQueueSize above 2^24 was accepted"
    | Error errors ->
        let error = Assert.Single errors
        Assert.Contains("MaxQueueSize", error)
        Assert.Contains("16777216", error)

    Assert.True(Result.isOk (BatchOptions.validate { BatchOptions.defaults with MaxQueueSize = 1 <<< 24 }))

let ``OTEL_BSP_MAX_QUEUE_SIZE above 2^24 keeps the default with a warning`` () =
    let env = Env.ofList [ "OTEL_BSP_MAX_QUEUE_SIZE", string Int32.MaxValue ]
    let options, warnings = BatchOptions.fromEnvironment "OTEL_BSP" BatchOptions.defaults env
    Assert.Equal(BatchOptions.defaults.MaxQueueSize, options.MaxQueueSize)
    Assert.Equal("OTEL_BSP_MAX_QUEUE_SIZE", (Assert.Single warnings).Source)

let ``a ring past 2^30 slots is refused at once instead of looping`` () =
    Assert.Throws<ArgumentException>(fun () -> ItemQueue<obj>(Int32.MaxValue) |> ignore)
    |> ignore

[<Tests>]
let tests =
    testList
        "QueueSizeLimitTests"
        [
            testCase "MaxQueueSize above 2^24 is refused in code, naming the setting"
            <| ``MaxQueueSize above 2^24 is refused in code, naming the setting``
            testCase "OTEL_BSP_MAX_QUEUE_SIZE above 2^24 keeps the default with a warning"
            <| ``OTEL_BSP_MAX_QUEUE_SIZE above 2^24 keeps the default with a warning``
            testCase "a ring past 2^30 slots is refused at once instead of looping"
            <| ``a ring past 2^30 slots is refused at once instead of looping``
        ]
