/// The Zipkin JSON v2 mapping (specification/trace/sdk_exporters/zipkin.md), one rule per test: spans are encoded
/// and the JSON read back with System.Text.Json.
module Functional.Telemetry.Tests.ZipkinJsonTests

open Expecto
open System
open System.Buffers
open System.Text.Json.Nodes
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private resource =
    Resource.create
        [
            KeyValue.string "service.name" "checkout"
            KeyValue.string "service.namespace" "shop"
        ]

let private span =
    {
        Context =
            {
                TraceId = TraceId(0x0102030405060708UL, 0x090a0b0c0d0e0f10UL)
                SpanId = SpanId 0x1112131415161718UL
                TraceFlags = TraceFlags.Sampled
                TraceState = TraceState.Empty
                IsRemote = false
            }
        ParentSpanId = SpanId 0x2122232425262728UL
        ParentIsRemote = false
        Name = "GET /cart"
        Kind = SpanKind.Server
        StartTime = 1_700_000_000_123_456_789L
        EndTime = 1_700_000_000_125_000_000L
        Attributes = []
        Events = []
        Links = []
        Status = Status.Unset
        DroppedAttributes = 0
        DroppedEvents = 0
        DroppedLinks = 0
        Scope = InstrumentationScope.Named "Shop.Cart"
    }

let private encodeWith (resource: Resource) (spans: Span list) =
    let buffer = ArrayBufferWriter<byte>()
    ZipkinJson.writeSpans "unknown_service:test" resource (Array.ofList spans) buffer
    JsonNode.Parse(buffer.WrittenSpan) :?> JsonArray

let private encode (s: Span) = (encodeWith resource [ s ]).[0] :?> JsonObject

let private str (node: JsonNode) = node.GetValue<string>()

let private tag (o: JsonObject) (key: string) =
    match o.["tags"] with
    | null -> None
    | tags ->
        match tags.[key] with
        | null -> None
        | value -> Some(str value)

let private keys (o: JsonObject) = o |> Seq.map (fun p -> p.Key) |> Set.ofSeq

let ``ids are lower hex, 32 and 16 characters; a root span has no parentId`` () =
    let o = encode span
    Assert.Equal("0102030405060708090a0b0c0d0e0f10", str o.["traceId"])
    Assert.Equal("1112131415161718", str o.["id"])
    Assert.Equal("2122232425262728", str o.["parentId"])
    let root = encode { span with ParentSpanId = SpanId.Empty }
    Assert.False(root.ContainsKey "parentId")

