namespace Functional.Telemetry

open System
open System.Buffers
open System.Buffers.Binary
open System.Buffers.Text
open System.Runtime.InteropServices
open System.Collections.Generic
open System.Text
open System.Text.Json

/// Text helpers shared by the OTLP encoders.
module internal EncodedText =
    /// UTF-8 with U+FFFD for invalid UTF-16 (lone surrogates); counting and encoding agree on the replacement.
    let utf8 = UTF8Encoding(false, false)

    /// True when the string holds a surrogate that is not half of a pair.
    let hasLoneSurrogate (text: string) =
        let rec scan i =
            if i >= text.Length then
                false
            else
                let c = text[i]

                if Char.IsHighSurrogate c then
                    if i + 1 < text.Length && Char.IsLowSurrogate text[i + 1] then scan (i + 2) else true
                elif Char.IsLowSurrogate c then
                    true
                else
                    scan (i + 1)

        scan 0

    /// The string with every lone surrogate replaced by U+FFFD (the string itself when there is none).
    let replaceLoneSurrogates (text: string) =
        if hasLoneSurrogate text then utf8.GetString(utf8.GetBytes text) else text

/// Writing straight into the memory an `IBufferWriter` hands out, as an array (no Memory-to-Span conversion per
/// write), shared by the protobuf writer and the Prometheus renderer.
module internal WriterChunk =
    /// At least `count` bytes of `output`'s memory, as (array, start, length, target): the writer's own array when
    /// its memory is one (target empty); otherwise `scratch` (a new array when it is null or too small), whose
    /// bytes `commit` copies into `target`.
    let acquire (output: IBufferWriter<byte>) (count: int) (scratch: byte array) =
        let memory = output.GetMemory count

        match MemoryMarshal.TryGetArray(Memory<byte>.op_Implicit memory: ReadOnlyMemory<byte>) with
        | true, segment -> struct (segment.Array, segment.Offset, memory.Length, Memory<byte>.Empty)
        | _ ->
            let array =
                if not (isNull scratch) && scratch.Length >= memory.Length then scratch else Array.zeroCreate memory.Length

            struct (array, 0, memory.Length, memory)

    /// Hands the `written` bytes at `array[start..]` to `output` (copied into `target` first when it is not empty).
    let commit (output: IBufferWriter<byte>) (array: byte array) (start: int) (target: Memory<byte>) (written: int) =
        if written > 0 then
            if not target.IsEmpty then
                ReadOnlySpan<byte>(array, start, written).CopyTo(target.Span)

            output.Advance written

/// Protobuf wire types.
module internal WireType =
    [<Literal>]
    let Varint = 0

    [<Literal>]
    let Fixed64 = 1

    [<Literal>]
    let Length = 2

    [<Literal>]
    let Fixed32 = 5

/// The protobuf wire writer behind `OtlpProtobuf`. The encoder walks the records twice with the same code:
/// a measuring pass records the length of every nested message (in the order the messages start), then a
/// writing pass writes tags, lengths and values into the caller's buffer using those lengths.
///
/// The mutable fields below (position, length table, current buffer) are the only mutable state of the
/// encoders; everything above this type is plain functions over records.
/// The measuring pass's length table and the open-message stack, kept per thread: encoding a batch is
/// synchronous (measure, then write, on one thread), so reusing them makes a batch's encoding allocation-free
/// once they have grown.
type internal ProtoScratch() =
    [<ThreadStatic; DefaultValue>]
    static val mutable private lengths: List<int>

    [<ThreadStatic; DefaultValue>]
    static val mutable private stack: Stack<struct (int * int64)>

    static member Lengths() =
        match ProtoScratch.lengths with
        | null ->
            let created = List<int>(1024)
            ProtoScratch.lengths <- created
            created
        | existing ->
            existing.Clear()
            existing

    static member Stack() =
        match ProtoScratch.stack with
        | null ->
            let created = Stack<struct (int * int64)>(16)
            ProtoScratch.stack <- created
            created
        | existing ->
            existing.Clear()
            existing

