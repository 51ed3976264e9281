/// The ETW exporter: the pure layout, and in-process delivery to an EventListener (the out-of-process EventPipe
/// test is in EtwEventPipeTests.fs).
module Functional.Telemetry.Tests.EtwTests

open Expecto
open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics.Tracing
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// Collects the events of EventSources whose name starts with `EtwTest`, enabled at Verbose with every keyword.
/// (EventListener calls OnEventSourceCreated from its base constructor, before this class's fields exist: the
/// name filter is a literal and the queue is checked for null.)
type EtwCapture() =
    inherit EventListener()

    let events = ConcurrentQueue<EventWrittenEventArgs>()
    let arrived = new System.Threading.SemaphoreSlim(0)

    override _.OnEventSourceCreated(source) =
        if source.Name.StartsWith("EtwTest", StringComparison.Ordinal) then
            base.EnableEvents(source, EventLevel.Verbose, EventKeywords.All)

    override _.OnEventWritten(e) =
        if
            not (isNull (box events))
            && e.EventSource.Name.StartsWith("EtwTest", StringComparison.Ordinal)
        then
            events.Enqueue e
            arrived.Release() |> ignore

    /// Waits (on signals, not sleeps) until `count` events from `provider` arrived; fails after 10 s.
    member _.Take(provider: string, count: int) =
        task {
            let matching () = events |> Seq.filter (fun e -> e.EventSource.Name = provider) |> List.ofSeq

            let deadline = DateTime.UtcNow.AddSeconds 10.

            while (matching ()).Length < count && DateTime.UtcNow < deadline do
                let! _ = arrived.WaitAsync(TimeSpan.FromMilliseconds 200.)
                ()

            let got = matching ()
            Assert.True(got.Length >= count, $"expected {count} events from {provider}, got {got.Length}")
            return got
        }

    /// Every event from `provider` so far.
    member _.From(provider: string) = events |> Seq.filter (fun e -> e.EventSource.Name = provider) |> List.ofSeq

/// A payload field by name.
let field (name: string) (e: EventWrittenEventArgs) =
    let index = e.PayloadNames.IndexOf name
    Assert.True(index >= 0, $"no field {name} in [{String.Join(',', e.PayloadNames)}]")
    e.Payload[index]

/// A nested struct field (EventListener gives nested structs as dictionaries).
let part (name: string) (e: EventWrittenEventArgs) = field name e :?> IDictionary<string, obj>

let sub (name: string) (parent: IDictionary<string, obj>) = parent[name] :?> IDictionary<string, obj>

let hasField (name: string) (e: EventWrittenEventArgs) = e.PayloadNames.Contains name

let private start (configure: TelemetryConfig -> TelemetryConfig) =
    Telemetry.create "etw-svc"
    |> Telemetry.withResourceDetection false
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceAttributes
        [
            KeyValue.string "service.instance.id" "instance-7"
            KeyValue.string "deployment.environment" "test"
        ]
    |> configure
    |> Telemetry.start

let private parsedTime (value: obj) = DateTime.Parse(string value, null, Globalization.DateTimeStyles.RoundtripKind)

// ---- the pure layout ----

let ``provider names follow the opentelemetry-etw-logs rules`` () =
    Assert.Equal(Ok "MyCompany_App1", EtwLayout.validateProviderName false "MyCompany_App1")
    Assert.True(Result.isError (EtwLayout.validateProviderName false ""))
    Assert.True(Result.isError (EtwLayout.validateProviderName false (String('a', 234))))
    Assert.Equal(Ok(String('a', 233)), EtwLayout.validateProviderName false (String('a', 233)))
    Assert.True(Result.isError (EtwLayout.validateProviderName false "MyCompany-App"))
    Assert.Equal(Ok "MyCompany-App", EtwLayout.validateProviderName true "MyCompany-App")
    Assert.True(Result.isError (EtwLayout.validateProviderName true "My.Company"))
    Assert.True(Result.isError (EtwLayout.validateProviderName false "héllo"))
    Assert.True(Result.isError (EtwLayout.validateProviderName true "a b"))

