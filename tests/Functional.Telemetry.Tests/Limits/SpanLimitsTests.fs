module Functional.Telemetry.Tests.SpanLimitsTests

open Expecto
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

let private ctx =
    {
        TraceId = TraceId(1UL, 2UL)
        SpanId = SpanId 3UL
        TraceFlags = TraceFlags.Sampled
        TraceState = TraceState.Empty
        IsRemote = false
    }

let private span =
    {
        Context = ctx
        ParentSpanId = SpanId.Empty
        ParentIsRemote = false
        Name = "span"
        Kind = SpanKind.Internal
        StartTime = 0L
        EndTime = 1L
        Attributes = []
        Events = []
        Links = []
        Status = Status.Unset
        DroppedAttributes = 0
        DroppedEvents = 0
        DroppedLinks = 0
        Scope = InstrumentationScope.Named "test"
    }

let private ints prefix n = [ for i in 1..n -> KeyValue.int $"{prefix}{i}" (int64 i) ]

let private event name attributes =
    {
        Name = name
        Timestamp = 0L
        Attributes = attributes
        DroppedAttributes = 0
    }

let private link (spanId: uint64) attributes =
    {
        Context = { ctx with SpanId = SpanId spanId }
        Attributes = attributes
        DroppedAttributes = 0
    }

let ``defaults are 128 everywhere and no length limit`` () =
    let limits, warnings = SpanLimits.fromEnvironment (Env.ofList [])
    Assert.Empty warnings
    Assert.Equal(SpanLimits.defaults, limits)
    Assert.Equal(128, limits.AttributeCountLimit)
    Assert.Equal(None, limits.AttributeValueLengthLimit)
    Assert.Equal(128, limits.EventCountLimit)
    Assert.Equal(128, limits.LinkCountLimit)
    Assert.Equal(128, limits.AttributePerEventCountLimit)
    Assert.Equal(128, limits.AttributePerLinkCountLimit)

let ``every variable is read`` () =
    let limits, warnings =
        SpanLimits.fromEnvironment (
            Env.ofList
                [
                    "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "10"
                    "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "20"
                    "OTEL_SPAN_EVENT_COUNT_LIMIT", "30"
                    "OTEL_SPAN_LINK_COUNT_LIMIT", "40"
                    "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "50"
                    "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "0"
                ]
        )

    Assert.Empty warnings

    Assert.Equal(
        {
            AttributeCountLimit = 10
            AttributeValueLengthLimit = Some 20
            EventCountLimit = 30
            LinkCountLimit = 40
            AttributePerEventCountLimit = 50
            AttributePerLinkCountLimit = 0
        },
        limits
    )

