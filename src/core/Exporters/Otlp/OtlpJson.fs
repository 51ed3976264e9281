namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Text.Encodings.Web
open System.Text.Json

/// OTLP/JSON encoding (OTLP/HTTP `application/json`): the same export requests as `OtlpProtobuf`, in the proto3
/// JSON mapping with the OTLP rules: lowerCamelCase keys, trace and span ids as lowercase hex (not base64),
/// 64-bit integers as decimal strings, enums as integers, bytes as base64, doubles as JSON numbers (NaN and the
/// infinities as the strings "NaN", "Infinity", "-Infinity").
///
/// Grouping and omitted defaults are as in `OtlpProtobuf`; strings are UTF-8 with lone surrogates replaced by
/// U+FFFD, and non-ASCII characters are written as they are (not escaped). An empty batch writes `{}`.
[<RequireQualifiedAccess>]
module internal OtlpJson =
    // Property names, encoded once.
    module private Names =
        let key = JsonEncodedText.Encode "key"
        let value = JsonEncodedText.Encode "value"
        let values = JsonEncodedText.Encode "values"
        let stringValue = JsonEncodedText.Encode "stringValue"
        let boolValue = JsonEncodedText.Encode "boolValue"
        let intValue = JsonEncodedText.Encode "intValue"
        let doubleValue = JsonEncodedText.Encode "doubleValue"
        let arrayValue = JsonEncodedText.Encode "arrayValue"
        let kvlistValue = JsonEncodedText.Encode "kvlistValue"
        let bytesValue = JsonEncodedText.Encode "bytesValue"
        let resource = JsonEncodedText.Encode "resource"
        let attributes = JsonEncodedText.Encode "attributes"
        let scope = JsonEncodedText.Encode "scope"
        let name = JsonEncodedText.Encode "name"
        let version = JsonEncodedText.Encode "version"
        let schemaUrl = JsonEncodedText.Encode "schemaUrl"
        let resourceSpans = JsonEncodedText.Encode "resourceSpans"
        let scopeSpans = JsonEncodedText.Encode "scopeSpans"
        let spans = JsonEncodedText.Encode "spans"
        let resourceMetrics = JsonEncodedText.Encode "resourceMetrics"
        let scopeMetrics = JsonEncodedText.Encode "scopeMetrics"
        let metrics = JsonEncodedText.Encode "metrics"
        let resourceLogs = JsonEncodedText.Encode "resourceLogs"
        let scopeLogs = JsonEncodedText.Encode "scopeLogs"
        let logRecords = JsonEncodedText.Encode "logRecords"
        let traceId = JsonEncodedText.Encode "traceId"
        let spanId = JsonEncodedText.Encode "spanId"
        let traceState = JsonEncodedText.Encode "traceState"
        let parentSpanId = JsonEncodedText.Encode "parentSpanId"
        let flags = JsonEncodedText.Encode "flags"
        let kind = JsonEncodedText.Encode "kind"
        let startTimeUnixNano = JsonEncodedText.Encode "startTimeUnixNano"
        let endTimeUnixNano = JsonEncodedText.Encode "endTimeUnixNano"
        let timeUnixNano = JsonEncodedText.Encode "timeUnixNano"
        let observedTimeUnixNano = JsonEncodedText.Encode "observedTimeUnixNano"
        let droppedAttributesCount = JsonEncodedText.Encode "droppedAttributesCount"
        let events = JsonEncodedText.Encode "events"
        let droppedEventsCount = JsonEncodedText.Encode "droppedEventsCount"
        let links = JsonEncodedText.Encode "links"
        let droppedLinksCount = JsonEncodedText.Encode "droppedLinksCount"
        let status = JsonEncodedText.Encode "status"
        let message = JsonEncodedText.Encode "message"
        let code = JsonEncodedText.Encode "code"
        let description = JsonEncodedText.Encode "description"
        let unit = JsonEncodedText.Encode "unit"
        let gauge = JsonEncodedText.Encode "gauge"
        let sum = JsonEncodedText.Encode "sum"
        let histogram = JsonEncodedText.Encode "histogram"
        let exponentialHistogram = JsonEncodedText.Encode "exponentialHistogram"
        let dataPoints = JsonEncodedText.Encode "dataPoints"
        let aggregationTemporality = JsonEncodedText.Encode "aggregationTemporality"
        let isMonotonic = JsonEncodedText.Encode "isMonotonic"
        let asDouble = JsonEncodedText.Encode "asDouble"
        let asInt = JsonEncodedText.Encode "asInt"
        let exemplars = JsonEncodedText.Encode "exemplars"
        let filteredAttributes = JsonEncodedText.Encode "filteredAttributes"
        let count = JsonEncodedText.Encode "count"
        let bucketCounts = JsonEncodedText.Encode "bucketCounts"
        let explicitBounds = JsonEncodedText.Encode "explicitBounds"
        let min = JsonEncodedText.Encode "min"
        let max = JsonEncodedText.Encode "max"
        let scale = JsonEncodedText.Encode "scale"
        let zeroCount = JsonEncodedText.Encode "zeroCount"
        let zeroThreshold = JsonEncodedText.Encode "zeroThreshold"
        let positive = JsonEncodedText.Encode "positive"
        let negative = JsonEncodedText.Encode "negative"
        let offset = JsonEncodedText.Encode "offset"
        let severityNumber = JsonEncodedText.Encode "severityNumber"
        let severityText = JsonEncodedText.Encode "severityText"
        let body = JsonEncodedText.Encode "body"
        let eventName = JsonEncodedText.Encode "eventName"

    let private options =
        JsonWriterOptions(Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false)

    let private stringIfAny (j: JsonPrimitives) name (value: string) =
        if not (String.IsNullOrEmpty value) then
            j.String(name, value)

    let private countIfAny (j: JsonPrimitives) (name: JsonEncodedText) (value: int) =
        if value > 0 then
            j.Writer.WriteNumber(name, value)

    // fixed64 fields are unsigned: a negative time is written as its two's complement, as protobuf does.
    let private fixed64IfAny (j: JsonPrimitives) name (value: int64) =
        if value <> 0L then
            j.UInt64String(name, uint64 value)

    let rec private anyValue (j: JsonPrimitives) (value: AnyValue) =
        let w = j.Writer
        w.WriteStartObject()

        match value with
        | AnyValue.String s -> j.String(Names.stringValue, s)
        | AnyValue.Bool b -> w.WriteBoolean(Names.boolValue, b)
        | AnyValue.Int i -> j.Int64String(Names.intValue, i)
        | AnyValue.Double d -> j.Double(Names.doubleValue, d)
        | AnyValue.Array items ->
            w.WriteStartObject Names.arrayValue
            w.WriteStartArray Names.values

            (items) |> ReadOnlyList.iter (fun item -> anyValue j item)

            w.WriteEndArray()
            w.WriteEndObject()
        | AnyValue.Map entries ->
            w.WriteStartObject Names.kvlistValue
            w.WriteStartArray Names.values

            (entries) |> ReadOnlyList.iter (fun entry -> keyValue j entry)

            w.WriteEndArray()
            w.WriteEndObject()
        | AnyValue.Bytes b -> w.WriteBase64String(Names.bytesValue, ReadOnlySpan b)
        | AnyValue.Empty -> ()

        w.WriteEndObject()

    and private keyValue (j: JsonPrimitives) (attribute: Functional.Telemetry.KeyValue) =
        j.Writer.WriteStartObject()
        stringIfAny j Names.key attribute.Key
        j.Writer.WritePropertyName Names.value
        anyValue j attribute.Value
        j.Writer.WriteEndObject()

    let private attributes
        (j: JsonPrimitives)
        (name: JsonEncodedText)
        (items: IReadOnlyList<Functional.Telemetry.KeyValue>)
        =
        if items.Count > 0 then
            j.Writer.WriteStartArray name

            (items) |> ReadOnlyList.iter (fun item -> keyValue j item)

            j.Writer.WriteEndArray()

    // A view's tag object (see TagValue): the common scalars written as they are, anything else as its AnyValue.
    let private tagValue (j: JsonPrimitives) (value: obj) =
        match value with
        | :? AnyValue as v -> anyValue j v
        | :? string as s ->
            j.Writer.WriteStartObject()
            j.String(Names.stringValue, s)
            j.Writer.WriteEndObject()
        | :? bool as b ->
            j.Writer.WriteStartObject()
            j.Writer.WriteBoolean(Names.boolValue, b)
            j.Writer.WriteEndObject()
        | :? int32 as i ->
            j.Writer.WriteStartObject()
            j.Int64String(Names.intValue, int64 i)
            j.Writer.WriteEndObject()
        | :? int64 as i ->
            j.Writer.WriteStartObject()
            j.Int64String(Names.intValue, i)
            j.Writer.WriteEndObject()
        | :? double as d ->
            j.Writer.WriteStartObject()
            j.Double(Names.doubleValue, d)
            j.Writer.WriteEndObject()
        | other -> anyValue j (TagValue.toAnyValue other)

    let private tags (j: JsonPrimitives) (name: JsonEncodedText) (items: KeyValuePair<string, obj> array) count =
        if count > 0 then
            j.Writer.WriteStartArray name

            for i in 0 .. count - 1 do
                j.Writer.WriteStartObject()
                stringIfAny j Names.key items[i].Key
                j.Writer.WritePropertyName Names.value
                tagValue j items[i].Value
                j.Writer.WriteEndObject()

            j.Writer.WriteEndArray()

    let private arrayOf
        (j: JsonPrimitives)
        (name: JsonEncodedText)
        (write: JsonPrimitives -> 'T -> unit)
        (items: IReadOnlyList<'T>)
        =
        if items.Count > 0 then
            j.Writer.WriteStartArray name

            (items) |> ReadOnlyList.iter (fun item -> write j item)

            j.Writer.WriteEndArray()

    let private scopeObject (j: JsonPrimitives) (scope: InstrumentationScope) =
        j.Writer.WriteStartObject Names.scope
        stringIfAny j Names.name scope.Name
        stringIfAny j Names.version scope.Version
        attributes j Names.attributes scope.Attributes
        j.Writer.WriteEndObject()

    let private request
        (output: Buffers.IBufferWriter<byte>)
        (resourceName: JsonEncodedText)
        (scopeName: JsonEncodedText)
        (itemsName: JsonEncodedText)
        (resource: Resource)
        (scopeOf: 'T -> InstrumentationScope)
        (writeItem: JsonPrimitives -> 'T -> unit)
        (items: 'T array)
        =
        use w = new Utf8JsonWriter(output, options)
        let j = JsonPrimitives w
        w.WriteStartObject()

        if items.Length > 0 then
            w.WriteStartArray resourceName
            w.WriteStartObject()
            w.WriteStartObject Names.resource
            attributes j Names.attributes resource.Attributes
            w.WriteEndObject()
            w.WriteStartArray scopeName

            for scope in ScopeGroups.distinct scopeOf items do
                w.WriteStartObject()
                scopeObject j scope
                w.WriteStartArray itemsName

                (items)
                |> ReadOnlyList.iter (fun item ->
                    if ScopeGroups.same (scopeOf item) scope then
                        writeItem j item)

                w.WriteEndArray()
                stringIfAny j Names.schemaUrl scope.SchemaUrl
                w.WriteEndObject()

            w.WriteEndArray()
            stringIfAny j Names.schemaUrl resource.SchemaUrl
            w.WriteEndObject()
            w.WriteEndArray()

        w.WriteEndObject()
        w.Flush()

    let private traceState (j: JsonPrimitives) (state: TraceState) =
        if state.Entries.Count > 0 then
            j.String(Names.traceState, TraceState.format state)

    let private spanFlags (flags: TraceFlags) (isRemote: bool) =
        uint32 flags.Value ||| 0x100u ||| (if isRemote then 0x200u else 0u)

    let private spanKind kind =
        match kind with
        | SpanKind.Internal -> 1
        | SpanKind.Server -> 2
        | SpanKind.Client -> 3
        | SpanKind.Producer -> 4
        | SpanKind.Consumer -> 5

    let private spanEvent (j: JsonPrimitives) (event: SpanEvent) =
        j.Writer.WriteStartObject()
        fixed64IfAny j Names.timeUnixNano event.Timestamp
        stringIfAny j Names.name event.Name
        attributes j Names.attributes event.Attributes
        countIfAny j Names.droppedAttributesCount event.DroppedAttributes
        j.Writer.WriteEndObject()

    let private spanLink (j: JsonPrimitives) (link: SpanLink) =
        j.Writer.WriteStartObject()
        j.TraceId(Names.traceId, link.Context.TraceId)
        j.SpanId(Names.spanId, link.Context.SpanId)
        traceState j link.Context.TraceState
        attributes j Names.attributes link.Attributes
        countIfAny j Names.droppedAttributesCount link.DroppedAttributes
        j.Writer.WriteNumber(Names.flags, spanFlags link.Context.TraceFlags link.Context.IsRemote)
        j.Writer.WriteEndObject()

    let private status (j: JsonPrimitives) (status: Status) =
        match status with
        | Status.Unset -> ()
        | Status.Ok ->
            j.Writer.WriteStartObject Names.status
            j.Writer.WriteNumber(Names.code, 1)
            j.Writer.WriteEndObject()
        | Status.Error message ->
            j.Writer.WriteStartObject Names.status
            stringIfAny j Names.message message
            j.Writer.WriteNumber(Names.code, 2)
            j.Writer.WriteEndObject()

    let private span (j: JsonPrimitives) (span: SpanView) =
        let w = j.Writer
        w.WriteStartObject()
        j.TraceId(Names.traceId, span.Context.TraceId)
        j.SpanId(Names.spanId, span.Context.SpanId)
        traceState j span.Context.TraceState

        if span.ParentSpanId.IsValid then
            j.SpanId(Names.parentSpanId, span.ParentSpanId)

        w.WriteNumber(Names.flags, spanFlags span.Context.TraceFlags span.ParentIsRemote)
        stringIfAny j Names.name span.Name
        w.WriteNumber(Names.kind, spanKind span.Kind)
        fixed64IfAny j Names.startTimeUnixNano span.StartTime
        fixed64IfAny j Names.endTimeUnixNano span.EndTime
        tags j Names.attributes span.Tags span.TagCount
        countIfAny j Names.droppedAttributesCount span.DroppedAttributes
        arrayOf j Names.events spanEvent span.Events
        countIfAny j Names.droppedEventsCount span.DroppedEvents
        arrayOf j Names.links spanLink span.Links
        countIfAny j Names.droppedLinksCount span.DroppedLinks
        status j span.Status
        w.WriteEndObject()

    let private temporality t =
        match t with
        | Temporality.Delta -> 1
        | Temporality.Cumulative -> 2

    let private numberValue (j: JsonPrimitives) (value: NumberValue) =
        match value with
        | NumberValue.Double d -> j.Double(Names.asDouble, d)
        | NumberValue.Long l -> j.Int64String(Names.asInt, l)

    let private exemplar (j: JsonPrimitives) (exemplar: Exemplar) =
        j.Writer.WriteStartObject()
        attributes j Names.filteredAttributes exemplar.FilteredAttributes
        fixed64IfAny j Names.timeUnixNano exemplar.Time
        numberValue j exemplar.Value

        if exemplar.SpanId.IsValid then
            j.SpanId(Names.spanId, exemplar.SpanId)

        if exemplar.TraceId.IsValid then
            j.TraceId(Names.traceId, exemplar.TraceId)

        j.Writer.WriteEndObject()

    let private numberPoint (j: JsonPrimitives) (point: NumberPoint) =
        j.Writer.WriteStartObject()
        attributes j Names.attributes point.Attributes
        fixed64IfAny j Names.startTimeUnixNano point.StartTime
        fixed64IfAny j Names.timeUnixNano point.Time
        numberValue j point.Value
        arrayOf j Names.exemplars exemplar point.Exemplars
        j.Writer.WriteEndObject()

    let private optionalDouble (j: JsonPrimitives) name (value: Nullable<float>) =
        if value.HasValue then
            j.Double(name, value.Value)

    let private histogramPoint (j: JsonPrimitives) (point: HistogramPoint) =
        let w = j.Writer
        w.WriteStartObject()
        attributes j Names.attributes point.Attributes
        fixed64IfAny j Names.startTimeUnixNano point.StartTime
        fixed64IfAny j Names.timeUnixNano point.Time
        fixed64IfAny j Names.count point.Count
        j.Double(Names.sum, point.Sum)

        if point.BucketCounts.Count > 0 then
            w.WriteStartArray Names.bucketCounts

            (point.BucketCounts)
            |> ReadOnlyList.iter (fun c -> j.UInt64StringValue(uint64 c))

            w.WriteEndArray()

        if point.Bounds.Count > 0 then
            w.WriteStartArray Names.explicitBounds

            (point.Bounds) |> ReadOnlyList.iter (fun b -> j.DoubleValue b)

            w.WriteEndArray()

        arrayOf j Names.exemplars exemplar point.Exemplars
        optionalDouble j Names.min point.Min
        optionalDouble j Names.max point.Max
        w.WriteEndObject()

    let private buckets (j: JsonPrimitives) (name: JsonEncodedText) (buckets: ExponentialBuckets) =
        if buckets.Offset <> 0 || buckets.Counts.Count > 0 then
            let w = j.Writer
            w.WriteStartObject name

            if buckets.Offset <> 0 then
                w.WriteNumber(Names.offset, buckets.Offset)

            if buckets.Counts.Count > 0 then
                w.WriteStartArray Names.bucketCounts

                (buckets.Counts) |> ReadOnlyList.iter (fun c -> j.UInt64StringValue(uint64 c))

                w.WriteEndArray()

            w.WriteEndObject()

    let private exponentialPoint (j: JsonPrimitives) (point: ExponentialHistogramPoint) =
        let w = j.Writer
        w.WriteStartObject()
        attributes j Names.attributes point.Attributes
        fixed64IfAny j Names.startTimeUnixNano point.StartTime
        fixed64IfAny j Names.timeUnixNano point.Time
        fixed64IfAny j Names.count point.Count
        j.Double(Names.sum, point.Sum)

        if point.Scale <> 0 then
            w.WriteNumber(Names.scale, point.Scale)

        fixed64IfAny j Names.zeroCount point.ZeroCount
        buckets j Names.positive point.Positive
        buckets j Names.negative point.Negative
        arrayOf j Names.exemplars exemplar point.Exemplars
        optionalDouble j Names.min point.Min
        optionalDouble j Names.max point.Max

        if BitConverter.DoubleToInt64Bits point.ZeroThreshold <> 0L then
            j.Double(Names.zeroThreshold, point.ZeroThreshold)

        w.WriteEndObject()

    let private metric (j: JsonPrimitives) (metric: MetricData) =
        let w = j.Writer
        w.WriteStartObject()
        stringIfAny j Names.name metric.Name
        stringIfAny j Names.description metric.Description
        stringIfAny j Names.unit metric.Unit

        match metric.Points with
        | MetricPoints.Gauge points ->
            w.WriteStartObject Names.gauge
            arrayOf j Names.dataPoints numberPoint points
            w.WriteEndObject()
        | MetricPoints.Sum(t, isMonotonic, points) ->
            w.WriteStartObject Names.sum
            arrayOf j Names.dataPoints numberPoint points
            w.WriteNumber(Names.aggregationTemporality, temporality t)

            if isMonotonic then
                w.WriteBoolean(Names.isMonotonic, true)

            w.WriteEndObject()
        | MetricPoints.Histogram(t, points) ->
            w.WriteStartObject Names.histogram
            arrayOf j Names.dataPoints histogramPoint points
            w.WriteNumber(Names.aggregationTemporality, temporality t)
            w.WriteEndObject()
        | MetricPoints.ExponentialHistogram(t, points) ->
            w.WriteStartObject Names.exponentialHistogram
            arrayOf j Names.dataPoints exponentialPoint points
            w.WriteNumber(Names.aggregationTemporality, temporality t)
            w.WriteEndObject()

        w.WriteEndObject()

    let private logRecord (j: JsonPrimitives) (record: LogRecordView) =
        let w = j.Writer
        w.WriteStartObject()
        fixed64IfAny j Names.timeUnixNano record.Timestamp
        fixed64IfAny j Names.observedTimeUnixNano record.ObservedTimestamp

        if record.SeverityNumber <> 0 then
            w.WriteNumber(Names.severityNumber, record.SeverityNumber)

        stringIfAny j Names.severityText record.SeverityText

        match record.Body with
        | AnyValue.Empty -> ()
        | body ->
            w.WritePropertyName Names.body
            anyValue j body

        tags j Names.attributes record.Tags record.TagCount
        countIfAny j Names.droppedAttributesCount record.DroppedAttributes

        if record.TraceFlags.Value <> 0uy then
            w.WriteNumber(Names.flags, int record.TraceFlags.Value)

        if record.TraceId.IsValid then
            j.TraceId(Names.traceId, record.TraceId)

        if record.SpanId.IsValid then
            j.SpanId(Names.spanId, record.SpanId)

        stringIfAny j Names.eventName record.EventName
        w.WriteEndObject()

    /// Writes an `ExportTraceServiceRequest` as OTLP/JSON.
    [<CompiledName("WriteTraces")>]
    let writeTraces resource (spans: Span array) output =
        let cursor = SpanView()

        request
            output
            Names.resourceSpans
            Names.scopeSpans
            Names.spans
            resource
            (fun (s: Span) -> s.Scope)
            (fun j s ->
                cursor.SetRecord s
                span j cursor)
            spans

    /// Writes an `ExportTraceServiceRequest` as OTLP/JSON from span views.
    [<CompiledName("WriteSpanViews")>]
    let writeSpanViews resource (views: SpanView array) output =
        request
            output
            Names.resourceSpans
            Names.scopeSpans
            Names.spans
            resource
            (fun (v: SpanView) -> v.Scope)
            span
            views

    /// Writes an `ExportMetricsServiceRequest` as OTLP/JSON.
    [<CompiledName("WriteMetrics")>]
    let writeMetrics resource (metrics: MetricData array) output =
        request
            output
            Names.resourceMetrics
            Names.scopeMetrics
            Names.metrics
            resource
            (fun (m: MetricData) -> m.Scope)
            metric
            metrics

    /// Writes an `ExportLogsServiceRequest` as OTLP/JSON.
    [<CompiledName("WriteLogs")>]
    let writeLogs resource (records: LogRecord array) output =
        let cursor = LogRecordView.Cursor()

        request
            output
            Names.resourceLogs
            Names.scopeLogs
            Names.logRecords
            resource
            (fun (r: LogRecord) -> r.Scope)
            (fun j r ->
                cursor.SetRecord r
                logRecord j cursor)
            records

    /// Writes an `ExportLogsServiceRequest` as OTLP/JSON from log record views.
    [<CompiledName("WriteLogViews")>]
    let writeLogViews resource (views: LogRecordView array) output =
        request
            output
            Names.resourceLogs
            Names.scopeLogs
            Names.logRecords
            resource
            (fun (v: LogRecordView) -> v.Scope)
            logRecord
            views
