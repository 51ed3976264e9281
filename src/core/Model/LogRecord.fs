namespace Functional.Telemetry

type LogRecord =
    {
        Timestamp: int64
        ObservedTimestamp: int64
        SeverityNumber: int
        SeverityText: string
        Body: AnyValue
        Attributes: KeyValue list
        DroppedAttributes: int
        TraceId: TraceId
        SpanId: SpanId
        TraceFlags: TraceFlags
        EventName: string
        Scope: InstrumentationScope
    }
