module Functional.Telemetry.Tests.BatchOptionsTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

let ``batch options default to the spec values`` () =
    let options, warnings = BatchOptions.fromEnvironment "OTEL_BSP" BatchOptions.defaults (Env.ofList [])
    Assert.Empty warnings
    Assert.Equal(TimeSpan.FromSeconds 5., options.ScheduleDelay)
    Assert.Equal(TimeSpan.FromSeconds 30., options.ExportTimeout)
    Assert.Equal(2048, options.MaxQueueSize)
    Assert.Equal(512, options.MaxExportBatchSize)

let ``batch options read the environment`` () =
    let env =
        Env.ofList
            [
                "OTEL_BLRP_SCHEDULE_DELAY", "1000"
                "OTEL_BLRP_EXPORT_TIMEOUT", "250"
                "OTEL_BLRP_MAX_QUEUE_SIZE", "100"
                "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "10"
            ]

    let options, warnings = BatchOptions.fromEnvironment "OTEL_BLRP" BatchOptions.defaults env
    Assert.Empty warnings
    Assert.Equal(TimeSpan.FromSeconds 1., options.ScheduleDelay)
    Assert.Equal(TimeSpan.FromMilliseconds 250., options.ExportTimeout)
    Assert.Equal(100, options.MaxQueueSize)
    Assert.Equal(10, options.MaxExportBatchSize)

let ``invalid batch values fall back to defaults with a warning naming the variable`` () =
    let env =
        Env.ofList
            [
                "OTEL_BSP_MAX_QUEUE_SIZE", "-5"
                "OTEL_BSP_SCHEDULE_DELAY", "soon"
                "OTEL_BSP_EXPORT_TIMEOUT", " "
            ]

    let options, warnings = BatchOptions.fromEnvironment "OTEL_BSP" BatchOptions.defaults env
    Assert.Equal(BatchOptions.defaults, options)

    Assert.Equal<string list>(
        [ "OTEL_BSP_SCHEDULE_DELAY"; "OTEL_BSP_MAX_QUEUE_SIZE" ],
        warnings |> List.map (fun w -> w.Source)
    )

let ``a batch size above the queue size is lowered to it`` () =
    let env = Env.ofList [ "OTEL_BSP_MAX_QUEUE_SIZE", "100"; "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "512" ]
    let options, warnings = BatchOptions.fromEnvironment "OTEL_BSP" BatchOptions.defaults env
    Assert.Equal(100, options.MaxExportBatchSize)
    Assert.Single warnings |> ignore

let ``validate rejects bad options in code with the field name`` () =
    let result = BatchOptions.validate { BatchOptions.defaults with MaxExportBatchSize = 0 }
    rejects "MaxExportBatchSize" result

let ``validate accepts the defaults and names every bad setting`` () =
    Assert.Equal(Ok BatchOptions.defaults, BatchOptions.validate BatchOptions.defaults)

    let bad =
        {
            ScheduleDelay = TimeSpan.FromSeconds -1.
            ExportTimeout = TimeSpan.Zero
            MaxQueueSize = 0
            MaxExportBatchSize = 1
        }

    match BatchOptions.validate bad with
    | Ok _ -> Assert.Fail "expected errors"
    | Error errors ->
        Assert.Equal<string option list>(
            [
                Some "ScheduleDelay"
                Some "ExportTimeout"
                Some "MaxQueueSize"
                Some "MaxExportBatchSize"
            ],
            errors |> List.map Validation.settingOf
        )

[<Tests>]
let tests =
    testList
        "BatchOptionsTests"
        [
            test "batch options default to the spec values" { ``batch options default to the spec values`` () }
            test "batch options read the environment" { ``batch options read the environment`` () }
            test "invalid batch values fall back to defaults with a warning naming the variable" {
                ``invalid batch values fall back to defaults with a warning naming the variable`` ()
            }
            test "a batch size above the queue size is lowered to it" {
                ``a batch size above the queue size is lowered to it`` ()
            }
            test "validate rejects bad options in code with the field name" {
                ``validate rejects bad options in code with the field name`` ()
            }
            test "validate accepts the defaults and names every bad setting" {
                ``validate accepts the defaults and names every bad setting`` ()
            }
        ]
