module Functional.Telemetry.Tests.OtlpEncodingTests

open Expecto
open System
open System.Buffers
open System.Text
open FsCheck.FSharp
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.PropertyTests

let private traceId = TraceId(0x0102030405060708UL, 0x090a0b0c0d0e0f10UL)
let private traceIdBytes = [| 1uy .. 16uy |]
let private spanIdBytes = [| 1uy .. 8uy |]

let private span =
    {
        Context =
            {
                TraceId = traceId
                SpanId = SpanId 0x0102030405060708UL
                TraceFlags = TraceFlags.Sampled
                TraceState = TraceState.Empty
                IsRemote = false
            }
        ParentSpanId = SpanId.Empty
        ParentIsRemote = false
        Name = "GET /"
        Kind = SpanKind.Server
        StartTime = 1000L
        EndTime = 2000L
        Attributes =
            [
                KeyValue.string "http.method" "GET"
                KeyValue.int "n" 5L
                KeyValue.double "d" 1.5
            ]
        Events = []
        Links = []
        Status = Status.Ok
        DroppedAttributes = 0
        DroppedEvents = 0
        DroppedLinks = 0
        Scope = { InstrumentationScope.Named "lib" with Version = "1.0" }
    }

let private resource: Resource =
    {
        Attributes = [ KeyValue.string "service.name" "svc" ]
        SchemaUrl = ""
    }

let private protobuf write =
    let buffer = ArrayBufferWriter<byte>()
    write (buffer :> IBufferWriter<byte>)
    buffer.WrittenSpan.ToArray()

let private json write = Encoding.UTF8.GetString(protobuf write: byte[])

let private contains (needle: byte[]) (haystack: byte[]) = haystack.AsSpan().IndexOf(ReadOnlySpan needle) >= 0

let ``a span's trace id is field 1 (0x0A, length 16) and its span id field 2 (0x12, length 8)`` () =
    let bytes = protobuf (OtlpProtobuf.writeTraces resource [| span |])
    let expected = Array.concat [ [| 0x0Auy; 0x10uy |]; traceIdBytes; [| 0x12uy; 0x08uy |]; spanIdBytes ]
    Assert.True(contains expected bytes, Convert.ToHexString bytes)

let ``span flags are fixed32 field 16 with the has-is-remote bit, and the is-remote bit for a remote parent`` () =
    let local = protobuf (OtlpProtobuf.writeTraces resource [| span |])
    Assert.True(contains [| 0x85uy; 0x01uy; 0x01uy; 0x01uy; 0uy; 0uy |] local, Convert.ToHexString local)

    let remote =
        protobuf (
            OtlpProtobuf.writeTraces
                resource
                [|
                    { span with
                        ParentSpanId = SpanId 9UL
                        ParentIsRemote = true
                    }
                |]
        )

    Assert.True(contains [| 0x85uy; 0x01uy; 0x01uy; 0x03uy; 0uy; 0uy |] remote, Convert.ToHexString remote)
    // parent_span_id is field 4
    Assert.True(contains [| 0x22uy; 0x08uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; 9uy |] remote)

let ``span kind, times and status have their field numbers`` () =
    let bytes = protobuf (OtlpProtobuf.writeTraces resource [| span |])
    // kind = 6 (varint 2), start = 7 and end = 8 (fixed64), status = 15 { code = 3 (1) }
    Assert.True(contains [| 0x30uy; 0x02uy |] bytes)
    Assert.True(contains [| 0x39uy; 0xE8uy; 0x03uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy |] bytes)
    Assert.True(contains [| 0x41uy; 0xD0uy; 0x07uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy |] bytes)
    Assert.True(contains [| 0x7Auy; 0x02uy; 0x18uy; 0x01uy |] bytes)

let ``int values are varints: field 3 of AnyValue`` (value: int64, varintHex: string) =
    let varint = Convert.FromHexString varintHex
    let withInt = { resource with Attributes = [ KeyValue.int "k" value ] }
    let bytes = protobuf (OtlpProtobuf.writeTraces withInt [| span |])
    // KeyValue { key = 1 "k"; value = 2 { int_value = 3 varint } }
    let keyValue =
        Array.concat
            [
                [| 0x0Auy; 0x01uy; byte 'k'; 0x12uy; byte (1 + varint.Length); 0x18uy |]
                varint
            ]

    Assert.True(contains keyValue bytes, Convert.ToHexString bytes)