let ``general attribute limits apply when the span ones are unset`` () =
    let limits, warnings =
        SpanLimits.fromEnvironment (
            Env.ofList [ "OTEL_ATTRIBUTE_COUNT_LIMIT", "7"; "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "8" ]
        )

    Assert.Empty warnings
    Assert.Equal(7, limits.AttributeCountLimit)
    Assert.Equal(Some 8, limits.AttributeValueLengthLimit)

let ``span attribute limits win over the general ones`` () =
    let limits, _ =
        SpanLimits.fromEnvironment (
            Env.ofList
                [
                    "OTEL_ATTRIBUTE_COUNT_LIMIT", "7"
                    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "8"
                    "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "3"
                    "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "4"
                ]
        )

    Assert.Equal(3, limits.AttributeCountLimit)
    Assert.Equal(Some 4, limits.AttributeValueLengthLimit)

let ``invalid values keep the default or fall back, with a warning each`` () =
    let limits, warnings =
        SpanLimits.fromEnvironment (
            Env.ofList
                [
                    "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "-1"
                    "OTEL_ATTRIBUTE_COUNT_LIMIT", "9"
                    "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "long"
                    "OTEL_SPAN_EVENT_COUNT_LIMIT", "many"
                    "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "-3"
                ]
        )

    Assert.Equal(9, limits.AttributeCountLimit)
    Assert.Equal(None, limits.AttributeValueLengthLimit)
    Assert.Equal(128, limits.EventCountLimit)
    Assert.Equal(128, limits.AttributePerLinkCountLimit)

    Assert.Equal<string list>(
        [
            "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT"
            "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT"
            "OTEL_SPAN_EVENT_COUNT_LIMIT"
            "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT"
        ],
        warnings |> List.map (fun w -> w.Source)
    )

let ``strings are truncated to the limit`` () =
    Assert.Equal(AnyValue.String "abc", SpanLimits.truncateValue (Some 3) (AnyValue.String "abcdef"))
    Assert.Equal(AnyValue.String "ab", SpanLimits.truncateValue (Some 3) (AnyValue.String "ab"))
    Assert.Equal(AnyValue.String "", SpanLimits.truncateValue (Some 0) (AnyValue.String "ab"))
    Assert.Equal(AnyValue.String "abcdef", SpanLimits.truncateValue None (AnyValue.String "abcdef"))

let ``a surrogate pair is never cut in half`` () =
    // "a" then U+1F600 (two UTF-16 units): a limit of 2 would split the pair, so only "a" stays.
    Assert.Equal(AnyValue.String "a", SpanLimits.truncateValue (Some 2) (AnyValue.String "a\U0001F600"))
    Assert.Equal(AnyValue.String "a\U0001F600", SpanLimits.truncateValue (Some 3) (AnyValue.String "a\U0001F600b"))

let ``bytes and arrays of strings and bytes are truncated element by element`` () =
    Assert.Equal(AnyValue.Bytes [| 1uy; 2uy |], SpanLimits.truncateValue (Some 2) (AnyValue.Bytes [| 1uy; 2uy; 3uy |]))

    let array =
        AnyValue.Array
            [
                AnyValue.String "hello"
                AnyValue.String "hi"
                AnyValue.Bytes [| 1uy; 2uy; 3uy; 4uy |]
                AnyValue.Int 123456L
            ]

    Assert.Equal(
        AnyValue.Array
            [
                AnyValue.String "hel"
                AnyValue.String "hi"
                AnyValue.Bytes [| 1uy; 2uy; 3uy |]
                AnyValue.Int 123456L
            ],
        SpanLimits.truncateValue (Some 3) array
    )

let ``other values are unchanged`` () =
    for value in
        [
            AnyValue.Int 1234567L
            AnyValue.Bool true
            AnyValue.Double 1.23456
            AnyValue.Empty
        ] do
        Assert.Equal(value, SpanLimits.truncateValue (Some 1) value)

let ``duplicate keys keep the first position and the last value, and are not counted as dropped`` () =
    let attributes =
        [
            KeyValue.int "a" 1L
            KeyValue.int "b" 2L
            KeyValue.int "a" 3L
            KeyValue.int "c" 4L
        ]

    let kept, dropped = SpanLimits.limitAttributes 10 None attributes
    Assert.Equal<KeyValue list>([ KeyValue.int "a" 3L; KeyValue.int "b" 2L; KeyValue.int "c" 4L ], kept)
    Assert.Equal(0, dropped)

    let kept, dropped = SpanLimits.limitAttributes 2 None attributes
    Assert.Equal<KeyValue list>([ KeyValue.int "a" 3L; KeyValue.int "b" 2L ], kept)
    Assert.Equal(1, dropped)

let ``limit attributes keeps the first ones and truncates their values`` () =
    let attributes =
        [
            KeyValue.string "a" "aaaa"
            KeyValue.string "b" "bb"
            KeyValue.string "c" "cccc"
        ]

    let kept, dropped = SpanLimits.limitAttributes 2 (Some 3) attributes
    Assert.Equal<KeyValue list>([ KeyValue.string "a" "aaa"; KeyValue.string "b" "bb" ], kept)
    Assert.Equal(1, dropped)

    let kept, dropped = SpanLimits.limitAttributes 0 None attributes
    Assert.Empty kept
    Assert.Equal(3, dropped)

let ``apply limits span attributes, events and links and adds to existing dropped counts`` () =
    let limits =
        {
            AttributeCountLimit = 2
            AttributeValueLengthLimit = Some 2
            EventCountLimit = 1
            LinkCountLimit = 2
            AttributePerEventCountLimit = 1
            AttributePerLinkCountLimit = 3
        }

    let input =
        { span with
            Attributes = KeyValue.string "s" "long" :: ints "k" 4
            Events =
                [
                    { event "first" (ints "e" 3) with DroppedAttributes = 5 }
                    event "second" []
                    event "third" []
                ]
            Links =
                [
                    link 10UL (ints "l" 5)
                    link 11UL [ KeyValue.string "x" "xyz" ]
                    link 12UL []
                ]
            DroppedAttributes = 1
            DroppedEvents = 2
            DroppedLinks = 3
        }

    let output = SpanLimits.apply limits input

    Assert.Equal<KeyValue list>(
        [ KeyValue.string "s" "lo"; KeyValue.int "k1" 1L ],
        (ReadOnlyList.toList output.Attributes)
    )

    Assert.Equal(1 + 3, output.DroppedAttributes)
    Assert.Equal(2 + 2, output.DroppedEvents)
    Assert.Equal(3 + 1, output.DroppedLinks)

    let first = Assert.Single(ReadOnlyList.toList output.Events)
    Assert.Equal("first", first.Name)
    Assert.Equal<KeyValue list>([ KeyValue.int "e1" 1L ], (ReadOnlyList.toList first.Attributes))
    Assert.Equal(5 + 2, first.DroppedAttributes)

    match (ReadOnlyList.toList output.Links) with
    | [ l1; l2 ] ->
        Assert.Equal(SpanId 10UL, l1.Context.SpanId)
        Assert.Equal<KeyValue list>(ints "l" 3, (ReadOnlyList.toList l1.Attributes))
        Assert.Equal(2, l1.DroppedAttributes)
        Assert.Equal<KeyValue list>([ KeyValue.string "x" "xy" ], (ReadOnlyList.toList l2.Attributes))
        Assert.Equal(0, l2.DroppedAttributes)
    | other -> failwith $"expected two links, got {List.length other}"

let ``apply with default limits leaves a small span unchanged`` () =
    let input =
        { span with
            Attributes = ints "k" 3
            Events = [ event "e" (ints "a" 2) ]
            Links = [ link 5UL (ints "b" 2) ]
        }

    Assert.Equal(input, SpanLimits.apply SpanLimits.defaults input)

let ``validate accepts the defaults and names each negative limit`` () =
    Assert.Equal(Ok SpanLimits.defaults, SpanLimits.validate SpanLimits.defaults)
    let d = SpanLimits.defaults
    rejects "AttributeCountLimit" (SpanLimits.validate { d with AttributeCountLimit = -1 })
    rejects "AttributeValueLengthLimit" (SpanLimits.validate { d with AttributeValueLengthLimit = Some -1 })
    rejects "EventCountLimit" (SpanLimits.validate { d with EventCountLimit = -1 })
    rejects "LinkCountLimit" (SpanLimits.validate { d with LinkCountLimit = -1 })
    rejects "AttributePerEventCountLimit" (SpanLimits.validate { d with AttributePerEventCountLimit = -1 })
    rejects "AttributePerLinkCountLimit" (SpanLimits.validate { d with AttributePerLinkCountLimit = -1 })

[<Tests>]
let tests =
    testList
        "SpanLimitsTests"
        [
            test "defaults are 128 everywhere and no length limit" {
                ``defaults are 128 everywhere and no length limit`` ()
            }
            test "every variable is read" { ``every variable is read`` () }
            test "general attribute limits apply when the span ones are unset" {
                ``general attribute limits apply when the span ones are unset`` ()
            }
            test "span attribute limits win over the general ones" {
                ``span attribute limits win over the general ones`` ()
            }
            test "invalid values keep the default or fall back, with a warning each" {
                ``invalid values keep the default or fall back, with a warning each`` ()
            }
            test "strings are truncated to the limit" { ``strings are truncated to the limit`` () }
            test "a surrogate pair is never cut in half" { ``a surrogate pair is never cut in half`` () }
            test "bytes and arrays of strings and bytes are truncated element by element" {
                ``bytes and arrays of strings and bytes are truncated element by element`` ()
            }
            test "other values are unchanged" { ``other values are unchanged`` () }
            test "duplicate keys keep the first position and the last value, and are not counted as dropped" {
                ``duplicate keys keep the first position and the last value, and are not counted as dropped`` ()
            }
            test "limit attributes keeps the first ones and truncates their values" {
                ``limit attributes keeps the first ones and truncates their values`` ()
            }
            test "apply limits span attributes, events and links and adds to existing dropped counts" {
                ``apply limits span attributes, events and links and adds to existing dropped counts`` ()
            }
            test "apply with default limits leaves a small span unchanged" {
                ``apply with default limits leaves a small span unchanged`` ()
            }
            test "validate accepts the defaults and names each negative limit" {
                ``validate accepts the defaults and names each negative limit`` ()
            }
        ]
