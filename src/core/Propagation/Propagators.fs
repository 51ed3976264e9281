namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess>]
module Propagators =
    [<CompiledName("GetterOf")>]
    let getterOf (headers: (string * string) list) =
        fun (name: string) ->
            headers
            |> List.filter (fun (k, _) -> String.Equals(k, name, StringComparison.OrdinalIgnoreCase))
            |> List.map snd

    // ---- W3C Trace Context ----

    let private extractTraceContext (getter: string -> string list) context =
        match getter TraceParent.headerName |> List.filter (isNull >> not) with
        | [ header ] ->
            TraceParent.tryParse header
            |> Option.map (fun c ->
                { c with
                    TraceState = TraceState.parseHeaders (getter TraceState.headerName)
                })
            |> PropagatorParts.withSpanContext context
        | _ -> context

    let private injectTraceContext context =
        match PropagatorParts.validContext context with
        | Some c when ReadOnlyList.isEmpty c.TraceState.Entries -> [ TraceParent.headerName, TraceParent.format c ]
        | Some c ->
            [
                TraceParent.headerName, TraceParent.format c
                TraceState.headerName, TraceState.format c.TraceState
            ]
        | None -> []

    [<CompiledName("TraceContext")>]
    let traceContext =
        {
            Name = "tracecontext"
            Fields = [ TraceParent.headerName; TraceState.headerName ]
            Inject = injectTraceContext
            Extract = extractTraceContext
        }

    // ---- W3C Baggage ----

    [<CompiledName("Baggage")>]
    let baggage =
        {
            Name = "baggage"
            Fields = [ Baggage.headerName ]
            Inject =
                fun context ->
                    match Baggage.format context.Baggage with
                    | "" -> []
                    | header -> [ Baggage.headerName, header ]
            Extract =
                fun getter context ->
                    match Baggage.parseHeaders (getter Baggage.headerName) with
                    | found when List.isEmpty (ReadOnlyList.toList found.Entries) -> context
                    | found -> { context with Baggage = found }
        }

    [<CompiledName("B3")>]
    let b3 =
        {
            Name = "b3"
            Fields = [ B3Format.singleHeader ]
            Inject =
                fun context ->
                    match PropagatorParts.validContext context with
                    | Some c ->
                        [
                            B3Format.singleHeader,
                            c.TraceId.ToHex()
                            + "-"
                            + c.SpanId.ToHex()
                            + "-"
                            + PropagatorParts.sampledDigit c
                        ]
                    | None -> []
            Extract = B3Format.extract
        }

    [<CompiledName("B3Multi")>]
    let b3Multi =
        {
            Name = "b3multi"
            Fields =
                [
                    B3Format.traceIdHeader
                    B3Format.spanIdHeader
                    B3Format.sampledHeader
                    B3Format.flagsHeader
                ]
            Inject =
                fun context ->
                    match PropagatorParts.validContext context with
                    | Some c ->
                        [
                            B3Format.traceIdHeader, c.TraceId.ToHex()
                            B3Format.spanIdHeader, c.SpanId.ToHex()
                            B3Format.sampledHeader, PropagatorParts.sampledDigit c
                        ]
                    | None -> []
            Extract = B3Format.extract
        }

    [<CompiledName("Jaeger")>]
    let jaeger =
        {
            Name = "jaeger"
            Fields = [ JaegerFormat.header ]
            Inject =
                fun context ->
                    match PropagatorParts.validContext context with
                    | Some c ->
                        [
                            JaegerFormat.header,
                            c.TraceId.ToHex()
                            + ":"
                            + c.SpanId.ToHex()
                            + ":0:"
                            + PropagatorParts.sampledDigit c
                        ]
                    | None -> []
            Extract =
                fun getter context ->
                    PropagatorParts.first getter JaegerFormat.header
                    |> Option.bind JaegerFormat.tryParse
                    |> PropagatorParts.withSpanContext context
        }

    [<CompiledName("XRay")>]
    let xray =
        {
            Name = "xray"
            Fields = [ XRayFormat.header ]
            Inject =
                fun context ->
                    match PropagatorParts.validContext context with
                    | Some c ->
                        let hex = c.TraceId.ToHex()

                        [
                            XRayFormat.header,
                            "Root=1-"
                            + hex.Substring(0, 8)
                            + "-"
                            + hex.Substring 8
                            + ";Parent="
                            + c.SpanId.ToHex()
                            + ";Sampled="
                            + PropagatorParts.sampledDigit c
                        ]
                    | None -> []
            Extract =
                fun getter context ->
                    PropagatorParts.first getter XRayFormat.header
                    |> Option.bind XRayFormat.tryParse
                    |> PropagatorParts.withSpanContext context
        }

    // ---- composition ----

    [<CompiledName("None")>]
    let none =
        {
            Name = "none"
            Fields = []
            Inject = fun _ -> []
            Extract = fun _ context -> context
        }

    [<CompiledName("Composite")>]
    let composite (propagators: TextMapPropagator list) =
        {
            Name = propagators |> List.map (fun p -> p.Name) |> String.concat ","
            Fields = propagators |> List.collect (fun p -> p.Fields) |> List.distinct
            Inject = fun context -> propagators |> List.collect (fun p -> p.Inject context)
            Extract = fun getter context -> propagators |> List.fold (fun ctx p -> p.Extract getter ctx) context
        }

    [<CompiledName("Default")>]
    let defaults = composite [ traceContext; baggage ]

    let private environmentVariable = "OTEL_PROPAGATORS"

    let private known =
        [
            "tracecontext", traceContext
            "baggage", baggage
            "b3", b3
            "b3multi", b3Multi
            "jaeger", jaeger
            "xray", xray
        ]

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        let warn message = { Source = environmentVariable; Message = message }

        match lookup environmentVariable with
        | None -> defaults, []
        | Some text ->
            let names =
                text.Split ','
                |> Array.map (fun n -> n.Trim().ToLowerInvariant())
                |> Array.filter (fun n -> n <> "")
                |> List.ofArray
                |> List.distinct

            let chosen, warnings =
                names
                |> List.fold
                    (fun (chosen, warnings) name ->
                        match List.tryFind (fun (k, _) -> k = name) known with
                        | Some(_, propagator) -> chosen @ [ propagator ], warnings
                        | None when name = "none" ->
                            chosen, warnings @ [ warn "'none' combined with other propagators is ignored" ]
                        | None ->
                            chosen,
                            warnings
                            @ [
                                warn
                                    $"unknown propagator '{name}' skipped; known: tracecontext, baggage, b3, b3multi, jaeger, xray, none"
                            ])
                    ([], [])

            match names, chosen with
            | [ "none" ], _ -> none, []
            | _, [] ->
                defaults,
                warnings
                @ [ warn "no known propagator; using the default tracecontext,baggage" ]
            | _, [ single ] -> single, warnings
            | _, many -> composite many, warnings
