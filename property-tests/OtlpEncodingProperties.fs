/// encode -> independent decode -> equal: batches encoded by `OtlpProtobuf` and `OtlpJson` are decoded by the
/// OpenTelemetry JS protobuf definitions (tests/otlp-peer/decode.js, installed by ./test.sh) and compared field by
/// field with the records they came from.
module Functional.Telemetry.PropertyTests.OtlpEncodingProperties

open Expecto
open System
open System.Buffers
open System.Diagnostics
open System.IO
open System.Text
open System.Text.Json
open System.Text.Json.Nodes
open FsCheck.FSharp
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

// ---- the peer ----

let private repositoryRoot =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            failwith "Functional.sln not found above the test assembly: cannot locate tests/otlp-peer"
        elif File.Exists(Path.Combine(dir.FullName, "Functional.sln")) then
            dir.FullName
        else
            up dir.Parent

    lazy (up (DirectoryInfo AppContext.BaseDirectory))

/// Runs `node tests/otlp-peer/decode.js dir` once; file name -> decoded message (or the decoder's error).
let private decodeAll (dir: string) : Map<string, Result<JsonNode, string>> =
    let peer = Path.Combine(repositoryRoot.Force(), "tests", "otlp-peer")
    let package = Path.Combine(peer, "node_modules", "@opentelemetry", "otlp-transformer", "package.json")

    if not (File.Exists package) then
        failwith
            $"The OTLP peer is not installed ({package} is missing): run ./test.sh, which runs npm install in tests/otlp-peer."

    let info =
        ProcessStartInfo("node", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)

    info.ArgumentList.Add(Path.Combine(peer, "decode.js"))
    info.ArgumentList.Add dir

    let node =
        try
            Process.Start info
        with e ->
            failwith $"Could not start node ({e.Message}): install Node.js and run ./test.sh."

    let errors = node.StandardError.ReadToEndAsync()
    let output = node.StandardOutput.ReadToEnd()
    node.WaitForExit()

    if node.ExitCode <> 0 then
        failwith
            $"node decode.js failed with exit code {node.ExitCode}: {errors.Result} (run ./test.sh to install the peer)"

    output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
    |> Array.map (fun line ->
        let entry = JsonNode.Parse line
        let file = entry["file"].GetValue<string>()

        match entry["error"] with
        | null -> file, Ok(entry["message"].DeepClone())
        | error -> file, Error(error.GetValue<string>()))
    |> Map.ofArray

// ---- the expected decoded form, built from the records ----

let private fffd (text: string) = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes text)

let private str (text: string) : JsonNode = JsonValue.Create(fffd text)
let private int64Text (value: int64) : JsonNode = JsonValue.Create(string value)
let private num (value: int) : JsonNode = JsonValue.Create value

let private dbl (value: float) : JsonNode =
    if Double.IsNaN value then
        JsonValue.Create "NaN"
    elif Double.IsPositiveInfinity value then
        JsonValue.Create "Infinity"
    elif Double.IsNegativeInfinity value then
        JsonValue.Create "-Infinity"
    else
        JsonValue.Create value

let private obj (fields: (string * JsonNode) list) : JsonNode =
    let o = JsonObject()

    for (k, v) in fields do
        if not (isNull v) then
            o[k] <- v

    o

let private arr (items: JsonNode seq) : JsonNode = JsonArray(Array.ofSeq items)

let rec private anyValue (value: AnyValue) : JsonNode =
    match value with
    | AnyValue.String s -> obj [ "stringValue", str s ]
    | AnyValue.Bool b -> obj [ "boolValue", JsonValue.Create b ]
    | AnyValue.Int i -> obj [ "intValue", int64Text i ]
    | AnyValue.Double d -> obj [ "doubleValue", dbl d ]
    | AnyValue.Bytes b -> obj [ "bytesValue", JsonValue.Create(Convert.ToBase64String b) ]
    | AnyValue.Array(Items items) -> obj [ "arrayValue", obj [ "values", arr (items |> List.map anyValue) ] ]
    | AnyValue.Map(Items entries) -> obj [ "kvlistValue", obj [ "values", attributes entries ] ]
    | AnyValue.Empty -> obj []

and private attributes (items: KeyValue list) : JsonNode =
    arr (items |> List.map (fun a -> obj [ "key", str a.Key; "value", anyValue a.Value ]))

let private scopeNode (scope: InstrumentationScope) =
    obj
        [
            "name", str scope.Name
            "version", str scope.Version
            "attributes", attributes (ReadOnlyList.toList scope.Attributes)
        ]

