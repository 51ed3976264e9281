module Functional.Telemetry.Tests.ModelTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``trace id round-trips through hex and bytes`` () =
    let id = TraceId(0x0af7651916cd43ddUL, 0x8448eb211c80319cUL)
    Assert.Equal("0af7651916cd43dd8448eb211c80319c", id.ToHex())
    Assert.Equal(Some id, Ids.tryParseTraceId (id.ToHex()))
    let bytes = Array.zeroCreate<byte> 16
    id.WriteBytes(Span bytes)
    Assert.Equal(id, TraceId.FromBytes(ReadOnlySpan bytes))
    Assert.Equal(0x0auy, bytes[0])

let ``hex parsing rejects upper case, wrong length and non-hex`` () =
    Assert.Equal(None, Ids.tryParseTraceId "0AF7651916CD43DD8448EB211C80319C")
    Assert.Equal(None, Ids.tryParseTraceId "0af7651916cd43dd8448eb211c80319")
    Assert.Equal(None, Ids.tryParseSpanId "b7ad6b716920333g")
    Assert.Equal(Some(SpanId 0xb7ad6b7169203331UL), Ids.tryParseSpanId "b7ad6b7169203331")

let ``all-zero ids are invalid`` () =
    Assert.False TraceId.Empty.IsValid
    Assert.False SpanId.Empty.IsValid
    Assert.False SpanContext.Invalid.IsValid
    Assert.True(TraceId(0UL, 1UL).IsValid)

let ``trace flags expose sampled and random bits`` () =
    let flags = TraceFlags 3uy
    Assert.True flags.IsSampled
    Assert.True flags.IsRandom
    Assert.False((flags.WithSampled false).IsSampled)
    Assert.True((flags.WithSampled false).IsRandom)

let ``AnyValue equality is structural, NaN equals itself`` () =
    Assert.Equal(AnyValue.Double nan, AnyValue.Double nan)
    Assert.Equal(AnyValue.Bytes [| 1uy; 2uy |], AnyValue.Bytes [| 1uy; 2uy |])
    Assert.NotEqual(AnyValue.Int 1L, AnyValue.Double 1.0)

    Assert.Equal(
        "{k: [1, x]}",
        string (
            AnyValue.Map
                [
                    KeyValue.create "k" (AnyValue.Array [ AnyValue.Int 1L; AnyValue.String "x" ])
                ]
        )
    )

[<Tests>]
let tests =
    testList
        "ModelTests"
        [
            test "trace id round-trips through hex and bytes" { ``trace id round-trips through hex and bytes`` () }
            test "hex parsing rejects upper case, wrong length and non-hex" {
                ``hex parsing rejects upper case, wrong length and non-hex`` ()
            }
            test "all-zero ids are invalid" { ``all-zero ids are invalid`` () }
            test "trace flags expose sampled and random bits" { ``trace flags expose sampled and random bits`` () }
            test "AnyValue equality is structural, NaN equals itself" {
                ``AnyValue equality is structural, NaN equals itself`` ()
            }
        ]
