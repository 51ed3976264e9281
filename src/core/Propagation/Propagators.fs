namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

type PropagationContext = { SpanContext: SpanContext option; Baggage: Baggage }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PropagationContext =
    [<CompiledName("Empty")>]
    let empty = { SpanContext = None; Baggage = Baggage.empty }

type TextMapPropagator =
    {
        Name: string
        Fields: string list
        Inject: PropagationContext -> (string * string) list
        Extract: (string -> string list) -> PropagationContext -> PropagationContext
    }

[<RequireQualifiedAccess>]
module Propagators =
    [<CompiledName("GetterOf")>]
    let getterOf (headers: (string * string) list) =
        fun (name: string) ->
            headers
            |> List.filter (fun (k, _) -> String.Equals(k, name, StringComparison.OrdinalIgnoreCase))
            |> List.map snd

    let private validContext (context: PropagationContext) = context.SpanContext |> Option.filter (fun c -> c.IsValid)

    let private withSpanContext (context: PropagationContext) found =
        match found with
        | Some spanContext -> { context with SpanContext = Some spanContext }
        | None -> context

    let private remote traceId spanId sampled =
        {
            TraceId = traceId
            SpanId = spanId
            TraceFlags = (if sampled then TraceFlags.Sampled else TraceFlags.None)
            TraceState = TraceState.empty
            IsRemote = true
        }

    // ---- W3C Trace Context ----

    let private extractTraceContext (getter: string -> string list) context =
        match getter TraceParent.headerName |> List.filter (isNull >> not) with
        | [ header ] ->
            TraceParent.tryParse header
            |> Option.map (fun c ->
                { c with
                    TraceState = TraceState.parseHeaders (getter TraceState.headerName)
                })
            |> withSpanContext context
        | _ -> context

    let private injectTraceContext context =
        match validContext context with
        | Some c when List.isEmpty c.TraceState.Entries -> [ TraceParent.headerName, TraceParent.format c ]
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
                    | found when List.isEmpty found.Entries -> context
                    | found -> { context with Baggage = found }
        }

    // ---- B3 and Jaeger ----

    let private first (getter: string -> string list) name =
        getter name
        |> List.tryFind (isNull >> not)
        |> Option.map (fun v -> v.Trim().ToLowerInvariant())

    // B3 and Jaeger allow 64-bit trace ids; they are left-padded to 128 bits.
    let private tryParsePaddedTraceId (text: string) =
        if text.Length >= 1 && text.Length <= 32 then
            Ids.tryParseTraceId (text.PadLeft(32, '0'))
            |> Option.filter (fun t -> t.IsValid)
        else
            None

    let private tryParsePaddedSpanId (text: string) =
        if text.Length >= 1 && text.Length <= 16 then
            Ids.tryParseSpanId (text.PadLeft(16, '0')) |> Option.filter (fun s -> s.IsValid)
        else
            None

    let private tryParseB3TraceId (text: string) =
        if text.Length = 16 || text.Length = 32 then
            tryParsePaddedTraceId text
        else
            None

    let private tryParseB3SpanId (text: string) = if text.Length = 16 then tryParsePaddedSpanId text else None

    let private b3SingleHeader = "b3"
    let private b3TraceIdHeader = "X-B3-TraceId"
    let private b3SpanIdHeader = "X-B3-SpanId"
    let private b3SampledHeader = "X-B3-Sampled"
    let private b3FlagsHeader = "X-B3-Flags"

    let private tryParseB3Single (text: string) =
        let parts = text.Split '-'

        let sampled =
            match Array.tryItem 2 parts with
            | None
            | Some "0" -> Some false
            | Some "1"
            | Some "d" -> Some true
            | Some _ -> None

        let parentOk =
            match Array.tryItem 3 parts with
            | None -> true
            | Some parent -> (tryParseB3SpanId parent).IsSome

        if parts.Length < 2 || parts.Length > 4 || not parentOk then
            None
        else
            match tryParseB3TraceId parts[0], tryParseB3SpanId parts[1], sampled with
            | Some traceId, Some spanId, Some isSampled -> Some(remote traceId spanId isSampled)
            | _ -> None

    let private tryParseB3Multi getter =
        let sampled =
            match first getter b3FlagsHeader, first getter b3SampledHeader with
            | Some "1", _ -> Some true
            | _, (None | Some "0" | Some "false") -> Some false
            | _, (Some "1" | Some "true") -> Some true
            | _ -> None

        match
            first getter b3TraceIdHeader |> Option.bind tryParseB3TraceId,
            first getter b3SpanIdHeader |> Option.bind tryParseB3SpanId,
            sampled
        with
        | Some traceId, Some spanId, Some isSampled -> Some(remote traceId spanId isSampled)
        | _ -> None

    let private extractB3 getter context =
        match first getter b3SingleHeader |> Option.bind tryParseB3Single with
        | Some found -> Some found
        | None -> tryParseB3Multi getter
        |> withSpanContext context

    let private sampledDigit (c: SpanContext) = if c.TraceFlags.IsSampled then "1" else "0"

    [<CompiledName("B3")>]
    let b3 =
        {
            Name = "b3"
            Fields = [ b3SingleHeader ]
            Inject =
                fun context ->
                    match validContext context with
                    | Some c ->
                        [
                            b3SingleHeader, c.TraceId.ToHex() + "-" + c.SpanId.ToHex() + "-" + sampledDigit c
                        ]
                    | None -> []
            Extract = extractB3
        }

    [<CompiledName("B3Multi")>]
    let b3Multi =
        {
            Name = "b3multi"
            Fields = [ b3TraceIdHeader; b3SpanIdHeader; b3SampledHeader; b3FlagsHeader ]
            Inject =
                fun context ->
                    match validContext context with
                    | Some c ->
                        [
                            b3TraceIdHeader, c.TraceId.ToHex()
                            b3SpanIdHeader, c.SpanId.ToHex()
                            b3SampledHeader, sampledDigit c
                        ]
                    | None -> []
            Extract = extractB3
        }

    let private jaegerHeader = "uber-trace-id"

    let private tryParseJaeger (text: string) =
        match text.Replace("%3a", ":").Split ':' with
        | [| traceId; spanId; parentId; flags |] when
            parentId.Length >= 1
            && parentId.Length <= 16
            && (Ids.tryParseSpanId (parentId.PadLeft(16, '0'))).IsSome
            && flags.Length >= 1
            && flags.Length <= 2
            ->
            match tryParsePaddedTraceId traceId, tryParsePaddedSpanId spanId, Ids.tryParseHex flags 0 flags.Length with
            | Some t, Some s, ValueSome f -> Some(remote t s (f &&& 1UL = 1UL))
            | _ -> None
        | _ -> None

    [<CompiledName("Jaeger")>]
    let jaeger =
        {
            Name = "jaeger"
            Fields = [ jaegerHeader ]
            Inject =
                fun context ->
                    match validContext context with
                    | Some c ->
                        [
                            jaegerHeader, c.TraceId.ToHex() + ":" + c.SpanId.ToHex() + ":0:" + sampledDigit c
                        ]
                    | None -> []
            Extract =
                fun getter context ->
                    first getter jaegerHeader
                    |> Option.bind tryParseJaeger
                    |> withSpanContext context
        }

    // ---- AWS X-Ray ----

    let private xrayHeader = "X-Amzn-Trace-Id"

    // `1-{8 hex}-{24 hex}`: the trace id's first 8 and last 24 hex digits.
    let private tryParseXrayRoot (root: string) =
        if root.Length = 35 && root.StartsWith "1-" && root[10] = '-' then
            Ids.tryParseTraceId (root.Substring(2, 8) + root.Substring(11, 24))
            |> Option.filter (fun t -> t.IsValid)
        else
            None

    // The sampled flag of `Sampled=...`: `1` sampled; `0`, `?` (not decided) and `d` (delegated) not sampled.
    let private tryParseXraySampled (value: string) =
        match value with
        | "1" -> Some true
        | "0"
        | "?"
        | "d" -> Some false
        | _ -> None

    // Reads the header as `first` returns it (trimmed, lowercased: keys and hex digits match in any case).
    let private tryParseXray (text: string) =
        let parts =
            text.Split ';'
            |> Array.map (fun part -> part.Trim())
            |> Array.filter (fun part -> part <> "")
            |> Array.map (fun part ->
                match part.IndexOf '=' with
                | -1 -> None
                | i -> Some(part.Substring(0, i).Trim(), part.Substring(i + 1).Trim()))

        let value key =
            parts |> Array.tryPick (Option.filter (fun (k, _) -> k = key)) |> Option.map snd

        let sampled =
            match value "sampled" with
            | None -> Some false
            | Some v -> tryParseXraySampled v

        if parts |> Array.exists Option.isNone then
            None
        else
            match
                value "root" |> Option.bind tryParseXrayRoot,
                value "parent"
                |> Option.bind Ids.tryParseSpanId
                |> Option.filter (fun s -> s.IsValid),
                sampled
            with
            | Some traceId, Some spanId, Some isSampled -> Some(remote traceId spanId isSampled)
            | _ -> None

    [<CompiledName("XRay")>]
    let xray =
        {
            Name = "xray"
            Fields = [ xrayHeader ]
            Inject =
                fun context ->
                    match validContext context with
                    | Some c ->
                        let hex = c.TraceId.ToHex()

                        [
                            xrayHeader,
                            "Root=1-"
                            + hex.Substring(0, 8)
                            + "-"
                            + hex.Substring 8
                            + ";Parent="
                            + c.SpanId.ToHex()
                            + ";Sampled="
                            + sampledDigit c
                        ]
                    | None -> []
            Extract =
                fun getter context -> first getter xrayHeader |> Option.bind tryParseXray |> withSpanContext context
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