let ``times are whole microseconds, truncated; a duration under 1 us is 1 (Zipkin's minimum)`` () =
    let o = encode span
    Assert.Equal(1_700_000_000_123_456L, o.["timestamp"].GetValue<int64>())
    // 125_000 - 123_456 us (the start's 789 ns are cut before subtracting)
    Assert.Equal(1544L, o.["duration"].GetValue<int64>())

    let instant = encode { span with EndTime = span.StartTime + 500L }

    Assert.Equal(1L, instant.["duration"].GetValue<int64>())

let ``kinds map to CLIENT, SERVER, PRODUCER, CONSUMER; INTERNAL has no kind`` () =
    for kind, expected in
        [
            SpanKind.Client, "CLIENT"
            SpanKind.Server, "SERVER"
            SpanKind.Producer, "PRODUCER"
            SpanKind.Consumer, "CONSUMER"
        ] do
        Assert.Equal(expected, str (encode { span with Kind = kind }).["kind"])

    Assert.False((encode { span with Kind = SpanKind.Internal }).ContainsKey "kind")

let ``the local endpoint is the resource's service.name (not service.namespace, which stays out), else the fallback``
    ()
    =
    let o = encode span
    Assert.Equal<Set<string>>(set [ "serviceName" ], keys (o.["localEndpoint"] :?> JsonObject))
    Assert.Equal("checkout", str o.["localEndpoint"].["serviceName"])
    let unnamed = (encodeWith Resource.empty [ span ]).[0]
    Assert.Equal("unknown_service:test", str unnamed.["localEndpoint"].["serviceName"])

let ``fields without a value are omitted: no annotations, no tags, no remote endpoint, never debug or shared`` () =
    let o = encode { span with Scope = InstrumentationScope.Named "" }

    Assert.Equal<Set<string>>(
        set
            [
                "traceId"
                "parentId"
                "id"
                "kind"
                "name"
                "timestamp"
                "duration"
                "localEndpoint"
            ],
        keys o
    )

let private client attributes =
    encode
        { span with
            Kind = SpanKind.Client
            Attributes = attributes
        }

let private remote (o: JsonObject) =
    match o.["remoteEndpoint"] with
    | null -> None
    | endpoint -> Some(endpoint.ToJsonString())

let ``the remote endpoint follows the specification's ranking`` () =
    let all =
        [
            KeyValue.string "db.name" "orders"
            KeyValue.string "peer.address" "10.0.0.9"
            KeyValue.string "peer.hostname" "legacy-host"
            KeyValue.string "net.sock.peer.addr" "10.0.0.8"
            KeyValue.string "net.sock.peer.name" "sock-host"
            KeyValue.string "server.socket.address" "10.0.0.7"
            KeyValue.string "server.socket.domain" "socket-domain"
            KeyValue.string "network.peer.address" "10.0.0.6"
            KeyValue.string "net.peer.name" "net-peer"
            KeyValue.string "server.address" "api.example.com"
            KeyValue.string "peer.service" "payments"
        ]

    // Dropping the best one each time shows the next rank.
    let expected =
        [
            """{"serviceName":"payments"}"""
            """{"serviceName":"api.example.com"}"""
            """{"serviceName":"net-peer"}"""
            """{"ipv4":"10.0.0.6"}"""
            """{"serviceName":"socket-domain"}"""
            """{"ipv4":"10.0.0.7"}"""
            """{"serviceName":"sock-host"}"""
            """{"ipv4":"10.0.0.8"}"""
            """{"serviceName":"legacy-host"}"""
            """{"ipv4":"10.0.0.9"}"""
            """{"serviceName":"orders"}"""
        ]

    for dropped, wanted in List.indexed expected do
        let attributes = all |> List.take (all.Length - dropped)
        Assert.Equal(Some wanted, remote (client attributes))

    Assert.Equal(None, remote (client []))

let ``an address attribute takes its port along; addresses fill ipv4 or ipv6, names serviceName`` () =
    let endpoint attributes = remote (client attributes)

    Assert.Equal(
        Some """{"ipv4":"192.168.1.2","port":5432}""",
        endpoint
            [
                KeyValue.string "network.peer.address" "192.168.1.2"
                KeyValue.int "network.peer.port" 5432L
            ]
    )

    Assert.Equal(
        Some """{"ipv6":"2001:db8::c001","port":443}""",
        endpoint
            [
                KeyValue.string "server.socket.address" "2001:db8::c001"
                KeyValue.string "server.socket.port" "443"
            ]
    )

    Assert.Equal(
        Some """{"ipv4":"10.1.2.3","port":9000}""",
        endpoint
            [
                KeyValue.string "net.sock.peer.addr" "::ffff:10.1.2.3"
                KeyValue.int "net.sock.peer.port" 9000L
            ]
    )

    Assert.Equal(
        Some """{"serviceName":"/var/run/app.sock"}""",
        endpoint
            [
                KeyValue.string "network.peer.address" "/var/run/app.sock"
                KeyValue.int "network.peer.port" 0L
            ]
    )

    Assert.Equal(Some """{"ipv4":"127.0.0.1"}""", endpoint [ KeyValue.string "server.address" "127.0.0.1" ])
    Assert.Equal(Some """{"ipv6":"::1"}""", endpoint [ KeyValue.string "server.address" "[::1]" ])
    // A number alone is a name, not the short IPv4 form IPAddress would read.
    Assert.Equal(Some """{"serviceName":"1234"}""", endpoint [ KeyValue.string "server.address" "1234" ])
    // Blank or non-string values are skipped.
    Assert.Equal(
        Some """{"serviceName":"next"}""",
        endpoint
            [
                KeyValue.string "peer.service" " "
                KeyValue.int "server.address" 7L
                KeyValue.string "net.peer.name" "next"
            ]
    )

let ``only CLIENT and PRODUCER spans have a remote endpoint`` () =
    let attributes = [ KeyValue.string "peer.service" "payments" ]

    for kind in [ SpanKind.Client; SpanKind.Producer ] do
        Assert.True((encode { span with Kind = kind; Attributes = attributes }).ContainsKey "remoteEndpoint")

    for kind in [ SpanKind.Server; SpanKind.Consumer; SpanKind.Internal ] do
        Assert.False((encode { span with Kind = kind; Attributes = attributes }).ContainsKey "remoteEndpoint")

let ``status: UNSET writes nothing, OK otel.status_code only, ERROR otel.status_code and error with the description``
    ()
    =
    let attributes = [ KeyValue.bool "error" false; KeyValue.string "otel.status_code" "ERROR" ]
    let unset = encode { span with Attributes = attributes }
    Assert.Equal(None, tag unset "otel.status_code")
    // The boolean error the specification says to remove, and a status_code attribute the status owns.
    Assert.Equal(None, tag unset "error")
    let ok = encode { span with Status = Status.Ok; Attributes = attributes }
    Assert.Equal(Some "OK", tag ok "otel.status_code")
    Assert.Equal(None, tag ok "error")
    let failed = encode { span with Status = Status.Error "card declined" }
    Assert.Equal(Some "ERROR", tag failed "otel.status_code")
    Assert.Equal(Some "card declined", tag failed "error")
    let bare = encode { span with Status = Status.Error "" }
    Assert.Equal(Some "", tag bare "error")

let ``attribute values become strings: invariant numbers, lower-case booleans, JSON arrays and maps, base64 bytes`` () =
    let o =
        encode
            { span with
                Attributes =
                    [
                        KeyValue.string "s" "plain \"text\" ü"
                        KeyValue.bool "t" true
                        KeyValue.bool "f" false
                        KeyValue.int "i" -42L
                        KeyValue.double "d" 1234.5
                        KeyValue.double "big" 1e21
                        KeyValue.double "nan" nan
                        KeyValue.double "inf" infinity
                        KeyValue.double "ninf" -infinity
                        KeyValue.create "bytes" (AnyValue.Bytes [| 1uy; 2uy; 255uy |])
                        KeyValue.create "strings" (AnyValue.Array [ AnyValue.String "a"; AnyValue.String "b\"" ])
                        KeyValue.create "longs" (AnyValue.Array [ AnyValue.Int 1L; AnyValue.Int -2L ])
                        KeyValue.create "doubles" (AnyValue.Array [ AnyValue.Double 1.5; AnyValue.Double nan ])
                        KeyValue.create "bools" (AnyValue.Array [ AnyValue.Bool true; AnyValue.Bool false ])
                        KeyValue.create "empty" AnyValue.Empty
                        KeyValue.create "emptyArray" (AnyValue.Array [])
                        KeyValue.create "map" (AnyValue.Map [ KeyValue.int "n" 1L; KeyValue.create "z" AnyValue.Empty ])
                    ]
            }

    let expected =
        [
            "s", "plain \"text\" ü"
            "t", "true"
            "f", "false"
            "i", "-42"
            "d", "1234.5"
            "big", "1E+21"
            "nan", "NaN"
            "inf", "Infinity"
            "ninf", "-Infinity"
            "bytes", "AQL/"
            "strings", """["a","b\""]"""
            "longs", "[1,-2]"
            "doubles", """[1.5,"NaN"]"""
            "bools", "[true,false]"
            "empty", ""
            "emptyArray", "[]"
            "map", """{"n":1,"z":null}"""
        ]

    for key, value in expected do
        Assert.Equal(Some value, tag o key)

let ``the scope becomes otel.scope.* and the deprecated otel.library.* tags; its attributes tags the span lacks`` () =
    let o =
        encode
            { span with
                Attributes = [ KeyValue.string "region" "span's" ]
                Scope =
                    {
                        Name = "Shop.Cart"
                        Version = "2.1.0"
                        SchemaUrl = ""
                        Attributes = [ KeyValue.string "region" "scope's"; KeyValue.string "team" "cart" ]
                    }
            }

    Assert.Equal(Some "Shop.Cart", tag o "otel.scope.name")
    Assert.Equal(Some "Shop.Cart", tag o "otel.library.name")
    Assert.Equal(Some "2.1.0", tag o "otel.scope.version")
    Assert.Equal(Some "2.1.0", tag o "otel.library.version")
    Assert.Equal(Some "span's", tag o "region")
    Assert.Equal(Some "cart", tag o "team")
    let unversioned = encode span
    Assert.Equal(None, tag unversioned "otel.scope.version")

let ``a span attribute named like a tag the exporter writes gives way to it`` () =
    let o =
        encode
            { span with
                Attributes =
                    [
                        KeyValue.string "otel.scope.name" "spoofed"
                        KeyValue.int "otel.dropped_events_count" 9L
                    ]
                DroppedEvents = 2
            }

    Assert.Equal(Some "Shop.Cart", tag o "otel.scope.name")
    Assert.Equal(Some "2", tag o "otel.dropped_events_count")
    // One key once: JSON objects with repeated names are not what Zipkin reads.
    let json = o.ToJsonString()
    Assert.Equal(json.IndexOf "\"otel.scope.name\"", json.LastIndexOf "\"otel.scope.name\"")

let ``dropped counts are tags when not zero`` () =
    let none = encode span

    for key in
        [
            "otel.dropped_attributes_count"
            "otel.dropped_events_count"
            "otel.dropped_links_count"
        ] do
        Assert.Equal(None, tag none key)

    let dropped =
        encode
            { span with
                DroppedAttributes = 3
                DroppedEvents = 4
                DroppedLinks = 5
            }

    Assert.Equal(Some "3", tag dropped "otel.dropped_attributes_count")
    Assert.Equal(Some "4", tag dropped "otel.dropped_events_count")
    Assert.Equal(Some "5", tag dropped "otel.dropped_links_count")

let ``events become annotations: the name alone, or "name":{attributes as JSON}, at whole microseconds`` () =
    let o =
        encode
            { span with
                Events =
                    [
                        {
                            Name = "cache miss"
                            Timestamp = 1_700_000_000_124_000_999L
                            Attributes = []
                            DroppedAttributes = 0
                        }
                        {
                            Name = "retry \"1\""
                            Timestamp = 1_700_000_000_124_500_000L
                            Attributes =
                                [
                                    KeyValue.string "reason" "timeout"
                                    KeyValue.int "attempt" 2L
                                    KeyValue.create "codes" (AnyValue.Array [ AnyValue.Int 503L ])
                                ]
                            DroppedAttributes = 1
                        }
                    ]
            }

    let annotations = o.["annotations"] :?> JsonArray
    Assert.Equal(2, annotations.Count)
    Assert.Equal(1_700_000_000_124_000L, annotations.[0].["timestamp"].GetValue<int64>())
    Assert.Equal("cache miss", str annotations.[0].["value"])
    Assert.Equal(1_700_000_000_124_500L, annotations.[1].["timestamp"].GetValue<int64>())

    Assert.Equal(
        """"retry \"1\"":{"reason":"timeout","attempt":2,"codes":[503],"otel.dropped_attributes_count":1}""",
        str annotations.[1].["value"]
    )

    // The value is the member of a JSON object: braces around it make one.
    let parsed = JsonNode.Parse("{" + str annotations.[1].["value"] + "}")
    Assert.Equal("timeout", str parsed.["retry \"1\""].["reason"])

let ``a batch is one JSON array of every span, in order`` () =
    let spans = [ for i in 1..3 -> { span with Name = $"s{i}" } ]
    let array = encodeWith resource spans
    Assert.Equal<string list>([ "s1"; "s2"; "s3" ], [ for s in array -> str s.["name"] ])

let ``lone surrogates become U+FFFD instead of failing the batch`` () =
    let broken = "a\uD800b"

    let o =
        encode
            { span with
                Name = broken
                Attributes = [ KeyValue.string broken broken ]
                Events =
                    [
                        {
                            Name = broken
                            Timestamp = span.StartTime
                            Attributes = []
                            DroppedAttributes = 0
                        }
                    ]
            }

    Assert.Equal("a\uFFFDb", str o.["name"])
    Assert.Equal(Some "a\uFFFDb", tag o "a\uFFFDb")
    Assert.Equal("a\uFFFDb", str o.["annotations"].[0].["value"])

[<Tests>]
let tests =
    testList
        "ZipkinJsonTests"
        [
            test "ids are lower hex, 32 and 16 characters; a root span has no parentId" {
                ``ids are lower hex, 32 and 16 characters; a root span has no parentId`` ()
            }
            test "times are whole microseconds, truncated; a duration under 1 us is 1 (Zipkin's minimum)" {
                ``times are whole microseconds, truncated; a duration under 1 us is 1 (Zipkin's minimum)`` ()
            }
            test "kinds map to CLIENT, SERVER, PRODUCER, CONSUMER; INTERNAL has no kind" {
                ``kinds map to CLIENT, SERVER, PRODUCER, CONSUMER; INTERNAL has no kind`` ()
            }
            test
                "the local endpoint is the resource's service.name (not service.namespace, which stays out), else the fallback" {
                ``the local endpoint is the resource's service.name (not service.namespace, which stays out), else the fallback`` ()
            }
            test
                "fields without a value are omitted: no annotations, no tags, no remote endpoint, never debug or shared" {
                ``fields without a value are omitted: no annotations, no tags, no remote endpoint, never debug or shared`` ()
            }
            test "the remote endpoint follows the specification's ranking" {
                ``the remote endpoint follows the specification's ranking`` ()
            }
            test "an address attribute takes its port along; addresses fill ipv4 or ipv6, names serviceName" {
                ``an address attribute takes its port along; addresses fill ipv4 or ipv6, names serviceName`` ()
            }
            test "only CLIENT and PRODUCER spans have a remote endpoint" {
                ``only CLIENT and PRODUCER spans have a remote endpoint`` ()
            }
            test
                "status: UNSET writes nothing, OK otel.status_code only, ERROR otel.status_code and error with the description" {
                ``status: UNSET writes nothing, OK otel.status_code only, ERROR otel.status_code and error with the description`` ()
            }
            test
                "attribute values become strings: invariant numbers, lower-case booleans, JSON arrays and maps, base64 bytes" {
                ``attribute values become strings: invariant numbers, lower-case booleans, JSON arrays and maps, base64 bytes`` ()
            }
            test
                "the scope becomes otel.scope.* and the deprecated otel.library.* tags; its attributes tags the span lacks" {
                ``the scope becomes otel.scope.* and the deprecated otel.library.* tags; its attributes tags the span lacks`` ()
            }
            test "a span attribute named like a tag the exporter writes gives way to it" {
                ``a span attribute named like a tag the exporter writes gives way to it`` ()
            }
            test "dropped counts are tags when not zero" { ``dropped counts are tags when not zero`` () }
            test "events become annotations: the name alone, or \"name\":{attributes as JSON}, at whole microseconds" {
                ``events become annotations: the name alone, or "name":{attributes as JSON}, at whole microseconds`` ()
            }
            test "a batch is one JSON array of every span, in order" {
                ``a batch is one JSON array of every span, in order`` ()
            }
            test "lone surrogates become U+FFFD instead of failing the batch" {
                ``lone surrogates become U+FFFD instead of failing the batch`` ()
            }
        ]
