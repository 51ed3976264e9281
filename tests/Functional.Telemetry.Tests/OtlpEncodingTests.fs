module Functional.Telemetry.Tests.OtlpEncodingTests

open System
open System.Buffers
open System.Text
open Xunit
open Functional.Telemetry

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
        Attributes = [ Attribute.string "http.method" "GET"; Attribute.int "n" 5L; Attribute.double "d" 1.5 ]
        Events = []
        Links = []
        Status = Status.Ok
        DroppedAttributes = 0
        DroppedEvents = 0
        DroppedLinks = 0
        Scope = { InstrumentationScope.Named "lib" with Version = "1.0" }
    }

let private resource: Resource =
    { Attributes = [ Attribute.string "service.name" "svc" ]; SchemaUrl = "" }

let private protobuf write =
    let buffer = ArrayBufferWriter<byte>()
    write (buffer :> IBufferWriter<byte>)
    buffer.WrittenSpan.ToArray()

let private json write = Encoding.UTF8.GetString(protobuf write: byte[])

let private contains (needle: byte[]) (haystack: byte[]) =
    haystack.AsSpan().IndexOf(ReadOnlySpan needle) >= 0

[<Fact>]
let ``a span's trace id is field 1 (0x0A, length 16) and its span id field 2 (0x12, length 8)`` () =
    let bytes = protobuf (OtlpProtobuf.writeTraces resource [| span |])
    let expected = Array.concat [ [| 0x0Auy; 0x10uy |]; traceIdBytes; [| 0x12uy; 0x08uy |]; spanIdBytes ]
    Assert.True(contains expected bytes, Convert.ToHexString bytes)

[<Fact>]
let ``span flags are fixed32 field 16 with the has-is-remote bit, and the is-remote bit for a remote parent`` () =
    let local = protobuf (OtlpProtobuf.writeTraces resource [| span |])
    Assert.True(contains [| 0x85uy; 0x01uy; 0x01uy; 0x01uy; 0uy; 0uy |] local, Convert.ToHexString local)

    let remote =
        protobuf (OtlpProtobuf.writeTraces resource [| { span with ParentSpanId = SpanId 9UL; ParentIsRemote = true } |])

    Assert.True(contains [| 0x85uy; 0x01uy; 0x01uy; 0x03uy; 0uy; 0uy |] remote, Convert.ToHexString remote)
    // parent_span_id is field 4
    Assert.True(contains [| 0x22uy; 0x08uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; 9uy |] remote)

[<Fact>]
let ``span kind, times and status have their field numbers`` () =
    let bytes = protobuf (OtlpProtobuf.writeTraces resource [| span |])
    // kind = 6 (varint 2), start = 7 and end = 8 (fixed64), status = 15 { code = 3 (1) }
    Assert.True(contains [| 0x30uy; 0x02uy |] bytes)
    Assert.True(contains [| 0x39uy; 0xE8uy; 0x03uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy |] bytes)
    Assert.True(contains [| 0x41uy; 0xD0uy; 0x07uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy |] bytes)
    Assert.True(contains [| 0x7Auy; 0x02uy; 0x18uy; 0x01uy |] bytes)

[<Theory>]
[<InlineData(0L, "00")>]
[<InlineData(1L, "01")>]
[<InlineData(127L, "7F")>]
[<InlineData(128L, "8001")>]
[<InlineData(300L, "AC02")>]
[<InlineData(16383L, "FF7F")>]
[<InlineData(16384L, "808001")>]
[<InlineData(Int64.MaxValue, "FFFFFFFFFFFFFFFF7F")>]
[<InlineData(-1L, "FFFFFFFFFFFFFFFFFF01")>]
[<InlineData(Int64.MinValue, "80808080808080808001")>]
let ``int values are varints: field 3 of AnyValue`` (value: int64, varintHex: string) =
    let varint = Convert.FromHexString varintHex
    let withInt = { resource with Attributes = [ Attribute.int "k" value ] }
    let bytes = protobuf (OtlpProtobuf.writeTraces withInt [| span |])
    // KeyValue { key = 1 "k"; value = 2 { int_value = 3 varint } }
    let keyValue = Array.concat [ [| 0x0Auy; 0x01uy; byte 'k'; 0x12uy; byte (1 + varint.Length); 0x18uy |]; varint ]
    Assert.True(contains keyValue bytes, Convert.ToHexString bytes)

[<Fact>]
let ``the size function agrees with the bytes written`` () =
    let spans = [| span; { span with Name = String('x', 300); Scope = InstrumentationScope.Named "other" } |]
    let bytes = protobuf (OtlpProtobuf.writeTraces resource spans)
    Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource spans)

[<Theory>]
[<InlineData(41)>]
[<InlineData(42)>]
[<InlineData(43)>]
[<InlineData(44)>]
let ``strings around the one-byte length boundary: three-byte characters, pairs and lone surrogates`` (count: int) =
    for text in [ String('\u20AC', count); String.replicate (count / 2) "\uD83D\uDE00" + "\uD800"; String('a', count) ] do
        let spans = [| { span with Name = text } |]
        let bytes = protobuf (OtlpProtobuf.writeTraces resource spans)
        let utf8: byte[] = UTF8Encoding(false, false).GetBytes text
        let prefix = if utf8.Length < 128 then [| byte utf8.Length |] else [| byte (utf8.Length ||| 0x80) ; byte (utf8.Length >>> 7) |]
        Assert.True(contains (Array.concat [ [| 0x2Auy |]; prefix; utf8 ]) bytes, $"{count}: {Convert.ToHexString bytes}")
        Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource spans)

