module Functional.Telemetry.PropertyTests.ModelProperties

open Expecto
open System
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``trace and span ids round-trip through hex`` () =
    Prop.forAll (Arb.fromGen (Gen.zip Arbs.traceId Arbs.validSpanId)) (fun (t, s) ->
        Ids.tryParseTraceId (t.ToHex()) = Some t
        && Ids.tryParseSpanId (s.ToHex()) = Some s)

let ``id parsers never throw on arbitrary strings`` () =
    Prop.forAll (Arb.fromGen (ArbMap.defaults.ArbFor<string>().Generator)) (fun text ->
        let _ = Ids.tryParseTraceId text
        let _ = Ids.tryParseSpanId text
        true)

[<Tests>]
let tests =
    testList
        "ModelProperties"
        [
            testPropertyWithConfig
                Check.config
                "trace and span ids round-trip through hex"
                (``trace and span ids round-trip through hex`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "id parsers never throw on arbitrary strings"
                (``id parsers never throw on arbitrary strings`` (): FsCheck.Property)
        ]
