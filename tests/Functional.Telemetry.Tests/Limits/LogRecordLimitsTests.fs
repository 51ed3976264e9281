module Functional.Telemetry.Tests.LogRecordLimitsTests

open Expecto
open Xunit
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

let ``validate accepts the defaults and names each negative limit`` () =
    let d = LogRecordLimits.defaults
    Assert.Equal(Ok d, LogRecordLimits.validate d)

    Assert.Equal(
        Ok { d with AttributeValueLengthLimit = Some 0 },
        LogRecordLimits.validate { d with AttributeValueLengthLimit = Some 0 }
    )

    rejects "AttributeCountLimit" (LogRecordLimits.validate { d with AttributeCountLimit = -1 })
    rejects "AttributeValueLengthLimit" (LogRecordLimits.validate { d with AttributeValueLengthLimit = Some -1 })

let ``log record limits read OTEL_LOGRECORD_* and fall back to OTEL_ATTRIBUTE_*`` () =
    let specific, w1 =
        LogRecordLimits.fromEnvironment (
            Env.ofList
                [
                    "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "3"
                    "OTEL_ATTRIBUTE_COUNT_LIMIT", "9"
                    "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "4"
                ]
        )

    Assert.Equal(
        {
            AttributeCountLimit = 3
            AttributeValueLengthLimit = Some 4
        },
        specific
    )

    Assert.Empty w1

    let general, w2 =
        LogRecordLimits.fromEnvironment (
            Env.ofList
                [
                    "OTEL_ATTRIBUTE_COUNT_LIMIT", "9"
                    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "10"
                    "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "x"
                ]
        )

    Assert.Equal(
        {
            AttributeCountLimit = 9
            AttributeValueLengthLimit = Some 10
        },
        general
    )

    Assert.Equal<string list>([ "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT" ], w2 |> List.map (fun w -> w.Source))
    Assert.Equal((LogRecordLimits.defaults, []), LogRecordLimits.fromEnvironment (Env.ofList []))

[<Tests>]
let tests =
    testList
        "LogRecordLimitsTests"
        [
            test "validate accepts the defaults and names each negative limit" {
                ``validate accepts the defaults and names each negative limit`` ()
            }
            test "log record limits read OTEL_LOGRECORD_* and fall back to OTEL_ATTRIBUTE_*" {
                ``log record limits read OTEL_LOGRECORD_* and fall back to OTEL_ATTRIBUTE_*`` ()
            }
        ]
