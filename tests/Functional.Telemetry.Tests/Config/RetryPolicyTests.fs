module Functional.Telemetry.Tests.RetryPolicyTests

open Expecto
open System
open Xunit
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

let ``validate accepts the defaults and the disabled policy`` () =
    Assert.Equal(Ok RetryPolicy.defaults, RetryPolicy.validate RetryPolicy.defaults)
    Assert.Equal(Ok RetryPolicy.disabled, RetryPolicy.validate RetryPolicy.disabled)

let ``validate names each bad setting`` () =
    rejects "MaxAttempts" (RetryPolicy.validate { RetryPolicy.defaults with MaxAttempts = 0 })

    rejects
        "InitialBackoff"
        (RetryPolicy.validate
            { RetryPolicy.defaults with
                InitialBackoff = TimeSpan.FromSeconds -1.
            })

    rejects
        "MaxBackoff"
        (RetryPolicy.validate
            { RetryPolicy.defaults with
                MaxBackoff = TimeSpan.FromSeconds -1.
            })

    rejects "BackoffMultiplier" (RetryPolicy.validate { RetryPolicy.defaults with BackoffMultiplier = nan })
    rejects "BackoffMultiplier" (RetryPolicy.validate { RetryPolicy.defaults with BackoffMultiplier = 0.5 })

[<Tests>]
let tests =
    testList
        "RetryPolicyTests"
        [
            test "validate accepts the defaults and the disabled policy" {
                ``validate accepts the defaults and the disabled policy`` ()
            }
            test "validate names each bad setting" { ``validate names each bad setting`` () }
        ]
