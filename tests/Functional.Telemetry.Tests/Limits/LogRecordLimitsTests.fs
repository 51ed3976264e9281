module Functional.Telemetry.Tests.LogRecordLimitsTests

open Xunit
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

[<Fact>]
let ``validate accepts the defaults and names each negative limit`` () =
    let d = LogRecordLimits.defaults
    Assert.Equal(Ok d, LogRecordLimits.validate d)

    Assert.Equal(
        Ok { d with AttributeValueLengthLimit = Some 0 },
        LogRecordLimits.validate { d with AttributeValueLengthLimit = Some 0 }
    )

    rejects "AttributeCountLimit" (LogRecordLimits.validate { d with AttributeCountLimit = -1 })
    rejects "AttributeValueLengthLimit" (LogRecordLimits.validate { d with AttributeValueLengthLimit = Some -1 })
