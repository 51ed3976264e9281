module Functional.Telemetry.PropertyTests.PropagationProperties

open Expecto
open System
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``traceparent parse (format x) = x`` () =
    Prop.forAll (Arb.fromGen Arbs.remoteSpanContext) (fun context ->
        TraceParent.tryParse (TraceParent.format context) = Some context)

let ``traceparent keeps the sampled and random flags of any flags byte and clears the others`` () =
    Prop.forAll (Arb.fromGen (Gen.zip Arbs.remoteSpanContext (Gen.choose (0, 255)))) (fun (context, flags) ->
        let header = TraceParent.format { context with TraceFlags = TraceFlags(byte flags) }

        TraceParent.tryParse header = Some { context with TraceFlags = TraceFlags(byte flags &&& 3uy) })

let ``tracestate with a repeated key parses as the state without the later entries`` () =
    Prop.forAll (Arb.fromGen (Gen.zip Arbs.traceState Arbs.traceStateValue)) (fun (state, value) ->
        match ReadOnlyList.toList state.Entries with
        | (key, _) :: _ when state.Entries.Count < 32 ->
            TraceState.tryParse (TraceState.format state + $",{key}={value}") = Some state
        | _ -> true)

let ``tracestate parse (format x) = x`` () =
    Prop.forAll (Arb.fromGen Arbs.traceState) (fun state -> TraceState.tryParse (TraceState.format state) = Some state)

let ``tracestate tryAdd keeps at most 32 unique keys with the new one leftmost`` () =
    Prop.forAll
        (Arb.fromGen (Gen.zip3 Arbs.traceState Arbs.traceStateKey Arbs.traceStateValue))
        (fun (state, key, value) ->
            match TraceState.tryAdd key value state with
            | Some added ->
                added.Entries[0] = (key, value)
                && (ReadOnlyList.toList added.Entries).Length <= 32
                && ((ReadOnlyList.toList added.Entries) |> List.distinctBy fst).Length = (ReadOnlyList.toList
                    added.Entries)
                    .Length
            | None -> false)

let ``baggage parse (format x) = x`` () =
    Prop.forAll (Arb.fromGen Arbs.baggage) (fun baggage -> Baggage.parse (Baggage.format baggage) = baggage)

let ``propagators inject then extract give the context back`` () =
    let propagators =
        [
            Propagators.traceContext
            Propagators.b3
            Propagators.b3Multi
            Propagators.jaeger
            Propagators.xray
        ]

    Prop.forAll (Arb.fromGen (Gen.zip Arbs.remoteSpanContext (Gen.elements propagators))) (fun (context, propagator) ->
        // B3, Jaeger and X-Ray carry only the sampled flag.
        let sent =
            { context with
                TraceFlags = TraceFlags(context.TraceFlags.Value &&& 1uy)
            }

        let headers = propagator.Inject { PropagationContext.empty with SpanContext = Some sent }

        (propagator.Extract (Propagators.getterOf headers) PropagationContext.empty).SpanContext = Some sent)

let ``every parser is total on arbitrary and near-valid headers`` () =
    let extractors =
        [
            Propagators.traceContext
            Propagators.baggage
            Propagators.b3
            Propagators.b3Multi
            Propagators.jaeger
            Propagators.xray
        ]

    Prop.forAll (Arb.fromGen Arbs.headerText) (fun text ->
        let _ = TraceParent.tryParse text
        let _ = TraceState.tryParse text
        let _ = TraceState.parseHeaders [ text; text ]
        let _ = Baggage.tryParse text
        let _ = Baggage.parseHeaders [ text ]

        let getter =
            Propagators.getterOf
                [
                    for name in
                        [
                            "traceparent"
                            "tracestate"
                            "baggage"
                            "b3"
                            "X-B3-TraceId"
                            "X-B3-SpanId"
                            "X-B3-Sampled"
                            "X-B3-Flags"
                            "uber-trace-id"
                            "X-Amzn-Trace-Id"
                        ] -> name, text
                ]

        extractors
        |> List.forall (fun p ->
            let extracted = p.Extract getter PropagationContext.empty
            // whatever is extracted is valid and remote
            extracted.SpanContext |> Option.forall (fun c -> c.IsValid && c.IsRemote)))

let ``a parsed traceparent formats back to the header for version 00`` () =
    Prop.forAll (Arb.fromGen Arbs.nearValidHeader) (fun text ->
        match TraceParent.tryParse text with
        | Some context when text.StartsWith "00" ->
            // The reserved flags (all but sampled and random) leave as 0.
            let header = text.Trim([| ' '; '\t' |])
            let flags = Convert.ToByte(header.Substring(53, 2), 16) &&& 3uy
            TraceParent.format context = header.Substring(0, 53) + flags.ToString "x2"
        | _ -> true)

[<Tests>]
let tests =
    testList
        "PropagationProperties"
        [
            testPropertyWithConfig
                Check.config
                "traceparent parse (format x) = x"
                (``traceparent parse (format x) = x`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "traceparent keeps the sampled and random flags of any flags byte and clears the others"
                (``traceparent keeps the sampled and random flags of any flags byte and clears the others`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "tracestate with a repeated key parses as the state without the later entries"
                (``tracestate with a repeated key parses as the state without the later entries`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "tracestate parse (format x) = x"
                (``tracestate parse (format x) = x`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "tracestate tryAdd keeps at most 32 unique keys with the new one leftmost"
                (``tracestate tryAdd keeps at most 32 unique keys with the new one leftmost`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "baggage parse (format x) = x"
                (``baggage parse (format x) = x`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "propagators inject then extract give the context back"
                (``propagators inject then extract give the context back`` (): FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 2000)
                "every parser is total on arbitrary and near-valid headers"
                (``every parser is total on arbitrary and near-valid headers`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "a parsed traceparent formats back to the header for version 00"
                (``a parsed traceparent formats back to the header for version 00`` (): FsCheck.Property)
        ]