let ``the size function agrees with the bytes written`` () =
    let spans =
        [|
            span
            { span with
                Name = String('x', 300)
                Scope = InstrumentationScope.Named "other"
            }
        |]

    let bytes = protobuf (OtlpProtobuf.writeTraces resource spans)
    Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource spans)

let ``strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates`` (count: int) =
    for text in
        [
            String('\u20AC', count)
            String.replicate (count / 2) "\uD83D\uDE00" + "\uD800"
            String('a', count)
        ] do
        let spans = [| { span with Name = text } |]
        let bytes = protobuf (OtlpProtobuf.writeTraces resource spans)
        let utf8: byte[] = UTF8Encoding(false, false).GetBytes text

        let prefix =
            if utf8.Length < 128 then
                [| byte utf8.Length |]
            else
                [| byte (utf8.Length ||| 0x80); byte (utf8.Length >>> 7) |]

        Assert.True(
            contains (Array.concat [ [| 0x2Auy |]; prefix; utf8 ]) bytes,
            $"{count}: {Convert.ToHexString bytes}"
        )

        Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource spans)

let ``an empty batch is an empty request`` () =
    Assert.Empty(protobuf (OtlpProtobuf.writeTraces resource [||]))
    Assert.Empty(protobuf (OtlpProtobuf.writeLogs resource [||]))
    Assert.Equal("{}", json (OtlpJson.writeMetrics resource [||]))

let ``lone surrogates become U+FFFD in protobuf, and the length prefix counts the replacement`` () =
    let bytes = protobuf (OtlpProtobuf.writeTraces resource [| { span with Name = "a\uD800b\uDC00" } |])
    // name = 5, length 8: 'a' EF BF BD 'b' EF BF BD
    let expected =
        [|
            0x2Auy
            0x08uy
            byte 'a'
            0xEFuy
            0xBFuy
            0xBDuy
            byte 'b'
            0xEFuy
            0xBFuy
            0xBDuy
        |]

    Assert.True(contains expected bytes, Convert.ToHexString bytes)
    Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource [| { span with Name = "a\uD800b\uDC00" } |])

let ``lone surrogates become U+FFFD in JSON, pairs stay`` () =
    let text = json (OtlpJson.writeTraces resource [| { span with Name = "a\uD800b😀" } |])
    use document = System.Text.Json.JsonDocument.Parse text

    let spans =
        document.RootElement.GetProperty("resourceSpans").[0].GetProperty("scopeSpans").[0].GetProperty("spans")

    let name = spans.[0].GetProperty("name").GetString()
    Assert.Equal("a\uFFFDb😀", name)

let ``one span as OTLP/JSON`` () =
    let expected =
        """{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"""
        + """"scopeSpans":[{"scope":{"name":"lib","version":"1.0"},"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","""
        + """"spanId":"0102030405060708","flags":257,"name":"GET /","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000","""
        + """"attributes":[{"key":"http.method","value":{"stringValue":"GET"}},{"key":"n","value":{"intValue":"5"}},"""
        + """{"key":"d","value":{"doubleValue":1.5}}],"status":{"code":1}}]}]}]}"""

    Assert.Equal(expected, json (OtlpJson.writeTraces resource [| span |]))

let ``JSON doubles: NaN and infinities are strings, int64 are decimal strings, bytes are base64`` () =
    let values =
        [
            KeyValue.double "nan" nan
            KeyValue.double "inf" infinity
            KeyValue.double "ninf" -infinity
            KeyValue.int "min" Int64.MinValue
            KeyValue.create "b" (AnyValue.Bytes [| 1uy; 2uy; 255uy |])
            KeyValue.create "e" AnyValue.Empty
        ]

    let text = json (OtlpJson.writeTraces { resource with Attributes = values } [| span |])
    Assert.Contains("""{"key":"nan","value":{"doubleValue":"NaN"}}""", text)
    Assert.Contains("""{"key":"inf","value":{"doubleValue":"Infinity"}}""", text)
    Assert.Contains("""{"key":"ninf","value":{"doubleValue":"-Infinity"}}""", text)
    Assert.Contains("""{"key":"min","value":{"intValue":"-9223372036854775808"}}""", text)
    Assert.Contains("""{"key":"b","value":{"bytesValue":"AQL/"}}""", text)
    Assert.Contains("""{"key":"e","value":{}}""", text)

