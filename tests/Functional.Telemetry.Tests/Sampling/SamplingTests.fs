module Functional.Telemetry.Tests.SamplingTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private traceState: TraceState = { Entries = [ "vendor", "value" ] }

let private parentContext remote sampled =
    {
        TraceId = TraceId(1UL, 2UL)
        SpanId = SpanId 3UL
        TraceFlags = TraceFlags.None.WithSampled sampled
        TraceState = traceState
        IsRemote = remote
    }

let private parameters parent (traceId: TraceId) =
    {
        Parent = parent
        TraceId = traceId
        Name = "operation"
        Kind = SpanKind.Internal
        Attributes = []
        Links = []
    }

let private root = parameters SpanContext.Invalid (TraceId(0xABUL, 0x1234UL))

let private withRandomness (r: uint64) = parameters SpanContext.Invalid (TraceId(0xFFFFUL, r))

let private decision (sampler: Sampler) p = (sampler p).Decision

let private two56 = 1UL <<< 56

let ``always on samples and always off drops`` () =
    Assert.Equal(SamplingDecision.RecordAndSample, decision Sampler.alwaysOn root)
    Assert.Equal(SamplingDecision.Drop, decision Sampler.alwaysOff root)

let ``a root span gets an empty trace state and no attributes`` () =
    let result = Sampler.alwaysOn root
    Assert.Equal(TraceState.Empty, result.TraceState)
    Assert.Empty(ReadOnlyList.toList result.Attributes)

let ``a child keeps its parent's trace state`` () =
    let child = parameters (parentContext true true) (TraceId(1UL, 2UL))
    Assert.Equal(traceState, (Sampler.alwaysOn child).TraceState)
    Assert.Equal(traceState, (Sampler.alwaysOff child).TraceState)
    Assert.Equal(traceState, (Sampler.traceIdRatio 0.5 child).TraceState)
    Assert.Equal(traceState, (Sampler.defaultSampler child).TraceState)

let ``ratio 1 samples every trace id, even R = 0`` () =
    let sampler = Sampler.traceIdRatio 1.0
    Assert.Equal(SamplingDecision.RecordAndSample, decision sampler (withRandomness 0UL))
    Assert.Equal(SamplingDecision.RecordAndSample, decision sampler (withRandomness (two56 - 1UL)))

let ``ratio 0 samples no trace id, even the largest R`` () =
    let sampler = Sampler.traceIdRatio 0.0
    Assert.Equal(SamplingDecision.Drop, decision sampler (withRandomness 0UL))
    Assert.Equal(SamplingDecision.Drop, decision sampler (withRandomness (two56 - 1UL)))
    Assert.Equal(SamplingDecision.Drop, decision sampler (withRandomness UInt64.MaxValue))

let ``ratio one half: R = T is sampled, R = T - 1 is not`` () =
    let sampler = Sampler.traceIdRatio 0.5
    let t = 1UL <<< 55
    Assert.Equal(SamplingDecision.RecordAndSample, decision sampler (withRandomness t))
    Assert.Equal(SamplingDecision.Drop, decision sampler (withRandomness (t - 1UL)))

let ``ratio one quarter has threshold three quarters of 2^56`` () =
    let sampler = Sampler.traceIdRatio 0.25
    let t = 3UL <<< 54
    Assert.Equal(SamplingDecision.RecordAndSample, decision sampler (withRandomness t))
    Assert.Equal(SamplingDecision.Drop, decision sampler (withRandomness (t - 1UL)))

let ``only the 56 least significant bits count`` () =
    let sampler = Sampler.traceIdRatio 0.5
    // The top byte of the low half and the whole high half are ignored.
    let below = (0xFFUL <<< 56) ||| ((1UL <<< 55) - 1UL)

    Assert.Equal(
        SamplingDecision.Drop,
        decision sampler (parameters SpanContext.Invalid (TraceId(UInt64.MaxValue, below)))
    )

    Assert.Equal(
        SamplingDecision.RecordAndSample,
        decision sampler (parameters SpanContext.Invalid (TraceId(0UL, 1UL <<< 55)))
    )

let ``a tiny ratio still has a non-zero threshold gap`` () =
    let sampler = Sampler.traceIdRatio (1.0 / float two56)
    Assert.Equal(SamplingDecision.RecordAndSample, decision sampler (withRandomness (two56 - 1UL)))
    Assert.Equal(SamplingDecision.Drop, decision sampler (withRandomness (two56 - 2UL)))

let ``ratio outside 0..1 is an argument error`` (ratio: float) =
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> Sampler.traceIdRatio ratio |> ignore)
    |> ignore

let private marker name : Sampler =
    fun _ ->
        {
            Decision = SamplingDecision.RecordOnly
            Attributes = [ KeyValue.string "delegate" name ]
            TraceState = TraceState.Empty
        }

let private chosen (sampler: Sampler) p =
    match ReadOnlyList.toList (sampler p).Attributes with
    | [ a ] -> string a.Value
    | _ -> "none"

