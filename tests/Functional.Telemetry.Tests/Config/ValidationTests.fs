module Functional.Telemetry.Tests.ValidationTests

open Expecto
open System
open Xunit
open Functional.Telemetry.FSharp

let ``an error names its setting`` () =
    let error = Validation.error "MaxQueueSize" "must be positive, got 0."
    Assert.Equal("MaxQueueSize: must be positive, got 0.", error)
    Assert.Equal(Some "MaxQueueSize", Validation.settingOf error)
    Assert.Equal(None, Validation.settingOf "no setting here")
    Assert.Equal(None, Validation.settingOf null)

let ``check and ofErrors make a result`` () =
    Assert.Empty(Validation.check true "A" "bad")
    Assert.Equal<string list>([ "A: bad" ], Validation.check false "A" "bad")
    Assert.Equal(Ok 3, Validation.ofErrors 3 [])
    Assert.Equal(Error [ "A: bad" ], Validation.ofErrors 3 [ "A: bad" ])

let ``orThrow returns Ok values and throws an ArgumentException naming the first bad setting`` () =
    Assert.Equal(5, Validation.orThrow "value" (Ok 5))

    let error =
        Assert.Throws<ArgumentException>(fun () ->
            Validation.orThrow "options" (Error [ "Timeout: must be positive."; "Port: out of range." ])
            |> ignore)

    Assert.Equal("Timeout", error.ParamName)
    Assert.Contains("Timeout: must be positive.", error.Message)
    Assert.Contains("Port: out of range.", error.Message)

let ``orThrow falls back to the parameter name when no setting is named`` () =
    let error =
        Assert.Throws<ArgumentException>(fun () -> Validation.orThrow "name" (Error [ "must not be empty." ]) |> ignore)

    Assert.Equal("name", error.ParamName)

[<Tests>]
let tests =
    testList
        "ValidationTests"
        [
            test "an error names its setting" { ``an error names its setting`` () }
            test "check and ofErrors make a result" { ``check and ofErrors make a result`` () }
            test "orThrow returns Ok values and throws an ArgumentException naming the first bad setting" {
                ``orThrow returns Ok values and throws an ArgumentException naming the first bad setting`` ()
            }
            test "orThrow falls back to the parameter name when no setting is named" {
                ``orThrow falls back to the parameter name when no setting is named`` ()
            }
        ]
