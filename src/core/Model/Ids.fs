namespace Functional.Telemetry

open System
open System.Buffers.Binary

[<Struct; CustomEquality; CustomComparison>]
type TraceId =
    val High: uint64
    val Low: uint64

    new(high: uint64, low: uint64) = { High = high; Low = low }

    static member Empty = TraceId(0UL, 0UL)

    member x.IsValid = x.High <> 0UL || x.Low <> 0UL

    member x.WriteBytes(destination: Span<byte>) =
        BinaryPrimitives.WriteUInt64BigEndian(destination, x.High)
        BinaryPrimitives.WriteUInt64BigEndian(destination.Slice 8, x.Low)

    static member FromBytes(source: ReadOnlySpan<byte>) =
        TraceId(BinaryPrimitives.ReadUInt64BigEndian source, BinaryPrimitives.ReadUInt64BigEndian(source.Slice 8))

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

[<Struct; CustomEquality; CustomComparison>]
type SpanId =
    val Value: uint64

    new(value: uint64) = { Value = value }

    static member Empty = SpanId 0UL

    member x.IsValid = x.Value <> 0UL

    member x.WriteBytes(destination: Span<byte>) = BinaryPrimitives.WriteUInt64BigEndian(destination, x.Value)

    static member FromBytes(source: ReadOnlySpan<byte>) = SpanId(BinaryPrimitives.ReadUInt64BigEndian source)

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

[<Struct>]
type TraceFlags =
    val Value: byte

    new(value: byte) = { Value = value }

    static member None = TraceFlags 0uy

    static member Sampled = TraceFlags 1uy

    member x.IsSampled = x.Value &&& 1uy = 1uy

    member x.IsRandom = x.Value &&& 2uy = 2uy

    member x.WithSampled(sampled: bool) =
        if sampled then
            TraceFlags(x.Value ||| 1uy)
        else
            TraceFlags(x.Value &&& 0xFEuy)

    override x.ToString() = x.Value.ToString "x2"

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

[<RequireQualifiedAccess>]
module Ids =
    let inline private hexDigit (c: char) =
        if c >= '0' && c <= '9' then int c - int '0'
        elif c >= 'a' && c <= 'f' then int c - int 'a' + 10
        else -1

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

    let tryParseTraceId (text: string) : TraceId option =
        if isNull text || text.Length <> 32 then
            None
        else
            match tryParseHex text 0 16, tryParseHex text 16 16 with
            | ValueSome high, ValueSome low -> Some(TraceId(high, low))
            | _ -> None

    let tryParseSpanId (text: string) : SpanId option =
        if isNull text || text.Length <> 16 then
            None
        else
            match tryParseHex text 0 16 with
            | ValueSome v -> Some(SpanId v)
            | ValueNone -> None