let ``encoding into small non-array memory writes the same bytes as into an array`` () =
    let spans =
        Array.init 200 (fun i ->
            { span with
                Name = String('x', i * 7)
                Attributes = KeyValue.int "i" (int64 i) :: (ReadOnlyList.toList span.Attributes)
            })

    let expected = protobuf (fun output -> OtlpProtobuf.writeTraces resource spans output)
    let pieces = TestUtil.PieceWriter 64
    OtlpProtobuf.writeTraces resource spans pieces
    Assert.True(expected.Length > 10_000)
    Assert.Equal<byte[]>(expected, pieces.Bytes)

// The fields of the protobuf message in bytes[start .. finish - 1] as (field, wire type, start, finish) of each
// value; fails unless the fields end exactly at `finish` (so every length prefix inside is right).
let rec private fields (bytes: byte[]) (start: int) (finish: int) =
    let varint at =
        let rec go at shift (value: uint64) =
            let b = bytes[at]
            let value = value ||| (uint64 (b &&& 0x7Fuy) <<< shift)

            if b < 0x80uy then
                struct (value, at + 1)
            else
                go (at + 1) (shift + 7) value

        go at 0 0UL

    let rec walk at found =
        if at = finish then
            List.rev found
        else
            Assert.True(at < finish, $"a field runs past its message's end ({at} > {finish})")
            let struct (key, at) = varint at
            let field, wireType = int (key >>> 3), int (key &&& 7UL)

            let struct (valueStart, valueEnd) =
                match wireType with
                | 0 -> let struct (_, next) = varint at in struct (at, next)
                | 1 -> struct (at, at + 8)
                | 2 -> let struct (length, next) = varint at in struct (next, next + int length)
                | 5 -> struct (at, at + 4)
                | other -> failwith $"wire type {other}"

            walk valueEnd ((field, wireType, valueStart, valueEnd) :: found)

    walk start []

let ``lengths of one, two and three bytes nest exactly in a batch larger than the writer's first buffer`` () =
    // 600 spans make a scope group of about 60 KB (a three-byte length) and the batch outgrows 64 KB; the long
    // attribute makes its span, key-value, value and string need three-byte lengths too.
    let long = String('v', 20_000)

    let spans =
        Array.init 600 (fun i ->
            { span with
                Name = $"span {i}"
                Attributes =
                    (if i = 7 then [ KeyValue.string "long" long ] else [])
                    @ (ReadOnlyList.toList span.Attributes)
            })

    let bytes = protobuf (OtlpProtobuf.writeTraces resource spans)
    Assert.True(bytes.Length > 80_000, string bytes.Length)
    Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource spans)

    let inner (bytes: byte[]) field (fieldsOf: (int * int * int * int) list) =
        [
            for (f, wireType, start, finish) in fieldsOf do
                if f = field && wireType = 2 then
                    fields bytes start finish
        ]

    let written =
        [
            for resourceSpans in inner bytes 1 (fields bytes 0 bytes.Length) do
                for scopeSpans in inner bytes 2 resourceSpans do
                    for spanFields in inner bytes 2 scopeSpans do
                        for (f, _, start, finish) in spanFields do
                            if f = 5 then
                                Encoding.UTF8.GetString(bytes, start, finish - start)

                        for attribute in inner bytes 9 spanFields do
                            for value in inner bytes 2 attribute do
                                for (f, _, start, finish) in value do
                                    if f = 1 && finish - start = long.Length then
                                        Assert.Equal(long, Encoding.UTF8.GetString(bytes, start, finish - start))
        ]

    Assert.Equal<string list>([ for i in 0..599 -> $"span {i}" ], written)

// ---- minimal lengths, checked by an independent re-encoder ----

