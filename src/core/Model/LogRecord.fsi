namespace Functional.Telemetry

open System
open System.Collections.Generic

/// A log record, as in the OpenTelemetry logs data model.
type LogRecord =
    {
        /// When the event happened, Unix nanoseconds.
        Timestamp: int64
        /// When the SDK saw it, Unix nanoseconds.
        ObservedTimestamp: int64
        /// 1-24 (TRACE 1-4, DEBUG 5-8, INFO 9-12, WARN 13-16, ERROR 17-20, FATAL 21-24); 0 when unspecified.
        SeverityNumber: int
        /// The severity as the source named it, for example `Information`.
        SeverityText: string
        /// The body: usually the formatted message string.
        Body: AnyValue
        /// Attributes (structured state, exception details, scopes), keys unique.
        Attributes: IReadOnlyList<KeyValue>
        /// Attributes dropped by limits.
        DroppedAttributes: int
        /// The trace the record was written in; `TraceId.Empty` outside a span.
        TraceId: TraceId
        /// The span the record was written in; `SpanId.Empty` outside a span.
        SpanId: SpanId
        /// The span's trace flags.
        TraceFlags: TraceFlags
        /// The event name (for example the EventId name); empty when none.
        EventName: string
        /// The logger (category) that wrote it.
        Scope: InstrumentationScope
    }
