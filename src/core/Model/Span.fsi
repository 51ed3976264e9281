namespace Functional.Telemetry

open System
open System.Collections.Generic

/// The role of a span in a trace (OTLP `SpanKind`).
[<RequireQualifiedAccess>]
type SpanKind =
    /// An internal operation.
    | Internal
    /// The server side of a synchronous remote call.
    | Server
    /// The client side of a synchronous remote call.
    | Client
    /// The sender of an asynchronous message.
    | Producer
    /// The receiver of an asynchronous message.
    | Consumer

/// The outcome of a span.
[<RequireQualifiedAccess>]
type Status =
    /// Not set by the instrumentation (the default).
    | Unset
    /// Explicitly marked successful.
    | Ok
    /// Failed, with a description (may be empty).
    | Error of description: string

/// A timestamped event during a span (an exception, a retry, a cache miss).
type SpanEvent =
    {
        /// The event name; exceptions use `exception`.
        Name: string
        /// Unix time in nanoseconds.
        Timestamp: int64
        /// Event attributes.
        Attributes: IReadOnlyList<KeyValue>
        /// Attributes dropped by limits.
        DroppedAttributes: int
    }

/// A link from a span to another span (of this or another trace).
type SpanLink =
    {
        /// The linked span's context.
        Context: SpanContext
        /// Link attributes.
        Attributes: IReadOnlyList<KeyValue>
        /// Attributes dropped by limits.
        DroppedAttributes: int
    }

/// A finished span: an immutable record made when the operation ended.
type Span =
    {
        /// Ids, flags and trace state of this span.
        Context: SpanContext
        /// The parent's span id; `SpanId.Empty` for a root span.
        ParentSpanId: SpanId
        /// True when the parent context came from another process.
        ParentIsRemote: bool
        /// The operation name.
        Name: string
        /// The span kind.
        Kind: SpanKind
        /// Start, Unix time in nanoseconds.
        StartTime: int64
        /// End, Unix time in nanoseconds.
        EndTime: int64
        /// Span attributes, keys unique, in the order set.
        Attributes: IReadOnlyList<KeyValue>
        /// Events, in time order.
        Events: IReadOnlyList<SpanEvent>
        /// Links to other spans.
        Links: IReadOnlyList<SpanLink>
        /// The span status.
        Status: Status
        /// Attributes dropped by limits.
        DroppedAttributes: int
        /// Events dropped by limits.
        DroppedEvents: int
        /// Links dropped by limits.
        DroppedLinks: int
        /// The ActivitySource or tracer that produced the span.
        Scope: InstrumentationScope
    }

    /// The duration in nanoseconds.
    member DurationNanoseconds: int64

    /// True when this span has no parent.
    member IsRoot: bool
