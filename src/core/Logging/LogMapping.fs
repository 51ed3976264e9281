namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Threading
open Microsoft.Extensions.Logging

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

    /// One shared `AnyValue.String` per template string instance (templates are usually literals, the same
    /// instance on every call): a small direct-mapped table of immutable entries, safe to read and replace from
    /// any thread (a torn read cannot happen, a lost write only costs a later miss).
    [<Sealed; AllowNullLiteral>]
    type private TemplateValue(text: string, value: AnyValue) =
        member _.Text = text
        member _.Value = value

    let private templateValues: TemplateValue array = Array.zeroCreate 256

    let private templateValue (text: string) =
        let slot = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode text &&& 255
        let entry = Volatile.Read(&templateValues[slot])

        if not (isNull entry) && Object.ReferenceEquals(entry.Text, text) then
            entry.Value
        else
            let value = AnyValue.String text
            Volatile.Write(&templateValues[slot], TemplateValue(text, value))
            value

    let private attributeOf (pair: KeyValuePair<string, obj>) =
        {
            Key = pair.Key
            Value = ActivityConversion.toAnyValue pair.Value
        }

    let private templateAttribute (pair: KeyValuePair<string, obj>) =
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
    let internal listAttributes<'T when 'T :> IReadOnlyList<KeyValuePair<string, obj>>>
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
                        acc <- templateAttribute pair :: acc

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

    let private fromSequence includeTemplate (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        let read = readPairs pairs

        let attributes =
            read
            |> List.filter (fun pair ->
                not (String.IsNullOrEmpty pair.Key)
                && (includeTemplate || pair.Key <> OriginalFormatKey))
            |> List.map (fun pair ->
                if pair.Key = OriginalFormatKey then
                    templateAttribute pair
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

    let private pairsOf includeTemplate (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        match pairs with
        | :? IReadOnlyList<KeyValuePair<string, obj>> as list ->
            match listAttributes includeTemplate list with
            | struct ([], null) when
                (try
                    list.Count > 0
                 with _ ->
                     false)
                ->
                fromSequence includeTemplate pairs
            | result -> result
        | _ -> fromSequence includeTemplate pairs

    let internal sequenceAttributes includeTemplate (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        fromSequence includeTemplate pairs

    let internal stateAttributesOf (includeTemplate: bool) (state: obj) =
        match state with
        | :? IEnumerable<KeyValuePair<string, obj>> as pairs -> pairsOf includeTemplate pairs
        | _ -> struct ([], null)

    let internal templateBody (template: string) = templateValue template

    [<CompiledName("StateAttributes")>]
    let stateAttributes (includeTemplate: bool) (state: obj) =
        let struct (attributes, template) = stateAttributesOf includeTemplate state
        attributes, Option.ofObj template

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
                KeyValue.string "exception.type" typeName
                KeyValue.string "exception.message" (safeText (fun () -> error.Message) "")
                KeyValue.string "exception.stacktrace" (safeText (fun () -> error.ToString()) typeName)
            ]

    [<CompiledName("EventAttributes")>]
    let eventAttributes (eventId: EventId) =
        if eventId.Id <> 0 then
            [ KeyValue.int "event.id" (int64 eventId.Id) ]
        else
            []

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
            | :? string as text -> [ KeyValue.string "scope" text ]
            | :? IEnumerable<KeyValuePair<string, obj>> as pairs ->
                let struct (attributes, _) = pairsOf false pairs
                attributes
            | other ->
                [
                    KeyValue.string "scope" (safeText (fun () -> other.ToString()) (other.GetType().FullName))
                ])

    [<CompiledName("TryFormat")>]
    let tryFormat (format: unit -> string) =
        try
            match format () with
            | null -> None
            | text -> Some text
        with _ ->
            None