/// Which fields of each OTLP message are messages themselves (the others are scalars, strings or bytes).
let private messageFields: Map<string, Map<int, string>> =
    Map.ofList
        [
            "TracesRequest", Map.ofList [ 1, "ResourceSpans" ]
            "ResourceSpans", Map.ofList [ 1, "Resource"; 2, "ScopeSpans" ]
            "ScopeSpans", Map.ofList [ 1, "Scope"; 2, "Span" ]
            "Span", Map.ofList [ 9, "KeyValue"; 11, "Event"; 13, "Link"; 15, "Status" ]
            "Event", Map.ofList [ 3, "KeyValue" ]
            "Link", Map.ofList [ 4, "KeyValue" ]
            "Status", Map.empty
            "MetricsRequest", Map.ofList [ 1, "ResourceMetrics" ]
            "ResourceMetrics", Map.ofList [ 1, "Resource"; 2, "ScopeMetrics" ]
            "ScopeMetrics", Map.ofList [ 1, "Scope"; 2, "Metric" ]
            "Metric",
            Map.ofList
                [
                    5, "NumberPoints"
                    7, "NumberPoints"
                    9, "HistogramPoints"
                    10, "ExponentialPoints"
                ]
            // Gauge and Sum, Histogram, ExponentialHistogram: field 1 holds the points.
            "NumberPoints", Map.ofList [ 1, "NumberPoint" ]
            "HistogramPoints", Map.ofList [ 1, "HistogramPoint" ]
            "ExponentialPoints", Map.ofList [ 1, "ExponentialPoint" ]
            "NumberPoint", Map.ofList [ 5, "Exemplar"; 7, "KeyValue" ]
            "HistogramPoint", Map.ofList [ 8, "Exemplar"; 9, "KeyValue" ]
            "ExponentialPoint", Map.ofList [ 1, "KeyValue"; 8, "Buckets"; 9, "Buckets"; 11, "Exemplar" ]
            "Exemplar", Map.ofList [ 7, "KeyValue" ]
            "Buckets", Map.empty
            "LogsRequest", Map.ofList [ 1, "ResourceLogs" ]
            "ResourceLogs", Map.ofList [ 1, "Resource"; 2, "ScopeLogs" ]
            "ScopeLogs", Map.ofList [ 1, "Scope"; 2, "LogRecord" ]
            "LogRecord", Map.ofList [ 5, "AnyValue"; 6, "KeyValue" ]
            "Resource", Map.ofList [ 1, "KeyValue" ]
            "Scope", Map.ofList [ 3, "KeyValue" ]
            "KeyValue", Map.ofList [ 2, "AnyValue" ]
            "AnyValue", Map.ofList [ 5, "ArrayValue"; 6, "KeyValueList" ]
            "ArrayValue", Map.ofList [ 1, "AnyValue" ]
            "KeyValueList", Map.ofList [ 1, "KeyValue" ]
        ]

/// The message in bytes[start .. finish - 1] of type `kind`, written again the way a measure-then-write encoder
/// writes it: every tag, varint and length as a minimal varint, nested messages written the same way first.
/// It shares no code with ProtoWriter; the encoder's bytes must equal it exactly.
let rec private canonical (kind: string) (bytes: byte[]) (start: int) (finish: int) (output: ResizeArray<byte>) =
    let writeVarint (value: uint64) =
        let mutable v = value

        while v >= 0x80UL do
            output.Add(byte (v &&& 0x7FUL) ||| 0x80uy)
            v <- v >>> 7

        output.Add(byte v)

    let readVarint at =
        let rec go at shift (value: uint64) =
            Assert.True(at < finish, "a varint runs past its message's end")
            let b = bytes[at]
            let value = value ||| (uint64 (b &&& 0x7Fuy) <<< shift)

            if b < 0x80uy then
                struct (value, at + 1)
            else
                go (at + 1) (shift + 7) value

        go at 0 0UL

    let nested = messageFields[kind]
    let mutable at = start

    while at < finish do
        let struct (key, next) = readVarint at
        writeVarint key
        let field = int (key >>> 3)

        match int (key &&& 7UL) with
        | 0 ->
            let struct (value, after) = readVarint next
            writeVarint value
            at <- after
        | 1 ->
            output.AddRange(ArraySegment(bytes, next, 8))
            at <- next + 8
        | 5 ->
            output.AddRange(ArraySegment(bytes, next, 4))
            at <- next + 4
        | 2 ->
            let struct (length, content) = readVarint next
            let contentEnd = content + int length
            Assert.True(contentEnd <= finish, $"{kind}.{field}: a length runs past its message's end")

            match nested.TryFind field with
            | Some child ->
                let inner = ResizeArray<byte>()
                canonical child bytes content contentEnd inner
                writeVarint (uint64 inner.Count)
                output.AddRange inner
            | None ->
                writeVarint length
                output.AddRange(ArraySegment(bytes, content, int length))

            at <- contentEnd
        | other -> failwith $"{kind}.{field}: wire type {other}"

    Assert.Equal(finish, at)

