namespace Functional.Telemetry

/// W3C `tracestate`: an ordered list of vendor key/value entries (at most 32), leftmost most recent.
/// Build and parse it through the `TraceState` module in Propagation, which enforces the W3C key/value rules.
type TraceState =
    {
        /// The entries, leftmost first.
        Entries: (string * string) list
    }

    /// The empty trace state.
    static member Empty = { Entries = [] }

/// The part of a span that propagates: ids, flags, trace state, and whether it came from another process.
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

    /// The invalid context (zero ids).
    static member Invalid =
        {
            TraceId = TraceId.Empty
            SpanId = SpanId.Empty
            TraceFlags = TraceFlags.None
            TraceState = TraceState.Empty
            IsRemote = false
        }

    /// True when both ids are valid (non-zero).
    member x.IsValid = x.TraceId.IsValid && x.SpanId.IsValid