let ``invalid provider names are an ArgumentException when configuring`` () =
    let error =
        Assert.Throws<ArgumentException>(fun () ->
            Logging.empty
            |> Logging.addEtwExporterWith
                { EtwOptions.create "My-App" with
                    EtwOnlyProviderName = false
                }
            |> ignore)

    Assert.Contains("'-'", error.Message)

    Assert.Throws<ArgumentException>(fun () -> Tracing.empty |> Tracing.addEtwExporter "" |> ignore)
    |> ignore

    Assert.Throws<ArgumentException>(fun () -> Logging.empty |> Logging.addEtwExporter "a/b" |> ignore)
    |> ignore
    // The ETW-only mode, the default, allows '-'.
    Logging.empty |> Logging.addEtwExporter "My-App" |> ignore
    Assert.True((EtwOptions.create "x").EtwOnlyProviderName)

let ``severity numbers map to event levels`` () =
    let levels = [ 1; 5; 8; 9; 12; 13; 17; 21; 24; 0 ] |> List.map EtwLayout.logLevel

    Assert.Equal<EventLevel list>(
        [
            EventLevel.Verbose
            EventLevel.Verbose
            EventLevel.Verbose
            EventLevel.Informational
            EventLevel.Informational
            EventLevel.Warning
            EventLevel.Error
            EventLevel.Critical
            EventLevel.Critical
            EventLevel.Informational
        ],
        levels
    )

let ``values map to TraceLogging types, arrays and maps to JSON`` () =
    Assert.Equal(Some(EtwValue.Int32 1), EtwLayout.fieldValue (AnyValue.Bool true))
    Assert.Equal(Some(EtwValue.Int32 0), EtwLayout.fieldValue (AnyValue.Bool false))
    Assert.Equal(Some(EtwValue.Int64 5L), EtwLayout.fieldValue (AnyValue.Int 5L))
    Assert.Equal(Some(EtwValue.Double 1.5), EtwLayout.fieldValue (AnyValue.Double 1.5))
    Assert.Equal(Some(EtwValue.String "s"), EtwLayout.fieldValue (AnyValue.String "s"))
    Assert.Equal(None, EtwLayout.fieldValue AnyValue.Empty)

    Assert.Equal(
        Some(EtwValue.String """[1,"a",true,{"k":2.5},"AQI=",null]"""),
        EtwLayout.fieldValue (
            AnyValue.Array
                [
                    AnyValue.Int 1L
                    AnyValue.String "a"
                    AnyValue.Bool true
                    AnyValue.Map [ KeyValue.double "k" 2.5 ]
                    AnyValue.Bytes [| 1uy; 2uy |]
                    AnyValue.Empty
                ]
        )
    )

    Assert.Equal("2024-05-01T12:00:00.1234567Z", EtwLayout.rfc3339 1714564800123456789L)

let ``a log event callback chooses the name, invalid names fall back to Log`` () =
    let record: LogRecord =
        {
            Timestamp = 1L
            ObservedTimestamp = 1L
            SeverityNumber = 9
            SeverityText = "Information"
            Body = AnyValue.String "b"
            Attributes = []
            DroppedAttributes = 0
            TraceId = TraceId.Empty
            SpanId = SpanId.Empty
            TraceFlags = TraceFlags.None
            EventName = "Checkout"
            Scope = InstrumentationScope.Named "c"
        }

    let named choose =
        (EtwLayout.log { EtwOptions.create "p" with LogEventName = Some choose } Resource.empty record).Name

    Assert.Equal("Checkout", named (fun r -> r.EventName))
    Assert.Equal("Log", named (fun _ -> "not valid!"))
    Assert.Equal("Log", named (fun _ -> null))
    Assert.Equal("Log", named (fun _ -> failwith "boom"))
    Assert.Equal("Log", (EtwLayout.log (EtwOptions.create "p") Resource.empty record).Name)

// ---- in process: an EventListener receives every field ----

