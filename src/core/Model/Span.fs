namespace Functional.Telemetry

open System
open System.Collections.Generic

[<RequireQualifiedAccess>]
type SpanKind =
    | Internal
    | Server
    | Client
    | Producer
    | Consumer

[<RequireQualifiedAccess>]
type Status =
    | Unset
    | Ok
    | Error of description: string

type SpanEvent =
    {
        Name: string
        Timestamp: int64
        Attributes: IReadOnlyList<KeyValue>
        DroppedAttributes: int
    }

type SpanLink =
    {
        Context: SpanContext
        Attributes: IReadOnlyList<KeyValue>
        DroppedAttributes: int
    }

type Span =
    {
        Context: SpanContext
        ParentSpanId: SpanId
        ParentIsRemote: bool
        Name: string
        Kind: SpanKind
        StartTime: int64
        EndTime: int64
        Attributes: IReadOnlyList<KeyValue>
        Events: IReadOnlyList<SpanEvent>
        Links: IReadOnlyList<SpanLink>
        Status: Status
        DroppedAttributes: int
        DroppedEvents: int
        DroppedLinks: int
        Scope: InstrumentationScope
    }

    member x.DurationNanoseconds = x.EndTime - x.StartTime

    member x.IsRoot = not x.ParentSpanId.IsValid
