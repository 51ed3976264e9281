namespace Functional.Telemetry

open System

/// A W3C trace id: 16 bytes, shown as 32 lowercase hex characters. All zeros is the invalid id.
[<Struct; CustomEquality; CustomComparison>]
type TraceId =
    /// The first (most significant) 8 bytes, big-endian.
    val High: uint64
    /// The last (least significant) 8 bytes, big-endian.
    val Low: uint64

    /// Makes a trace id from its two big-endian halves.
    new: high: uint64 * low: uint64 -> TraceId

    /// The all-zero (invalid) trace id.
    static member Empty: TraceId

    /// False for the all-zero id, which W3C Trace Context declares invalid.
    member IsValid: bool

    /// Writes the 16 bytes, big-endian, to the start of the destination.
    member WriteBytes: destination: Span<byte> -> unit

    /// Reads 16 big-endian bytes.
    static member FromBytes: source: ReadOnlySpan<byte> -> TraceId

    /// The 32 lowercase hex characters.
    member ToHex: unit -> string

    /// The 32 lowercase hex characters.
    override ToString: unit -> string

    /// Combines both halves.
    override GetHashCode: unit -> int

    /// Equal to another TraceId with the same bytes.
    override Equals: other: obj -> bool

    interface IEquatable<TraceId>
    interface IComparable<TraceId>
    interface IComparable

/// A W3C span (parent) id: 8 bytes, shown as 16 lowercase hex characters. All zeros is the invalid id.
[<Struct; CustomEquality; CustomComparison>]
type SpanId =
    /// The 8 bytes as a big-endian integer.
    val Value: uint64

    /// Makes a span id from its big-endian integer value.
    new: value: uint64 -> SpanId

    /// The all-zero (invalid) span id; a root span's parent id.
    static member Empty: SpanId

    /// False for the all-zero id.
    member IsValid: bool

    /// Writes the 8 bytes, big-endian, to the start of the destination.
    member WriteBytes: destination: Span<byte> -> unit

    /// Reads 8 big-endian bytes.
    static member FromBytes: source: ReadOnlySpan<byte> -> SpanId

    /// The 16 lowercase hex characters.
    member ToHex: unit -> string

    /// The 16 lowercase hex characters.
    override ToString: unit -> string

    /// The hash of the value.
    override GetHashCode: unit -> int

    /// Equal to another SpanId with the same bytes.
    override Equals: other: obj -> bool

    interface IEquatable<SpanId>
    interface IComparable<SpanId>
    interface IComparable

/// The W3C trace-flags byte. Bit 0 is "sampled", bit 1 is "random" (W3C Trace Context level 2).
[<Struct>]
type TraceFlags =
    /// The raw byte.
    val Value: byte

    /// Wraps a raw byte.
    new: value: byte -> TraceFlags

    /// No flag set: not sampled.
    static member None: TraceFlags

    /// Only the sampled flag.
    static member Sampled: TraceFlags

    /// True when bit 0 (sampled) is set.
    member IsSampled: bool

    /// True when bit 1 (random trace id) is set.
    member IsRandom: bool

    /// The same flags with "sampled" set or cleared.
    member WithSampled: sampled: bool -> TraceFlags

    /// The byte as two lowercase hex characters.
    override ToString: unit -> string

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Parsing of the ids from their W3C hex form (pure, total).
[<RequireQualifiedAccess>]
module Ids =
    /// Parses `count` lowercase hex characters (at most 16) of `text` from `start`; ValueNone on any other character.
    val internal tryParseHex: text: string -> start: int -> count: int -> uint64 voption

    /// Parses 32 lowercase hex characters; None on wrong length or characters. The all-zero id parses (check IsValid).
    val tryParseTraceId: text: string -> TraceId option

    /// Parses 16 lowercase hex characters; None on wrong length or characters.
    val tryParseSpanId: text: string -> SpanId option