[<Sealed>]
type internal ProtoWriter private (output: IBufferWriter<byte>, lengths: List<int>) =
    let measuring = isNull output
    let openMessages = ProtoScratch.Stack()
    let mutable position = 0L
    let mutable nextLength = 0
    // The output's current memory as an array: `chunk[start ..]` holds `capacity` bytes of which `used` are
    // written. Writing into an array directly avoids a Memory-to-Span conversion per field. When the output's
    // memory is not array-backed, `chunk` is a scratch array copied into `target` when the chunk is handed on.
    let mutable chunk: byte array = Array.Empty<byte>()
    let mutable start = 0
    let mutable capacity = 0
    let mutable used = 0
    let mutable target = Memory<byte>.Empty

    static let varintSize (value: uint64) =
        if value < 0x80UL then 1
        else (64 - System.Numerics.BitOperations.LeadingZeroCount value + 6) / 7

    /// A writer that only counts bytes and records nested message lengths.
    static member Measuring() = ProtoWriter(null, ProtoScratch.Lengths())

    /// A writer into `output` that uses the lengths a measuring pass recorded over the same records.
    static member Writing(output: IBufferWriter<byte>, measured: ProtoWriter) =
        ProtoWriter(output, measured.Lengths)

    /// The nested message lengths, in the order the messages start.
    member _.Lengths = lengths

    /// Bytes counted or written so far.
    member _.Length = position

    /// The size of a value as a varint.
    static member VarintSize(value: uint64) = varintSize value

    /// Hands the written part of the current chunk to the output.
    member private _.Commit() =
        WriterChunk.commit output chunk start target used
        used <- 0

    /// Makes room for `count` bytes; returns the index in `chunk` to write them at.
    member private x.Reserve(count: int) =
        if capacity - used < count then
            x.Commit()
            // The current chunk is reused as scratch only if it is one (not the output's own array).
            let struct (array, first, length, memory) =
                WriterChunk.acquire output (max count 4096) (if target.IsEmpty then null else chunk)

            chunk <- array
            start <- first
            capacity <- length
            target <- memory

        start + used

    member private x.RawVarint(value: uint64) =
        if value < 0x80UL && (measuring || capacity - used >= 1) then
            // The common case (tags, small numbers and lengths): one byte, room known.
            position <- position + 1L

            if not measuring then
                chunk[start + used] <- byte value
                used <- used + 1
        else
            x.LongVarint value

    member private x.LongVarint(value: uint64) =
        let size = varintSize value
        position <- position + int64 size

        if not measuring then
            let mutable i = x.Reserve size
            let mutable v = value

            while v >= 0x80UL do
                chunk[i] <- byte (v ||| 0x80UL)
                v <- v >>> 7
                i <- i + 1

            chunk[i] <- byte v
            used <- used + size

    member private x.Tag(field: int, wireType: int) =
        x.RawVarint(uint64 ((field <<< 3) ||| wireType))

    member private x.RawFixed64(value: uint64) =
        position <- position + 8L

        if not measuring then
            // Reserve first: it may move to a new chunk.
            let at = x.Reserve 8
            BinaryPrimitives.WriteUInt64LittleEndian(Span(chunk, at, 8), value)
            used <- used + 8

    member private x.RawFixed32(value: uint32) =
        position <- position + 4L

        if not measuring then
            // Reserve first: it may move to a new chunk.
            let at = x.Reserve 4
            BinaryPrimitives.WriteUInt32LittleEndian(Span(chunk, at, 4), value)
            used <- used + 4

    member private x.RawBytes(source: ReadOnlySpan<byte>) =
        position <- position + int64 source.Length

        if not measuring && source.Length > 0 then
            // Reserve first: it may move to a new chunk.
            let at = x.Reserve source.Length
            source.CopyTo(Span(chunk, at, source.Length))
            used <- used + source.Length

    /// Starts a nested message in `field`; every `BeginMessage` needs its `EndMessage`.
    member x.BeginMessage(field: int) =
        x.Tag(field, WireType.Length)

        if measuring then
            openMessages.Push(struct (lengths.Count, position))
            lengths.Add 0
        else
            x.RawVarint(uint64 lengths[nextLength])
            nextLength <- nextLength + 1

    /// Ends the innermost nested message.
    member _.EndMessage() =
        if measuring then
            let struct (slot, start) = openMessages.Pop()
            let length = int (position - start)
            lengths[slot] <- length
            // The length prefix goes before the content; only the total matters to the enclosing message.
            position <- position + int64 (varintSize (uint64 length))

    /// A varint field (uint32/uint64/int32/int64/enum/bool), written even when zero.
    member x.Varint(field: int, value: uint64) =
        x.Tag(field, WireType.Varint)
        x.RawVarint value

    /// A signed varint with zigzag encoding (sint32/sint64), written even when zero.
    member x.SignedVarint(field: int, value: int64) =
        x.Varint(field, uint64 ((value <<< 1) ^^^ (value >>> 63)))

    /// A bool field, written even when false.
    member x.Bool(field: int, value: bool) = x.Varint(field, (if value then 1UL else 0UL))

    /// A fixed64 / sfixed64 field, written even when zero.
    member x.Fixed64(field: int, value: uint64) =
        x.Tag(field, WireType.Fixed64)
        x.RawFixed64 value

    /// A fixed32 field, written even when zero.
    member x.Fixed32(field: int, value: uint32) =
        x.Tag(field, WireType.Fixed32)
        x.RawFixed32 value

    /// A double field, written even when zero.
    member x.Double(field: int, value: float) =
        x.Fixed64(field, uint64 (BitConverter.DoubleToInt64Bits value))

    /// A string field as UTF-8 (lone surrogates become U+FFFD), written even when empty.
    member x.String(field: int, value: string) =
        x.Tag(field, WireType.Length)

        if not measuring && value.Length <= 42 then
            // At most 126 UTF-8 bytes, so a one-byte length: encode first, then fill the length in (one pass over
            // the text instead of counting it and then encoding it).
            let at = x.Reserve(1 + 3 * value.Length)
            let size = EncodedText.utf8.GetBytes(value.AsSpan(), Span(chunk, at + 1, 3 * value.Length))
            chunk[at] <- byte size
            used <- used + 1 + size
            position <- position + 1L + int64 size
        else
            let size = EncodedText.utf8.GetByteCount value
            x.RawVarint(uint64 size)
            position <- position + int64 size

            if not measuring && size > 0 then
                // Reserve first: it may move to a new chunk.
                let at = x.Reserve size
                let written = EncodedText.utf8.GetBytes(value.AsSpan(), Span(chunk, at, size))
                used <- used + written

    /// A bytes field, written even when empty.
    member x.Bytes(field: int, value: ReadOnlySpan<byte>) =
        x.Tag(field, WireType.Length)
        x.RawVarint(uint64 value.Length)
        x.RawBytes value

    /// A 16-byte trace id as a bytes field.
    member x.TraceId(field: int, value: TraceId) =
        x.Tag(field, WireType.Length)
        x.RawVarint 16UL
        position <- position + 16L

        if not measuring then
            // Reserve first: it may move to a new chunk.
            let at = x.Reserve 16
            value.WriteBytes(Span(chunk, at, 16))
            used <- used + 16

    /// An 8-byte span id as a bytes field.
    member x.SpanId(field: int, value: SpanId) =
        x.Tag(field, WireType.Length)
        x.RawVarint 8UL
        position <- position + 8L

        if not measuring then
            // Reserve first: it may move to a new chunk.
            let at = x.Reserve 8
            value.WriteBytes(Span(chunk, at, 8))
            used <- used + 8

    /// A packed repeated fixed64 field (omitted when empty).
    member x.PackedFixed64(field: int, values: int64 list) =
        if not values.IsEmpty then
            x.Tag(field, WireType.Length)
            x.RawVarint(uint64 (8 * List.length values))

            for v in values do
                x.RawFixed64(uint64 v)

    /// A packed repeated double field (omitted when empty).
    member x.PackedDouble(field: int, values: float list) =
        if not values.IsEmpty then
            x.Tag(field, WireType.Length)
            x.RawVarint(uint64 (8 * List.length values))

            for v in values do
                x.RawFixed64(uint64 (BitConverter.DoubleToInt64Bits v))

    /// A packed repeated uint64 varint field (omitted when empty).
    member x.PackedVarint(field: int, values: int64 list) =
        if not values.IsEmpty then
            x.Tag(field, WireType.Length)
            let size = values |> List.sumBy (fun v -> varintSize (uint64 v))
            x.RawVarint(uint64 size)

            for v in values do
                x.RawVarint(uint64 v)

    /// Hands the written bytes to the output (the writing pass calls it once at the end).
    member x.Flush() =
        if not measuring then
            x.Commit()
            capacity <- 0
            target <- Memory<byte>.Empty

