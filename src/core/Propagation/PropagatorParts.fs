namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// What the header-based propagators share: the context to inject, the context found, header reading and
/// the 64-bit ids of B3 and Jaeger.
module internal PropagatorParts =
    let validContext (context: PropagationContext) = context.SpanContext |> Option.filter (fun c -> c.IsValid)

    let withSpanContext (context: PropagationContext) found =
        match found with
        | Some spanContext -> { context with SpanContext = Some spanContext }
        | None -> context

    let remote traceId spanId sampled =
        {
            TraceId = traceId
            SpanId = spanId
            TraceFlags = (if sampled then TraceFlags.Sampled else TraceFlags.None)
            TraceState = TraceState.empty
            IsRemote = true
        }

    let first (getter: string -> string list) name =
        getter name
        |> List.tryFind (isNull >> not)
        |> Option.map (fun v -> v.Trim().ToLowerInvariant())

    // B3 and Jaeger allow 64-bit trace ids; they are left-padded to 128 bits.
    let tryParsePaddedTraceId (text: string) =
        if text.Length >= 1 && text.Length <= 32 then
            Ids.tryParseTraceId (text.PadLeft(32, '0'))
            |> Option.filter (fun t -> t.IsValid)
        else
            None

    let tryParsePaddedSpanId (text: string) =
        if text.Length >= 1 && text.Length <= 16 then
            Ids.tryParseSpanId (text.PadLeft(16, '0')) |> Option.filter (fun s -> s.IsValid)
        else
            None

    let sampledDigit (c: SpanContext) = if c.TraceFlags.IsSampled then "1" else "0"
