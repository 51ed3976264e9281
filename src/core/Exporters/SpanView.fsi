namespace Functional.Telemetry

open System.Collections.Generic
open System.Diagnostics

/// Reads an ended span's source (a stopped Activity, a direct tracer's span) into a view (`SpanView.SetFrozen` or
/// `SetRecord`) the first time the view is read, and lets the source go when the view is done with it.
[<AbstractClass>]
type internal SpanFreezer =
    new: unit -> SpanFreezer

    /// Fills `view` with `source` as it is now. Never throws.
    abstract Freeze: view: SpanView * source: obj -> unit

    /// The view no longer needs `source` (read, or given back unread).
    abstract Release: source: obj -> unit

/// A finished span as an exporter of views reads it, with no `Span` record made for it: the SDK hands these to
/// exporters that take views (`SpanViewExporter`, and its own OTLP, console and ETW exporters), and makes the `Span`
/// record only when something asks for one (`ToSpan`, a processor, an exporter of records).
///
/// What a view shows is fixed when it is first read (by the exporter, during its batch's export, on the pipeline's
/// own thread): it never changes afterwards, during an export or between retries, and `ToSpan` gives a record equal
/// to it. An `Activity` changed after it stopped and before its span was first read is exported as it was then, as
/// the official SDK exports what the `Activity` holds when its batch is exported; later changes are not seen. A
/// view nobody reads costs nothing but its place in the batch.
///
/// A view is lent for one export: the SDK reuses it for another span once the `Export` task has completed.
/// Keep `ToSpan()` (or the values you need), never the view itself.
and [<Sealed; AllowNullLiteral>] SpanView =
    internal new: unit -> SpanView

    /// A view of a span record (for exporters of views called with records, and for tests). It is never reused.
    static member OfSpan: span: Span -> SpanView

    /// Ids, flags and trace state of this span.
    member Context: SpanContext

    /// The parent's span id; `SpanId.Empty` for a root span.
    member ParentSpanId: SpanId

    /// True when the parent context came from another process.
    member ParentIsRemote: bool

    /// The operation name.
    member Name: string

    /// The span kind.
    member Kind: SpanKind

    /// Start, Unix time in nanoseconds.
    member StartTime: int64

    /// End, Unix time in nanoseconds.
    member EndTime: int64

    /// The duration in nanoseconds.
    member DurationNanoseconds: int64

    /// True when this span has no parent.
    member IsRoot: bool

    /// The span status.
    member Status: Status

    /// The ActivitySource or tracer that produced the span.
    member Scope: InstrumentationScope

    /// The number of attributes (after limits), read without making them.
    member AttributeCount: int

    /// Span attributes, keys unique, in the order set (limits applied). Made on first read and kept with the view.
    member Attributes: IReadOnlyList<KeyValue>

    /// Events, in time order (limits applied).
    member Events: IReadOnlyList<SpanEvent>

    /// Links to other spans (limits applied).
    member Links: IReadOnlyList<SpanLink>

    /// Attributes dropped by limits.
    member DroppedAttributes: int

    /// Events dropped by limits.
    member DroppedEvents: int

    /// Links dropped by limits.
    member DroppedLinks: int

    /// The immutable record of this span, equal to what the view shows; made on first call and kept with the view.
    member ToSpan: unit -> Span

    /// The attributes as the export path reads them: a key and an object, the object either a settled tag
    /// object (see `TagValue.isSettled`) or an `AnyValue`. `Tags` holds `TagCount` pairs.
    member internal Tags: KeyValuePair<string, obj> array

    /// The number of pairs of `Tags` in use.
    member internal TagCount: int

    /// Space for `count` tags in this view's reused buffer (what was in it is kept).
    member internal TagBuffer: count: int -> KeyValuePair<string, obj> array

    /// Shows a span read from its source: the first `tagCount` pairs of `TagBuffer` are its attributes, settled;
    /// it has no events, links or drops.
    member internal SetFrozen:
        spanContext: SpanContext *
        parent: SpanId *
        remoteParent: bool *
        spanName: string *
        spanKind: SpanKind *
        start: int64 *
        finish: int64 *
        spanStatus: Status *
        spanScope: InstrumentationScope *
        count: int ->
            unit

    /// Shows a span record.
    member internal SetRecord: span: Span -> unit

    /// Shows `source` (an Activity, a direct span), read by `reader` when the view is first read.
    member internal Lend: source: obj * reader: SpanFreezer -> unit

    /// Forgets the span shown (the view goes back to its pool).
    member internal Clear: unit -> unit