/// An AnyValue as plain JSON (not OTLP/JSON's tagged form), for exporters that show structured values as text:
/// arrays and maps as JSON arrays and objects, bytes as base64, NaN and the infinities as strings.
module internal AnyValueJson =
    let rec write (json: Utf8JsonWriter) (value: AnyValue) =
        match value with
        | AnyValue.String s -> json.WriteStringValue s
        | AnyValue.Bool b -> json.WriteBooleanValue b
        | AnyValue.Int i -> json.WriteNumberValue i
        | AnyValue.Double d when Double.IsFinite d -> json.WriteNumberValue d
        // JSON has no NaN or infinities: they are written as strings, as OTLP/JSON does.
        | AnyValue.Double d -> json.WriteStringValue(d.ToString("R", Globalization.CultureInfo.InvariantCulture))
        | AnyValue.Bytes b -> json.WriteBase64StringValue(ReadOnlySpan b)
        | AnyValue.Array items ->
            json.WriteStartArray()

            for item in items do
                write json item

            json.WriteEndArray()
        | AnyValue.Map entries ->
            json.WriteStartObject()

            for entry in entries do
                json.WritePropertyName entry.Key
                write json entry.Value

            json.WriteEndObject()
        | AnyValue.Empty -> json.WriteNullValue()

