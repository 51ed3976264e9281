namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Buffers
open System.Buffers.Binary

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

/// A nested message being written by `ProtoWriter`: where its content starts, and how many bytes were left for
/// its length just before it. `BeginMessage` returns it and the caller hands it to `EndMessage`, so open messages
/// live in the encoder's locals instead of a stack in the writer.
[<Struct>]
type internal OpenMessage = { Content: int; LengthBytes: int }

/// The protobuf wire writer behind `OtlpProtobuf`: one pass over the records into a contiguous buffer, either the
/// caller's `RequestBuffer` (written in place) or one of its own (`ProtoScratch`), copied into the caller's
/// `IBufferWriter` once at the end.
///
/// A nested message's length is known only at its end, so `BeginMessage` leaves room for it and `EndMessage`
/// fills it in. The room is a guess of how many bytes the length's varint will take: one for most messages
/// (attributes, values, events are under 128 bytes), more where the caller expects a bigger message (a span:
/// two; a scope group or a resource group: three, up to 2 MB). When the guess is wrong, `EndMessage` moves the
/// content by the difference (forward when the length needs more bytes, back when it needs fewer), so lengths
/// always stay minimal varints: the bytes are those a measure-then-write encoder produces, whatever the guess.
/// A right guess moves nothing, which is what keeps a 512-span batch from being moved twice over (once per
/// container) as it was when every message started with one byte. Patching needs every byte of an open
/// message to stay writable, which is why the writer writes into an array it owns or borrows, not into an
/// `IBufferWriter`'s chunks.
///
/// The primitives read `buffer` and `position` into locals once and compare as unsigned, so that the JIT can
/// drop the array's own bounds check after the room check; this is the encoders' innermost loop.
/// The mutable fields below (buffer, position) are the only mutable state of the encoders; everything above
/// this type is plain functions over records.
[<Sealed>]
type internal ProtoWriter private (initialBuffer: byte array, initialPosition: int) =
    let mutable buffer = initialBuffer
    let mutable position = initialPosition

    static let varintSize (value: uint64) =
        if value < 0x80UL then
            1
        else
            (64 - System.Numerics.BitOperations.LeadingZeroCount value + 6) / 7

    /// Encodes with `emit` and appends the bytes to `output`: in place when it is a `RequestBuffer`, otherwise
    /// through a per-thread buffer and one copy.
    static member Write(emit: ProtoWriter -> unit, output: IBufferWriter<byte>) =
        match output with
        | :? RequestBuffer as request ->
            let writer = ProtoWriter(request.Array, request.WrittenCount)
            emit writer
            request.Adopt(writer.Buffer, writer.Position)
        | _ ->
            let writer = ProtoWriter(ProtoScratch.TakeBuffer(), 0)
            emit writer
            writer.CopyTo output
            ProtoScratch.ReturnBuffer writer.Buffer

    /// The number of bytes `Write` appends for `emit`.
    static member Size(emit: ProtoWriter -> unit) =
        let writer = ProtoWriter(ProtoScratch.TakeBuffer(), 0)
        emit writer
        ProtoScratch.ReturnBuffer writer.Buffer
        int64 writer.Position

    member private _.Buffer = buffer
    member private _.Position = position

    member private _.CopyTo(output: IBufferWriter<byte>) =
        let mutable copied = 0

        // An output may hand out less than asked for; copy in as many pieces as it gives.
        while copied < position do
            let span = output.GetSpan(position - copied)
            let count = min span.Length (position - copied)
            ReadOnlySpan<byte>(buffer, copied, count).CopyTo span
            output.Advance count
            copied <- copied + count

    /// Makes room for `count` more bytes at `position`.
    member private x.Ensure(count: int) =
        if uint (buffer.Length - position) < uint count then
            x.Grow count

    member private _.Grow(count: int) =
        let bigger = GC.AllocateUninitializedArray<byte>(max (2 * buffer.Length) (position + count))

        Buffer.BlockCopy(buffer, 0, bigger, 0, position)
        buffer <- bigger

    member private x.RawVarint(value: uint64) =
        let b = buffer
        let p = position

        if value < 0x80UL && uint p < uint b.Length then
            // The common case (tags, small numbers and lengths): one byte, room known.
            b[p] <- byte value
            position <- p + 1
        elif value < 0x4000UL && uint (p + 1) < uint b.Length then
            // Two bytes: tags of fields 16 and up, status codes, ports, lengths under 16 KB.
            b[p] <- byte (value ||| 0x80UL)
            b[p + 1] <- byte (value >>> 7)
            position <- p + 2
        else
            x.LongVarint value

    member private x.LongVarint(value: uint64) =
        x.Ensure 10
        let b = buffer
        let mutable p = position
        let mutable v = value

        while v >= 0x80UL do
            b[p] <- byte (v ||| 0x80UL)
            v <- v >>> 7
            p <- p + 1

        b[p] <- byte v
        position <- p + 1

    member private x.Tag(field: int, wireType: int) = x.RawVarint(uint64 ((field <<< 3) ||| wireType))

    member private x.RawFixed64(value: uint64) =
        x.Ensure 8
        BinaryPrimitives.WriteUInt64LittleEndian(Span(buffer, position, 8), value)
        position <- position + 8

    member private x.RawFixed32(value: uint32) =
        x.Ensure 4
        BinaryPrimitives.WriteUInt32LittleEndian(Span(buffer, position, 4), value)
        position <- position + 4

    member private x.RawBytes(source: ReadOnlySpan<byte>) =
        x.Ensure source.Length
        source.CopyTo(Span(buffer, position, source.Length))
        position <- position + source.Length

    /// Starts a nested message in `field` whose length is expected to take `lengthBytes` bytes (1: under 128
    /// bytes; 2: under 16 KB; 3: under 2 MB). Any guess gives the same bytes; a right one moves nothing.
    /// The result goes to the message's `EndMessage`, after its content.
    member x.BeginMessage(field: int, lengthBytes: int) : OpenMessage =
        x.Tag(field, WireType.Length)
        x.Ensure lengthBytes
        let content = position + lengthBytes
        position <- content
        { Content = content; LengthBytes = lengthBytes }

    /// Starts a nested message in `field` expected to be under 128 bytes (see the other overload).
    member x.BeginMessage(field: int) = x.BeginMessage(field, 1)

    /// Ends a nested message: the one `BeginMessage` returned `message` for, whose content is all written.
    member x.EndMessage(message: OpenMessage) =
        let b = buffer
        let length = position - message.Content
        let at = message.Content - 1

        if length < 0x80 && message.LengthBytes = 1 && uint at < uint b.Length then
            b[at] <- byte length
        else
            x.EndOtherMessage(message.Content, message.LengthBytes, length)

    // The length takes more than one byte, or more or fewer bytes than were left for it: move the content by the
    // difference (a memmove: the ranges overlap), then write the length.
    member private x.EndOtherMessage(content: int, reserved: int, length: int) =
        let needed = varintSize (uint64 length)
        let shift = needed - reserved

        if shift <> 0 then
            if shift > 0 then
                x.Ensure shift

            Span(buffer, content, length).CopyTo(Span(buffer, content + shift, length))
            position <- position + shift

        let mutable at = content - reserved
        let mutable v = uint32 length

        while v >= 0x80u do
            buffer[at] <- byte (v ||| 0x80u)
            v <- v >>> 7
            at <- at + 1

        buffer[at] <- byte v

    /// A varint field (uint32/uint64/int32/int64/enum/bool), written even when zero.
    member x.Varint(field: int, value: uint64) =
        x.Tag(field, WireType.Varint)
        x.RawVarint value

    /// A signed varint with zigzag encoding (sint32/sint64), written even when zero.
    member x.SignedVarint(field: int, value: int64) = x.Varint(field, uint64 ((value <<< 1) ^^^ (value >>> 63)))

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
    member x.Double(field: int, value: float) = x.Fixed64(field, uint64 (BitConverter.DoubleToInt64Bits value))

    /// A string field as UTF-8 (lone surrogates become U+FFFD), written even when empty.
    member x.String(field: int, value: string) =
        x.Tag(field, WireType.Length)

        if value.Length <= 42 then
            // At most 126 UTF-8 bytes, so a one-byte length: encode first, then fill the length in (one pass over
            // the text instead of counting it and then encoding it).
            x.Ensure(1 + 3 * value.Length)
            let into = Span(buffer, position + 1, 3 * value.Length)
            let mutable ascii = 0

            // Most keys and values are ASCII, whose UTF-8 is the same bytes; the vectorised ASCII narrowing is
            // cheaper than the encoder (which starts over, from the first character, on anything else).
            let size =
                if Text.Ascii.FromUtf16(value.AsSpan(), into, &ascii) = OperationStatus.Done then
                    ascii
                else
                    EncodedText.utf8.GetBytes(value.AsSpan(), into)

            buffer[position] <- byte size
            position <- position + 1 + size
        else
            // Longer: ASCII first, whose UTF-8 size is its length (so the length's size is known before the text
            // is encoded after it); anything else is counted, then encoded (over the partial ASCII attempt).
            let count = value.Length
            let lengthSize = varintSize (uint64 count)
            x.Ensure(lengthSize + count)
            let mutable ascii = 0

            if
                Text.Ascii.FromUtf16(value.AsSpan(), Span(buffer, position + lengthSize, count), &ascii) = OperationStatus.Done
            then
                x.RawVarint(uint64 count)
                position <- position + count
            else
                let size = EncodedText.utf8.GetByteCount value
                x.RawVarint(uint64 size)
                x.Ensure size

                position <-
                    position
                    + EncodedText.utf8.GetBytes(value.AsSpan(), Span(buffer, position, size))

    /// A bytes field, written even when empty.
    member x.Bytes(field: int, value: ReadOnlySpan<byte>) =
        x.Tag(field, WireType.Length)
        x.RawVarint(uint64 value.Length)
        x.RawBytes value

    /// A 16-byte trace id as a bytes field.
    member x.TraceId(field: int, value: TraceId) =
        x.Tag(field, WireType.Length)
        x.RawVarint 16UL
        x.Ensure 16
        value.WriteBytes(Span(buffer, position, 16))
        position <- position + 16

    /// An 8-byte span id as a bytes field.
    member x.SpanId(field: int, value: SpanId) =
        x.Tag(field, WireType.Length)
        x.RawVarint 8UL
        x.Ensure 8
        value.WriteBytes(Span(buffer, position, 8))
        position <- position + 8

    /// A packed repeated fixed64 field (omitted when empty).
    member x.PackedFixed64(field: int, values: IReadOnlyList<int64>) =
        if values.Count > 0 then
            // One walk of the list: the length is filled in afterwards, as a message's (a histogram's 16 bucket
            // counts take 128 bytes, a two-byte length; fewer values move back by a byte).
            let packed = x.BeginMessage(field, 2)

            for v in values do
                x.RawFixed64(uint64 v)

            x.EndMessage packed

    /// A packed repeated double field (omitted when empty).
    member x.PackedDouble(field: int, values: IReadOnlyList<float>) =
        if values.Count > 0 then
            let packed = x.BeginMessage(field, 2)

            for v in values do
                x.RawFixed64(uint64 (BitConverter.DoubleToInt64Bits v))

            x.EndMessage packed

    /// A packed repeated uint64 varint field (omitted when empty).
    member x.PackedVarint(field: int, values: IReadOnlyList<int64>) =
        if values.Count > 0 then
            x.Tag(field, WireType.Length)
            let size = values |> Seq.sumBy (fun v -> varintSize (uint64 v))
            x.RawVarint(uint64 size)

            for v in values do
                x.RawVarint(uint64 v)
