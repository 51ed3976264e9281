namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Jaeger's `uber-trace-id` header, parsed (pure, total).
module internal JaegerFormat =
    let header = "uber-trace-id"

    let tryParse (text: string) =
        match text.Replace("%3a", ":").Split ':' with
        | [| traceId; spanId; parentId; flags |] when
            parentId.Length >= 1
            && parentId.Length <= 16
            && (Ids.tryParseSpanId (parentId.PadLeft(16, '0'))).IsSome
            && flags.Length >= 1
            && flags.Length <= 2
            ->
            match
                PropagatorParts.tryParsePaddedTraceId traceId,
                PropagatorParts.tryParsePaddedSpanId spanId,
                Ids.tryParseHex flags 0 flags.Length
            with
            | Some t, Some s, ValueSome f -> Some(PropagatorParts.remote t s (f &&& 1UL = 1UL))
            | _ -> None
        | _ -> None
