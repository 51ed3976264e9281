namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Globalization

namespace Functional.Telemetry

open Functional.Telemetry.FSharp
open System
open System.Globalization

[<RequireQualifiedAccess>]
type SamplingDecision =
    | Drop
    | RecordOnly
    | RecordAndSample

[<Struct>]
type SamplingParameters =
    {
        Parent: SpanContext
        TraceId: TraceId
        Name: string
        Kind: SpanKind
        Attributes: System.Collections.Generic.IReadOnlyList<KeyValue>
        Links: System.Collections.Generic.IReadOnlyList<SpanLink>
    }

type SamplingResult =
    {
        Decision: SamplingDecision
        Attributes: System.Collections.Generic.IReadOnlyList<KeyValue>
        TraceState: TraceState
    }

namespace Functional.Telemetry.FSharp

open Functional.Telemetry
open System
open System.Globalization

type Sampler = SamplingParameters -> SamplingResult

// Compiled as SamplerModule, leaving the name Sampler to the C# facade's class.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Sampler =
    // An invalid parent context (zero ids) carries nothing to follow, so it counts as no parent.
    let private validParent (parameters: SamplingParameters) =
        if parameters.Parent.IsValid then
            Some parameters.Parent
        else
            None

    // Results without trace state are shared: the common decisions allocate nothing.
    let private plain decision =
        {
            Decision = decision
            Attributes = []
            TraceState = TraceState.Empty
        }

    let private plainSample = plain SamplingDecision.RecordAndSample
    let private plainRecord = plain SamplingDecision.RecordOnly
    let private plainDrop = plain SamplingDecision.Drop

    let private decide decision (parameters: SamplingParameters) =
        match validParent parameters with
        | Some parent when not (ReadOnlyList.isEmpty parent.TraceState.Entries) ->
            {
                Decision = decision
                Attributes = []
                TraceState = parent.TraceState
            }
        | _ ->
            match decision with
            | SamplingDecision.RecordAndSample -> plainSample
            | SamplingDecision.RecordOnly -> plainRecord
            | SamplingDecision.Drop -> plainDrop

    [<CompiledName("AlwaysOn")>]
    let alwaysOn: Sampler = decide SamplingDecision.RecordAndSample

    [<CompiledName("AlwaysOff")>]
    let alwaysOff: Sampler = decide SamplingDecision.Drop

    // 2^56: the randomness R is the trace id's 56 least significant bits (W3C Trace Context level 2).
    let private randomnessLimit = 1UL <<< 56

    let private randomnessMask = randomnessLimit - 1UL

    // T = 2^56 - round(ratio * 2^56) rather than (1 - ratio) * 2^56: scaling by a power of two is exact,
    // so tiny ratios keep a non-zero chance instead of rounding 1 - ratio to 1.
    let private threshold (ratio: float) =
        randomnessLimit
        - uint64 (Math.Round(ratio * float randomnessLimit, MidpointRounding.AwayFromZero))

    [<CompiledName("TraceIdRatio")>]
    let traceIdRatio (ratio: float) : Sampler =
        if Double.IsNaN ratio || ratio < 0.0 || ratio > 1.0 then
            raise (ArgumentOutOfRangeException(nameof ratio, ratio, "The sampling ratio must be between 0 and 1."))

        let t = threshold ratio

        fun parameters ->
            let randomness = parameters.TraceId.Low &&& randomnessMask

            let decision =
                if randomness >= t then
                    SamplingDecision.RecordAndSample
                else
                    SamplingDecision.Drop

            decide decision parameters

    type ParentBasedOptions =
        {
            Root: Sampler
            RemoteParentSampled: Sampler
            RemoteParentNotSampled: Sampler
            LocalParentSampled: Sampler
            LocalParentNotSampled: Sampler
        }

    [<CompiledName("ParentBasedOptionsWithRoot")>]
    let parentBasedOptions (root: Sampler) =
        {
            Root = root
            RemoteParentSampled = alwaysOn
            RemoteParentNotSampled = alwaysOff
            LocalParentSampled = alwaysOn
            LocalParentNotSampled = alwaysOff
        }

    [<CompiledName("ParentBasedWith")>]
    let parentBasedWith (options: ParentBasedOptions) : Sampler =
        fun parameters ->
            let chosen =
                match validParent parameters with
                | None -> options.Root
                | Some parent ->
                    match parent.IsRemote, parent.TraceFlags.IsSampled with
                    | true, true -> options.RemoteParentSampled
                    | true, false -> options.RemoteParentNotSampled
                    | false, true -> options.LocalParentSampled
                    | false, false -> options.LocalParentNotSampled

            chosen parameters

    [<CompiledName("ParentBased")>]
    let parentBased (root: Sampler) : Sampler = parentBasedWith (parentBasedOptions root)

    [<CompiledName("Default")>]
    let defaultSampler: Sampler = parentBased alwaysOn

    let private samplerVariable = "OTEL_TRACES_SAMPLER"
    let private argumentVariable = "OTEL_TRACES_SAMPLER_ARG"

    let private readRatio (lookup: EnvLookup) =
        match lookup argumentVariable with
        | None -> 1.0, []
        | Some text ->
            match Double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture) with
            | true, ratio when ratio >= 0.0 && ratio <= 1.0 -> ratio, []
            | _ ->
                1.0,
                [
                    {
                        Source = argumentVariable
                        Message = "not a ratio between 0 and 1; using 1.0"
                    }
                ]

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) : Sampler * ConfigWarning list =
        // Each choice says whether it takes the ratio argument, so the argument is read (and warned about) only when used.
        let fixedSampler sampler = fun (_: EnvLookup) -> sampler, []

        let withRatio make =
            fun lookup ->
                let ratio, warnings = readRatio lookup
                make ratio, warnings

        let choices =
            [
                "always_on", fixedSampler alwaysOn
                "always_off", fixedSampler alwaysOff
                "traceidratio", withRatio traceIdRatio
                "parentbased_always_on", fixedSampler defaultSampler
                "parentbased_always_off", fixedSampler (parentBased alwaysOff)
                "parentbased_traceidratio", withRatio (traceIdRatio >> parentBased)
            ]

        let make, choiceWarnings = Env.readChoice lookup samplerVariable choices (fixedSampler defaultSampler)

        let sampler, argumentWarnings = make lookup
        sampler, choiceWarnings @ argumentWarnings