let private assertCanonical kind (bytes: byte[]) =
    let again = ResizeArray<byte>(bytes.Length)
    canonical kind bytes 0 bytes.Length again
    // Compared as arrays only when they differ in length or content, so a failure names where.
    let again = again.ToArray()
    let firstDifference = Seq.zip bytes again |> Seq.tryFindIndex (fun (a, b) -> a <> b)

    Assert.True(
        (again.Length = bytes.Length && firstDifference.IsNone),
        $"{kind}: {bytes.Length} bytes, re-encoded {again.Length}, first difference at {firstDifference}"
    )

let private scopeNamed name = { InstrumentationScope.Named name with Version = "2.0" }

let ``every length is exact and minimal for spans, scope groups and resource groups around 128 B, 16 KB and 2 MB`` () =
    // One attribute string per step over a window below each boundary: the string, its value, its key-value,
    // the span, the scope group and the resource group each cross the boundary somewhere in it, one byte at a time.
    for boundary in [ 128; 16_384; 2_097_152 ] do
        for size in max 0 (boundary - 160) .. boundary + 4 do
            let spans =
                [|
                    { span with
                        Attributes = [ KeyValue.string "a" (String('v', size)) ]
                    }
                |]

            let bytes = protobuf (OtlpProtobuf.writeTraces resource spans)
            assertCanonical "TracesRequest" bytes
            Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource spans)

let ``every length is exact and minimal in batches of several scopes, with spans of every size class`` () =
    // Three scopes in turn; span sizes from tens of bytes to tens of kilobytes (lengths of one, two and three bytes
    // where two were guessed: Arbs.sizeOfClass), nested values, events and links; batches from one span to a 2 MB
    // scope group. A property: each case draws every span's size.
    let counts = [ 1; 2; 3; 7; 40; 150 ]

    let scopes =
        [|
            scopeNamed "first"
            scopeNamed "second"
            { scopeNamed "third" with
                Attributes = [ KeyValue.bool "x" true ]
            }
        |]

    let spanOf i size =
        { span with
            Name = $"span {i}"
            Scope = scopes[i % 3]
            Attributes =
                [
                    KeyValue.string "s" (String('s', size))
                    {
                        Key = "nested"
                        Value =
                            AnyValue.Array
                                [
                                    AnyValue.Map [ KeyValue.int "n" (int64 i) ]
                                    AnyValue.String(String('a', i % 300))
                                ]
                    }
                ]
            Events =
                [
                    {
                        Name = "e"
                        Timestamp = 5L
                        Attributes = [ KeyValue.string "k" (String('e', i % 200)) ]
                        DroppedAttributes = 0
                    }
                ]
            Links =
                (if i % 4 = 0 then
                     [
                         {
                             Context = span.Context
                             Attributes = [ KeyValue.int "l" 1L ]
                             DroppedAttributes = 0
                         }
                     ]
                 else
                     [])
            Status =
                (if i % 2 = 0 then
                     Status.Error(String('x', i % 150))
                 else
                     Status.Ok)
        }

    Prop.forAll (Arb.fromGen (Arbs.sizeClassBatches counts)) (fun batches ->
        for sizes in batches do
            let spans = Array.mapi spanOf sizes
            let bytes = protobuf (OtlpProtobuf.writeTraces resource spans)
            assertCanonical "TracesRequest" bytes
            Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource spans))