/// JSON primitives behind `OtlpJson`: numbers as OTLP/JSON wants them, written without intermediate strings.
/// The `mutable` locals here (out-parameters of the formatters) are the only mutable state of the JSON encoder.
[<Sealed>]
type internal JsonPrimitives(writer: Utf8JsonWriter) =
    let scratch: byte[] = Array.zeroCreate 32

    static let hexDigits = "0123456789abcdef"B

    member _.Writer = writer

    /// A signed 64-bit integer as a decimal string.
    member _.Int64String(name: JsonEncodedText, value: int64) =
        let mutable written = 0
        Utf8Formatter.TryFormat(value, scratch.AsSpan(), &written) |> ignore
        writer.WriteString(name, ReadOnlySpan<byte>(scratch, 0, written))

    /// An unsigned 64-bit integer (a fixed64 field) as a decimal string.
    member _.UInt64String(name: JsonEncodedText, value: uint64) =
        let mutable written = 0
        Utf8Formatter.TryFormat(value, scratch.AsSpan(), &written) |> ignore
        writer.WriteString(name, ReadOnlySpan<byte>(scratch, 0, written))

    /// An unsigned 64-bit integer as a decimal string array item.
    member _.UInt64StringValue(value: uint64) =
        let mutable written = 0
        Utf8Formatter.TryFormat(value, scratch.AsSpan(), &written) |> ignore
        writer.WriteStringValue(ReadOnlySpan<byte>(scratch, 0, written))

    /// A double as a JSON number, or "NaN" / "Infinity" / "-Infinity" as proto3 JSON writes them.
    member _.DoubleValue(value: float) =
        if Double.IsNaN value then writer.WriteStringValue "NaN"
        elif Double.IsPositiveInfinity value then writer.WriteStringValue "Infinity"
        elif Double.IsNegativeInfinity value then writer.WriteStringValue "-Infinity"
        else writer.WriteNumberValue value

    /// A named double (see `DoubleValue`).
    member x.Double(name: JsonEncodedText, value: float) =
        writer.WritePropertyName name
        x.DoubleValue value

    /// `count` bytes of a big-endian id as lowercase hex.
    member private _.Hex(name: JsonEncodedText, count: int, high: uint64, low: uint64) =
        for i in 0 .. count - 1 do
            let b =
                if count = 16 && i < 8 then byte (high >>> (56 - 8 * i))
                elif count = 16 then byte (low >>> (56 - 8 * (i - 8)))
                else byte (low >>> (56 - 8 * i))

            scratch[2 * i] <- hexDigits[int (b >>> 4)]
            scratch[2 * i + 1] <- hexDigits[int (b &&& 0x0Fuy)]

        writer.WriteString(name, ReadOnlySpan<byte>(scratch, 0, 2 * count))

    /// A trace id as 32 lowercase hex characters.
    member x.TraceId(name: JsonEncodedText, value: TraceId) = x.Hex(name, 16, value.High, value.Low)

    /// A span id as 16 lowercase hex characters.
    member x.SpanId(name: JsonEncodedText, value: SpanId) = x.Hex(name, 8, 0UL, value.Value)

    /// A string value; lone surrogates become U+FFFD (as in the protobuf encoding).
    member _.String(name: JsonEncodedText, value: string) =
        writer.WriteString(name, EncodedText.replaceLoneSurrogates value)

/// Grouping of a batch by instrumentation scope, shared by the OTLP encoders.
module internal ScopeGroups =
    /// Scope equality with a reference fast path (items of one source share one scope value).
    let same (a: InstrumentationScope) (b: InstrumentationScope) = obj.ReferenceEquals(a, b) || a = b

    /// The distinct scopes of the items, in order of first appearance. A batch has few scopes, so a linear
    /// search with the reference fast path beats hashing every item, and allocates only the result.
    let distinct (scopeOf: 'T -> InstrumentationScope) (items: 'T array) : InstrumentationScope array =
        let found = List<InstrumentationScope>(4)

        for item in items do
            let scope = scopeOf item
            let mutable known = false
            let mutable i = found.Count - 1

            // Newest first: items of one scope tend to come together.
            while not known && i >= 0 do
                known <- same found[i] scope
                i <- i - 1

            if not known then found.Add scope

        found.ToArray()
