/// OTLP interop against a receiver nobody here wrote: tests/otlp-peer/receiver.js, a @grpc/grpc-js server and a
/// node:http server decoding with the OpenTelemetry JS protobuf definitions (installed by ./test.sh).
/// For every protocol x compression the SDK exports spans, metrics and logs configured only through
/// `OTEL_EXPORTER_OTLP_*`, and what the receiver decoded is compared with what was recorded.
module Functional.Telemetry.Tests.OtlpInteropTests

open Expecto
open System
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Text.Json.Nodes
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.OtlpPeer

let private expectAttributes (expected: (string * string) list) (actual: Map<string, string>) =
    for key, value in expected do
        match actual.TryFind key with
        | Some v -> Assert.True((v = value), $"attribute {key}: expected {value}, got {v}")
        | None -> Assert.Fail $"attribute {key} missing from {actual}"

// ---- the test ----

let private fixedLinkTrace = ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c")
let private fixedLinkSpan = ActivitySpanId.CreateFromString("b7ad6b7169203331")

type private Recorded =
    {
        Root: Activity
        Child: Activity
        Producer: Activity
        Values: float list
    }

let private record (name: string) (sdk: TelemetrySdk) =
    use source = new ActivitySource(name, "1.2.3")
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64>("interop.counter", "{item}", "items seen")
    let histogram = meter.CreateHistogram<float>("interop.histogram", "ms", "durations")
    let logger = sdk.CreateLogger "interop.category"

    let root = source.StartActivity("interop-root", ActivityKind.Server)
    root.SetTag("string.attr", "GET") |> ignore
    root.SetTag("int.attr", 42) |> ignore
    root.SetTag("double.attr", 3.5) |> ignore
    root.SetTag("bool.attr", true) |> ignore
    root.SetTag("array.attr", [| "a"; "b" |]) |> ignore
    root.SetTag("int.array.attr", [| 1L; 2L |]) |> ignore

    root.AddEvent(ActivityEvent("something happened", tags = ActivityTagsCollection(dict [ "event.attr", box 7L ])))
    |> ignore

    root.SetStatus(ActivityStatusCode.Error, "boom") |> ignore

    let link =
        ActivityLink(
            ActivityContext(fixedLinkTrace, fixedLinkSpan, ActivityTraceFlags.Recorded),
            ActivityTagsCollection(dict [ "link.attr", box "x" ])
        )

    let child = source.StartActivity("interop-child", ActivityKind.Client, root.Context, links = [ link ])
    child.SetTag("child.attr", "c") |> ignore
    logger.LogWarning("order {OrderId} for {Customer}", 1234, "acme")
    child.Stop()
    let producer = source.StartActivity("interop-producer", ActivityKind.Producer)
    producer.Stop()
    root.Stop()

    counter.Add(3L, Collections.Generic.KeyValuePair("k", box "v"))
    counter.Add(4L, Collections.Generic.KeyValuePair("k", box "v"))
    let values = [ 1.0; 7.0; 300.0 ]

    for v in values do
        histogram.Record v

    Activity.Current <- null
    logger.LogError("no span here")

    {
        Root = root
        Child = child
        Producer = producer
        Values = values
    }

let private hex (id: ActivitySpanId) = id.ToHexString()