let ``every length is exact and minimal for metrics and log records of every size class`` () =
    let point i : NumberPoint =
        {
            Attributes = [ KeyValue.string "k" (String('p', i % 150)) ]
            StartTime = 1L
            Time = 2L
            Value = NumberValue.Long(int64 i)
            Exemplars = []
        }

    let histogramPoint i : HistogramPoint =
        {
            Attributes = [ KeyValue.int "i" (int64 i) ]
            StartTime = 1L
            Time = 2L
            Count = int64 i
            Sum = 1.5
            Min = Nullable()
            Max = Nullable()
            Bounds = [ for b in 1 .. i % 20 -> float b ]
            BucketCounts = [ for b in 0 .. i % 20 -> int64 b ]
            Exemplars = []
        }

    let exponentialPoint i : ExponentialHistogramPoint =
        {
            Attributes = [ KeyValue.int "i" (int64 i) ]
            StartTime = 1L
            Time = 2L
            Count = 3L
            Sum = 1.5
            Min = Nullable()
            Max = Nullable()
            Scale = 2
            ZeroCount = 1L
            ZeroThreshold = 0.0
            Positive =
                {
                    Offset = 1
                    Counts = [ for b in 0 .. i % 160 -> int64 b ]
                }
            Negative = { Offset = 0; Counts = [] }
            Exemplars = []
        }

    // From one small point to thousands: metrics (and their data messages) of one, two and three length bytes.
    for points in [ 1; 2; 5; 60; 400; 3_000 ] do
        let metrics: MetricData array =
            [|
                {
                    Name = "sum"
                    Description = ""
                    Unit = ""
                    Scope = scopeNamed "m1"
                    Points = MetricPoints.Sum(Temporality.Cumulative, true, List.init points point)
                }
                {
                    Name = "gauge"
                    Description = "d"
                    Unit = "1"
                    Scope = scopeNamed "m2"
                    Points = MetricPoints.Gauge(List.init points point)
                }
                {
                    Name = "histogram"
                    Description = ""
                    Unit = "ms"
                    Scope = scopeNamed "m1"
                    Points = MetricPoints.Histogram(Temporality.Delta, List.init points histogramPoint)
                }
                {
                    Name = "exponential"
                    Description = ""
                    Unit = ""
                    Scope = scopeNamed "m3"
                    Points = MetricPoints.ExponentialHistogram(Temporality.Delta, List.init points exponentialPoint)
                }
            |]

        let bytes = protobuf (OtlpProtobuf.writeMetrics resource metrics)
        assertCanonical "MetricsRequest" bytes
        Assert.Equal(int64 bytes.Length, OtlpProtobuf.metricsSize resource metrics)

    let record i : LogRecord =
        {
            Timestamp = 1L
            ObservedTimestamp = 2L
            SeverityNumber = 9
            SeverityText = "Information"
            Body = AnyValue.String(String('b', (i * 37) % 20_000))
            Attributes = [ KeyValue.int "i" (int64 i) ]
            DroppedAttributes = 0
            TraceId = traceId
            SpanId = SpanId 3UL
            TraceFlags = TraceFlags.Sampled
            EventName = ""
            Scope = scopeNamed (if i % 3 = 0 then "l1" else "l2")
        }

    for count in [ 1; 3; 20; 300 ] do
        let records = Array.init count record
        let bytes = protobuf (OtlpProtobuf.writeLogs resource records)
        assertCanonical "LogsRequest" bytes
        Assert.Equal(int64 bytes.Length, OtlpProtobuf.logsSize resource records)