let ``a log record outside a span arrives with every Common Schema field`` () =
    task {
        use capture = new EtwCapture()
        let provider = "EtwTestLogs"

        use sdk =
            start (
                Telemetry.withLogging (
                    Logging.addEtwExporterWith
                        { EtwOptions.create provider with
                            ResourceAttributes = [ "deployment.environment" ]
                        }
                )
            )

        let before = DateTime.UtcNow
        let logger = sdk.CreateLogger "Checkout"
        logger.Log(LogLevel.Warning, EventId(42, "OrderSlow"), "Order {OrderId} slow: {Ratio} {Retried}", 7, 1.5, true)
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        let! events = capture.Take(provider, 1)
        let e = List.exactlyOne events

        Assert.Equal("Log", e.EventName)
        Assert.Equal(EventLevel.Warning, e.Level)
        Assert.Equal(LanguagePrimitives.EnumOfValue<int64, EventKeywords> 1L, e.Keywords)
        Assert.Equal<string list>([ "__csver__"; "PartA"; "PartB"; "PartC" ], List.ofSeq e.PayloadNames)
        Assert.Equal(box 1024, field "__csver__" e)

        let partA = part "PartA" e
        Assert.Equal<string list>([ "time"; "ext_cloud" ], List.ofSeq partA.Keys)
        let time = parsedTime partA["time"]
        Assert.Equal(DateTimeKind.Utc, time.Kind)
        Assert.True(time >= before.AddSeconds -1. && time <= DateTime.UtcNow, $"time {time}")
        Assert.EndsWith("Z", string partA["time"])
        let cloud = sub "ext_cloud" partA
        Assert.Equal(box "etw-svc", cloud["role"])
        Assert.Equal(box "instance-7", cloud["roleInstance"])

        let partB = part "PartB" e

        Assert.Equal<string list>(
            [ "_typeName"; "body"; "severityNumber"; "severityText"; "eventId"; "name" ],
            List.ofSeq partB.Keys
        )

        Assert.Equal(box "Log", partB["_typeName"])
        Assert.Equal(box "Order 7 slow: 1.5 True", partB["body"])
        Assert.Equal(box 13, partB["severityNumber"])
        Assert.Equal(box "Warning", partB["severityText"])
        Assert.Equal(box 42L, partB["eventId"])
        Assert.Equal(box "OrderSlow", partB["name"])

        let partC = part "PartC" e
        Assert.Equal(box 7L, partC["OrderId"])
        Assert.Equal(box 1.5, partC["Ratio"])
        Assert.Equal(box 1, partC["Retried"]) // bool32
        Assert.Equal(box "Order {OrderId} slow: {Ratio} {Retried}", partC["{OriginalFormat}"])
        Assert.Equal(box "test", partC["deployment.environment"])
        Assert.False(partC.ContainsKey "event.id")
    }

let ``a log record inside a span carries ext_dt, every severity maps to its level`` () =
    task {
        use capture = new EtwCapture()
        let provider = "EtwTestLogsInSpan"

        use sdk =
            start (
                Telemetry.withTracing (
                    Tracing.addSource "EtwTest.Tracer"
                    >> Tracing.addSimpleExporter (InMemoryExporter<Span>())
                )
                >> Telemetry.withLogging (Logging.addEtwExporter provider)
            )

        use tracer = Tracer.create "EtwTest.Tracer" None
        let log = Logger.create sdk "InSpan"

        let traceId, spanId =
            Tracer.inSpan tracer "work" (fun _ ->
                Logger.trace log "t" []
                Logger.debug log "d" []

                Logger.info
                    log
                    "i"
                    [
                        KeyValue.create "tags" (AnyValue.Array [ AnyValue.String "a"; AnyValue.Int 2L ])
                    ]

                Logger.warn log "w" []
                Logger.error log "e" []
                Logger.critical log "c" []
                let current = Diagnostics.Activity.Current
                current.TraceId.ToHexString(), current.SpanId.ToHexString())

        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        let! events = capture.Take(provider, 6)

        Assert.Equal<EventLevel list>(
            [
                EventLevel.Verbose
                EventLevel.Verbose
                EventLevel.Informational
                EventLevel.Warning
                EventLevel.Error
                EventLevel.Critical
            ],
            events |> List.map (fun e -> e.Level)
        )

        Assert.Equal<obj list>(
            [ "t"; "d"; "i"; "w"; "e"; "c" ] |> List.map box,
            events |> List.map (fun e -> (part "PartB" e)["body"])
        )

        for e in events do
            let dt = sub "ext_dt" (part "PartA" e)
            Assert.Equal(box traceId, dt["traceId"])
            Assert.Equal(box spanId, dt["spanId"])

        let info = events[2]
        Assert.Equal(box """["a",2]""", (part "PartC" info)["tags"])
        // No attributes: no PartC.
        Assert.False(hasField "PartC" events[0])
    }

