namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open Microsoft.Extensions.Logging

/// How Microsoft.Extensions.Logging calls map onto the log data model: the log bridge's mapping, pure given the
/// `templateValue` function it is handed. Total: a value whose ToString throws becomes its type name, a throwing
/// enumeration ends the attributes read so far.
[<RequireQualifiedAccess>]
module internal LogMapping =
    /// The key under which Microsoft.Extensions.Logging keeps the message template: `{OriginalFormat}`.
    [<Literal>]
    let OriginalFormatKey = "{OriginalFormat}"

    /// The severity number of a level: Trace 1, Debug 5, Information 9, Warning 13, Error 17, Critical 21, None 0.
    let severityNumber (level: LogLevel) =
        match level with
        | LogLevel.Trace -> 1
        | LogLevel.Debug -> 5
        | LogLevel.Information -> 9
        | LogLevel.Warning -> 13
        | LogLevel.Error -> 17
        | LogLevel.Critical -> 21
        | _ -> 0

    /// The severity text of a level: `Trace`, `Debug`, `Information`, `Warning`, `Error`, `Critical`; empty for None.
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

        match
            (try
                Some(pairs.GetEnumerator())
             with _ ->
                 None)
        with
        | Some e ->
            use e = e
            loop e []
        | None -> []

    let private attributeOf (pair: KeyValuePair<string, obj>) =
        { Key = pair.Key; Value = TagValue.toAnyValue pair.Value }

    let private templateAttribute (templateValue: string -> AnyValue) (pair: KeyValuePair<string, obj>) =
        match pair.Value with
        | :? string as text -> { Key = pair.Key; Value = templateValue text }
        | _ -> attributeOf pair

    let private templateOf (pair: KeyValuePair<string, obj>) =
        match pair.Value with
        | :? string as text -> Some text
        | _ -> None

    // One pass over the pairs from the end, consing: no enumerator, no intermediate list, no closure; generic so
    // that a struct state is read in place, without boxing. The template's text is null when there is none (or
    // it is not a string).
    /// The attributes and template (or null) of key/value pairs read by index, in place for a struct state;
    /// `([], null)` when the indexer throws.
    let listAttributes<'T when 'T :> IReadOnlyList<KeyValuePair<string, obj>>>
        (templateValue: string -> AnyValue)
        (includeTemplate: bool)
        (pairs: 'T)
        =
        let mutable pairs = pairs

        try
            let mutable acc = []
            let mutable template: string = null
            let mutable i = pairs.Count - 1

            while i >= 0 do
                let pair = pairs[i]

                if String.Equals(pair.Key, OriginalFormatKey) then
                    if includeTemplate then
                        acc <- templateAttribute templateValue pair :: acc

                    template <-
                        match pair.Value with
                        | :? string as text -> text
                        | _ -> null
                elif not (String.IsNullOrEmpty pair.Key) then
                    acc <- attributeOf pair :: acc

                i <- i - 1

            struct (acc, template)
        with _ ->
            // An indexer that throws: the caller falls back to enumeration, which keeps what it reads.
            struct ([], null)

    let private fromSequence templateValue includeTemplate (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        let read = readPairs pairs

        let attributes =
            read
            |> List.filter (fun pair ->
                not (String.IsNullOrEmpty pair.Key)
                && (includeTemplate || pair.Key <> OriginalFormatKey))
            |> List.map (fun pair ->
                if pair.Key = OriginalFormatKey then
                    templateAttribute templateValue pair
                else
                    attributeOf pair)

        let template =
            match
                read
                |> List.tryFind (fun pair -> pair.Key = OriginalFormatKey)
                |> Option.bind templateOf
            with
            | Some text -> text
            | None -> null

        struct (attributes, template)

    let private pairsOf templateValue includeTemplate (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        match pairs with
        | :? IReadOnlyList<KeyValuePair<string, obj>> as list ->
            match listAttributes templateValue includeTemplate list with
            | struct ([], null) when
                (try
                    list.Count > 0
                 with _ ->
                     false)
                ->
                fromSequence templateValue includeTemplate pairs
            | result -> result
        | _ -> fromSequence templateValue includeTemplate pairs

    /// The attributes and template (or null) of key/value pairs read by enumeration, keeping what was read.
    let sequenceAttributes templateValue includeTemplate (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        fromSequence templateValue includeTemplate pairs

    /// `stateAttributes` without the tuple and option (the template's text is null when there is none), with
    /// the template attribute's value made by `templateValue` (the bridge shares one value per template).
    let stateAttributesOf (templateValue: string -> AnyValue) (includeTemplate: bool) (state: obj) =
        match state with
        | :? IEnumerable<KeyValuePair<string, obj>> as pairs -> pairsOf templateValue includeTemplate pairs
        | _ -> struct ([], null)

    // Made once: a union case used as a function value would allocate a closure at each use.
    let private newString: string -> AnyValue = fun text -> AnyValue.String text

    /// The attributes of a logging state: each key/value pair of a `IEnumerable<KeyValuePair<string, obj>>` state
    /// (as `LoggerExtensions`, `LoggerMessage.Define` and the source generator produce) in order, the template
    /// pair `{OriginalFormat}` included in its place only when `includeTemplate`; and the template's text.
    /// Pairs with empty keys are skipped. Any other state gives no attributes.
    let stateAttributes (includeTemplate: bool) (state: obj) =
        let struct (attributes, template) = stateAttributesOf newString includeTemplate state
        attributes, Option.ofObj template

    let private safeText (read: unit -> string) fallback =
        try
            match read () with
            | null -> fallback
            | text -> text
        with _ ->
            fallback

    /// `exception.type` (full type name), `exception.message` and `exception.stacktrace` (`ToString()`, which
    /// includes inner exceptions); empty for null.
    let exceptionAttributes (error: exn) =
        match error with
        | null -> []
        | error ->
            let typeName = error.GetType().FullName

            [
                KeyValue.string "exception.type" typeName
                KeyValue.string "exception.message" (safeText (fun () -> error.Message) "")
                KeyValue.string "exception.stacktrace" (safeText (fun () -> error.ToString()) typeName)
            ]

    /// `event.id` when the id is not 0.
    let eventAttributes (eventId: EventId) =
        if eventId.Id <> 0 then
            [ KeyValue.int "event.id" (int64 eventId.Id) ]
        else
            []

    /// The event name of an EventId: its Name, or empty.
    let eventName (eventId: EventId) =
        match eventId.Name with
        | null -> ""
        | name -> name

    /// Scope values flattened into attributes, outermost first: key/value scopes give their pairs (without the
    /// template); any other non-null scope gives an attribute `scope` with its text.
    let scopeAttributes (scopes: obj list) =
        scopes
        |> List.collect (fun scope ->
            match scope with
            | null -> []
            | :? string as text -> [ KeyValue.string "scope" text ]
            | :? IEnumerable<KeyValuePair<string, obj>> as pairs ->
                let struct (attributes, _) = pairsOf newString false pairs
                attributes
            | other ->
                [
                    KeyValue.string "scope" (safeText (fun () -> other.ToString()) (other.GetType().FullName))
                ])

    /// Calls a formatter without letting it throw: None when it throws or returns null.
    let tryFormat (format: unit -> string) =
        try
            match format () with
            | null -> None
            | text -> Some text
        with _ ->
            None
