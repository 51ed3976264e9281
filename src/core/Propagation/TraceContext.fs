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
                    // A future version may define more flags; only the ones this version knows are kept.
                    let kept = if version = 0uy then flags else flags &&& 0x03uy

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

    let private isKeyChar (c: char) = isLowerAlpha c || isDigit c || c = '_' || c = '-' || c = '*' || c = '/'

    let private isKeyPart (text: string) maxLength (isFirst: char -> bool) =
        text.Length >= 1
        && text.Length <= maxLength
        && isFirst text[0]
        && String.forall isKeyChar text

    [<CompiledName("IsValidKey")>]
    let isValidKey (key: string) =
        if isNull key then
            false
        else
            match key.IndexOf '@' with
            | -1 -> isKeyPart key 256 isLowerAlpha
            | at ->
                isKeyPart (key.Substring(0, at)) 241 (fun c -> isLowerAlpha c || isDigit c)
                && isKeyPart (key.Substring(at + 1)) 14 isLowerAlpha

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

            let rec collect acc remaining =
                match remaining with
                | [] -> Some(List.rev acc)
                | text :: rest ->
                    match tryParseMember text with
                    | Some(key, value) when not (acc |> List.exists (fun (k, _) -> k = key)) ->
                        collect ((key, value) :: acc) rest
                    | _ -> None

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