let ``spans arrive as Span events with every Common Schema field`` () =
    task {
        use capture = new EtwCapture()
        let provider = "EtwTestSpans"

        use sdk =
            start (
                Telemetry.withTracing (
                    Tracing.addSource "EtwTest.Spans"
                    >> Tracing.addEtwExporterWith
                        { EtwOptions.create provider with
                            ResourceAttributes = [ "deployment.environment" ]
                        }
                )
            )

        use tracer = Tracer.create "EtwTest.Spans" None

        let linked =
            {
                Context =
                    { SpanContext.Invalid with
                        TraceId = TraceId(1UL, 2UL)
                        SpanId = SpanId 3UL
                        TraceFlags = TraceFlags.Sampled
                    }
                Attributes = []
                DroppedAttributes = 0
            }

        let ids =
            Tracer.inSpan tracer "parent" (fun _ ->
                let parent = Diagnostics.Activity.Current

                let child =
                    Tracer.startSpan
                        tracer
                        { Tracer.named "child" with
                            Kind = SpanKind.Client
                            Links = [ linked ]
                        }

                child |> ActiveSpan.setAttribute "http.status_code" (AnyValue.Int 503L)
                child |> ActiveSpan.setAttribute "retry" (AnyValue.Bool false)
                child |> ActiveSpan.setStatus (Status.Error "upstream down")
                let childActivity = Diagnostics.Activity.Current
                child.Dispose()
                parent.TraceId.ToHexString(), parent.SpanId.ToHexString(), childActivity.SpanId.ToHexString())

        let traceId, parentId, childId = ids
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        let! events = capture.Take(provider, 2)
        let child = events |> List.find (fun e -> (part "PartB" e)["name"] = box "child")
        let parent = events |> List.find (fun e -> (part "PartB" e)["name"] = box "parent")

        for e in events do
            Assert.Equal("Span", e.EventName)
            Assert.Equal(EventLevel.Informational, e.Level)
            Assert.Equal(LanguagePrimitives.EnumOfValue<int64, EventKeywords> 2L, e.Keywords)
            Assert.Equal(box 1024, field "__csver__" e)

        let partA = part "PartA" child
        Assert.Equal(box traceId, (sub "ext_dt" partA)["traceId"])
        Assert.Equal(box childId, (sub "ext_dt" partA)["spanId"])
        Assert.Equal(box "etw-svc", (sub "ext_cloud" partA)["role"])

        let b = part "PartB" child

        Assert.Equal<string list>(
            [
                "_typeName"
                "name"
                "kind"
                "startTime"
                "endTime"
                "parentId"
                "links"
                "statusMessage"
                "success"
            ],
            List.ofSeq b.Keys
        )

        Assert.Equal(box "Span", b["_typeName"])
        Assert.Equal(box 2, b["kind"]) // ActivityKind.Client
        Assert.True(parsedTime b["startTime"] <= parsedTime b["endTime"])
        Assert.Equal(partA["time"], b["endTime"])
        Assert.Equal(box parentId, b["parentId"])

        Assert.Equal(
            box """[{"toTraceId":"00000000000000010000000000000002","toSpanId":"0000000000000003"}]""",
            b["links"]
        )

        Assert.Equal(box "upstream down", b["statusMessage"])
        Assert.Equal(box 0, b["success"])

        let c = part "PartC" child
        Assert.Equal(box 503L, c["http.status_code"])
        Assert.Equal(box 0, c["retry"])
        Assert.Equal(box "test", c["deployment.environment"])

        let pb = part "PartB" parent
        Assert.False(pb.ContainsKey "parentId")
        Assert.False(pb.ContainsKey "links")
        Assert.False(pb.ContainsKey "statusMessage")
        Assert.Equal(box 1, pb["success"])
        Assert.Equal(box 0, pb["kind"])
        Assert.Equal(box parentId, (sub "ext_dt" (part "PartA" parent))["spanId"])
    }

let ``with no listener nothing is written, and two exporters share one EventSource`` () =
    task {
        let provider = "EtwShared_NoListener"

        use sdk =
            start (
                Telemetry.withLogging (Logging.addEtwExporter provider)
                >> Telemetry.withTracing (Tracing.addSource "EtwTest.None" >> Tracing.addEtwExporter provider)
            )

        let sources =
            EventSource.GetSources()
            |> Seq.filter (fun s -> s.Name = provider)
            |> List.ofSeq

        Assert.Equal(1, sources.Length)
        Assert.False(sources.Head.IsEnabled())
        Logger.info (Logger.create sdk "x") "unseen" []
        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        Assert.True flushed
        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        // Shut down: the EventSource is disposed and gone from the process's list.
        Assert.DoesNotContain(EventSource.GetSources(), fun s -> s.Name = provider)
    }