let ``spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded``
    (protocol: string, compression: string)
    =
    task {
        use receiver = NodeReceiver.Start()
        let name = "Otlp.Interop." + Guid.NewGuid().ToString("N")

        let endpoint =
            if protocol = "grpc" then
                receiver.GrpcEndpoint
            else
                receiver.HttpEndpoint

        let env =
            Env.ofList
                [
                    "OTEL_EXPORTER_OTLP_ENDPOINT", endpoint
                    "OTEL_EXPORTER_OTLP_PROTOCOL", protocol
                    "OTEL_EXPORTER_OTLP_COMPRESSION", compression
                    "OTEL_METRIC_EXPORT_INTERVAL", "600000"
                ]

        let sdk =
            Telemetry.create "otlp-interop"
            |> Telemetry.withEnvironment env
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpExporter id)
            |> Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addOtlpExporter id)
            |> Telemetry.withLogging (Logging.addOtlpExporter id)
            |> Telemetry.start

        let recorded =
            try
                record name sdk
            finally
                Activity.Current <- null

        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(flushed, "ForceFlush timed out")
        let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True(stopped, "Shutdown timed out")

        let! received = receiver.Received()

        // Transport: every request arrived as configured and decoded.
        let expectedContentType =
            match protocol with
            | "grpc" -> "application/grpc"
            | "http/json" -> "application/json"
            | _ -> "application/x-protobuf"

        let expectedEncoding = if compression = "gzip" then "gzip" else "identity"

        for request in received do
            Assert.True(
                isNull (at request [ "error" ]),
                $"the receiver could not decode a request: {text request}\n{receiver.Errors}"
            )

            Assert.Equal((if protocol = "grpc" then "grpc" else "http"), str (at request [ "transport" ]))
            Assert.Equal(expectedContentType, str (at request [ "contentType" ]))
            Assert.Equal(expectedEncoding, str (at request [ "encoding" ]))

        let messages signal =
            received
            |> List.filter (fun r -> str (at r [ "signal" ]) = signal)
            |> List.map (fun r -> (at r [ "message" ]))

        let serviceNames (resourceItems: JsonNode list) =
            resourceItems
            |> List.map (fun r -> (attributes (at r [ "resource" ])).TryFind "service.name")

        // ---- traces ----
        let resourceSpans = messages "traces" |> List.collect (fun m -> items m "resourceSpans")
        Assert.NotEmpty resourceSpans
        Assert.All(serviceNames resourceSpans, fun s -> Assert.Equal(Some """{"stringValue":"otlp-interop"}""", s))

        let scopeSpans = resourceSpans |> List.collect (fun r -> items r "scopeSpans")

        let spans =
            scopeSpans
            |> List.filter (fun s -> str (at s [ "scope"; "name" ]) = name)
            |> List.collect (fun s -> items s "spans")

        Assert.All(
            scopeSpans |> List.filter (fun s -> str (at s [ "scope"; "name" ]) = name),
            fun s -> Assert.Equal("1.2.3", str (at s [ "scope"; "version" ]))
        )

        Assert.Equal(3, spans.Length)
        let spanById = spans |> List.map (fun s -> str (at s [ "spanId" ]), s) |> Map.ofList

        let checkSpan (activity: Activity) (kind: int) =
            let span = spanById[hex activity.SpanId]
            Assert.Equal(activity.DisplayName, str (at span [ "name" ]))
            Assert.Equal(activity.TraceId.ToHexString(), str (at span [ "traceId" ]))

            if activity.ParentSpanId = Unchecked.defaultof<ActivitySpanId> then
                Assert.True(
                    isNull (at span [ "parentSpanId" ]) || str (at span [ "parentSpanId" ]) = "",
                    text (at span [ "parentSpanId" ])
                )
            else
                Assert.Equal(hex activity.ParentSpanId, str (at span [ "parentSpanId" ]))

            Assert.Equal(kind, num (at span [ "kind" ]))
            Assert.Equal(nanos activity.StartTimeUtc, str (at span [ "startTimeUnixNano" ]))
            Assert.Equal(nanos (activity.StartTimeUtc + activity.Duration), str (at span [ "endTimeUnixNano" ]))
            span

        let root = checkSpan recorded.Root 2
        let child = checkSpan recorded.Child 3
        let producer = checkSpan recorded.Producer 4
        Assert.Equal(recorded.Root.TraceId, recorded.Child.TraceId)

        Assert.Equal<Map<string, string>>(
            Map.ofList
                [
                    "string.attr", """{"stringValue":"GET"}"""
                    "int.attr", """{"intValue":"42"}"""
                    "double.attr", """{"doubleValue":3.5}"""
                    "bool.attr", """{"boolValue":true}"""
                    "array.attr", """{"arrayValue":{"values":[{"stringValue":"a"},{"stringValue":"b"}]}}"""
                    "int.array.attr", """{"arrayValue":{"values":[{"intValue":"1"},{"intValue":"2"}]}}"""
                ],
            attributes root
        )

        let event = Assert.Single(items root "events")
        Assert.Equal("something happened", str (at event [ "name" ]))
        Assert.Equal(nanos (recorded.Root.Events |> Seq.head).Timestamp.UtcDateTime, str (at event [ "timeUnixNano" ]))
        Assert.Equal<Map<string, string>>(Map.ofList [ "event.attr", """{"intValue":"7"}""" ], attributes event)
        Assert.Equal(2, num (at root [ "status"; "code" ]))
        Assert.Equal("boom", str (at root [ "status"; "message" ]))

        Assert.Equal<Map<string, string>>(Map.ofList [ "child.attr", """{"stringValue":"c"}""" ], attributes child)
        let link = Assert.Single(items child "links")
        Assert.Equal(fixedLinkTrace.ToHexString(), str (at link [ "traceId" ]))
        Assert.Equal(hex fixedLinkSpan, str (at link [ "spanId" ]))
        Assert.Equal<Map<string, string>>(Map.ofList [ "link.attr", """{"stringValue":"x"}""" ], attributes link)

        Assert.True(
            isNull (at child [ "status" ]) || num (at child [ "status"; "code" ]) = 0,
            text (at child [ "status" ])
        )

        Assert.Empty(items producer "attributes")

        // ---- metrics (cumulative: the last point of each metric holds the totals) ----
        let resourceMetrics = messages "metrics" |> List.collect (fun m -> items m "resourceMetrics")
        Assert.NotEmpty resourceMetrics
        Assert.All(serviceNames resourceMetrics, fun s -> Assert.Equal(Some """{"stringValue":"otlp-interop"}""", s))

        let metrics =
            resourceMetrics
            |> List.collect (fun r -> items r "scopeMetrics")
            |> List.filter (fun s -> str (at s [ "scope"; "name" ]) = name)
            |> List.collect (fun s -> items s "metrics")

        let lastOf metricName =
            match metrics |> List.filter (fun m -> str (at m [ "name" ]) = metricName) with
            | [] ->
                let names = metrics |> List.map (fun m -> str (at m [ "name" ]))
                failwith $"{metricName} was not received; got {names}"
            | found -> List.last found

        let counterMetric = lastOf "interop.counter"
        Assert.Equal("{item}", str (at counterMetric [ "unit" ]))
        Assert.Equal("items seen", str (at counterMetric [ "description" ]))
        Assert.Equal("true", text (at counterMetric [ "sum"; "isMonotonic" ]))
        Assert.Equal(2, num (at counterMetric [ "sum"; "aggregationTemporality" ]))
        let point = Assert.Single(items (at counterMetric [ "sum" ]) "dataPoints")
        Assert.Equal("7", str (at point [ "asInt" ]))
        Assert.Equal<Map<string, string>>(Map.ofList [ "k", """{"stringValue":"v"}""" ], attributes point)

        let histogramMetric = lastOf "interop.histogram"
        Assert.Equal("ms", str (at histogramMetric [ "unit" ]))
        Assert.Equal(2, num (at histogramMetric [ "histogram"; "aggregationTemporality" ]))
        let hpoint = Assert.Single(items (at histogramMetric [ "histogram" ]) "dataPoints")
        Assert.Equal("3", str (at hpoint [ "count" ]))
        Assert.Equal(List.sum recorded.Values, (at hpoint [ "sum" ]).GetValue<float>())
        Assert.Equal(1.0, (at hpoint [ "min" ]).GetValue<float>())
        Assert.Equal(300.0, (at hpoint [ "max" ]).GetValue<float>())
        let bounds = items hpoint "explicitBounds" |> List.map (fun b -> b.GetValue<float>())
        Assert.NotEmpty bounds

        let expectedBuckets =
            [
                for i in 0 .. bounds.Length ->
                    let lower = if i = 0 then Double.NegativeInfinity else bounds[i - 1]

                    let upper =
                        if i = bounds.Length then
                            Double.PositiveInfinity
                        else
                            bounds[i]

                    recorded.Values
                    |> List.filter (fun v -> v > lower && v <= upper)
                    |> List.length
                    |> string
            ]

        Assert.Equal<string list>(expectedBuckets, items hpoint "bucketCounts" |> List.map str)

        // ---- logs ----
        let resourceLogs = messages "logs" |> List.collect (fun m -> items m "resourceLogs")
        Assert.NotEmpty resourceLogs
        Assert.All(serviceNames resourceLogs, fun s -> Assert.Equal(Some """{"stringValue":"otlp-interop"}""", s))

        let logs =
            resourceLogs
            |> List.collect (fun r -> items r "scopeLogs")
            |> List.filter (fun s -> str (at s [ "scope"; "name" ]) = "interop.category")
            |> List.collect (fun s -> items s "logRecords")

        Assert.Equal(2, logs.Length)
        let warning = logs |> List.find (fun l -> num (at l [ "severityNumber" ]) = 13)
        Assert.Equal("""{"stringValue":"order 1234 for acme"}""", text (at warning [ "body" ]))
        Assert.Equal("Warning", str (at warning [ "severityText" ]))
        Assert.Equal(recorded.Child.TraceId.ToHexString(), str (at warning [ "traceId" ]))
        Assert.Equal(hex recorded.Child.SpanId, str (at warning [ "spanId" ]))

        expectAttributes
            [
                "OrderId", """{"intValue":"1234"}"""
                "Customer", """{"stringValue":"acme"}"""
            ]
            (attributes warning)

        let error = logs |> List.find (fun l -> num (at l [ "severityNumber" ]) = 17)
        Assert.Equal("""{"stringValue":"no span here"}""", text (at error [ "body" ]))
        Assert.True(isNull (at error [ "traceId" ]) || str (at error [ "traceId" ]) = "", text (at error [ "traceId" ]))
        Assert.True(isNull (at error [ "spanId" ]) || str (at error [ "spanId" ]) = "", text (at error [ "spanId" ]))
    }

