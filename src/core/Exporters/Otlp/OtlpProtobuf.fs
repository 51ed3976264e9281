namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic

// Field numbers are those of opentelemetry-proto v1 (common, resource, trace, metrics, logs, collector).
/// OTLP protobuf encoding (opentelemetry-proto v1): export requests written straight from the records into a
/// caller's buffer, as OTLP/gRPC and OTLP/HTTP (`application/x-protobuf`) send them.
///
/// Records are grouped under one resource, then by instrumentation scope (one Scope* message per distinct scope,
/// in order of first appearance). Fields holding proto3 defaults (zero, empty) are left out, except where
/// presence matters (`AnyValue` and point value oneofs, optional histogram sum/min/max, span flags).
/// Strings are written as UTF-8; invalid UTF-16 (a lone surrogate) becomes U+FFFD.
/// An empty batch writes an empty request (zero bytes).
[<RequireQualifiedAccess>]
module internal OtlpProtobuf =
    let private stringIfAny (w: ProtoWriter) field (value: string) =
        if not (String.IsNullOrEmpty value) then
            w.String(field, value)

    let private countIfAny (w: ProtoWriter) field (value: int) =
        if value > 0 then
            w.Varint(field, uint64 value)

    let private fixed64IfAny (w: ProtoWriter) field (value: int64) =
        if value <> 0L then
            w.Fixed64(field, uint64 value)

    // common.v1.AnyValue: the oneof member is written even when it holds a default (presence is the type).
    let rec private anyValueFields (w: ProtoWriter) (value: AnyValue) =
        match value with
        | AnyValue.String s -> w.String(1, s)
        | AnyValue.Bool b -> w.Bool(2, b)
        | AnyValue.Int i -> w.Varint(3, uint64 i)
        | AnyValue.Double d -> w.Double(4, d)
        | AnyValue.Array items ->
            let array = w.BeginMessage 5

            (items)
            |> ReadOnlyList.iter (fun item ->
                let element = w.BeginMessage 1
                anyValueFields w item
                w.EndMessage element)

            w.EndMessage array
        | AnyValue.Map entries ->
            let map = w.BeginMessage 6

            (entries) |> ReadOnlyList.iter (fun entry -> keyValue w 1 entry)

            w.EndMessage map
        | AnyValue.Bytes b -> w.Bytes(7, ReadOnlySpan b)
        | AnyValue.Empty -> ()

    // common.v1.KeyValue
    and private keyValue (w: ProtoWriter) field (attribute: Functional.Telemetry.KeyValue) =
        let pair = w.BeginMessage field
        stringIfAny w 1 attribute.Key
        let value = w.BeginMessage 2
        anyValueFields w attribute.Value
        w.EndMessage value
        w.EndMessage pair

    let private attributes (w: ProtoWriter) field (items: IReadOnlyList<Functional.Telemetry.KeyValue>) =
        (items) |> ReadOnlyList.iter (fun item -> keyValue w field item)

    // A view's tag object (see TagValue): the common scalars written as they are, anything else as its AnyValue.
    let private tagValueFields (w: ProtoWriter) (value: obj) =
        match value with
        | :? string as s -> w.String(1, s)
        | :? AnyValue as v -> anyValueFields w v
        | :? bool as b -> w.Bool(2, b)
        | :? int32 as i -> w.Varint(3, uint64 (int64 i))
        | :? int64 as i -> w.Varint(3, uint64 i)
        | :? double as d -> w.Double(4, d)
        | other -> anyValueFields w (TagValue.toAnyValue other)

    // common.v1.KeyValue of each of a view's tags
    let private tags (w: ProtoWriter) field (items: KeyValuePair<string, obj> array) (count: int) =
        for i in 0 .. count - 1 do
            let pair = w.BeginMessage field
            stringIfAny w 1 items[i].Key
            let value = w.BeginMessage 2
            tagValueFields w items[i].Value
            w.EndMessage value
            w.EndMessage pair

    // resource.v1.Resource
    let private resourceMessage (w: ProtoWriter) field (resource: Resource) =
        let message = w.BeginMessage field
        attributes w 1 resource.Attributes
        w.EndMessage message

    // common.v1.InstrumentationScope
    let private scopeMessage (w: ProtoWriter) field (scope: InstrumentationScope) =
        let message = w.BeginMessage field
        stringIfAny w 1 scope.Name
        stringIfAny w 2 scope.Version
        attributes w 3 scope.Attributes
        w.EndMessage message

    // Resource* { resource = 1; scope_* = 2 { scope = 1; items = 2; schema_url = 3 }; schema_url = 3 }
    let private grouped
        (w: ProtoWriter)
        (resource: Resource)
        (scopes: InstrumentationScope array)
        (scopeOf: 'T -> InstrumentationScope)
        (writeItem: ProtoWriter -> 'T -> unit)
        (items: 'T array)
        =
        if items.Length > 0 then
            // A resource group and a scope group usually hold many items: lengths of up to 2 MB (3 bytes).
            let resourceGroup = w.BeginMessage(1, 3)
            resourceMessage w 1 resource

            for scope in scopes do
                let scopeGroup = w.BeginMessage(2, 3)
                scopeMessage w 1 scope

                for item in items do
                    if ScopeGroups.same (scopeOf item) scope then
                        writeItem w item

                stringIfAny w 3 scope.SchemaUrl
                w.EndMessage scopeGroup

            stringIfAny w 3 resource.SchemaUrl
            w.EndMessage resourceGroup

    let private traceState (w: ProtoWriter) field (state: TraceState) =
        if state.Entries.Count > 0 then
            w.String(field, TraceState.format state)

    // trace.v1.SpanFlags: the low byte is the W3C trace flags; 0x100 says whether 0x200 (remote) is known.
    let private spanFlags (flags: TraceFlags) (isRemote: bool) =
        uint32 flags.Value ||| 0x100u ||| (if isRemote then 0x200u else 0u)

    let private spanKind kind =
        match kind with
        | SpanKind.Internal -> 1UL
        | SpanKind.Server -> 2UL
        | SpanKind.Client -> 3UL
        | SpanKind.Producer -> 4UL
        | SpanKind.Consumer -> 5UL

    // trace.v1.Span.Event
    let private spanEvent (w: ProtoWriter) (event: SpanEvent) =
        let message = w.BeginMessage 11
        fixed64IfAny w 1 event.Timestamp
        stringIfAny w 2 event.Name
        attributes w 3 event.Attributes
        countIfAny w 4 event.DroppedAttributes
        w.EndMessage message

    // trace.v1.Span.Link
    let private spanLink (w: ProtoWriter) (link: SpanLink) =
        let message = w.BeginMessage 13
        w.TraceId(1, link.Context.TraceId)
        w.SpanId(2, link.Context.SpanId)
        traceState w 3 link.Context.TraceState
        attributes w 4 link.Attributes
        countIfAny w 5 link.DroppedAttributes
        w.Fixed32(6, spanFlags link.Context.TraceFlags link.Context.IsRemote)
        w.EndMessage message

    // trace.v1.Status
    let private status (w: ProtoWriter) (status: Status) =
        match status with
        | Status.Unset -> ()
        | Status.Ok ->
            let message = w.BeginMessage 15
            w.Varint(3, 1UL)
            w.EndMessage message
        | Status.Error description ->
            let message = w.BeginMessage 15
            stringIfAny w 2 description
            w.Varint(3, 2UL)
            w.EndMessage message

    // trace.v1.Span (usually 128 bytes to 16 KB: a two-byte length)
    let private span (w: ProtoWriter) (span: SpanView) =
        let message = w.BeginMessage(2, 2)
        w.TraceId(1, span.Context.TraceId)
        w.SpanId(2, span.Context.SpanId)
        traceState w 3 span.Context.TraceState

        if span.ParentSpanId.IsValid then
            w.SpanId(4, span.ParentSpanId)

        stringIfAny w 5 span.Name
        w.Varint(6, spanKind span.Kind)
        fixed64IfAny w 7 span.StartTime
        fixed64IfAny w 8 span.EndTime
        tags w 9 span.Tags span.TagCount
        countIfAny w 10 span.DroppedAttributes

        (span.Events) |> ReadOnlyList.iter (fun event -> spanEvent w event)

        countIfAny w 12 span.DroppedEvents

        (span.Links) |> ReadOnlyList.iter (fun link -> spanLink w link)

        countIfAny w 14 span.DroppedLinks
        status w span.Status
        w.Fixed32(16, spanFlags span.Context.TraceFlags span.ParentIsRemote)
        w.EndMessage message

    let private temporality t =
        match t with
        | Temporality.Delta -> 1UL
        | Temporality.Cumulative -> 2UL

    // metrics.v1.Exemplar
    let private exemplar (w: ProtoWriter) field (exemplar: Exemplar) =
        let message = w.BeginMessage field
        fixed64IfAny w 2 exemplar.Time

        match exemplar.Value with
        | NumberValue.Double d -> w.Double(3, d)
        | NumberValue.Long l -> w.Fixed64(6, uint64 l)

        if exemplar.SpanId.IsValid then
            w.SpanId(4, exemplar.SpanId)

        if exemplar.TraceId.IsValid then
            w.TraceId(5, exemplar.TraceId)

        attributes w 7 exemplar.FilteredAttributes
        w.EndMessage message

    // metrics.v1.NumberDataPoint
    let private numberPoint (w: ProtoWriter) (point: NumberPoint) =
        let message = w.BeginMessage 1
        fixed64IfAny w 2 point.StartTime
        fixed64IfAny w 3 point.Time

        match point.Value with
        | NumberValue.Double d -> w.Double(4, d)
        | NumberValue.Long l -> w.Fixed64(6, uint64 l)

        (point.Exemplars) |> ReadOnlyList.iter (fun e -> exemplar w 5 e)

        attributes w 7 point.Attributes
        w.EndMessage message

    // metrics.v1.HistogramDataPoint (sum, min and max are proto3 `optional`: written when known); with its
    // buckets, usually 128 bytes or more: a two-byte length.
    let private histogramPoint (w: ProtoWriter) (point: HistogramPoint) =
        let message = w.BeginMessage(1, 2)
        fixed64IfAny w 2 point.StartTime
        fixed64IfAny w 3 point.Time
        fixed64IfAny w 4 point.Count
        w.Double(5, point.Sum)
        w.PackedFixed64(6, point.BucketCounts)
        w.PackedDouble(7, point.Bounds)

        (point.Exemplars) |> ReadOnlyList.iter (fun e -> exemplar w 8 e)

        attributes w 9 point.Attributes

        if point.Min.HasValue then
            w.Double(11, point.Min.Value)

        if point.Max.HasValue then
            w.Double(12, point.Max.Value)

        w.EndMessage message

    // metrics.v1.ExponentialHistogramDataPoint.Buckets
    let private buckets (w: ProtoWriter) field (buckets: ExponentialBuckets) =
        if buckets.Offset <> 0 || not (ReadOnlyList.isEmpty buckets.Counts) then
            let message = w.BeginMessage field

            if buckets.Offset <> 0 then
                w.SignedVarint(1, int64 buckets.Offset)

            w.PackedVarint(2, buckets.Counts)
            w.EndMessage message

    // metrics.v1.ExponentialHistogramDataPoint (a two-byte length, as a histogram point)
    let private exponentialPoint (w: ProtoWriter) (point: ExponentialHistogramPoint) =
        let message = w.BeginMessage(1, 2)
        attributes w 1 point.Attributes
        fixed64IfAny w 2 point.StartTime
        fixed64IfAny w 3 point.Time
        fixed64IfAny w 4 point.Count
        w.Double(5, point.Sum)

        if point.Scale <> 0 then
            w.SignedVarint(6, int64 point.Scale)

        fixed64IfAny w 7 point.ZeroCount
        buckets w 8 point.Positive
        buckets w 9 point.Negative

        (point.Exemplars) |> ReadOnlyList.iter (fun e -> exemplar w 11 e)

        if point.Min.HasValue then
            w.Double(12, point.Min.Value)

        if point.Max.HasValue then
            w.Double(13, point.Max.Value)

        // Bitwise, so that -0.0 is kept as proto3 writers keep it.
        if BitConverter.DoubleToInt64Bits point.ZeroThreshold <> 0L then
            w.Double(14, point.ZeroThreshold)

        w.EndMessage message

    // metrics.v1.Metric: all the points of one stream, so it and its data message grow with the number of
    // attribute sets; they are given three-byte lengths (a small metric then moves back by a byte or two).
    let private metric (w: ProtoWriter) (metric: MetricData) =
        let message = w.BeginMessage(2, 3)
        stringIfAny w 1 metric.Name
        stringIfAny w 2 metric.Description
        stringIfAny w 3 metric.Unit

        match metric.Points with
        | MetricPoints.Gauge points ->
            let data = w.BeginMessage(5, 3)

            (points) |> ReadOnlyList.iter (fun p -> numberPoint w p)

            w.EndMessage data
        | MetricPoints.Sum(t, isMonotonic, points) ->
            let data = w.BeginMessage(7, 3)

            (points) |> ReadOnlyList.iter (fun p -> numberPoint w p)

            w.Varint(2, temporality t)

            if isMonotonic then
                w.Bool(3, true)

            w.EndMessage data
        | MetricPoints.Histogram(t, points) ->
            let data = w.BeginMessage(9, 3)

            (points) |> ReadOnlyList.iter (fun p -> histogramPoint w p)

            w.Varint(2, temporality t)
            w.EndMessage data
        | MetricPoints.ExponentialHistogram(t, points) ->
            let data = w.BeginMessage(10, 3)

            (points) |> ReadOnlyList.iter (fun p -> exponentialPoint w p)

            w.Varint(2, temporality t)
            w.EndMessage data

        w.EndMessage message

    // logs.v1.LogRecord (usually 128 bytes to 16 KB: a two-byte length)
    let private logRecord (w: ProtoWriter) (record: LogRecordView) =
        let message = w.BeginMessage(2, 2)
        fixed64IfAny w 1 record.Timestamp

        if record.SeverityNumber <> 0 then
            w.Varint(2, uint64 (int64 record.SeverityNumber))

        stringIfAny w 3 record.SeverityText

        match record.Body with
        | AnyValue.Empty -> ()
        | body ->
            let bodyMessage = w.BeginMessage 5
            anyValueFields w body
            w.EndMessage bodyMessage

        tags w 6 record.Tags record.TagCount
        countIfAny w 7 record.DroppedAttributes

        if record.TraceFlags.Value <> 0uy then
            w.Fixed32(8, uint32 record.TraceFlags.Value)

        if record.TraceId.IsValid then
            w.TraceId(9, record.TraceId)

        if record.SpanId.IsValid then
            w.SpanId(10, record.SpanId)

        fixed64IfAny w 11 record.ObservedTimestamp
        stringIfAny w 12 record.EventName
        w.EndMessage message

    let private metricScope (m: MetricData) = m.Scope

    // Spans given as views, or as records read through one reused view each.
    let private emitSpans resource (scopeOf: 'T -> InstrumentationScope) (viewOf: 'T -> SpanView) (items: 'T array) =
        let scopes = ScopeGroups.distinct scopeOf items
        fun w -> grouped w resource scopes scopeOf (fun w item -> span w (viewOf item)) items

    let private emitSpanViews resource (views: SpanView array) =
        emitSpans resource (fun (v: SpanView) -> v.Scope) id views

    let private emitTraces resource (spans: Span array) =
        let cursor = SpanView()

        emitSpans
            resource
            (fun (s: Span) -> s.Scope)
            (fun s ->
                cursor.SetRecord s
                cursor)
            spans

    let private emitMetrics resource (metrics: MetricData array) =
        let scopes = ScopeGroups.distinct metricScope metrics
        fun w -> grouped w resource scopes metricScope metric metrics

    let private emitLogRecords resource (scopeOf: 'T -> InstrumentationScope) (viewOf: 'T -> LogRecordView) items =
        let scopes = ScopeGroups.distinct scopeOf items
        fun w -> grouped w resource scopes scopeOf (fun w item -> logRecord w (viewOf item)) items

    let private emitLogViews resource (views: LogRecordView array) =
        emitLogRecords resource (fun (v: LogRecordView) -> v.Scope) id views

    let private emitLogs resource (records: LogRecord array) =
        let cursor = LogRecordView.Cursor()

        emitLogRecords
            resource
            (fun (r: LogRecord) -> r.Scope)
            (fun r ->
                cursor.SetRecord r
                cursor)
            records

    /// Writes an `ExportTraceServiceRequest` holding the spans. Span flags carry the trace flags byte plus
    /// `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK` (0x100) and, when the parent is remote, `..._IS_REMOTE_MASK` (0x200);
    /// link flags do the same from the linked context's `IsRemote`.
    [<CompiledName("WriteTraces")>]
    let writeTraces resource spans output = ProtoWriter.Write(emitTraces resource spans, output)

    /// Writes an `ExportMetricsServiceRequest` holding the metrics (every point kind, with exemplars).
    [<CompiledName("WriteMetrics")>]
    let writeMetrics resource metrics output = ProtoWriter.Write(emitMetrics resource metrics, output)

    /// Writes an `ExportLogsServiceRequest` holding the log records.
    [<CompiledName("WriteLogs")>]
    let writeLogs resource records output = ProtoWriter.Write(emitLogs resource records, output)

    /// Writes an `ExportTraceServiceRequest` holding the spans the views show (as `writeTraces` writes records).
    [<CompiledName("WriteSpanViews")>]
    let writeSpanViews resource views output = ProtoWriter.Write(emitSpanViews resource views, output)

    /// Writes an `ExportLogsServiceRequest` holding the log records the views show.
    [<CompiledName("WriteLogViews")>]
    let writeLogViews resource views output = ProtoWriter.Write(emitLogViews resource views, output)

    /// The number of bytes `writeTraces` writes for these spans (for splitting batches by request size).
    [<CompiledName("TracesSize")>]
    let tracesSize resource spans = ProtoWriter.Size(emitTraces resource spans)

    /// The number of bytes `writeMetrics` writes for these metrics.
    [<CompiledName("MetricsSize")>]
    let metricsSize resource metrics = ProtoWriter.Size(emitMetrics resource metrics)

    /// The number of bytes `writeLogs` writes for these log records.
    [<CompiledName("LogsSize")>]
    let logsSize resource records = ProtoWriter.Size(emitLogs resource records)

    /// The number of bytes `writeSpanViews` writes for these views.
    [<CompiledName("SpanViewsSize")>]
    let spanViewsSize resource views = ProtoWriter.Size(emitSpanViews resource views)

    /// The number of bytes `writeLogViews` writes for these views.
    [<CompiledName("LogViewsSize")>]
    let logViewsSize resource views = ProtoWriter.Size(emitLogViews resource views)