/// Enables one provider at one level and keyword, as an ETW session would.
type private OneProvider(provider: string, level: EventLevel, keyword: int64) =
    inherit EventListener()

    new(provider, level) = new OneProvider(provider, level, EtwLayout.LogKeyword)

    member x.Enable() =
        for source in EventSource.GetSources() do
            if source.Name = provider then
                x.EnableEvents(source, level, LanguagePrimitives.EnumOfValue keyword)

let ``with no session listening log records are neither captured nor built for the ETW exporter`` () =
    task {
        let provider = "EtwGate_Logs"
        let mutable built = 0

        let counting: Processor<LogRecord> =
            fun r ->
                Threading.Interlocked.Increment &built |> ignore
                Some r

        // ETW alone: nothing listens, so the logger says the level is off and nothing is captured or built.
        use sdk =
            start (
                Telemetry.withLogging (
                    Logging.addProcessor counting
                    >> Logging.addSimpleExporter (EtwLogExporter(EtwOptions.create provider))
                )
            )

        let logger = sdk.CreateLogger "gate"
        Assert.False(logger.IsEnabled LogLevel.Information)
        logger.LogInformation("unseen {N}", 1)
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        Assert.Equal(0, built)
        Assert.Equal(0L, (Seq.exactlyOne sdk.LogPipelines).Stats.Accepted)

        // A session at Warning: warnings and above are built and written, information is not.
        use listener = new OneProvider(provider, EventLevel.Warning)
        listener.Enable()
        Assert.True(logger.IsEnabled LogLevel.Warning)
        Assert.False(logger.IsEnabled LogLevel.Information)
        logger.LogInformation("still unseen")
        logger.LogWarning("seen")
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        Assert.Equal(1, built)
        Assert.Equal(1L, (Seq.exactlyOne sdk.LogPipelines).Stats.Exported)
    }

let ``with no session listening spans are not converted for the ETW exporter`` () =
    task {
        let provider = "EtwGate_Spans"
        let sourceName = "EtwTest.Gate.Spans"
        let mutable converted = 0

        let counting: Processor<Span> =
            fun s ->
                Threading.Interlocked.Increment &converted |> ignore
                Some s

        use sdk =
            start (
                Telemetry.withTracing (
                    Tracing.addSource sourceName
                    >> Tracing.addProcessor counting
                    >> Tracing.addSimpleExporter (EtwSpanExporter(EtwOptions.create provider))
                )
            )

        use source = new Diagnostics.ActivitySource(sourceName)
        source.StartActivity("unseen").Dispose()
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        Assert.Equal(0, converted)
        Assert.Equal(0L, (Seq.exactlyOne sdk.SpanPipelines).Stats.Accepted)

        // A session on the span keyword: spans are converted and written.
        use listener = new OneProvider(provider, EventLevel.Informational, EtwLayout.SpanKeyword)
        listener.Enable()
        source.StartActivity("seen").Dispose()
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        Assert.Equal(1, converted)
        Assert.Equal(1L, (Seq.exactlyOne sdk.SpanPipelines).Stats.Exported)
    }

let ``an ETW exporter nobody listens to does not hold back the other log pipelines`` () =
    task {
        let memory = InMemoryExporter<LogRecord>()

        use sdk =
            start (
                Telemetry.withLogging (
                    Logging.addSimpleExporter (EtwLogExporter(EtwOptions.create "EtwGate_Mixed"))
                    >> Logging.addSimpleExporter memory
                )
            )

        let logger = sdk.CreateLogger "mixed"
        Assert.True(logger.IsEnabled LogLevel.Debug)
        logger.LogDebug("to memory only")
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        Assert.Equal("to memory only", (memory.ItemList |> List.exactlyOne).Body |> string)
        let accepted = sdk.LogPipelines |> Seq.map (fun p -> p.Stats.Accepted) |> List.ofSeq
        Assert.Equal<int64 list>([ 0L; 1L ], accepted)
    }

