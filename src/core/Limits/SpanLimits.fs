namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Globalization

type SpanLimits =
    {
        AttributeCountLimit: int
        AttributeValueLengthLimit: int option
        EventCountLimit: int
        LinkCountLimit: int
        AttributePerEventCountLimit: int
        AttributePerLinkCountLimit: int
    }

[<RequireQualifiedAccess>]
module SpanLimits =
    [<CompiledName("Default")>]
    let defaults =
        {
            AttributeCountLimit = 128
            AttributeValueLengthLimit = None
            EventCountLimit = 128
            LinkCountLimit = 128
            AttributePerEventCountLimit = 128
            AttributePerLinkCountLimit = 128
        }

    let private nonNegative v = v >= 0

    // None when unset or invalid (invalid with a warning), so a fallback variable can take over.
    let private readOptional (lookup: EnvLookup) name =
        match lookup name with
        | None -> None, []
        | Some text ->
            match Int32.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
            | true, v when nonNegative v -> Some v, []
            | _ ->
                None,
                [
                    {
                        Source = name
                        Message = "not a non-negative integer; ignored"
                    }
                ]

    // The specific variable wins over the general one; both missing or invalid gives None.
    let private readWithFallback lookup specific general =
        let specificValue, w1 = readOptional lookup specific
        let generalValue, w2 = readOptional lookup general
        Option.orElse generalValue specificValue, w1 @ w2

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        let count name = Env.readInt lookup name nonNegative 128

        let attributeCount, w1 =
            readWithFallback lookup "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT" "OTEL_ATTRIBUTE_COUNT_LIMIT"

        let valueLength, w2 =
            readWithFallback lookup "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT" "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"

        let events, w3 = count "OTEL_SPAN_EVENT_COUNT_LIMIT"
        let links, w4 = count "OTEL_SPAN_LINK_COUNT_LIMIT"
        let perEvent, w5 = count "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT"
        let perLink, w6 = count "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT"

        {
            AttributeCountLimit = defaultArg attributeCount defaults.AttributeCountLimit
            AttributeValueLengthLimit = valueLength
            EventCountLimit = events
            LinkCountLimit = links
            AttributePerEventCountLimit = perEvent
            AttributePerLinkCountLimit = perLink
        },
        w1 @ w2 @ w3 @ w4 @ w5 @ w6

    let private notNegative (value: int) setting =
        Validation.check (value >= 0) setting $"must not be negative, got {value}."

    [<CompiledName("Validate")>]
    let validate (limits: SpanLimits) =
        [
            notNegative limits.AttributeCountLimit (nameof limits.AttributeCountLimit)
            match limits.AttributeValueLengthLimit with
            | Some length -> notNegative length (nameof limits.AttributeValueLengthLimit)
            | None -> []
            notNegative limits.EventCountLimit (nameof limits.EventCountLimit)
            notNegative limits.LinkCountLimit (nameof limits.LinkCountLimit)
            notNegative limits.AttributePerEventCountLimit (nameof limits.AttributePerEventCountLimit)
            notNegative limits.AttributePerLinkCountLimit (nameof limits.AttributePerLinkCountLimit)
        ]
        |> List.concat
        |> Validation.ofErrors limits

    // Cutting between the halves of a surrogate pair would leave an unpaired surrogate, which is not
    // valid UTF-16 and cannot be encoded as UTF-8 on export; cut before the pair instead.
    let private truncateString limit (s: string) =
        if s.Length <= limit then
            s
        elif limit > 0 && Char.IsHighSurrogate s[limit - 1] then
            s.Substring(0, limit - 1)
        else
            s.Substring(0, limit)

    [<CompiledName("TruncateValue")>]
    let rec truncateValue (lengthLimit: int option) (value: AnyValue) =
        match lengthLimit with
        | None -> value
        | Some limit ->
            let limit = max 0 limit

            match value with
            | AnyValue.String s when s.Length > limit -> AnyValue.String(truncateString limit s)
            | AnyValue.Bytes b when b.Length > limit -> AnyValue.Bytes(Array.sub b 0 limit)
            | AnyValue.Array items -> AnyValue.Array(items |> ReadOnlyList.map (truncateValue lengthLimit))
            | other -> other

    [<CompiledName("LimitAttributes")>]
    let limitAttributes (countLimit: int) (lengthLimit: int option) (attributes: KeyValue list) =
        let unique = KeyValue.dedupe attributes
        let total = List.length unique
        let keep = min total (max 0 countLimit)

        let kept =
            unique
            |> List.truncate keep
            |> List.map (fun a ->
                match lengthLimit with
                | None -> a
                | Some _ -> KeyValue.create a.Key (truncateValue lengthLimit a.Value))

        kept, total - keep

    // Keeps the first `limit` items; returns them and how many were cut.
    let private takeFirst limit items =
        let total = List.length items
        let keep = min total (max 0 limit)
        List.truncate keep items, total - keep

    let private applyLimits (limits: SpanLimits) (span: Span) =
        let lengthLimit = limits.AttributeValueLengthLimit

        let attributes, droppedAttributes =
            limitAttributes limits.AttributeCountLimit lengthLimit (ReadOnlyList.toList span.Attributes)

        let events, droppedEvents = takeFirst limits.EventCountLimit (ReadOnlyList.toList span.Events)
        let links, droppedLinks = takeFirst limits.LinkCountLimit (ReadOnlyList.toList span.Links)

        let limitEvent (event: SpanEvent) =
            let kept, dropped =
                limitAttributes limits.AttributePerEventCountLimit lengthLimit (ReadOnlyList.toList event.Attributes)

            { event with
                Attributes = kept
                DroppedAttributes = event.DroppedAttributes + dropped
            }

        let limitLink (link: SpanLink) =
            let kept, dropped =
                limitAttributes limits.AttributePerLinkCountLimit lengthLimit (ReadOnlyList.toList link.Attributes)

            { link with
                Attributes = kept
                DroppedAttributes = link.DroppedAttributes + dropped
            }

        { span with
            Attributes = attributes
            Events = events |> List.map limitEvent
            Links = links |> List.map limitLink
            DroppedAttributes = span.DroppedAttributes + droppedAttributes
            DroppedEvents = span.DroppedEvents + droppedEvents
            DroppedLinks = span.DroppedLinks + droppedLinks
        }

    // The allocation-free check that lets the common span (under every limit) pass through untouched.
    let rec private hasKey (key: string) (attributes: KeyValue list) =
        match attributes with
        | [] -> false
        | a :: rest -> String.Equals(a.Key, key, StringComparison.Ordinal) || hasKey key rest

    let rec private valueFits (limit: int) (value: AnyValue) =
        match value with
        | AnyValue.String s -> s.Length <= limit
        | AnyValue.Bytes b -> b.Length <= limit
        | AnyValue.Array items -> Seq.forall (valueFits limit) items
        | _ -> true

    let rec private attributesFit (remaining: int) (lengthLimit: int option) (attributes: KeyValue list) =
        match attributes with
        | [] -> true
        | a :: rest ->
            remaining > 0
            && not (hasKey a.Key rest)
            && (match lengthLimit with
                | None -> true
                | Some limit -> valueFits (max 0 limit) a.Value)
            && attributesFit (remaining - 1) lengthLimit rest

    let rec private fitsCount (remaining: int) (items: 'T list) =
        match items with
        | [] -> true
        | _ :: rest -> remaining > 0 && fitsCount (remaining - 1) rest

    let rec private eventsFit (countLimit: int) (lengthLimit: int option) (events: SpanEvent list) =
        match events with
        | [] -> true
        | e :: rest ->
            attributesFit countLimit lengthLimit (ReadOnlyList.toList e.Attributes)
            && eventsFit countLimit lengthLimit rest

    let rec private linksFit (countLimit: int) (lengthLimit: int option) (links: SpanLink list) =
        match links with
        | [] -> true
        | l :: rest ->
            attributesFit countLimit lengthLimit (ReadOnlyList.toList l.Attributes)
            && linksFit countLimit lengthLimit rest

    let private withinLimits (limits: SpanLimits) (span: Span) =
        let lengthLimit = limits.AttributeValueLengthLimit

        attributesFit limits.AttributeCountLimit lengthLimit (ReadOnlyList.toList span.Attributes)
        && fitsCount limits.EventCountLimit (ReadOnlyList.toList span.Events)
        && fitsCount limits.LinkCountLimit (ReadOnlyList.toList span.Links)
        && eventsFit limits.AttributePerEventCountLimit lengthLimit (ReadOnlyList.toList span.Events)
        && linksFit limits.AttributePerLinkCountLimit lengthLimit (ReadOnlyList.toList span.Links)

    [<CompiledName("Apply")>]
    let apply (limits: SpanLimits) (span: Span) =
        if withinLimits limits span then
            span
        else
            applyLimits limits span
