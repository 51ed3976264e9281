namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// B3 (Zipkin) headers: the single `b3` header and the multiple `X-B3-*` headers, parsed (pure, total).
module internal B3Format =
    let private tryParseTraceId (text: string) =
        if text.Length = 16 || text.Length = 32 then
            PropagatorParts.tryParsePaddedTraceId text
        else
            None

    let private tryParseSpanId (text: string) =
        if text.Length = 16 then
            PropagatorParts.tryParsePaddedSpanId text
        else
            None

    let singleHeader = "b3"
    let traceIdHeader = "X-B3-TraceId"
    let spanIdHeader = "X-B3-SpanId"
    let sampledHeader = "X-B3-Sampled"
    let flagsHeader = "X-B3-Flags"

    let private tryParseSingle (text: string) =
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
            | Some parent -> (tryParseSpanId parent).IsSome

        if parts.Length < 2 || parts.Length > 4 || not parentOk then
            None
        else
            match tryParseTraceId parts[0], tryParseSpanId parts[1], sampled with
            | Some traceId, Some spanId, Some isSampled -> Some(PropagatorParts.remote traceId spanId isSampled)
            | _ -> None

    let private tryParseMulti getter =
        let sampled =
            match PropagatorParts.first getter flagsHeader, PropagatorParts.first getter sampledHeader with
            | Some "1", _ -> Some true
            | _, (None | Some "0" | Some "false") -> Some false
            | _, (Some "1" | Some "true") -> Some true
            | _ -> None

        match
            PropagatorParts.first getter traceIdHeader |> Option.bind tryParseTraceId,
            PropagatorParts.first getter spanIdHeader |> Option.bind tryParseSpanId,
            sampled
        with
        | Some traceId, Some spanId, Some isSampled -> Some(PropagatorParts.remote traceId spanId isSampled)
        | _ -> None

    let extract getter context =
        match PropagatorParts.first getter singleHeader |> Option.bind tryParseSingle with
        | Some found -> Some found
        | None -> tryParseMulti getter
        |> PropagatorParts.withSpanContext context