let ``many distinct attribute shapes all arrive with their own field names`` () =
    task {
        use capture = new EtwCapture()
        let provider = "EtwTestShapes"
        use sdk = start (Telemetry.withLogging (Logging.addEtwExporter provider))
        let log = Logger.create sdk "Shapes"

        for i in 0..19 do
            Logger.info log "s" [ KeyValue.int $"key{i}" (int64 i); KeyValue.string "common" "c" ]

        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        let! events = capture.Take(provider, 20)

        events
        |> List.iteri (fun i e ->
            let c = part "PartC" e
            Assert.Equal(box (int64 i), c[$"key{i}"])
            Assert.Equal(box "c", c["common"]))
    }

/// Self-diagnostics events (`Functional-Telemetry`) whose message mentions `text`.
type private DiagnosticsCapture(text: string) =
    inherit EventListener()
    let events = ConcurrentQueue<EventWrittenEventArgs>()

    override _.OnEventSourceCreated(source) =
        if source.Name = EtwLayout.SelfDiagnosticsProviderName then
            base.EnableEvents(source, EventLevel.Verbose)

    override _.OnEventWritten(e) =
        if
            not (isNull (box events))
            && not (isNull e.Payload)
            && e.Payload
               |> Seq.exists (fun p -> (string p).Contains(text, StringComparison.Ordinal))
        then
            events.Enqueue e

    member _.Events = if isNull (box events) then [] else List.ofSeq events

let ``the self-diagnostics EventSource name is refused as a provider name in any case`` () =
    for name in [ "Functional-Telemetry"; "functional-TELEMETRY" ] do
        let reason =
            match EtwLayout.validateProviderName true name with
            | Error reason -> reason
            | Ok _ -> failwith $"{name} accepted"

        Assert.Contains("self-diagnostics", reason)

        let error =
            Assert.Throws<ArgumentException>(fun () -> Logging.empty |> Logging.addEtwExporter name |> ignore)

        Assert.Contains("self-diagnostics", error.Message)

        Assert.Throws<ArgumentException>(fun () -> EtwSpanExporter(EtwOptions.create name) |> ignore)
        |> ignore

    // The SDK's own source is still the one with that name, and the only one. (Created on first use: touched
    // first, so that the test does not depend on another test having created it.)
    let log = TelemetryEventSource.Log

    let own =
        EventSource.GetSources()
        |> Seq.filter (fun s -> String.Equals(s.Name, "Functional-Telemetry", StringComparison.OrdinalIgnoreCase))
        |> List.ofSeq

    Assert.Same(log, List.exactlyOne own)

let ``a provider name another EventSource already has is an ArgumentException when configuring`` () =
    use other = new EventSource("EtwDup_Config")

    let error =
        Assert.Throws<ArgumentException>(fun () -> Logging.empty |> Logging.addEtwExporter "ETWDUP_config" |> ignore)

    Assert.Contains("'EtwDup_Config'", error.Message)
    Assert.Contains("unique", error.Message)

    Assert.Throws<ArgumentException>(fun () -> Tracing.empty |> Tracing.addEtwExporter "EtwDup_Config" |> ignore)
    |> ignore

    GC.KeepAlive other

let ``a provider name another EventSource takes before start is reported, and that source keeps working`` () =
    task {
        use capture = new EtwCapture()
        let provider = "EtwTestDup_Start"
        use diagnostics = new DiagnosticsCapture(provider)

        let config =
            Telemetry.create "etw-dup"
            |> Telemetry.withResourceDetection false
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withLogging (Logging.addEtwExporter provider)

        // Made after the name was checked, before the exporter's EventSource exists (the capture enables it).
        use other = new EventSource(provider, EventSourceSettings.EtwSelfDescribingEventFormat)
        use sdk = Telemetry.start config

        // (The runtime's own EventSourceMessage about the refused source may come too.)
        let error =
            (ReadOnlyList.toList diagnostics.Events)
            |> List.filter (fun e -> e.EventName = "Error")
            |> List.exactlyOne

        Assert.Equal(EventLevel.Error, error.Level)
        Assert.Equal(box "etw", error.Payload[0])
        Assert.Contains("unique", string error.Payload[1])

        // The exporter's own source was disposed: the application's is the only one with the name.
        Assert.Same(
            other,
            EventSource.GetSources()
            |> Seq.filter (fun s -> s.Name = provider)
            |> Seq.exactlyOne
        )

        let logger = sdk.CreateLogger "dup"
        Assert.False(logger.IsEnabled LogLevel.Critical)
        logger.LogCritical("never written")
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        // EventListener delivery is synchronous: the application's event is there when Write returns. (The
        // refused source's EventSourceMessage carries the same name.)
        other.Write("Mine")

        let names =
            capture.From provider
            |> List.map (fun e -> e.EventName)
            |> List.filter (fun name -> name <> "EventSourceMessage")

        Assert.Equal<string list>([ "Mine" ], names)
        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        // Shutting down the exporter leaves the application's source alone.
        Assert.Contains(other, EventSource.GetSources())
    }