let ``parent based picks each of the five delegates`` () =
    let sampler =
        Sampler.parentBasedWith
            {
                Root = marker "root"
                RemoteParentSampled = marker "remote-sampled"
                RemoteParentNotSampled = marker "remote-not-sampled"
                LocalParentSampled = marker "local-sampled"
                LocalParentNotSampled = marker "local-not-sampled"
            }

    let child remote sampled = parameters (parentContext remote sampled) (TraceId(1UL, 2UL))
    Assert.Equal("root", chosen sampler root)
    Assert.Equal("remote-sampled", chosen sampler (child true true))
    Assert.Equal("remote-not-sampled", chosen sampler (child true false))
    Assert.Equal("local-sampled", chosen sampler (child false true))
    Assert.Equal("local-not-sampled", chosen sampler (child false false))

let ``an invalid parent context counts as no parent`` () =
    let sampler = Sampler.parentBased (marker "root")
    Assert.Equal("root", chosen sampler (parameters (SpanContext.Invalid) (TraceId(1UL, 2UL))))

let ``default parent based delegates follow the parent's sampled flag`` () =
    let sampler = Sampler.parentBased Sampler.alwaysOff
    let child remote sampled = parameters (parentContext remote sampled) (TraceId(1UL, 2UL))
    Assert.Equal(SamplingDecision.Drop, decision sampler root)
    Assert.Equal(SamplingDecision.RecordAndSample, decision sampler (child true true))
    Assert.Equal(SamplingDecision.Drop, decision sampler (child true false))
    Assert.Equal(SamplingDecision.RecordAndSample, decision sampler (child false true))
    Assert.Equal(SamplingDecision.Drop, decision sampler (child false false))

let ``parent based options default to always on for sampled parents and always off otherwise`` () =
    let options = Sampler.parentBasedOptions (marker "root")
    let child remote sampled = parameters (parentContext remote sampled) (TraceId(1UL, 2UL))
    Assert.Equal("root", chosen options.Root root)
    Assert.Equal(SamplingDecision.RecordAndSample, decision options.RemoteParentSampled (child true true))
    Assert.Equal(SamplingDecision.Drop, decision options.RemoteParentNotSampled (child true false))
    Assert.Equal(SamplingDecision.RecordAndSample, decision options.LocalParentSampled (child false true))
    Assert.Equal(SamplingDecision.Drop, decision options.LocalParentNotSampled (child false false))

let ``the default sampler is parent based always on`` () =
    let child = parameters (parentContext false false) (TraceId(1UL, 2UL))
    Assert.Equal(SamplingDecision.RecordAndSample, decision Sampler.defaultSampler root)
    Assert.Equal(SamplingDecision.Drop, decision Sampler.defaultSampler child)

// Decisions of a sampler on a root with R = 0, a root with R = max, a sampled and an unsampled local parent.
let private fingerprint (sampler: Sampler) =
    let child sampled = parameters (parentContext false sampled) (TraceId(1UL, two56 - 1UL))

    [ withRandomness 0UL; withRandomness (two56 - 1UL); child true; child false ]
    |> List.map (decision sampler)

let private fromEnv values = Sampler.fromEnvironment (Env.ofList values)

let private on = SamplingDecision.RecordAndSample
let private off = SamplingDecision.Drop

let ``no environment gives the default sampler without warnings`` () =
    let sampler, warnings = fromEnv []
    Assert.Empty warnings
    Assert.Equal<SamplingDecision list>([ on; on; on; off ], fingerprint sampler)

let ``each sampler name is read from the environment`` () =
    let check name expected =
        let sampler, warnings = fromEnv [ "OTEL_TRACES_SAMPLER", name; "OTEL_TRACES_SAMPLER_ARG", "0.5" ]
        Assert.Empty warnings
        Assert.Equal<SamplingDecision list>(expected, fingerprint sampler)

    check "always_on" [ on; on; on; on ]
    check "always_off" [ off; off; off; off ]
    check "traceidratio" [ off; on; on; on ]
    check "parentbased_always_on" [ on; on; on; off ]
    check "parentbased_always_off" [ off; off; on; off ]
    check "parentbased_traceidratio" [ off; on; on; off ]
    check " TraceIdRatio " [ off; on; on; on ]

let ``a ratio sampler without argument uses ratio 1`` () =
    let sampler, warnings = fromEnv [ "OTEL_TRACES_SAMPLER", "traceidratio" ]
    Assert.Empty warnings
    Assert.Equal<SamplingDecision list>([ on; on; on; on ], fingerprint sampler)

let ``an invalid ratio argument gives ratio 1 with a warning`` (argument: string) =
    let sampler, warnings =
        fromEnv [ "OTEL_TRACES_SAMPLER", "traceidratio"; "OTEL_TRACES_SAMPLER_ARG", argument ]

    Assert.Equal<string list>([ "OTEL_TRACES_SAMPLER_ARG" ], warnings |> List.map (fun w -> w.Source))
    Assert.Equal<SamplingDecision list>([ on; on; on; on ], fingerprint sampler)