let private request
    (resourceKey: string)
    (scopeKey: string)
    (itemsKey: string)
    (scopeOf: 'T -> InstrumentationScope)
    (item: 'T -> JsonNode)
    (resource: Resource)
    (items: 'T array)
    =
    if items.Length = 0 then
        obj []
    else
        let scopes = items |> Array.map scopeOf |> Array.distinct

        let scopeEntries =
            scopes
            |> Array.map (fun scope ->
                obj
                    [
                        "scope", scopeNode scope
                        itemsKey, arr (items |> Array.filter (fun i -> scopeOf i = scope) |> Array.map item)
                        "schemaUrl", str scope.SchemaUrl
                    ])

        obj
            [
                resourceKey,
                arr
                    [
                        obj
                            [
                                "resource", obj [ "attributes", attributes (ReadOnlyList.toList resource.Attributes) ]
                                scopeKey, arr scopeEntries
                                "schemaUrl", str resource.SchemaUrl
                            ]
                    ]
            ]

let private traceStateText (state: TraceState) =
    (ReadOnlyList.toList state.Entries)
    |> List.map (fun (k, v) -> k + "=" + v)
    |> String.concat ","

let private flags (traceFlags: TraceFlags) (isRemote: bool) =
    num (int traceFlags.Value ||| 0x100 ||| (if isRemote then 0x200 else 0))

let private expectedSpan (s: Span) =
    obj
        [
            "traceId", str (s.Context.TraceId.ToHex())
            "spanId", str (s.Context.SpanId.ToHex())
            "traceState", str (traceStateText s.Context.TraceState)
            "parentSpanId",
            (if s.ParentSpanId.IsValid then
                 str (s.ParentSpanId.ToHex())
             else
                 null)
            "flags", flags s.Context.TraceFlags s.ParentIsRemote
            "name", str s.Name
            "kind",
            num (
                match s.Kind with
                | SpanKind.Internal -> 1
                | SpanKind.Server -> 2
                | SpanKind.Client -> 3
                | SpanKind.Producer -> 4
                | SpanKind.Consumer -> 5
            )
            "startTimeUnixNano", int64Text s.StartTime
            "endTimeUnixNano", int64Text s.EndTime
            "attributes", attributes (ReadOnlyList.toList s.Attributes)
            "droppedAttributesCount", num s.DroppedAttributes
            "events",
            arr (
                (ReadOnlyList.toList s.Events)
                |> List.map (fun e ->
                    obj
                        [
                            "timeUnixNano", int64Text e.Timestamp
                            "name", str e.Name
                            "attributes", attributes (ReadOnlyList.toList e.Attributes)
                            "droppedAttributesCount", num e.DroppedAttributes
                        ])
            )
            "droppedEventsCount", num s.DroppedEvents
            "links",
            arr (
                (ReadOnlyList.toList s.Links)
                |> List.map (fun l ->
                    obj
                        [
                            "traceId", str (l.Context.TraceId.ToHex())
                            "spanId", str (l.Context.SpanId.ToHex())
                            "traceState", str (traceStateText l.Context.TraceState)
                            "attributes", attributes (ReadOnlyList.toList l.Attributes)
                            "droppedAttributesCount", num l.DroppedAttributes
                            "flags", flags l.Context.TraceFlags l.Context.IsRemote
                        ])
            )
            "droppedLinksCount", num s.DroppedLinks
            "status",
            (match s.Status with
             | Status.Unset -> obj []
             | Status.Ok -> obj [ "code", num 1 ]
             | Status.Error m -> obj [ "message", str m; "code", num 2 ])
        ]

let private numberValue (value: NumberValue) =
    match value with
    | NumberValue.Long l -> "asInt", int64Text l
    | NumberValue.Double d -> "asDouble", dbl d

let private exemplars (items: Exemplar list) =
    arr (
        items
        |> List.map (fun e ->
            obj
                [
                    "filteredAttributes", attributes (ReadOnlyList.toList e.FilteredAttributes)
                    "timeUnixNano", int64Text e.Time
                    numberValue e.Value
                    "spanId", (if e.SpanId.IsValid then str (e.SpanId.ToHex()) else null)
                    "traceId", (if e.TraceId.IsValid then str (e.TraceId.ToHex()) else null)
                ])
    )

let private optional name (value: float option) = name, (value |> Option.map dbl |> Option.toObj)

let private expectedMetric (m: MetricData) =
    let numberPoints (points: NumberPoint list) =
        arr (
            points
            |> List.map (fun p ->
                obj
                    [
                        "attributes", attributes (ReadOnlyList.toList p.Attributes)
                        "startTimeUnixNano", int64Text p.StartTime
                        "timeUnixNano", int64Text p.Time
                        numberValue p.Value
                        "exemplars", exemplars (ReadOnlyList.toList p.Exemplars)
                    ])
        )

    let temporality t =
        num (
            match t with
            | Temporality.Delta -> 1
            | Temporality.Cumulative -> 2
        )

    let buckets (b: ExponentialBuckets) =
        obj
            [
                "offset", num b.Offset
                "bucketCounts", arr ((ReadOnlyList.toList b.Counts) |> List.map int64Text)
            ]

    let data =
        match m.Points with
        | MetricPoints.Gauge(Items points) -> "gauge", obj [ "dataPoints", numberPoints points ]
        | MetricPoints.Sum(t, monotonic, Items points) ->
            "sum",
            obj
                [
                    "dataPoints", numberPoints points
                    "aggregationTemporality", temporality t
                    "isMonotonic", JsonValue.Create monotonic
                ]
        | MetricPoints.Histogram(t, Items points) ->
            "histogram",
            obj
                [
                    "dataPoints",
                    arr (
                        points
                        |> List.map (fun p ->
                            obj
                                [
                                    "attributes", attributes (ReadOnlyList.toList p.Attributes)
                                    "startTimeUnixNano", int64Text p.StartTime
                                    "timeUnixNano", int64Text p.Time
                                    "count", int64Text p.Count
                                    "sum", dbl p.Sum
                                    "bucketCounts", arr ((ReadOnlyList.toList p.BucketCounts) |> List.map int64Text)
                                    "explicitBounds", arr ((ReadOnlyList.toList p.Bounds) |> List.map dbl)
                                    "exemplars", exemplars (ReadOnlyList.toList p.Exemplars)
                                    optional "min" (Option.ofNullable p.Min)
                                    optional "max" (Option.ofNullable p.Max)
                                ])
                    )
                    "aggregationTemporality", temporality t
                ]
        | MetricPoints.ExponentialHistogram(t, Items points) ->
            "exponentialHistogram",
            obj
                [
                    "dataPoints",
                    arr (
                        points
                        |> List.map (fun p ->
                            obj
                                [
                                    "attributes", attributes (ReadOnlyList.toList p.Attributes)
                                    "startTimeUnixNano", int64Text p.StartTime
                                    "timeUnixNano", int64Text p.Time
                                    "count", int64Text p.Count
                                    "sum", dbl p.Sum
                                    "scale", num p.Scale
                                    "zeroCount", int64Text p.ZeroCount
                                    "positive", buckets p.Positive
                                    "negative", buckets p.Negative
                                    "exemplars", exemplars (ReadOnlyList.toList p.Exemplars)
                                    optional "min" (Option.ofNullable p.Min)
                                    optional "max" (Option.ofNullable p.Max)
                                    "zeroThreshold", dbl p.ZeroThreshold
                                ])
                    )
                    "aggregationTemporality", temporality t
                ]

    obj
        [
            "name", str m.Name
            "description", str m.Description
            "unit", str m.Unit
            data
        ]

let private expectedLog (r: LogRecord) =
    obj
        [
            "timeUnixNano", int64Text r.Timestamp
            "observedTimeUnixNano", int64Text r.ObservedTimestamp
            "severityNumber", num r.SeverityNumber
            "severityText", str r.SeverityText
            "body",
            (match r.Body with
             | AnyValue.Empty -> null
             | body -> anyValue body)
            "attributes", attributes (ReadOnlyList.toList r.Attributes)
            "droppedAttributesCount", num r.DroppedAttributes
            "flags", num (int r.TraceFlags.Value)
            "traceId", (if r.TraceId.IsValid then str (r.TraceId.ToHex()) else null)
            "spanId", (if r.SpanId.IsValid then str (r.SpanId.ToHex()) else null)
            "eventName", str r.EventName
        ]

// ---- comparison ----

// Oneof members and proto3 `optional` fields: present even when they hold a default.
let private presenceKeys =
    set
        [
            "stringValue"
            "boolValue"
            "intValue"
            "doubleValue"
            "bytesValue"
            "asInt"
            "asDouble"
            "sum"
            "min"
            "max"
        ]

let private isDefault (node: JsonNode) =
    match node with
    | null -> true
    | :? JsonArray as a -> a.Count = 0
    | :? JsonObject as o -> o.Count = 0
    | :? JsonValue as v ->
        match v.GetValueKind() with
        | JsonValueKind.String -> (let s = v.GetValue<string>() in s = "" || s = "0")
        | JsonValueKind.Number -> v.GetValue<double>() = 0.0
        | JsonValueKind.False -> true
        | _ -> false
    | _ -> false

/// Drops fields holding proto3 defaults (a decoder may or may not show them), except presence fields.
let rec private normalize (node: JsonNode) : JsonNode =
    match node with
    | :? JsonObject as o ->
        let result = JsonObject()

        for KeyValue(k, v) in Seq.toArray o do
            let v = normalize v

            if presenceKeys.Contains k || not (isDefault v) then
                result[k] <- v

        result
    | :? JsonArray as a -> arr (a |> Seq.map normalize |> Seq.toArray)
    | null -> null
    | v -> v.DeepClone()

let private asInteger (text: string) =
    match Int64.TryParse text with
    | true, v -> Some v
    | _ ->
        match UInt64.TryParse text with
        | true, v -> Some(int64 v)
        | _ -> None

/// The first difference between expected and actual, as a path and both values; None when equal.
let rec private difference (path: string) (expected: JsonNode) (actual: JsonNode) : string option =
    let show (n: JsonNode) = if isNull n then "(absent)" else n.ToJsonString()
    let differ () = Some $"{path}: expected {show expected}, decoded {show actual}"

    match expected, actual with
    | null, null -> None
    | null, _
    | _, null -> differ ()
    | (:? JsonObject as e), (:? JsonObject as a) ->
        let keys =
            Seq.append (e |> Seq.map (fun kv -> kv.Key)) (a |> Seq.map (fun kv -> kv.Key))
            |> Seq.distinct

        keys
        |> Seq.tryPick (fun k ->
            difference $"{path}.{k}" (if e.ContainsKey k then e[k] else null) (if a.ContainsKey k then a[k] else null))
    | (:? JsonArray as e), (:? JsonArray as a) ->
        if e.Count <> a.Count then
            Some $"{path}: expected {e.Count} items, decoded {a.Count}"
        else
            Seq.init e.Count id
            |> Seq.tryPick (fun i -> difference $"{path}[{i}]" e[i] a[i])
    | (:? JsonValue as e), (:? JsonValue as a) ->
        match e.GetValueKind(), a.GetValueKind() with
        | JsonValueKind.Number, JsonValueKind.Number ->
            // -0.0 prints as 0 in JavaScript: numbers compare by value.
            if e.GetValue<double>() = a.GetValue<double>() then
                None
            else
                differ ()
        | JsonValueKind.String, JsonValueKind.String ->
            let es, as' = e.GetValue<string>(), a.GetValue<string>()

            match asInteger es, asInteger as' with
            | Some x, Some y when x = y -> None
            | _ when String.Equals(es, as', StringComparison.Ordinal) -> None
            | _ -> differ ()
        | ek, ak when ek = ak -> None
        | _ -> differ ()
    | _ -> differ ()

// ---- the properties ----

type private Encoding =
    | Protobuf
    | Json

let private cases = 60

/// Generated batches, shown short when a property fails (its message shows the batch that failed).
[<StructuredFormatDisplay("{Summary}")>]
type private Batches<'T> =
    {
        Items: 'T array
    }

    member this.Summary = $"{this.Items.Length} generated batches"

let private encodeToFile (encoding: Encoding) writeProtobuf writeJson (path: string) =
    let buffer = ArrayBufferWriter<byte>()

    match encoding with
    | Protobuf -> writeProtobuf (buffer :> IBufferWriter<byte>)
    | Json -> writeJson (buffer :> IBufferWriter<byte>)

    File.WriteAllBytes(path, buffer.WrittenSpan.ToArray())
    buffer.WrittenCount

let private checkBatches
    (signal: string)
    (encoding: Encoding)
    (batches: (Resource * 'T array) array)
    (writeProtobuf: Resource -> 'T array -> IBufferWriter<byte> -> unit)
    (writeJson: Resource -> 'T array -> IBufferWriter<byte> -> unit)
    (size: Resource -> 'T array -> int64)
    (expected: Resource -> 'T array -> JsonNode)
    =
    let dir = Directory.CreateTempSubdirectory("otlp-encoding-").FullName

    try
        let extension = if encoding = Protobuf then "pb" else "json"
        let name i = $"case{i:D3}.{signal}.{extension}"

        batches
        |> Array.iteri (fun i (resource, items) ->
            let written =
                encodeToFile
                    encoding
                    (writeProtobuf resource items)
                    (writeJson resource items)
                    (Path.Combine(dir, name i))

            if encoding = Protobuf then
                Assert.Equal(int64 written, size resource items))

        let decoded = decodeAll dir
        Assert.Equal(batches.Length, decoded.Count)

        batches
        |> Array.iteri (fun i (resource, items) ->
            match decoded.TryFind(name i) with
            | None -> failwith $"{name i}: the peer wrote nothing for it"
            | Some(Error e) -> failwith $"{name i}: the peer could not decode it: {e}\nrecords: %A{items}"
            | Some(Ok actual) ->
                match
                    difference
                        "$"
                        (normalize (JsonNode.Parse((expected resource items).ToJsonString())))
                        (normalize actual)
                with
                | None -> ()
                | Some d ->
                    let records = sprintf "%A" (resource, items)

                    let records =
                        if records.Length > 6000 then
                            records.Substring(0, 6000) + "..."
                        else
                            records

                    failwith $"{name i}: {d}\nrecords: {records}")
    finally
        Directory.Delete(dir, true)

let private checkSignal
    (signal: string)
    (encoding: Encoding)
    (batch: FsCheck.Gen<Resource * 'T array>)
    (writeProtobuf: Resource -> 'T array -> IBufferWriter<byte> -> unit)
    (writeJson: Resource -> 'T array -> IBufferWriter<byte> -> unit)
    (size: Resource -> 'T array -> int64)
    (expected: Resource -> 'T array -> JsonNode)
    =
    // One case is `cases` batches at size 50, decoded by one run of the peer; the property prints its seed (replay
    // with --fscheck-replay) and the failure message shows the failing batch.
    let sampled =
        Gen.arrayOfLength cases batch
        |> Gen.resize 50
        |> Gen.map (fun items -> { Items = items })

    Prop.forAll (Arb.fromGen sampled) (fun sampled ->
        checkBatches signal encoding sampled.Items writeProtobuf writeJson size expected)

let private traces encoding =
    checkSignal
        "traces"
        encoding
        (Arbs.encoderBatch Arbs.encoderSpan)
        OtlpProtobuf.writeTraces
        OtlpJson.writeTraces
        OtlpProtobuf.tracesSize
        (request "resourceSpans" "scopeSpans" "spans" (fun (s: Span) -> s.Scope) expectedSpan)

let private metrics encoding =
    checkSignal
        "metrics"
        encoding
        (Arbs.encoderBatch Arbs.metricData)
        OtlpProtobuf.writeMetrics
        OtlpJson.writeMetrics
        OtlpProtobuf.metricsSize
        (request "resourceMetrics" "scopeMetrics" "metrics" (fun (m: MetricData) -> m.Scope) expectedMetric)

let private logs encoding =
    checkSignal
        "logs"
        encoding
        (Arbs.encoderBatch Arbs.logRecord)
        OtlpProtobuf.writeLogs
        OtlpJson.writeLogs
        OtlpProtobuf.logsSize
        (request "resourceLogs" "scopeLogs" "logRecords" (fun (r: LogRecord) -> r.Scope) expectedLog)

let ``traces: protobuf encode -> JS decode -> equal`` () = traces Protobuf

let ``traces: OTLP/JSON encode -> JS decode -> equal`` () = traces Json

let ``metrics: protobuf encode -> JS decode -> equal`` () = metrics Protobuf

let ``metrics: OTLP/JSON encode -> JS decode -> equal`` () = metrics Json

let ``logs: protobuf encode -> JS decode -> equal`` () = logs Protobuf

let ``logs: OTLP/JSON encode -> JS decode -> equal`` () = logs Json

[<Tests>]
let tests =
    testList
        "OtlpEncodingProperties"
        [
            testPropertyWithConfig
                (Check.configWith 1)
                "traces: protobuf encode -> JS decode -> equal"
                (``traces: protobuf encode -> JS decode -> equal`` (): FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 1)
                "traces: OTLP/JSON encode -> JS decode -> equal"
                (``traces: OTLP/JSON encode -> JS decode -> equal`` (): FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 1)
                "metrics: protobuf encode -> JS decode -> equal"
                (``metrics: protobuf encode -> JS decode -> equal`` (): FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 1)
                "metrics: OTLP/JSON encode -> JS decode -> equal"
                (``metrics: OTLP/JSON encode -> JS decode -> equal`` (): FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 1)
                "logs: protobuf encode -> JS decode -> equal"
                (``logs: protobuf encode -> JS decode -> equal`` (): FsCheck.Property)
            testPropertyWithConfig
                (Check.configWith 1)
                "logs: OTLP/JSON encode -> JS decode -> equal"
                (``logs: OTLP/JSON encode -> JS decode -> equal`` (): FsCheck.Property)
        ]
