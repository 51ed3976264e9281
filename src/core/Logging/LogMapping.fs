namespace Functional.Telemetry

open System
open System.Collections.Generic
open Microsoft.Extensions.Logging
// Our Attribute, not System.Attribute.
open Functional.Telemetry

[<RequireQualifiedAccess>]
module LogMapping =
    [<Literal>]
    let OriginalFormatKey = "{OriginalFormat}"

    [<CompiledName("SeverityNumber")>]
    let severityNumber (level: LogLevel) =
        match level with
        | LogLevel.Trace -> 1
        | LogLevel.Debug -> 5
        | LogLevel.Information -> 9
        | LogLevel.Warning -> 13
        | LogLevel.Error -> 17
        | LogLevel.Critical -> 21
        | _ -> 0

    [<CompiledName("SeverityText")>]
    let severityText (level: LogLevel) =
        match level with
        | LogLevel.Trace -> "Trace"
        | LogLevel.Debug -> "Debug"
        | LogLevel.Information -> "Information"
        | LogLevel.Warning -> "Warning"
        | LogLevel.Error -> "Error"
        | LogLevel.Critical -> "Critical"
        | _ -> ""

    // Reads pairs until the end or until the state's own enumerator throws: what was read is kept.
    let private readPairs (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        let step (e: IEnumerator<KeyValuePair<string, obj>>) =
            try
                if e.MoveNext() then Some e.Current else None
            with _ ->
                None

        let rec loop e acc =
            match step e with
            | Some pair -> loop e (pair :: acc)
            | None -> List.rev acc

        match (try Some(pairs.GetEnumerator()) with _ -> None) with
        | Some e ->
            use e = e
            loop e []
        | None -> []

    let private attributeOf (pair: KeyValuePair<string, obj>) =
        { Key = pair.Key; Value = ActivityConversion.toAnyValue pair.Value }

    let private templateOf (pair: KeyValuePair<string, obj>) =
        match pair.Value with
        | :? string as text -> Some text
        | _ -> None

    // One pass over the pairs, consing from the end: no enumerator, no intermediate list.
    let private fromList includeTemplate (pairs: IReadOnlyList<KeyValuePair<string, obj>>) =
        let rec build i acc template =
            if i < 0 then
                acc, template
            else
                let pair = pairs[i]

                if pair.Key = OriginalFormatKey then
                    let acc = if includeTemplate then attributeOf pair :: acc else acc
                    build (i - 1) acc (templateOf pair)
                elif String.IsNullOrEmpty pair.Key then
                    build (i - 1) acc template
                else
                    build (i - 1) (attributeOf pair :: acc) template

        try
            build (pairs.Count - 1) [] None
        with _ ->
            // An indexer that throws: fall back to enumeration, which keeps what it reads.
            [], None

    let private fromSequence includeTemplate (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        let read = readPairs pairs

        let attributes =
            read
            |> List.filter (fun pair ->
                not (String.IsNullOrEmpty pair.Key) && (includeTemplate || pair.Key <> OriginalFormatKey))
            |> List.map attributeOf

        attributes, read |> List.tryFind (fun pair -> pair.Key = OriginalFormatKey) |> Option.bind templateOf

    let private pairsOf includeTemplate (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        match pairs with
        | :? IReadOnlyList<KeyValuePair<string, obj>> as list ->
            match fromList includeTemplate list with
            | [], None when (try list.Count > 0 with _ -> false) -> fromSequence includeTemplate pairs
            | result -> result
        | _ -> fromSequence includeTemplate pairs

    [<CompiledName("StateAttributes")>]
    let stateAttributes (includeTemplate: bool) (state: obj) =
        match state with
        | :? IEnumerable<KeyValuePair<string, obj>> as pairs -> pairsOf includeTemplate pairs
        | _ -> [], None

    let private safeText (read: unit -> string) fallback =
        try
            match read () with
            | null -> fallback
            | text -> text
        with _ ->
            fallback

    [<CompiledName("ExceptionAttributes")>]
    let exceptionAttributes (error: exn) =
        match error with
        | null -> []
        | error ->
            let typeName = error.GetType().FullName

            [
                Attribute.string "exception.type" typeName
                Attribute.string "exception.message" (safeText (fun () -> error.Message) "")
                Attribute.string "exception.stacktrace" (safeText (fun () -> error.ToString()) typeName)
            ]

    [<CompiledName("EventAttributes")>]
    let eventAttributes (eventId: EventId) =
        if eventId.Id <> 0 then [ Attribute.int "event.id" (int64 eventId.Id) ] else []

    [<CompiledName("EventName")>]
    let eventName (eventId: EventId) =
        match eventId.Name with
        | null -> ""
        | name -> name

    [<CompiledName("ScopeAttributes")>]
    let scopeAttributes (scopes: obj list) =
        scopes
        |> List.collect (fun scope ->
            match scope with
            | null -> []
            | :? string as text -> [ Attribute.string "scope" text ]
            | :? IEnumerable<KeyValuePair<string, obj>> as pairs -> fst (pairsOf false pairs)
            | other -> [ Attribute.string "scope" (safeText (fun () -> other.ToString()) (other.GetType().FullName)) ])

    [<CompiledName("TryFormat")>]
    let tryFormat (format: unit -> string) =
        try
            match format () with
            | null -> None
            | text -> Some text
        with _ ->
            None
