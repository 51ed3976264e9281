module Functional.Telemetry.PropertyTests.SpanLimitsProperties

open Expecto
open Xunit
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private distinctKeys (attributes: KeyValue list) = attributes |> List.map (fun a -> a.Key) |> List.distinct

/// True when no string or byte array (also inside arrays) is longer than the limit.
let rec private withinLimit (limit: int option) (value: AnyValue) =
    match limit, value with
    | None, _ -> true
    | Some n, AnyValue.String s -> s.Length <= n
    | Some n, AnyValue.Bytes b -> b.Length <= n
    | Some _, AnyValue.Array(Items items) -> items |> List.forall (withinLimit limit)
    | Some _, _ -> true

/// True when the truncated value is the original with strings and byte arrays cut short (same shape, prefixes).
let rec private isPrefixOf (original: AnyValue) (truncated: AnyValue) =
    match original, truncated with
    | AnyValue.String a, AnyValue.String b -> a.StartsWith(b, System.StringComparison.Ordinal)
    | AnyValue.Bytes a, AnyValue.Bytes b -> b.Length <= a.Length && Array.sub a 0 b.Length = b
    | AnyValue.Array(Items a), AnyValue.Array(Items b) -> a.Length = b.Length && List.forall2 isPrefixOf a b
    | a, b -> a = b

let private lengthLimit = Gen.oneof [ Gen.constant None; Gen.choose (0, 20) |> Gen.map Some ]

let ``truncated values never exceed the length limit and are prefixes of the original`` () =
    Prop.forAll (Arb.fromGen (Gen.zip lengthLimit Arbs.anyValue)) (fun (limit, value) ->
        let truncated = SpanLimits.truncateValue limit value
        withinLimit limit truncated && isPrefixOf value truncated)

let ``truncation is idempotent and keeps values already within the limit`` () =
    Prop.forAll (Arb.fromGen (Gen.zip lengthLimit Arbs.anyValue)) (fun (limit, value) ->
        let once = SpanLimits.truncateValue limit value

        SpanLimits.truncateValue limit once = once
        && (not (withinLimit limit value) || once = value))

let ``limit attributes keeps at most the limit, unique keys in first-seen order, and counts the rest`` () =
    let gen = Gen.zip3 (Gen.choose (0, 10)) lengthLimit Arbs.attributes

    Prop.forAll (Arb.fromGen gen) (fun (countLimit, limit, attributes) ->
        let kept, dropped = SpanLimits.limitAttributes countLimit limit attributes
        let keys = distinctKeys attributes
        let keptKeys = kept |> List.map (fun a -> a.Key)

        kept.Length <= countLimit
        && kept.Length + dropped = keys.Length
        && keptKeys = List.truncate kept.Length keys
        && kept |> List.forall (fun a -> withinLimit limit a.Value))

let ``kept attributes hold the last value given for their key`` () =
    Prop.forAll (Arb.fromGen Arbs.attributes) (fun attributes ->
        let kept, _ = SpanLimits.limitAttributes 1000 None attributes

        kept
        |> List.forall (fun a -> Some a.Value = (attributes |> List.rev |> KeyValue.tryFind a.Key)))

let private spanAndLimits = Arb.fromGen (Gen.zip Arbs.spanLimits Arbs.span)

let ``a limited span never exceeds any of its limits`` () =
    Prop.forAll spanAndLimits (fun (limits, span) ->
        let out = SpanLimits.apply limits span

        let lengthOk (attributes: KeyValue list) =
            attributes
            |> List.forall (fun a -> withinLimit limits.AttributeValueLengthLimit a.Value)

        (ReadOnlyList.toList out.Attributes).Length <= limits.AttributeCountLimit
        && (ReadOnlyList.toList out.Events).Length <= limits.EventCountLimit
        && (ReadOnlyList.toList out.Links).Length <= limits.LinkCountLimit
        && (ReadOnlyList.toList out.Events)
           |> List.forall (fun e -> (ReadOnlyList.toList e.Attributes).Length <= limits.AttributePerEventCountLimit)
        && (ReadOnlyList.toList out.Links)
           |> List.forall (fun l -> (ReadOnlyList.toList l.Attributes).Length <= limits.AttributePerLinkCountLimit)
        && lengthOk (ReadOnlyList.toList out.Attributes)
        && (ReadOnlyList.toList out.Events)
           |> List.forall (fun e -> lengthOk (ReadOnlyList.toList e.Attributes))
        && (ReadOnlyList.toList out.Links)
           |> List.forall (fun l -> lengthOk (ReadOnlyList.toList l.Attributes)))

