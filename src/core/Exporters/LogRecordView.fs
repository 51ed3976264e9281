namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open Microsoft.Extensions.Logging

type internal LogRecordOptions = { Limits: LogRecordLimits; TemplateAsBody: bool }

type internal LogBody =
    | Text = 0
    | Template = 1
    | Deferred = 2
    | Native = 3

[<AbstractClass; AllowNullLiteral>]
type internal LogOwner() =
    abstract ReadState: view: LogRecordView -> unit
    abstract Format: unit -> string
    abstract Recycle: unit -> unit

and [<Sealed; AllowNullLiteral>] LogRecordView internal (owner: LogOwner) =
    static let noPairs: KeyValuePair<string, obj> array = [||]
    static let unixEpochTicks = DateTime.UnixEpoch.Ticks
    static let emptyBody = AnyValue.String ""

    static let defaultOptions =
        {
            Limits = LogRecordLimits.defaults
            TemplateAsBody = false
        }

    // The call, set on the application's thread before the view is posted (the queue orders them for readers).
    let mutable options = defaultOptions
    let mutable ticks = 0L
    let mutable level = LogLevel.None
    let mutable eventId = EventId()
    let mutable error: exn = null
    let mutable scope = Unchecked.defaultof<InstrumentationScope>
    let mutable hasContext = false
    let mutable traceId = ActivityTraceId()
    let mutable spanId = ActivitySpanId()
    let mutable traceFlags = ActivityTraceFlags.None
    let mutable scopes: obj array = null
    // A direct tracer's span (`SetSpanContext`) instead of the Activity's ids.
    let mutable spanContext = SpanContext.Invalid
    let mutable directContext = false

    // The state: its pairs as copied, its template, where the body comes from.
    let mutable pairs = noPairs
    let mutable pairCount = 0
    let mutable template: string = null
    let mutable bodySource = LogBody.Text
    let mutable bodyText: string = null
    let mutable nativeBody = AnyValue.Empty
    let mutable nativeAttributes: KeyValue list = []
    // False while a kept state's pairs are still to be read from the owner.
    let mutable stateRead = true

    // Made on a pipeline's thread when first read; several pipelines may read one view, so each part is made once
    // (under the view's lock) or published with a compare-and-swap (two equal values, one kept).
    let mutable tagsReady = false
    let mutable tags = noPairs
    let mutable tagCount = 0
    let mutable recordShown = false
    let mutable record = Unchecked.defaultof<LogRecord>
    let mutable body = Unchecked.defaultof<AnyValue>
    let mutable attributes: IReadOnlyList<KeyValue> = null
    let mutable pending = 0

    let gate = obj ()

    static member OfLogRecord(record: LogRecord) =
        let view = LogRecordView(null)
        view.ShowRecord record
        view

    static member internal Cursor() = LogRecordView(null)

    member internal x.SetRecord(record: LogRecord) = x.ShowRecord record

    member private x.EnsurePairs() =
        if not (Volatile.Read &stateRead) then
            let mutable taken = false

            try
                Monitor.Enter(gate, &taken)

                if not stateRead then
                    owner.ReadState x
                    Volatile.Write(&stateRead, true)
            finally
                if taken then
                    Monitor.Exit gate

    member private _.Time = (ticks - unixEpochTicks) * 100L

    member private _.CallTraceId =
        if directContext then spanContext.TraceId
        elif hasContext then ActivityIds.toTraceId traceId
        else TraceId.Empty

    member private _.CallSpanId =
        if directContext then spanContext.SpanId
        elif hasContext then ActivityIds.toSpanId spanId
        else SpanId.Empty

    member private _.CallTraceFlags =
        if directContext then spanContext.TraceFlags
        elif hasContext then TraceFlags(byte traceFlags)
        else TraceFlags.None

    member private x.MakeBody() =
        match bodySource with
        | LogBody.Native -> nativeBody
        | source ->
            x.EnsurePairs()

            if options.TemplateAsBody && not (isNull template) then
                TemplateValues.Of template
            else
                let formatted =
                    match source with
                    | LogBody.Template ->
                        // The template is the last pair; the values of its holes come first.
                        match MessageTemplate.tryFormat template pairs (pairCount - 1) with
                        | ValueSome text -> text
                        | ValueNone -> null
                    | LogBody.Deferred -> owner.Format()
                    | _ -> bodyText

                match formatted with
                | null ->
                    if isNull template then
                        emptyBody
                    else
                        TemplateValues.Of template
                | text -> AnyValue.String text

    member private x.CachedBody =
        match box (Volatile.Read &body) with
        | null ->
            let made = x.MakeBody()

            match box (Interlocked.CompareExchange(&body, made, Unchecked.defaultof<AnyValue>)) with
            | null -> made
            | other -> other :?> AnyValue
        | _ -> body

    member private _.Add(key: string, value: obj) =
        if tags.Length = tagCount then
            let grown = Array.zeroCreate (max 8 (2 * tags.Length))
            Array.Copy(tags, grown, tagCount)
            tags <- grown

        tags[tagCount] <- KeyValuePair(key, value)
        tagCount <- tagCount + 1

    // The attributes as the old conversion made them: the state's (the template's only when it is not the body),
    // then `event.id`, the exception's and the scopes'.
    member private x.CollectTags() =
        tagCount <- 0

        if bodySource = LogBody.Native then
            for attribute in nativeAttributes do
                x.Add(attribute.Key, box attribute.Value)
        else
            let includeTemplate = not options.TemplateAsBody

            for i in 0 .. pairCount - 1 do
                let pair = pairs[i]

                if String.Equals(pair.Key, LogMapping.OriginalFormatKey) then
                    if includeTemplate then
                        match pair.Value with
                        | :? string as text -> x.Add(pair.Key, box (TemplateValues.Of text))
                        | value -> x.Add(pair.Key, value)
                elif not (String.IsNullOrEmpty pair.Key) then
                    x.Add(pair.Key, pair.Value)

        if eventId.Id <> 0 then
            x.Add("event.id", box (AnyValues.ofInt64 (int64 eventId.Id)))

        if not (isNull error) then
            for attribute in LogMapping.exceptionAttributes error do
                x.Add(attribute.Key, box attribute.Value)

        if not (isNull scopes) then
            for attribute in LogMapping.scopeAttributes (List.ofArray scopes) do
                x.Add(attribute.Key, box attribute.Value)

    // True when the limits would keep the attributes as they are: few enough, keys unique, values short enough.
    member private _.UnderLimits() =
        let limits = options.Limits
        let mutable fits = tagCount <= limits.AttributeCountLimit

        match limits.AttributeValueLengthLimit with
        | Some limit ->
            let limit = max 0 limit
            let mutable i = 0

            while fits && i < tagCount do
                fits <- TagValue.fitsLength limit tags[i].Value
                i <- i + 1
        | None -> ()

        let mutable i = 0

        while fits && i < tagCount do
            let key = tags[i].Key
            let mutable j = i + 1

            while fits && j < tagCount do
                fits <- not (String.Equals(key, tags[j].Key, StringComparison.Ordinal))
                j <- j + 1

            i <- i + 1

        fits

    member private _.AttributeList() =
        let mutable list = []

        for i in tagCount - 1 .. -1 .. 0 do
            let pair = tags[i]

            list <- { Key = pair.Key; Value = TagValue.toAnyValue pair.Value } :: list

        list

    member private x.Record(attributeList: IReadOnlyList<KeyValue>) =
        {
            Timestamp = x.Time
            ObservedTimestamp = x.Time
            SeverityNumber = LogMapping.severityNumber level
            SeverityText = LogMapping.severityText level
            Body = x.CachedBody
            Attributes = attributeList
            DroppedAttributes = 0
            TraceId = x.CallTraceId
            SpanId = x.CallSpanId
            TraceFlags = x.CallTraceFlags
            EventName = LogMapping.eventName eventId
            Scope = scope
        }

    member private x.ShowRecord(shown: LogRecord) =
        tagCount <- 0

        for attribute in ReadOnlyList.toList shown.Attributes do
            x.Add(attribute.Key, box attribute.Value)

        record <- shown
        recordShown <- true
        stateRead <- true
        Volatile.Write(&tagsReady, true)

    member private x.EnsureTags() =
        if not (Volatile.Read &tagsReady) then
            let mutable taken = false

            try
                Monitor.Enter(gate, &taken)

                if not tagsReady then
                    x.EnsurePairs()
                    x.CollectTags()

                    if x.UnderLimits() then
                        Volatile.Write(&tagsReady, true)
                    else
                        // Limits change the attributes: the view shows the record they make.
                        x.ShowRecord(LogRecordLimits.apply options.Limits (x.Record(x.AttributeList())))
            finally
                if taken then
                    Monitor.Exit gate

    member x.Timestamp = if recordShown then record.Timestamp else x.Time

    member x.ObservedTimestamp = if recordShown then record.ObservedTimestamp else x.Time

    member _.SeverityNumber =
        if recordShown then
            record.SeverityNumber
        else
            LogMapping.severityNumber level

    member _.SeverityText =
        if recordShown then
            record.SeverityText
        else
            LogMapping.severityText level

    member x.Body = if recordShown then record.Body else x.CachedBody

    member x.AttributeCount =
        x.EnsureTags()
        tagCount

    member x.Attributes: IReadOnlyList<KeyValue> =
        x.EnsureTags()

        if recordShown then
            record.Attributes
        else
            match Volatile.Read &attributes with
            | null ->
                let made = x.AttributeList() :> IReadOnlyList<KeyValue>

                match Interlocked.CompareExchange(&attributes, made, null) with
                | null -> made
                | other -> other
            | made -> made

    member x.DroppedAttributes =
        x.EnsureTags()
        if recordShown then record.DroppedAttributes else 0

    member x.TraceId = if recordShown then record.TraceId else x.CallTraceId

    member x.SpanId = if recordShown then record.SpanId else x.CallSpanId

    member x.TraceFlags = if recordShown then record.TraceFlags else x.CallTraceFlags

    member _.EventName =
        if recordShown then
            record.EventName
        else
            LogMapping.eventName eventId

    member _.Scope = if recordShown then record.Scope else scope

    member x.ToLogRecord() =
        x.EnsureTags()

        match box (Volatile.Read &record) with
        | null ->
            let made = x.Record(x.Attributes)

            match box (Interlocked.CompareExchange(&record, made, Unchecked.defaultof<LogRecord>)) with
            | null -> made
            | other -> other :?> LogRecord
        | _ -> record

    member internal x.Tags =
        x.EnsureTags()
        tags

    member internal x.TagCount =
        x.EnsureTags()
        tagCount

    member internal _.SetCall
        (
            callOptions,
            callTicks,
            callLevel,
            callEventId,
            callError,
            callScope,
            callHasContext,
            callTraceId,
            callSpanId,
            callTraceFlags,
            callScopes
        ) =
        options <- callOptions
        ticks <- callTicks
        level <- callLevel
        eventId <- callEventId
        error <- callError
        scope <- callScope
        hasContext <- callHasContext
        traceId <- callTraceId
        spanId <- callSpanId
        traceFlags <- callTraceFlags
        scopes <- callScopes
        directContext <- false

    member internal _.SetSpanContext(context: SpanContext) =
        spanContext <- context
        directContext <- true

    member internal _.PairBuffer(count: int) =
        if pairs.Length < count then
            let grown = Array.zeroCreate (max count (max 8 (2 * pairs.Length)))
            Array.Copy(pairs, grown, pairs.Length)
            pairs <- grown

        pairs

    member internal _.SetState(count, stateTemplate, source, text) =
        pairCount <- count
        template <- stateTemplate
        bodySource <- source
        bodyText <- text
        stateRead <- true

    member internal _.SetNative(nativeValue, nativeList) =
        pairCount <- 0
        template <- null
        bodySource <- LogBody.Native
        nativeBody <- nativeValue
        nativeAttributes <- nativeList
        stateRead <- true

    member internal _.SetStateKept() =
        pairCount <- 0
        template <- null
        bodySource <- LogBody.Deferred
        stateRead <- false

    member internal _.SetPairs(count, stateTemplate) =
        pairCount <- count
        template <- stateTemplate

    member internal _.SetPending(count: int) = pending <- count

    member internal _.Release() =
        if not (isNull owner) && Interlocked.Decrement(&pending) = 0 then
            // Nothing of the call stays reachable from the pool.
            Array.Clear(pairs, 0, pairCount)
            Array.Clear(tags, 0, tagCount)
            pairCount <- 0
            tagCount <- 0
            template <- null
            bodyText <- null
            nativeBody <- AnyValue.Empty
            nativeAttributes <- []
            error <- null
            scope <- Unchecked.defaultof<InstrumentationScope>
            scopes <- null
            tagsReady <- false
            recordShown <- false
            record <- Unchecked.defaultof<LogRecord>
            body <- Unchecked.defaultof<AnyValue>
            attributes <- null
            stateRead <- true
            owner.Recycle()