let ``an attribute with an empty key is left out of PartC, the others arrive`` () =
    task {
        use capture = new EtwCapture()
        let provider = "EtwTestEmptyKey"

        let addEmpty: Processor<LogRecord> =
            fun r ->
                Some
                    { r with
                        Attributes = KeyValue.string "" "x" :: (ReadOnlyList.toList r.Attributes)
                    }

        use sdk =
            start (Telemetry.withLogging (Logging.addProcessor addEmpty >> Logging.addEtwExporter provider))

        Logger.info (Logger.create sdk "EmptyKey") "with an empty key" [ KeyValue.string "kept" "k" ]
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        let! events = capture.Take(provider, 1)
        let partC = part "PartC" (List.exactlyOne events)
        Assert.Equal<string list>([ "kept" ], partC |> Seq.map (fun kv -> kv.Key) |> List.ofSeq)
        Assert.Equal(box "k", partC["kept"])
    }

[<Tests>]
let tests =
    testSequencedGroup
        "EtwTests"
        (testList
            "EtwTests"
            [
                test "provider names follow the opentelemetry-etw-logs rules" {
                    ``provider names follow the opentelemetry-etw-logs rules`` ()
                }
                test "invalid provider names are an ArgumentException when configuring" {
                    ``invalid provider names are an ArgumentException when configuring`` ()
                }
                test "severity numbers map to event levels" { ``severity numbers map to event levels`` () }
                test "values map to TraceLogging types, arrays and maps to JSON" {
                    ``values map to TraceLogging types, arrays and maps to JSON`` ()
                }
                test "a log event callback chooses the name, invalid names fall back to Log" {
                    ``a log event callback chooses the name, invalid names fall back to Log`` ()
                }
                testTask "a log record outside a span arrives with every Common Schema field" {
                    do! ``a log record outside a span arrives with every Common Schema field`` ()
                }
                testTask "a log record inside a span carries ext_dt, every severity maps to its level" {
                    do! ``a log record inside a span carries ext_dt, every severity maps to its level`` ()
                }
                testTask "spans arrive as Span events with every Common Schema field" {
                    do! ``spans arrive as Span events with every Common Schema field`` ()
                }
                testTask "with no listener nothing is written, and two exporters share one EventSource" {
                    do! ``with no listener nothing is written, and two exporters share one EventSource`` ()
                }
                testTask "with no session listening log records are neither captured nor built for the ETW exporter" {
                    do! ``with no session listening log records are neither captured nor built for the ETW exporter`` ()
                }
                testTask "with no session listening spans are not converted for the ETW exporter" {
                    do! ``with no session listening spans are not converted for the ETW exporter`` ()
                }
                testTask "an ETW exporter nobody listens to does not hold back the other log pipelines" {
                    do! ``an ETW exporter nobody listens to does not hold back the other log pipelines`` ()
                }
                testTask "many distinct attribute shapes all arrive with their own field names" {
                    do! ``many distinct attribute shapes all arrive with their own field names`` ()
                }
                test "the self-diagnostics EventSource name is refused as a provider name in any case" {
                    ``the self-diagnostics EventSource name is refused as a provider name in any case`` ()
                }
                test "a provider name another EventSource already has is an ArgumentException when configuring" {
                    ``a provider name another EventSource already has is an ArgumentException when configuring`` ()
                }
                testTask
                    "a provider name another EventSource takes before start is reported, and that source keeps working" {
                    do!
                        ``a provider name another EventSource takes before start is reported, and that source keeps working`` ()
                }
                testTask "an attribute with an empty key is left out of PartC, the others arrive" {
                    do! ``an attribute with an empty key is left out of PartC, the others arrive`` ()
                }
            ])
