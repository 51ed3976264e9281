module Functional.Telemetry.Tests.EnvTests

open Expecto
open Xunit
open Functional.Telemetry.FSharp

let ``readChoice is case-insensitive and warns on unknown values`` () =
    let choices = [ "a", 1; "b", 2 ]
    Assert.Equal((2, []), Env.readChoice (Env.ofList [ "X", " B " ]) "X" choices 0)
    let value, warnings = Env.readChoice (Env.ofList [ "X", "c" ]) "X" choices 0
    Assert.Equal(0, value)
    Assert.Contains("a, b", (List.exactlyOne warnings).Message)

[<Tests>]
let tests =
    testList
        "EnvTests"
        [
            test "readChoice is case-insensitive and warns on unknown values" {
                ``readChoice is case-insensitive and warns on unknown values`` ()
            }
        ]
