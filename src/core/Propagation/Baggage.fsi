namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// The value of one baggage entry and its W3C properties.
type BaggageEntry =
    {
        /// The value, decoded (percent-encoding removed).
        Value: string
        /// The raw W3C properties that followed the value, without the leading `;`, for example `p1=x;p2`; empty when none.
        Metadata: string
    }

/// W3C Baggage: ordered key/value entries with unique keys, propagated alongside the trace context.
type Baggage =
    {
        /// The entries in order, keys unique.
        Entries: (string * BaggageEntry) list
    }

/// Building, parsing and formatting W3C baggage (pure, total).
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Baggage =
    /// The header name, `baggage`.
    [<CompiledName("HeaderName")>]
    val headerName: string

    /// The most members a header carries (64); more are dropped.
    [<CompiledName("MaxMembers")>]
    val maxMembers: int

    /// The most bytes a header carries (8192, commas included); members that would exceed it are dropped.
    [<CompiledName("MaxBytes")>]
    val maxBytes: int

    /// The empty baggage.
    [<CompiledName("Empty")>]
    val empty: Baggage

    /// True for a W3C baggage key: a non-empty HTTP token (letters, digits and ``!#$%&'*+-.^_`|~``).
    [<CompiledName("IsValidKey")>]
    val isValidKey: key: string -> bool

    /// Sets an entry: replaces the key's entry in place, or appends it. A null key leaves the baggage unchanged.
    /// Any key is kept here; `format` skips keys that are not tokens.
    [<CompiledName("SetEntry")>]
    val setEntry: key: string -> entry: BaggageEntry -> baggage: Baggage -> Baggage

    /// Sets a value with no metadata (see `setEntry`); a null value is stored as empty.
    [<CompiledName("Set")>]
    val set: key: string -> value: string -> baggage: Baggage -> Baggage

    /// The baggage without the key's entry.
    [<CompiledName("Remove")>]
    val remove: key: string -> baggage: Baggage -> Baggage

    /// The value of the key's entry.
    [<CompiledName("TryFind")>]
    val tryFind: key: string -> baggage: Baggage -> string option

    /// The key's entry (value and metadata).
    [<CompiledName("TryFindEntry")>]
    val tryFindEntry: key: string -> baggage: Baggage -> BaggageEntry option

    /// Parses a `baggage` header value: members `key = value *(; property)` separated by `,` (spaces/tabs allowed
    /// around separators), values percent-decoded as UTF-8. Invalid members are skipped; members beyond 64 or
    /// 8192 bytes are dropped; a repeated key replaces the earlier value. None when no member is valid.
    [<CompiledName("TryParse")>]
    val tryParse: header: string -> Baggage option

    /// As `tryParse`, with `empty` when nothing is valid.
    [<CompiledName("Parse")>]
    val parse: header: string -> Baggage

    /// Combines several `baggage` header values (in order) and parses them as one list.
    [<CompiledName("ParseHeaders")>]
    val parseHeaders: headers: string list -> Baggage

    /// Formats a `baggage` header value: `key=value;metadata` joined by `,`, values percent-encoded (every byte
    /// outside the W3C baggage-octet range, and `%`, as `%XX` of its UTF-8). Entries whose key is not a token are
    /// skipped, invalid metadata is left out, and members that would pass 64 members or 8192 bytes are dropped.
    [<CompiledName("Format")>]
    val format: baggage: Baggage -> string
