namespace Functional.Telemetry

open System
open System.Buffers.Binary

/// A W3C trace id: 16 bytes, shown as 32 lowercase hex characters. All zeros is the invalid id.
[<Struct; CustomEquality; CustomComparison>]
type TraceId =
    /// The first (most significant) 8 bytes, big-endian.
    val High: uint64
    /// The last (least significant) 8 bytes, big-endian.
    val Low: uint64

    /// Makes a trace id from its two big-endian halves.
    new(high: uint64, low: uint64) = { High = high; Low = low }

    /// The all-zero (invalid) trace id.
    static member Empty = TraceId(0UL, 0UL)

    /// False for the all-zero id, which W3C Trace Context declares invalid.
    member x.IsValid = x.High <> 0UL || x.Low <> 0UL

    /// Writes the 16 bytes, big-endian, to the start of the destination.
    member x.WriteBytes(destination: Span<byte>) =
        BinaryPrimitives.WriteUInt64BigEndian(destination, x.High)
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice 8, x.Low)

    /// Reads 16 big-endian bytes.
    static member FromBytes(source: ReadOnlySpan<byte>) =
        TraceId(BinaryPrimitives.ReadUInt64BigEndian source, BinaryPrimitives.ReadUInt64BigEndian(source.Slice 8))

    /// The 32 lowercase hex characters.
    member x.ToHex() = x.High.ToString "x16" + x.Low.ToString "x16"

    override x.ToString() = x.ToHex()
    override x.GetHashCode() = HashCode.Combine(x.High, x.Low)

    override x.Equals(other: obj) =
        match other with
        | :? TraceId as t -> x.High = t.High && x.Low = t.Low
        | _ -> false

    interface IEquatable<TraceId> with
        member x.Equals t = x.High = t.High && x.Low = t.Low

    interface IComparable<TraceId> with
        member x.CompareTo t =
            match compare x.High t.High with
            | 0 -> compare x.Low t.Low
            | c -> c

    interface IComparable with
        member x.CompareTo other =
            match other with
            | :? TraceId as t -> (x :> IComparable<TraceId>).CompareTo t
            | _ -> invalidArg "other" "not a TraceId"

/// A W3C span (parent) id: 8 bytes, shown as 16 lowercase hex characters. All zeros is the invalid id.
[<Struct; CustomEquality; CustomComparison>]
type SpanId =
    /// The 8 bytes as a big-endian integer.
    val Value: uint64

    /// Makes a span id from its big-endian integer value.
    new(value: uint64) = { Value = value }

    /// The all-zero (invalid) span id; a root span's parent id.
    static member Empty = SpanId 0UL

    /// False for the all-zero id.
    member x.IsValid = x.Value <> 0UL

    /// Writes the 8 bytes, big-endian, to the start of the destination.
    member x.WriteBytes(destination: Span<byte>) = BinaryPrimitives.WriteUInt64BigEndian(destination, x.Value)

    /// Reads 8 big-endian bytes.
    static member FromBytes(source: ReadOnlySpan<byte>) = SpanId(BinaryPrimitives.ReadUInt64BigEndian source)

    /// The 16 lowercase hex characters.
    member x.ToHex() = x.Value.ToString "x16"

    override x.ToString() = x.ToHex()
    override x.GetHashCode() = x.Value.GetHashCode()

    override x.Equals(other: obj) =
        match other with
        | :? SpanId as s -> x.Value = s.Value
        | _ -> false

    interface IEquatable<SpanId> with
        member x.Equals s = x.Value = s.Value

    interface IComparable<SpanId> with
        member x.CompareTo s = compare x.Value s.Value

    interface IComparable with
        member x.CompareTo other =
            match other with
            | :? SpanId as s -> compare x.Value s.Value
            | _ -> invalidArg "other" "not a SpanId"

/// The W3C trace-flags byte. Bit 0 is "sampled", bit 1 is "random" (W3C Trace Context level 2).
[<Struct>]
type TraceFlags =
    /// The raw byte.
    val Value: byte

    /// Wraps a raw byte.
    new(value: byte) = { Value = value }

    /// No flag set: not sampled.
    static member None = TraceFlags 0uy

    /// Only the sampled flag.
    static member Sampled = TraceFlags 1uy

    /// True when bit 0 (sampled) is set.
    member x.IsSampled = x.Value &&& 1uy = 1uy

    /// True when bit 1 (random trace id) is set.
    member x.IsRandom = x.Value &&& 2uy = 2uy

    /// The same flags with "sampled" set or cleared.
    member x.WithSampled(sampled: bool) =
        if sampled then
            TraceFlags(x.Value ||| 1uy)
        else
            TraceFlags(x.Value &&& 0xFEuy)

    override x.ToString() = x.Value.ToString "x2"

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers.Binary

/// Parsing of the ids from their W3C hex form (pure, total).
[<RequireQualifiedAccess>]
module Ids =
    let inline private hexDigit (c: char) =
        if c >= '0' && c <= '9' then int c - int '0'
        elif c >= 'a' && c <= 'f' then int c - int 'a' + 10
        else -1

    /// Parses `count` lowercase hex characters (at most 16) of `text` from `start`; ValueNone on any other character.
    let tryParseHex (text: string) (start: int) (count: int) : uint64 voption =
        let rec go i (value: uint64) =
            if i = start + count then
                ValueSome value
            else
                match hexDigit text[i] with
                | -1 -> ValueNone
                | d -> go (i + 1) ((value <<< 4) ||| uint64 d)

        if isNull text || count > 16 || start < 0 || start + count > text.Length then
            ValueNone
        else
            go start 0UL

    /// Parses 32 lowercase hex characters; None on wrong length or characters. The all-zero id parses (check IsValid).
    let tryParseTraceId (text: string) : TraceId option =
        if isNull text || text.Length <> 32 then
            None
        else
            match tryParseHex text 0 16, tryParseHex text 16 16 with
            | ValueSome high, ValueSome low -> Some(TraceId(high, low))
            | _ -> None

    /// Parses 16 lowercase hex characters; None on wrong length or characters.
    let tryParseSpanId (text: string) : SpanId option =
        if isNull text || text.Length <> 16 then
            None
        else
            match tryParseHex text 0 16 with
            | ValueSome v -> Some(SpanId v)
            | ValueNone -> None
