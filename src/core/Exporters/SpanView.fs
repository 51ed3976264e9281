namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading

[<AbstractClass>]
type internal SpanFreezer() =
    abstract Freeze: view: SpanView * source: obj -> unit
    abstract Release: source: obj -> unit

and [<Sealed; AllowNullLiteral>] SpanView internal () =
    static let noTags: KeyValuePair<string, obj> array = [||]

    // What was lent (a stopped Activity, a direct span) and who reads it, until the first read freezes it
    // (`frozen`); null when frozen.
    let mutable lent: obj = null
    let mutable freezer = Unchecked.defaultof<SpanFreezer>
    let mutable frozen = true
    let gate = obj ()

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

            list <- { Key = pair.Key; Value = TagValue.toAnyValue pair.Value } :: list

        list

    static member OfSpan(span: Span) =
        let view = SpanView()
        view.SetRecord span
        view

    // The first read freezes a lent Activity (once, whichever thread reads first).
    member private x.Ready() =
        if not (Volatile.Read &frozen) then
            let mutable taken = false

            try
                Monitor.Enter(gate, &taken)

                if not frozen then
                    let reader = freezer
                    let source = lent

                    try
                        reader.Freeze(x, source)
                    finally
                        lent <- null
                        freezer <- Unchecked.defaultof<SpanFreezer>
                        Volatile.Write(&frozen, true)
                        reader.Release source
            finally
                if taken then
                    Monitor.Exit gate

    member x.Context =
        x.Ready()
        if recordShown then record.Context else context

    member x.ParentSpanId =
        x.Ready()
        if recordShown then record.ParentSpanId else parentSpanId

    member x.ParentIsRemote =
        x.Ready()

        if recordShown then
            record.ParentIsRemote
        else
            parentIsRemote

    member x.Name =
        x.Ready()
        if recordShown then record.Name else name

    member x.Kind =
        x.Ready()
        if recordShown then record.Kind else kind

    member x.StartTime =
        x.Ready()
        if recordShown then record.StartTime else startTime

    member x.EndTime =
        x.Ready()
        if recordShown then record.EndTime else endTime

    member x.DurationNanoseconds = x.EndTime - x.StartTime

    member x.IsRoot = not x.ParentSpanId.IsValid

    member x.Status =
        x.Ready()
        if recordShown then record.Status else status

    member x.Scope =
        x.Ready()
        if recordShown then record.Scope else scope

    member x.AttributeCount =
        x.Ready()
        tagCount

    member x.Attributes: IReadOnlyList<KeyValue> =
        x.Ready()

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

    member x.Events: IReadOnlyList<SpanEvent> =
        x.Ready()
        if recordShown then record.Events else []

    member x.Links: IReadOnlyList<SpanLink> =
        x.Ready()
        if recordShown then record.Links else []

    member x.DroppedAttributes =
        x.Ready()
        if recordShown then record.DroppedAttributes else 0

    member x.DroppedEvents =
        x.Ready()
        if recordShown then record.DroppedEvents else 0

    member x.DroppedLinks =
        x.Ready()
        if recordShown then record.DroppedLinks else 0

    member x.ToSpan() =
        x.Ready()

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

    member internal x.Tags =
        x.Ready()
        tags

    member internal x.TagCount =
        x.Ready()
        tagCount

    member internal _.TagBuffer(count: int) =
        if tags.Length < count then
            let grown = Array.zeroCreate (max count (max 8 (2 * tags.Length)))
            Array.Copy(tags, grown, tags.Length)
            tags <- grown

        tags

    member internal _.SetFrozen
        (spanContext, parent, remoteParent, spanName, spanKind, start, finish, spanStatus, spanScope, count)
        =
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
        // Last, with release semantics: a thread that reads `frozen` as true (Ready) sees every field above.
        Volatile.Write(&frozen, true)

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
        Volatile.Write(&frozen, true)

    member internal _.Lend(source: obj, reader: SpanFreezer) =
        lent <- source
        freezer <- reader
        frozen <- false

    member internal _.Clear() =
        // A source never read goes back now. References to what could be large go (the pool keeps no span data
        // alive); the rest is overwritten by the next span.
        if not frozen then
            let reader = freezer
            let source = lent
            lent <- null
            freezer <- Unchecked.defaultof<SpanFreezer>
            frozen <- true
            reader.Release source

        if tagCount > 0 then
            Array.Clear(tags, 0, tagCount)
            tagCount <- 0

        if recordShown || not (isNull attributes) || not (isNull (box record)) then
            recordShown <- false
            record <- Unchecked.defaultof<Span>
            attributes <- null
