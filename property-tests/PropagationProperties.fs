module Functional.Telemetry.PropertyTests.PropagationProperties

open System
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp

[<Fact>]
let ``traceparent parse (format x) = x`` () =
    Check.property (
        Prop.forAll (Arb.fromGen Arbs.remoteSpanContext) (fun context ->
            TraceParent.tryParse (TraceParent.format context) = Some context)
    )

[<Fact>]
let ``traceparent keeps the sampled and random flags of any flags byte and clears the others`` () =
    Check.property (
        Prop.forAll (Arb.fromGen (Gen.zip Arbs.remoteSpanContext (Gen.choose (0, 255)))) (fun (context, flags) ->
            let header = TraceParent.format { context with TraceFlags = TraceFlags(byte flags) }

            TraceParent.tryParse header = Some { context with TraceFlags = TraceFlags(byte flags &&& 3uy) })
    )

[<Fact>]
let ``tracestate with a repeated key parses as the state without the later entries`` () =
    Check.property (
        Prop.forAll (Arb.fromGen (Gen.zip Arbs.traceState Arbs.traceStateValue)) (fun (state, value) ->
            match ReadOnlyList.toList state.Entries with
            | (key, _) :: _ when state.Entries.Count < 32 ->
                TraceState.tryParse (TraceState.format state + $",{key}={value}") = Some state
            | _ -> true)
    )

[<Fact>]
let ``tracestate parse (format x) = x`` () =
    Check.property (
        Prop.forAll (Arb.fromGen Arbs.traceState) (fun state ->
            TraceState.tryParse (TraceState.format state) = Some state)
    )

[<Fact>]
let ``tracestate tryAdd keeps at most 32 unique keys with the new one leftmost`` () =
    Check.property (
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
    )

[<Fact>]
let ``baggage parse (format x) = x`` () =
    Check.property (
        Prop.forAll (Arb.fromGen Arbs.baggage) (fun baggage -> Baggage.parse (Baggage.format baggage) = baggage)
    )

[<Fact>]
let ``propagators inject then extract give the context back`` () =
    let propagators =
        [
            Propagators.traceContext
            Propagators.b3
            Propagators.b3Multi
            Propagators.jaeger
            Propagators.xray
        ]

    Check.property (
        Prop.forAll
            (Arb.fromGen (Gen.zip Arbs.remoteSpanContext (Gen.elements propagators)))
            (fun (context, propagator) ->
                // B3, Jaeger and X-Ray carry only the sampled flag.
                let sent =
                    { context with
                        TraceFlags = TraceFlags(context.TraceFlags.Value &&& 1uy)
                    }

                let headers = propagator.Inject { PropagationContext.empty with SpanContext = Some sent }

                (propagator.Extract (Propagators.getterOf headers) PropagationContext.empty).SpanContext = Some sent)
    )

[<Fact>]
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

    Check.propertyWith
        2000
        (Prop.forAll (Arb.fromGen Arbs.headerText) (fun text ->
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
                extracted.SpanContext |> Option.forall (fun c -> c.IsValid && c.IsRemote))))

[<Fact>]
let ``a parsed traceparent formats back to the header for version 00`` () =
    Check.property (
        Prop.forAll (Arb.fromGen Arbs.nearValidHeader) (fun text ->
            match TraceParent.tryParse text with
            | Some context when text.StartsWith "00" ->
                // The reserved flags (all but sampled and random) leave as 0.
                let header = text.Trim([| ' '; '\t' |])
                let flags = Convert.ToByte(header.Substring(53, 2), 16) &&& 3uy
                TraceParent.format context = header.Substring(0, 53) + flags.ToString "x2"
            | _ -> true)
    )
