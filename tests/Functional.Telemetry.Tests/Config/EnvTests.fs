module Functional.Telemetry.Tests.EnvTests

open Xunit
open Functional.Telemetry.FSharp

[<Fact>]
let ``readChoice is case-insensitive and warns on unknown values`` () =
    let choices = [ "a", 1; "b", 2 ]
    Assert.Equal((2, []), Env.readChoice (Env.ofList [ "X", " B " ]) "X" choices 0)
    let value, warnings = Env.readChoice (Env.ofList [ "X", "c" ]) "X" choices 0
    Assert.Equal(0, value)
    Assert.Contains("a, b", (List.exactlyOne warnings).Message)