[<Fact>]
let ``an empty batch is an empty request`` () =
    Assert.Empty(protobuf (OtlpProtobuf.writeTraces resource [||]))
    Assert.Empty(protobuf (OtlpProtobuf.writeLogs resource [||]))
    Assert.Equal("{}", json (OtlpJson.writeMetrics resource [||]))

[<Fact>]
let ``lone surrogates become U+FFFD in protobuf, and the length prefix counts the replacement`` () =
    let bytes = protobuf (OtlpProtobuf.writeTraces resource [| { span with Name = "a\uD800b\uDC00" } |])
    // name = 5, length 8: 'a' EF BF BD 'b' EF BF BD
    let expected = [| 0x2Auy; 0x08uy; byte 'a'; 0xEFuy; 0xBFuy; 0xBDuy; byte 'b'; 0xEFuy; 0xBFuy; 0xBDuy |]
    Assert.True(contains expected bytes, Convert.ToHexString bytes)
    Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource [| { span with Name = "a\uD800b\uDC00" } |])

[<Fact>]
let ``lone surrogates become U+FFFD in JSON, pairs stay`` () =
    let text = json (OtlpJson.writeTraces resource [| { span with Name = "a\uD800b😀" } |])
    use document = System.Text.Json.JsonDocument.Parse text

    let spans =
        document.RootElement.GetProperty("resourceSpans").[0].GetProperty("scopeSpans").[0].GetProperty("spans")

    let name = spans.[0].GetProperty("name").GetString()
    Assert.Equal("a\uFFFDb😀", name)

[<Fact>]
let ``one span as OTLP/JSON`` () =
    let expected =
        """{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"""
        + """"scopeSpans":[{"scope":{"name":"lib","version":"1.0"},"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","""
        + """"spanId":"0102030405060708","flags":257,"name":"GET /","kind":2,"startTimeUnixNano":"1000","endTimeUnixNano":"2000","""
        + """"attributes":[{"key":"http.method","value":{"stringValue":"GET"}},{"key":"n","value":{"intValue":"5"}},"""
        + """{"key":"d","value":{"doubleValue":1.5}}],"status":{"code":1}}]}]}]}"""

    Assert.Equal(expected, json (OtlpJson.writeTraces resource [| span |]))

[<Fact>]
let ``JSON doubles: NaN and infinities are strings, int64 are decimal strings, bytes are base64`` () =
    let values =
        [
            Attribute.double "nan" nan
            Attribute.double "inf" infinity
            Attribute.double "ninf" -infinity
            Attribute.int "min" Int64.MinValue
            Attribute.create "b" (AnyValue.Bytes [| 1uy; 2uy; 255uy |])
            Attribute.create "e" AnyValue.Empty
        ]

    let text = json (OtlpJson.writeTraces { resource with Attributes = values } [| span |])
    Assert.Contains("""{"key":"nan","value":{"doubleValue":"NaN"}}""", text)
    Assert.Contains("""{"key":"inf","value":{"doubleValue":"Infinity"}}""", text)
    Assert.Contains("""{"key":"ninf","value":{"doubleValue":"-Infinity"}}""", text)
    Assert.Contains("""{"key":"min","value":{"intValue":"-9223372036854775808"}}""", text)
    Assert.Contains("""{"key":"b","value":{"bytesValue":"AQL/"}}""", text)
    Assert.Contains("""{"key":"e","value":{}}""", text)

[<Fact>]
let ``encoding into small non-array memory writes the same bytes as into an array`` () =
    let spans =
        Array.init 200 (fun i -> { span with Name = String('x', i * 7); Attributes = Attribute.int "i" (int64 i) :: span.Attributes })

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
            if b < 0x80uy then struct (value, at + 1) else go (at + 1) (shift + 7) value

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

[<Fact>]
let ``lengths of one, two and three bytes nest exactly in a batch larger than the writer's first buffer`` () =
    // 600 spans make a scope group of about 60 KB (a three-byte length) and the batch outgrows 64 KB; the long
    // attribute makes its span, key-value, value and string need three-byte lengths too.
    let long = String('v', 20_000)

    let spans =
        Array.init 600 (fun i ->
            { span with
                Name = $"span {i}"
                Attributes = (if i = 7 then [ Attribute.string "long" long ] else []) @ span.Attributes })

    let bytes = protobuf (OtlpProtobuf.writeTraces resource spans)
    Assert.True(bytes.Length > 80_000, string bytes.Length)
    Assert.Equal(int64 bytes.Length, OtlpProtobuf.tracesSize resource spans)

    let inner (bytes: byte[]) field (fieldsOf: (int * int * int * int) list) =
        [ for (f, wireType, start, finish) in fieldsOf do
              if f = field && wireType = 2 then fields bytes start finish ]

    let written =
        [ for resourceSpans in inner bytes 1 (fields bytes 0 bytes.Length) do
              for scopeSpans in inner bytes 2 resourceSpans do
                  for spanFields in inner bytes 2 scopeSpans do
                      for (f, _, start, finish) in spanFields do
                          if f = 5 then Encoding.UTF8.GetString(bytes, start, finish - start)

                      for attribute in inner bytes 9 spanFields do
                          for value in inner bytes 2 attribute do
                              for (f, _, start, finish) in value do
                                  if f = 1 && finish - start = long.Length then
                                      Assert.Equal(long, Encoding.UTF8.GetString(bytes, start, finish - start)) ]

    Assert.Equal<string list>([ for i in 0..599 -> $"span {i}" ], written)