[<Tests>]
let tests =
    testList
        "OtlpEncodingTests"
        [
            test "a span's trace id is field 1 (0x0A, length 16) and its span id field 2 (0x12, length 8)" {
                ``a span's trace id is field 1 (0x0A, length 16) and its span id field 2 (0x12, length 8)`` ()
            }
            test "span flags are fixed32 field 16 with the has-is-remote bit, and the is-remote bit for a remote parent" {
                ``span flags are fixed32 field 16 with the has-is-remote bit, and the is-remote bit for a remote parent`` ()
            }
            test "span kind, times and status have their field numbers" {
                ``span kind, times and status have their field numbers`` ()
            }
            test "int values are varints: field 3 of AnyValue(value: 0L, varintHex: \"00\")" {
                ``int values are varints: field 3 of AnyValue`` (0L, "00")
            }
            test "int values are varints: field 3 of AnyValue(value: 1L, varintHex: \"01\")" {
                ``int values are varints: field 3 of AnyValue`` (1L, "01")
            }
            test "int values are varints: field 3 of AnyValue(value: 127L, varintHex: \"7F\")" {
                ``int values are varints: field 3 of AnyValue`` (127L, "7F")
            }
            test "int values are varints: field 3 of AnyValue(value: 128L, varintHex: \"8001\")" {
                ``int values are varints: field 3 of AnyValue`` (128L, "8001")
            }
            test "int values are varints: field 3 of AnyValue(value: 300L, varintHex: \"AC02\")" {
                ``int values are varints: field 3 of AnyValue`` (300L, "AC02")
            }
            test "int values are varints: field 3 of AnyValue(value: 16383L, varintHex: \"FF7F\")" {
                ``int values are varints: field 3 of AnyValue`` (16383L, "FF7F")
            }
            test "int values are varints: field 3 of AnyValue(value: 16384L, varintHex: \"808001\")" {
                ``int values are varints: field 3 of AnyValue`` (16384L, "808001")
            }
            test "int values are varints: field 3 of AnyValue(value: Int64.MaxValue, varintHex: \"FFFFFFFFFFFFFFFF7F\")" {
                ``int values are varints: field 3 of AnyValue`` (Int64.MaxValue, "FFFFFFFFFFFFFFFF7F")
            }
            test "int values are varints: field 3 of AnyValue(value: -1L, varintHex: \"FFFFFFFFFFFFFFFFFF01\")" {
                ``int values are varints: field 3 of AnyValue`` (-1L, "FFFFFFFFFFFFFFFFFF01")
            }
            test
                "int values are varints: field 3 of AnyValue(value: Int64.MinValue, varintHex: \"80808080808080808001\")" {
                ``int values are varints: field 3 of AnyValue`` (Int64.MinValue, "80808080808080808001")
            }
            test "the size function agrees with the bytes written" {
                ``the size function agrees with the bytes written`` ()
            }
            test
                "strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates(count: 41)" {
                ``strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates`` (41)
            }
            test
                "strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates(count: 42)" {
                ``strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates`` (42)
            }
            test
                "strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates(count: 43)" {
                ``strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates`` (43)
            }
            test
                "strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates(count: 44)" {
                ``strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates`` (44)
            }
            test "an empty batch is an empty request" { ``an empty batch is an empty request`` () }
            test "lone surrogates become U+FFFD in protobuf, and the length prefix counts the replacement" {
                ``lone surrogates become U+FFFD in protobuf, and the length prefix counts the replacement`` ()
            }
            test "lone surrogates become U+FFFD in JSON, pairs stay" {
                ``lone surrogates become U+FFFD in JSON, pairs stay`` ()
            }
            test "one span as OTLP/JSON" { ``one span as OTLP/JSON`` () }
            test "JSON doubles: NaN and infinities are strings, int64 are decimal strings, bytes are base64" {
                ``JSON doubles: NaN and infinities are strings, int64 are decimal strings, bytes are base64`` ()
            }
            test "encoding into small non-array memory writes the same bytes as into an array" {
                ``encoding into small non-array memory writes the same bytes as into an array`` ()
            }
            test "lengths of one, two and three bytes nest exactly in a batch larger than the writer's first buffer" {
                ``lengths of one, two and three bytes nest exactly in a batch larger than the writer's first buffer`` ()
            }
            test
                "every length is exact and minimal for spans, scope groups and resource groups around 128 B, 16 KB and 2 MB" {
                ``every length is exact and minimal for spans, scope groups and resource groups around 128 B, 16 KB and 2 MB`` ()
            }
            testPropertyWithConfig
                (Check.configWith 10)
                "every length is exact and minimal in batches of several scopes, with spans of every size class"
                (``every length is exact and minimal in batches of several scopes, with spans of every size class`` ()
                : FsCheck.Property)
            test "every length is exact and minimal for metrics and log records of every size class" {
                ``every length is exact and minimal for metrics and log records of every size class`` ()
            }
        ]
