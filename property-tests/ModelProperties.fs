module Functional.Telemetry.PropertyTests.ModelProperties

open System
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp

[<Fact>]
let ``trace and span ids round-trip through hex`` () =
    Check.property (
        Prop.forAll (Arb.fromGen (Gen.zip Arbs.traceId Arbs.validSpanId)) (fun (t, s) ->
            Ids.tryParseTraceId (t.ToHex()) = Some t
            && Ids.tryParseSpanId (s.ToHex()) = Some s)
    )

[<Fact>]
let ``id parsers never throw on arbitrary strings`` () =
    Check.property (
        Prop.forAll (Arb.fromGen (ArbMap.defaults.ArbFor<string>().Generator)) (fun text ->
            let _ = Ids.tryParseTraceId text
            let _ = Ids.tryParseSpanId text
            true)
    )