[<Tests>]
let tests =
    testList
        "OtlpInteropTests"
        [
            testTask
                "spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded(protocol: \"grpc\", compression: \"none\")" {
                do!
                    ``spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded`` (
                        "grpc",
                        "none"
                    )
            }
            testTask
                "spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded(protocol: \"grpc\", compression: \"gzip\")" {
                do!
                    ``spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded`` (
                        "grpc",
                        "gzip"
                    )
            }
            testTask
                "spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded(protocol: \"http/protobuf\", compression: \"none\")" {
                do!
                    ``spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded`` (
                        "http/protobuf",
                        "none"
                    )
            }
            testTask
                "spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded(protocol: \"http/protobuf\", compression: \"gzip\")" {
                do!
                    ``spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded`` (
                        "http/protobuf",
                        "gzip"
                    )
            }
            testTask
                "spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded(protocol: \"http/json\", compression: \"none\")" {
                do!
                    ``spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded`` (
                        "http/json",
                        "none"
                    )
            }
            testTask
                "spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded(protocol: \"http/json\", compression: \"gzip\")" {
                do!
                    ``spans, metrics and logs decoded by the Node OTLP receiver equal what was recorded`` (
                        "http/json",
                        "gzip"
                    )
            }
        ]
