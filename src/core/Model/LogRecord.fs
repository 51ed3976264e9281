namespace Functional.Telemetry

open System
open System.Collections.Generic

type LogRecord =
    {
        Timestamp: int64
        ObservedTimestamp: int64
        SeverityNumber: int
        SeverityText: string
        Body: AnyValue
        Attributes: IReadOnlyList<KeyValue>
        DroppedAttributes: int
        TraceId: TraceId
        SpanId: SpanId
        TraceFlags: TraceFlags
        EventName: string
        Scope: InstrumentationScope
    }