let ``kept plus newly dropped equals the original count, for every limit`` () =
    Prop.forAll spanAndLimits (fun (limits, span) ->
        let out = SpanLimits.apply limits span

        let eventsAccounted =
            List.zip
                (ReadOnlyList.toList out.Events)
                (List.truncate (ReadOnlyList.toList out.Events).Length (ReadOnlyList.toList span.Events))
            |> List.forall (fun (o, i) ->
                o.Name = i.Name
                && (ReadOnlyList.toList o.Attributes).Length
                   + (o.DroppedAttributes - i.DroppedAttributes) = (distinctKeys (ReadOnlyList.toList i.Attributes))
                    .Length)

        let linksAccounted =
            List.zip
                (ReadOnlyList.toList out.Links)
                (List.truncate (ReadOnlyList.toList out.Links).Length (ReadOnlyList.toList span.Links))
            |> List.forall (fun (o, i) ->
                o.Context = i.Context
                && (ReadOnlyList.toList o.Attributes).Length
                   + (o.DroppedAttributes - i.DroppedAttributes) = (distinctKeys (ReadOnlyList.toList i.Attributes))
                    .Length)

        (ReadOnlyList.toList out.Attributes).Length
        + (out.DroppedAttributes - span.DroppedAttributes) = (distinctKeys (ReadOnlyList.toList span.Attributes))
            .Length
        && (ReadOnlyList.toList out.Events).Length
           + (out.DroppedEvents - span.DroppedEvents) = (ReadOnlyList.toList span.Events).Length
        && (ReadOnlyList.toList out.Links).Length + (out.DroppedLinks - span.DroppedLinks) = (ReadOnlyList.toList
            span.Links)
            .Length
        && eventsAccounted
        && linksAccounted)

let ``limits leave everything but attributes, events, links and dropped counts unchanged`` () =
    Prop.forAll spanAndLimits (fun (limits, span) ->
        let out = SpanLimits.apply limits span

        { out with
            Attributes = (ReadOnlyList.toList span.Attributes)
            Events = (ReadOnlyList.toList span.Events)
            Links = (ReadOnlyList.toList span.Links)
            DroppedAttributes = span.DroppedAttributes
            DroppedEvents = span.DroppedEvents
            DroppedLinks = span.DroppedLinks
        } = span)

let ``applying the same limits twice changes nothing more`` () =
    Prop.forAll spanAndLimits (fun (limits, span) ->
        let once = SpanLimits.apply limits span
        SpanLimits.apply limits once = once)

let ``negative limits are treated as zero and never throw`` () =
    let gen = Gen.zip (Gen.choose (-10, -1)) Arbs.span

    Prop.forAll (Arb.fromGen gen) (fun (negative, span) ->
        let limits =
            {
                AttributeCountLimit = negative
                AttributeValueLengthLimit = Some negative
                EventCountLimit = negative
                LinkCountLimit = negative
                AttributePerEventCountLimit = negative
                AttributePerLinkCountLimit = negative
            }

        let out = SpanLimits.apply limits span

        (ReadOnlyList.toList out.Attributes).IsEmpty
        && (ReadOnlyList.toList out.Events).IsEmpty
        && (ReadOnlyList.toList out.Links).IsEmpty)

[<Tests>]
let tests =
    testList
        "SpanLimitsProperties"
        [
            testPropertyWithConfig
                Check.config
                "truncated values never exceed the length limit and are prefixes of the original"
                (``truncated values never exceed the length limit and are prefixes of the original`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "truncation is idempotent and keeps values already within the limit"
                (``truncation is idempotent and keeps values already within the limit`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "limit attributes keeps at most the limit, unique keys in first-seen order, and counts the rest"
                (``limit attributes keeps at most the limit, unique keys in first-seen order, and counts the rest`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "kept attributes hold the last value given for their key"
                (``kept attributes hold the last value given for their key`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "a limited span never exceeds any of its limits"
                (``a limited span never exceeds any of its limits`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "kept plus newly dropped equals the original count, for every limit"
                (``kept plus newly dropped equals the original count, for every limit`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "limits leave everything but attributes, events, links and dropped counts unchanged"
                (``limits leave everything but attributes, events, links and dropped counts unchanged`` ()
                : FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "applying the same limits twice changes nothing more"
                (``applying the same limits twice changes nothing more`` (): FsCheck.Property)
            testPropertyWithConfig
                Check.config
                "negative limits are treated as zero and never throw"
                (``negative limits are treated as zero and never throw`` (): FsCheck.Property)
        ]
