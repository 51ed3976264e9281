module Functional.Telemetry.PropertyTests.SamplingProperties

open Expecto
open System
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private sampled (sampler: Sampler) traceId =
    (sampler (Arbs.rootParameters traceId)).Decision = SamplingDecision.RecordAndSample

let ``trace id ratio is consistent: the same trace id always gets the same decision`` () =
    Prop.forAll (Arb.fromGen (Gen.zip Arbs.ratio Arbs.traceId)) (fun (ratio, traceId) ->
        let first = Sampler.traceIdRatio ratio
        let second = Sampler.traceIdRatio ratio
        // Another name, kind and attributes must not change the decision either.
        let other =
            { Arbs.rootParameters traceId with
                Name = "other"
                Kind = SpanKind.Server
                Attributes = [ KeyValue.string "k" "v" ]
            }

        let decision = (first (Arbs.rootParameters traceId)).Decision

        decision = (second (Arbs.rootParameters traceId)).Decision
        && decision = (first other).Decision)

let ``trace id ratio is monotone: sampled at p means sampled at every q >= p`` () =
    Prop.forAll (Arb.fromGen (Gen.zip (Gen.zip Arbs.ratio Arbs.ratio) Arbs.traceId)) (fun ((a, b), traceId) ->
        let p, q = min a b, max a b

        not (sampled (Sampler.traceIdRatio p) traceId)
        || sampled (Sampler.traceIdRatio q) traceId)

let ``ratio 0 samples nothing and ratio 1 samples everything`` () =
    Prop.forAll (Arb.fromGen Arbs.traceId) (fun traceId ->
        not (sampled (Sampler.traceIdRatio 0.0) traceId)
        && sampled (Sampler.traceIdRatio 1.0) traceId)

let ``the sampled fraction is within 5 sigma of the ratio`` () =
    let draws = 10_000

    let ratios = Gen.elements [ 0.001; 0.01; 0.1; 0.25; 1.0 / 3.0; 0.5; 0.75; 0.9; 0.999 ]

    let seeds = ArbMap.defaults.ArbFor<int>().Generator

    Prop.forAll (Arb.fromGen (Gen.zip ratios seeds)) (fun (ratio, seed) ->
        let random = Random seed
        let sampler = Sampler.traceIdRatio ratio

        let count =
            Seq.init draws (fun _ -> TraceId(uint64 (random.NextInt64()), uint64 (random.NextInt64())))
            |> Seq.filter (sampled sampler)
            |> Seq.length

        let expected = float draws * ratio
        let sigma = sqrt (float draws * ratio * (1.0 - ratio))
        abs (float count - expected) <= 5.0 * sigma + 1.0)

let ``parent based follows a valid parent's sampled flag whatever the root sampler`` () =
    let gen = Gen.zip3 Arbs.spanContext Arbs.ratio (ArbMap.defaults.ArbFor<bool>().Generator)

    Prop.forAll (Arb.fromGen gen) (fun (parent, ratio, rootOn) ->
        let root =
            if rootOn then
                Sampler.alwaysOn
            else
                Sampler.traceIdRatio ratio

        let sampler = Sampler.parentBased root

        let result = sampler { Arbs.rootParameters parent.TraceId with Parent = parent }

        let expected =
            if parent.TraceFlags.IsSampled then
                SamplingDecision.RecordAndSample
            else
                SamplingDecision.Drop

        result.Decision = expected && result.TraceState = parent.TraceState)

[<Tests>]
let tests =
    testList
        "SamplingProperties"
        [
            testPropertyWithConfig
                Check.config
                "trace id ratio is consistent: the same trace id always gets the same decision"
                (``trace id ratio is consistent: the same trace id always gets the same decision`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "trace id ratio is monotone: sampled at p means sampled at every q >= p"
                (``trace id ratio is monotone: sampled at p means sampled at every q >= p`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "ratio 0 samples nothing and ratio 1 samples everything"
                (``ratio 0 samples nothing and ratio 1 samples everything`` (): FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 40)
                "the sampled fraction is within 5 sigma of the ratio"
                (``the sampled fraction is within 5 sigma of the ratio`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "parent based follows a valid parent's sampled flag whatever the root sampler"
                (``parent based follows a valid parent's sampled flag whatever the root sampler`` (): FsCheck.Property)
        ]