let ``the argument is ignored by samplers that take none`` () =
    let _, warnings = fromEnv [ "OTEL_TRACES_SAMPLER", "always_on"; "OTEL_TRACES_SAMPLER_ARG", "bad" ]
    Assert.Empty warnings

let ``unsupported sampler names give the default with a warning`` (name: string) =
    let sampler, warnings = fromEnv [ "OTEL_TRACES_SAMPLER", name ]
    Assert.Equal<string list>([ "OTEL_TRACES_SAMPLER" ], warnings |> List.map (fun w -> w.Source))
    Assert.Equal<SamplingDecision list>([ on; on; on; off ], fingerprint sampler)

[<Tests>]
let tests =
    testList
        "SamplingTests"
        [
            test "always on samples and always off drops" { ``always on samples and always off drops`` () }
            test "a root span gets an empty trace state and no attributes" {
                ``a root span gets an empty trace state and no attributes`` ()
            }
            test "a child keeps its parent's trace state" { ``a child keeps its parent's trace state`` () }
            test "ratio 1 samples every trace id, even R = 0" { ``ratio 1 samples every trace id, even R = 0`` () }
            test "ratio 0 samples no trace id, even the largest R" {
                ``ratio 0 samples no trace id, even the largest R`` ()
            }
            test "ratio one half: R = T is sampled, R = T - 1 is not" {
                ``ratio one half: R = T is sampled, R = T - 1 is not`` ()
            }
            test "ratio one quarter has threshold three quarters of 2^56" {
                ``ratio one quarter has threshold three quarters of 2^56`` ()
            }
            test "only the 56 least significant bits count" { ``only the 56 least significant bits count`` () }
            test "a tiny ratio still has a non-zero threshold gap" {
                ``a tiny ratio still has a non-zero threshold gap`` ()
            }
            test "ratio outside 0..1 is an argument error(ratio: -0.1)" {
                ``ratio outside 0..1 is an argument error`` (-0.1)
            }
            test "ratio outside 0..1 is an argument error(ratio: 1.5)" {
                ``ratio outside 0..1 is an argument error`` (1.5)
            }
            test "ratio outside 0..1 is an argument error(ratio: Double.NaN)" {
                ``ratio outside 0..1 is an argument error`` (Double.NaN)
            }
            test "parent based picks each of the five delegates" {
                ``parent based picks each of the five delegates`` ()
            }
            test "an invalid parent context counts as no parent" {
                ``an invalid parent context counts as no parent`` ()
            }
            test "default parent based delegates follow the parent's sampled flag" {
                ``default parent based delegates follow the parent's sampled flag`` ()
            }
            test "parent based options default to always on for sampled parents and always off otherwise" {
                ``parent based options default to always on for sampled parents and always off otherwise`` ()
            }
            test "the default sampler is parent based always on" {
                ``the default sampler is parent based always on`` ()
            }
            test "no environment gives the default sampler without warnings" {
                ``no environment gives the default sampler without warnings`` ()
            }
            test "each sampler name is read from the environment" {
                ``each sampler name is read from the environment`` ()
            }
            test "a ratio sampler without argument uses ratio 1" {
                ``a ratio sampler without argument uses ratio 1`` ()
            }
            test "an invalid ratio argument gives ratio 1 with a warning(argument: \"1.5\")" {
                ``an invalid ratio argument gives ratio 1 with a warning`` ("1.5")
            }
            test "an invalid ratio argument gives ratio 1 with a warning(argument: \"-0.2\")" {
                ``an invalid ratio argument gives ratio 1 with a warning`` ("-0.2")
            }
            test "an invalid ratio argument gives ratio 1 with a warning(argument: \"half\")" {
                ``an invalid ratio argument gives ratio 1 with a warning`` ("half")
            }
            test "an invalid ratio argument gives ratio 1 with a warning(argument: \"NaN\")" {
                ``an invalid ratio argument gives ratio 1 with a warning`` ("NaN")
            }
            test "the argument is ignored by samplers that take none" {
                ``the argument is ignored by samplers that take none`` ()
            }
            test "unsupported sampler names give the default with a warning(name: \"jaeger_remote\")" {
                ``unsupported sampler names give the default with a warning`` ("jaeger_remote")
            }
            test "unsupported sampler names give the default with a warning(name: \"xray\")" {
                ``unsupported sampler names give the default with a warning`` ("xray")
            }
            test "unsupported sampler names give the default with a warning(name: \"parentbased_jaeger_remote\")" {
                ``unsupported sampler names give the default with a warning`` ("parentbased_jaeger_remote")
            }
            test "unsupported sampler names give the default with a warning(name: \"sometimes\")" {
                ``unsupported sampler names give the default with a warning`` ("sometimes")
            }
        ]
