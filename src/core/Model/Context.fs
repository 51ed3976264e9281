namespace Functional.Telemetry

open System
open System.Collections.Generic

type TraceState = { Entries: IReadOnlyList<string * string> }

// Records have no static let: the shared values live in modules, and the members read them.
module internal TraceStateValues =
    let empty: TraceState = { Entries = [] }

type TraceState with
    static member Empty = TraceStateValues.empty

[<Struct>]
type SpanContext =
    {
        TraceId: TraceId
        SpanId: SpanId
        TraceFlags: TraceFlags
        TraceState: TraceState
        IsRemote: bool
    }

    member x.IsValid = x.TraceId.IsValid && x.SpanId.IsValid

module internal SpanContextValues =
    let invalid: SpanContext =
        {
            TraceId = TraceId.Empty
            SpanId = SpanId.Empty
            TraceFlags = TraceFlags.None
            TraceState = TraceState.Empty
            IsRemote = false
        }

type SpanContext with
    static member Invalid = SpanContextValues.invalid
