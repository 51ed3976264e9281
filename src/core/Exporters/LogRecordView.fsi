namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Diagnostics
open Microsoft.Extensions.Logging

/// How captured log calls become records (one per SDK: every log pipeline reads a call the same way).
type internal LogRecordOptions =
    {
        Limits: LogRecordLimits
        /// The template (`{OriginalFormat}`) as body instead of the formatted message.
        TemplateAsBody: bool
    }

/// Where a captured call's body comes from.
type internal LogBody =
    /// `BodyText`, the message formatted at the call (null: there was none).
    | Text = 0
    /// The template formatted with the copied pairs' values (`MessageTemplate`), when first read.
    | Template = 1
    /// The owner's `Format`, over the state it kept, when first read.
    | Deferred = 2
    /// `NativeBody` (the native F# `Logger`'s).
    | Native = 3

/// The owner of a pooled log view: the part of a captured call kept in its state's own type, read when the view is
/// first read (on a pipeline's thread), and the pool the view goes back to.
[<AbstractClass; AllowNullLiteral>]
type internal LogOwner =
    new: unit -> LogOwner

    /// Copies the pairs of the state this owner kept into the view's pairs (`LogRecordView.PairBuffer`).
    abstract ReadState: view: LogRecordView -> unit

    /// The message of the state this owner kept, formatted; null when there is none or the formatter threw.
    abstract Format: unit -> string

    /// Returns the owner (and its view) to its pool.
    abstract Recycle: unit -> unit

/// A log record as an exporter of views reads it, with no `LogRecord` made for it: the SDK hands these to exporters
/// that take views (`LogRecordViewExporter`, and its own OTLP, console and ETW exporters), and makes the `LogRecord`
/// only when something asks for one (`ToLogRecord`, a processor, an exporter of records).
///
/// The call's state is copied when the call is made: its key/value pairs into a reused buffer (the pairs' values
/// are kept when they cannot change: strings, numbers, booleans and other value types; any other object, a
/// collection or a class of yours, is converted at the call, and the message is then formatted at the call too).
/// So nothing a view shows changes after the log call returned, and `ToLogRecord` gives a record equal to it. The
/// message is formatted only when `Body` is first read (from the copied values, as `ILogger` formats it). An
/// exception is kept as it is and read on export, as the official SDK does.
///
/// A view is lent for one export: the SDK reuses it for another call once the `Export` task has completed (and
/// every pipeline given the call is done with it). Keep `ToLogRecord()` (or the values you need), never the view.
and [<Sealed; AllowNullLiteral>] LogRecordView =
    internal new: owner: LogOwner -> LogRecordView

    /// A view of a log record (for exporters of views called with records, and for tests). It is never reused.
    static member OfLogRecord: record: LogRecord -> LogRecordView

    /// A view that shows records one after another (`SetRecord`), for encoders given records.
    static member internal Cursor: unit -> LogRecordView

    /// Shows a log record (a cursor's next one).
    member internal SetRecord: record: LogRecord -> unit

    /// When the event happened, Unix nanoseconds.
    member Timestamp: int64

    /// When the SDK saw it, Unix nanoseconds.
    member ObservedTimestamp: int64

    /// 1-24; 0 when unspecified.
    member SeverityNumber: int

    /// The severity as the source named it, for example `Information`.
    member SeverityText: string

    /// The body: the formatted message (formatted on first read and kept with the view), or the template.
    member Body: AnyValue

    /// The number of attributes (after limits), read without making them.
    member AttributeCount: int

    /// Attributes (state, event id, exception, scopes), keys unique (limits applied). Made on first read.
    member Attributes: IReadOnlyList<KeyValue>

    /// Attributes dropped by limits.
    member DroppedAttributes: int

    /// The trace the record was written in; `TraceId.Empty` outside a span.
    member TraceId: TraceId

    /// The span the record was written in; `SpanId.Empty` outside a span.
    member SpanId: SpanId

    /// The span's trace flags.
    member TraceFlags: TraceFlags

    /// The event name (for example the EventId name); empty when none.
    member EventName: string

    /// The logger (category) that wrote it.
    member Scope: InstrumentationScope

    /// The immutable record of this call, equal to what the view shows; made on first call and kept with the view.
    member ToLogRecord: unit -> LogRecord

    /// The attributes as the export path reads them: a key and an object, the object either a settled value (see
    /// `TagValue.isSettled`, and other value types) or an `AnyValue`. `Tags` holds `TagCount` pairs.
    member internal Tags: KeyValuePair<string, obj> array

    /// The number of pairs of `Tags` in use.
    member internal TagCount: int

    // What the capture sets on the application's thread.

    /// Sets what every call has: options, time (UTC ticks), level, event id, exception, logger scope, the
    /// current Activity's ids (when `hasContext`), the scope values (null when none).
    member internal SetCall:
        callOptions: LogRecordOptions *
        callTicks: int64 *
        callLevel: LogLevel *
        callEventId: EventId *
        callError: exn *
        callScope: InstrumentationScope *
        callHasContext: bool *
        callTraceId: ActivityTraceId *
        callSpanId: ActivitySpanId *
        callTraceFlags: ActivityTraceFlags *
        callScopes: obj array ->
            unit

    /// Sets the span the call was made in when it is a direct tracer's (after `SetCall`).
    member internal SetSpanContext: context: SpanContext -> unit

    /// Space for `count` state pairs in the view's reused buffer (what was in it is kept).
    member internal PairBuffer: count: int -> KeyValuePair<string, obj> array

    /// Sets the state's pairs (the first `count` of `PairBuffer`), its template (null when none) and where the
    /// body comes from (`bodyText` for `LogBody.Text`).
    member internal SetState: count: int * stateTemplate: string * source: LogBody * text: string -> unit

    /// Sets a native F# record's body and attributes.
    member internal SetNative: nativeValue: AnyValue * nativeList: KeyValue list -> unit

    /// The state is read from the owner when the view is first read (`LogOwner.ReadState`), and the body
    /// formatted by it (`LogBody.Deferred`).
    member internal SetStateKept: unit -> unit

    /// Sets the pairs read by `LogOwner.ReadState`: the first `count` of `PairBuffer`, and the template.
    member internal SetPairs: count: int * stateTemplate: string -> unit

    /// Sets how many pipelines will release this view.
    member internal SetPending: count: int -> unit

    /// Called by each pipeline once done with the view; the last one clears it and returns it to its pool.
    member internal Release: unit -> unit
