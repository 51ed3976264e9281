namespace Functional.Telemetry

open System
open System.Collections.Generic

/// W3C `tracestate`: an ordered list of vendor key/value entries (at most 32), leftmost most recent.
/// Build and parse it through the `TraceState` module in Propagation, which enforces the W3C key/value rules.
type TraceState =
    {
        /// The entries, leftmost first.
        Entries: IReadOnlyList<string * string>
    }

    /// The empty trace state (one shared value).
    static member Empty: TraceState

/// The part of a span that propagates: ids, flags, trace state, and whether it came from another process.
/// A struct: it lives inside the span, link or exemplar that carries it, without an allocation of its own.
[<Struct>]
type SpanContext =
    {
        /// The trace this span belongs to.
        TraceId: TraceId
        /// This span's id.
        SpanId: SpanId
        /// The W3C trace flags (sampled, random).
        TraceFlags: TraceFlags
        /// Vendor-specific trace state.
        TraceState: TraceState
        /// True when this context was extracted from a carrier (another process), not created here.
        IsRemote: bool
    }

    /// True when both ids are valid (non-zero).
    member IsValid: bool

    /// The invalid context (zero ids; one shared value).
    static member Invalid: SpanContext
