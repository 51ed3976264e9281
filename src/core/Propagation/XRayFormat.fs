namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// AWS X-Ray's `X-Amzn-Trace-Id` header, parsed (pure, total).
module internal XRayFormat =
    let header = "X-Amzn-Trace-Id"

    // `1-{8 hex}-{24 hex}`: the trace id's first 8 and last 24 hex digits.
    let private tryParseRoot (root: string) =
        if root.Length = 35 && root.StartsWith "1-" && root[10] = '-' then
            Ids.tryParseTraceId (root.Substring(2, 8) + root.Substring(11, 24))
            |> Option.filter (fun t -> t.IsValid)
        else
            None

    // The sampled flag of `Sampled=...`: `1` sampled; `0`, `?` (not decided) and `d` (delegated) not sampled.
    let private tryParseSampled (value: string) =
        match value with
        | "1" -> Some true
        | "0"
        | "?"
        | "d" -> Some false
        | _ -> None

    // Reads the header as `first` returns it (trimmed, lowercased: keys and hex digits match in any case).
    let tryParse (text: string) =
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
            | Some v -> tryParseSampled v

        if parts |> Array.exists Option.isNone then
            None
        else
            match
                value "root" |> Option.bind tryParseRoot,
                value "parent"
                |> Option.bind Ids.tryParseSpanId
                |> Option.filter (fun s -> s.IsValid),
                sampled
            with
            | Some traceId, Some spanId, Some isSampled -> Some(PropagatorParts.remote traceId spanId isSampled)
            | _ -> None
