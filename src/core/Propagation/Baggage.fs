namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Text

type BaggageEntry = { Value: string; Metadata: string }

type Baggage = { Entries: (string * BaggageEntry) list }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Baggage =
    [<CompiledName("HeaderName")>]
    let headerName = "baggage"

    [<CompiledName("MaxMembers")>]
    let maxMembers = 64

    [<CompiledName("MaxBytes")>]
    let maxBytes = 8192

    [<CompiledName("Empty")>]
    let empty: Baggage = { Entries = [] }

    let private ows = [| ' '; '\t' |]

    let private isTokenChar (c: char) =
        (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".IndexOf c >= 0

    [<CompiledName("IsValidKey")>]
    let isValidKey (key: string) = not (String.IsNullOrEmpty key) && String.forall isTokenChar key

    // baggage-octet: printable US-ASCII except space, DQUOTE, comma, semicolon and backslash.
    let private isBaggageOctet (c: char) = c >= '!' && c <= '~' && c <> '"' && c <> ',' && c <> ';' && c <> '\\'

    [<CompiledName("SetEntry")>]
    let setEntry (key: string) (entry: BaggageEntry) (baggage: Baggage) : Baggage =
        if isNull key then
            baggage
        elif ReadOnlyList.toList baggage.Entries |> List.exists (fun (k, _) -> k = key) then
            {
                Entries =
                    ReadOnlyList.toList baggage.Entries
                    |> List.map (fun (k, e) -> if k = key then k, entry else k, e)
            }
        else
            { Entries = baggage.Entries @ [ key, entry ] }

    [<CompiledName("Set")>]
    let set (key: string) (value: string) (baggage: Baggage) =
        setEntry
            key
            {
                Value = (if isNull value then "" else value)
                Metadata = ""
            }
            baggage

    [<CompiledName("Remove")>]
    let remove (key: string) (baggage: Baggage) : Baggage =
        {
            Entries = ReadOnlyList.toList baggage.Entries |> List.filter (fun (k, _) -> k <> key)
        }

    [<CompiledName("TryFindEntry")>]
    let tryFindEntry (key: string) (baggage: Baggage) =
        ReadOnlyList.toList baggage.Entries
        |> List.tryFind (fun (k, _) -> k = key)
        |> Option.map snd

    [<CompiledName("TryFind")>]
    let tryFind (key: string) (baggage: Baggage) = tryFindEntry key baggage |> Option.map (fun e -> e.Value)

    let private hexValue (c: char) =
        if c >= '0' && c <= '9' then int c - int '0'
        elif c >= 'a' && c <= 'f' then int c - int 'a' + 10
        elif c >= 'A' && c <= 'F' then int c - int 'A' + 10
        else -1

    // The text is already checked to be ASCII baggage-octets; a '%' not followed by two hex digits stays as it is.
    let private percentDecode (text: string) =
        if text.IndexOf '%' < 0 then
            text
        else
            let rec go i acc =
                if i >= text.Length then
                    List.rev acc
                elif
                    text[i] = '%'
                    && i + 2 < text.Length
                    && hexValue text[i + 1] >= 0
                    && hexValue text[i + 2] >= 0
                then
                    go (i + 3) (byte (hexValue text[i + 1] * 16 + hexValue text[i + 2]) :: acc)
                else
                    go (i + 1) (byte text[i] :: acc)

            Encoding.UTF8.GetString(go 0 [] |> Array.ofList)

    let private percentEncode (value: string) =
        Encoding.UTF8.GetBytes value
        |> Array.map (fun b ->
            let c = char b

            if isBaggageOctet c && c <> '%' then
                string c
            else
                "%" + b.ToString "X2")
        |> String.concat ""

    // A property is `key OWS = OWS value` or `key OWS`; it is normalised to `key=value` or `key`.
    let private tryNormaliseProperty (text: string) =
        match text.IndexOf '=' with
        | -1 -> if isValidKey text then Some text else None
        | at ->
            let key = text.Substring(0, at).Trim ows
            let value = text.Substring(at + 1).Trim ows

            if isValidKey key && String.forall isBaggageOctet value then
                Some(key + "=" + value)
            else
                None

    let private tryNormaliseMetadata (properties: string list) =
        let normalised =
            properties
            |> List.map (fun p -> p.Trim ows)
            |> List.filter (fun p -> p <> "")
            |> List.map tryNormaliseProperty

        if normalised |> List.forall Option.isSome then
            Some(normalised |> List.choose id |> String.concat ";")
        else
            None

    let private tryParseMember (text: string) =
        match text.Split ';' |> List.ofArray with
        | keyValue :: properties ->
            match keyValue.IndexOf '=' with
            | at when at >= 0 ->
                let key = keyValue.Substring(0, at).Trim ows
                let value = keyValue.Substring(at + 1).Trim ows

                if isValidKey key && String.forall isBaggageOctet value then
                    tryNormaliseMetadata properties
                    |> Option.map (fun metadata -> key, { Value = percentDecode value; Metadata = metadata })
                else
                    None
            | _ -> None
        | [] -> None

    // Keeps members in order while they fit in 64 members and 8192 bytes (commas counted); later ones that fit still
    // go in. A repeated key replaces the earlier item in place.
    let private keepWithinLimits (members: (string * 'T * int) list) : (string * 'T) list =
        let step (count, size, kept: (string * 'T) list) (key, item, length) =
            let exists = kept |> List.exists (fun (k, _) -> k = key)
            let newCount = if exists then count else count + 1
            let newSize = if count = 0 then length else size + 1 + length

            if newCount > maxMembers || newSize > maxBytes then
                count, size, kept
            elif exists then
                newCount, newSize, kept |> List.map (fun (k, x) -> if k = key then k, item else k, x)
            else
                newCount, newSize, kept @ [ key, item ]

        let _, _, kept = members |> List.fold step (0, 0, [])
        kept

    [<CompiledName("TryParse")>]
    let tryParse (header: string) : Baggage option =
        if isNull header then
            None
        else
            let entries =
                header.Split ','
                |> Array.map (fun m -> m.Trim ows)
                |> Array.filter (fun m -> m <> "")
                |> List.ofArray
                |> List.choose (fun text ->
                    tryParseMember text
                    |> Option.map (fun (key, entry) -> key, entry, Encoding.UTF8.GetByteCount text))
                |> keepWithinLimits

            if List.isEmpty entries then
                None
            else
                Some { Entries = entries }

    [<CompiledName("Parse")>]
    let parse (header: string) = tryParse header |> Option.defaultValue empty

    [<CompiledName("ParseHeaders")>]
    let parseHeaders (headers: string list) =
        match headers |> List.filter (isNull >> not) with
        | [] -> empty
        | values -> parse (String.Join(",", values))

    let private formatMember (key: string) (entry: BaggageEntry) =
        let value = key + "=" + percentEncode (if isNull entry.Value then "" else entry.Value)

        let metadata =
            if String.IsNullOrEmpty entry.Metadata then
                None
            else
                tryNormaliseMetadata (entry.Metadata.Split ';' |> List.ofArray)

        match metadata with
        | Some m when m <> "" -> value + ";" + m
        | _ -> value

    [<CompiledName("Format")>]
    let format (baggage: Baggage) =
        ReadOnlyList.toList baggage.Entries
        |> List.filter (fun (key, _) -> isValidKey key)
        |> List.map (fun (key, entry) ->
            let text = formatMember key entry
            key, text, text.Length)
        |> keepWithinLimits
        |> List.map snd
        |> String.concat ","
