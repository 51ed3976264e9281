namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess>]
module TraceParent =
    [<CompiledName("HeaderName")>]
    let headerName = "traceparent"

    let private ows = [| ' '; '\t' |]

    // The layout of the first four fields, shared by version 00 and every future version.
    let private tryParseFields (text: string) =
        if text[2] <> '-' || text[35] <> '-' || text[52] <> '-' then
            None
        else
            match
                Ids.tryParseHex text 0 2,
                Ids.tryParseHex text 3 16,
                Ids.tryParseHex text 19 16,
                Ids.tryParseHex text 36 16,
                Ids.tryParseHex text 53 2
            with
            | ValueSome version, ValueSome high, ValueSome low, ValueSome span, ValueSome flags ->
                Some(byte version, TraceId(high, low), SpanId span, byte flags)
            | _ -> None

    [<CompiledName("TryParse")>]
    let tryParse (header: string) : SpanContext option =
        if isNull header then
            None
        else
            let text = header.Trim ows

            if text.Length < 55 then
                None
            else
                match tryParseFields text with
                | Some(version, traceId, spanId, flags) when
                    version <> 0xFFuy
                    && traceId.IsValid
                    && spanId.IsValid
                    && (if version = 0uy then
                            text.Length = 55
                        else
                            text.Length = 55 || text[55] = '-')
                    ->
                    // Only the flags this version of the spec defines (sampled, random) are kept; the others are
                    // unknown here and leave as 0 (Trace Context Level 2, processing model).
                    let kept = flags &&& 0x03uy

                    Some
                        {
                            TraceId = traceId
                            SpanId = spanId
                            TraceFlags = TraceFlags kept
                            TraceState = TraceState.Empty
                            IsRemote = true
                        }
                | _ -> None

    [<CompiledName("Format")>]
    let format (context: SpanContext) =
        "00-"
        + context.TraceId.ToHex()
        + "-"
        + context.SpanId.ToHex()
        + "-"
        + context.TraceFlags.Value.ToString "x2"

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module TraceState =
    [<CompiledName("HeaderName")>]
    let headerName = "tracestate"

    [<CompiledName("MaxEntries")>]
    let maxEntries = 32

    [<CompiledName("Empty")>]
    let empty: TraceState = { Entries = [] }

    let private ows = [| ' '; '\t' |]
    let private isLowerAlpha (c: char) = c >= 'a' && c <= 'z'
    let private isDigit (c: char) = c >= '0' && c <= '9'

    // Trace Context Level 2: `key = ( lcalpha / DIGIT ) 0*255 ( keychar )`, where `@` is a key character like the
    // others. Level 1's `simple-key` and `tenant@system` keys all match it.
    let private isKeyChar (c: char) =
        isLowerAlpha c
        || isDigit c
        || c = '_'
        || c = '-'
        || c = '*'
        || c = '/'
        || c = '@'

    [<CompiledName("IsValidKey")>]
    let isValidKey (key: string) =
        not (isNull key)
        && key.Length >= 1
        && key.Length <= 256
        && (isLowerAlpha key[0] || isDigit key[0])
        && String.forall isKeyChar key

    let private isValueChar (c: char) = c >= ' ' && c <= '~' && c <> ',' && c <> '='

    [<CompiledName("IsValidValue")>]
    let isValidValue (value: string) =
        not (isNull value)
        && value.Length >= 1
        && value.Length <= 256
        && value[value.Length - 1] <> ' '
        && String.forall isValueChar value

    let private tryParseMember (text: string) =
        match text.IndexOf '=' with
        | at when at > 0 ->
            let key = text.Substring(0, at)
            let value = text.Substring(at + 1)

            if isValidKey key && isValidValue value then
                Some(key, value)
            else
                None
        | _ -> None

    [<CompiledName("TryParse")>]
    let tryParse (header: string) : TraceState option =
        if isNull header then
            None
        else
            let members =
                header.Split ','
                |> Array.map (fun m -> m.Trim ows)
                |> Array.filter (fun m -> m <> "")
                |> List.ofArray

            // A key seen again keeps its leftmost entry, the most recent position (the spec's "Combined Header
            // Value"); the later duplicates are discarded, which Level 2 allows, instead of the whole header.
            let rec collect acc remaining =
                match remaining with
                | [] -> Some(List.rev acc)
                | text :: rest ->
                    match tryParseMember text with
                    | Some(key, _) when acc |> List.exists (fun (k, _) -> k = key) -> collect acc rest
                    | Some(key, value) -> collect ((key, value) :: acc) rest
                    | None -> None

            if List.length members > maxEntries then
                None
            else
                collect [] members |> Option.map (fun entries -> { Entries = entries })

    [<CompiledName("ParseHeaders")>]
    let parseHeaders (headers: string list) =
        match headers |> List.filter (isNull >> not) with
        | [] -> empty
        | values -> tryParse (String.Join(",", values)) |> Option.defaultValue empty

    [<CompiledName("Format")>]
    let format (state: TraceState) =
        ReadOnlyList.toList state.Entries
        |> List.map (fun (k, v) -> k + "=" + v)
        |> String.concat ","

    [<CompiledName("Remove")>]
    let remove (key: string) (state: TraceState) : TraceState =
        {
            Entries = ReadOnlyList.toList state.Entries |> List.filter (fun (k, _) -> k <> key)
        }

    [<CompiledName("TryAdd")>]
    let tryAdd (key: string) (value: string) (state: TraceState) : TraceState option =
        if isValidKey key && isValidValue value then
            Some
                {
                    Entries =
                        (key, value) :: ReadOnlyList.toList (remove key state).Entries
                        |> List.truncate maxEntries
                }
        else
            None

    [<CompiledName("TryFind")>]
    let tryFind (key: string) (state: TraceState) =
        ReadOnlyList.toList state.Entries
        |> List.tryFind (fun (k, _) -> k = key)
        |> Option.map snd
