namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Threading

[<Sealed; AllowNullLiteral>]
type SpanView internal () =
    static let noTags: KeyValuePair<string, obj> array = [||]

    // The shown span: frozen fields, or a record (`record` set and `recordShown`). Written only by the export stage
    // before the view is handed out, read by the exporter after: the stage's hand-off orders them.
    let mutable context = SpanContext.Invalid
    let mutable parentSpanId = SpanId.Empty
    let mutable parentIsRemote = false
    let mutable name = ""
    let mutable kind = SpanKind.Internal
    let mutable startTime = 0L
    let mutable endTime = 0L
    let mutable status = Status.Unset
    let mutable scope = Unchecked.defaultof<InstrumentationScope>
    let mutable tags = noTags
    let mutable tagCount = 0
    let mutable recordShown = false
    // The record shown, or the one made by ToSpan; the attribute list made by Attributes. Made at most once per
    // span (a race between two readers makes two equal values, one kept).
    let mutable record = Unchecked.defaultof<Span>
    let mutable attributes: IReadOnlyList<KeyValue> = null

    let attributeList () =
        let mutable list = []

        for i in tagCount - 1 .. -1 .. 0 do
            let pair = tags[i]

            list <-
                {
                    Key = pair.Key
                    Value = TagValue.toAnyValue pair.Value
                }
                :: list

        list

    static member OfSpan(span: Span) =
        let view = SpanView()
        view.SetRecord span
        view

    member _.Context = if recordShown then record.Context else context

    member _.ParentSpanId = if recordShown then record.ParentSpanId else parentSpanId

    member _.ParentIsRemote = if recordShown then record.ParentIsRemote else parentIsRemote

    member _.Name = if recordShown then record.Name else name

    member _.Kind = if recordShown then record.Kind else kind

    member _.StartTime = if recordShown then record.StartTime else startTime

    member _.EndTime = if recordShown then record.EndTime else endTime

    member x.DurationNanoseconds = x.EndTime - x.StartTime

    member x.IsRoot = not x.ParentSpanId.IsValid

    member _.Status = if recordShown then record.Status else status

    member _.Scope = if recordShown then record.Scope else scope

    member _.AttributeCount = tagCount

    member _.Attributes: IReadOnlyList<KeyValue> =
        if recordShown then
            record.Attributes
        else
            match Volatile.Read &attributes with
            | null ->
                let made = attributeList () :> IReadOnlyList<KeyValue>

                match Interlocked.CompareExchange(&attributes, made, null) with
                | null -> made
                | other -> other
            | made -> made

    member _.Events: IReadOnlyList<SpanEvent> = if recordShown then record.Events else []

    member _.Links: IReadOnlyList<SpanLink> = if recordShown then record.Links else []

    member _.DroppedAttributes = if recordShown then record.DroppedAttributes else 0

    member _.DroppedEvents = if recordShown then record.DroppedEvents else 0

    member _.DroppedLinks = if recordShown then record.DroppedLinks else 0

    member x.ToSpan() =
        match box (Volatile.Read &record) with
        | null ->
            let made =
                {
                    Context = context
                    ParentSpanId = parentSpanId
                    ParentIsRemote = parentIsRemote
                    Name = name
                    Kind = kind
                    StartTime = startTime
                    EndTime = endTime
                    Attributes = x.Attributes
                    Events = []
                    Links = []
                    Status = status
                    DroppedAttributes = 0
                    DroppedEvents = 0
                    DroppedLinks = 0
                    Scope = scope
                }

            match box (Interlocked.CompareExchange(&record, made, Unchecked.defaultof<Span>)) with
            | null -> made
            | other -> other :?> Span
        | _ -> record

    member internal _.Tags = tags

    member internal _.TagCount = tagCount

    member internal _.TagBuffer(count: int) =
        if tags.Length < count then
            tags <- Array.zeroCreate (max count (2 * tags.Length))

        tags

    member internal _.SetFrozen
        (
            spanContext,
            parent,
            remoteParent,
            spanName,
            spanKind,
            start,
            finish,
            spanStatus,
            spanScope,
            count
        ) =
        context <- spanContext
        parentSpanId <- parent
        parentIsRemote <- remoteParent
        name <- spanName
        kind <- spanKind
        startTime <- start
        endTime <- finish
        status <- spanStatus
        scope <- spanScope
        tagCount <- count
        recordShown <- false
        record <- Unchecked.defaultof<Span>
        attributes <- null

    member internal x.SetRecord(span: Span) =
        // The export path reads attributes as pairs: the record's, each value an AnyValue.
        let count = ReadOnlyList.count span.Attributes
        let buffer = x.TagBuffer count
        let mutable i = 0

        for attribute in ReadOnlyList.toList span.Attributes do
            buffer[i] <- KeyValuePair(attribute.Key, box attribute.Value)
            i <- i + 1

        tagCount <- count
        record <- span
        recordShown <- true
        attributes <- null

    member internal _.Clear() =
        // References go (the pool keeps no span data alive); the buffer stays for the next span.
        Array.Clear(tags, 0, tagCount)
        tagCount <- 0
        name <- ""
        status <- Status.Unset
        scope <- Unchecked.defaultof<InstrumentationScope>
        context <- SpanContext.Invalid
        recordShown <- false
        record <- Unchecked.defaultof<Span>
        attributes <- null
