module Functional.Telemetry.Tests.LoggingTests

open Expecto
open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private scope name = InstrumentationScope.Named name

let private nowNanos () = ActivityConversion.toUnixNanoseconds DateTime.UtcNow

/// Starts an SDK with logging configured by `configure` and an in-memory exporter (exported as records arrive).
let startWith (env: (string * string) list) (configure: LoggingConfig -> LoggingConfig) =
    let exporter = InMemoryExporter<LogRecord>()

    let sdk =
        Telemetry.create "tests"
        |> Telemetry.withEnvironment (Env.ofList env)
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withResourceDetection false
        |> Telemetry.withLogging (configure >> Logging.addSimpleExporter exporter)
        |> Telemetry.start

    sdk, exporter

let flushed (sdk: TelemetrySdk) (exporter: InMemoryExporter<LogRecord>) =
    task {
        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(ok, "flush timed out")
        return exporter.ItemList
    }

/// A LoggerFactory over the SDK's provider, with an optional minimum level.
let factoryOf (sdk: TelemetrySdk) (minimum: LogLevel) =
    LoggerFactory.Create(fun builder -> builder.SetMinimumLevel(minimum).AddProvider(sdk.LoggerProvider) |> ignore)

let private withoutTime (record: LogRecord) = { record with Timestamp = 0L; ObservedTimestamp = 0L }

let private expected category severity text body attributes =
    {
        Timestamp = 0L
        ObservedTimestamp = 0L
        SeverityNumber = severity
        SeverityText = text
        Body = AnyValue.String body
        Attributes = attributes
        DroppedAttributes = 0
        TraceId = TraceId.Empty
        SpanId = SpanId.Empty
        TraceFlags = TraceFlags.None
        EventName = ""
        Scope = scope category
    }

let ``log batch options default to a 1000 ms delay and read OTEL_BLRP_*`` () =
    let defaults, _ = Logging.batchOptionsFromEnvironment (Env.ofList [])

    Assert.Equal(
        {
            ScheduleDelay = TimeSpan.FromMilliseconds 1000.
            ExportTimeout = TimeSpan.FromMilliseconds 30000.
            MaxQueueSize = 2048
            MaxExportBatchSize = 512
        },
        defaults
    )

    let configured, warnings =
        Logging.batchOptionsFromEnvironment (
            Env.ofList
                [
                    "OTEL_BLRP_SCHEDULE_DELAY", "250"
                    "OTEL_BLRP_EXPORT_TIMEOUT", "5000"
                    "OTEL_BLRP_MAX_QUEUE_SIZE", "100"
                    "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "10"
                ]
        )

    Assert.Equal(
        {
            ScheduleDelay = TimeSpan.FromMilliseconds 250.
            ExportTimeout = TimeSpan.FromMilliseconds 5000.
            MaxQueueSize = 100
            MaxExportBatchSize = 10
        },
        configured
    )

    Assert.Empty warnings

let ``the console format is one line with time, severity, category, body, attributes and ids`` () =
    let record =
        { expected "Orders" 9 "Information" "Hello World" [ KeyValue.string "Name" "World"; KeyValue.int "Count" 42L ] with
            Timestamp = 1_700_000_000_123_456_700L
            TraceId = TraceId(1UL, 2UL)
            SpanId = SpanId 3UL
            DroppedAttributes = 1
        }

    Assert.Equal(
        "2023-11-14T22:13:20.1234567Z Information [Orders] Hello World {Name=World, Count=42} (1 dropped) trace_id=00000000000000010000000000000002 span_id=0000000000000003",
        ConsoleLogFormat.format record
    )

    Assert.Equal(
        "1970-01-01T00:00:00.0000000Z 0 [c] ",
        ConsoleLogFormat.format { expected "c" 0 "" "" [] with SeverityText = "" }
    )

// ---- the ILogger bridge ----

let ``a templated LogInformation becomes an exact record`` () =
    task {
        let sdk, exporter = startWith [] id
        use _ = sdk
        use factory = factoryOf sdk LogLevel.Trace
        let logger = factory.CreateLogger "Orders"
        let before = nowNanos ()
        logger.LogInformation("Hello {Name} {Count}", "World", 42)
        let after = nowNanos ()
        let! records = flushed sdk exporter
        let record = List.exactlyOne records

        Assert.Equal(
            expected
                "Orders"
                9
                "Information"
                "Hello World 42"
                [
                    KeyValue.string "Name" "World"
                    KeyValue.int "Count" 42L
                    KeyValue.string "{OriginalFormat}" "Hello {Name} {Count}"
                ],
            withoutTime record
        )

        Assert.InRange(record.Timestamp, before, after)
        Assert.Equal(record.Timestamp, record.ObservedTimestamp)
    }

let ``the template can be the body, and each level maps to its severity`` () =
    task {
        let sdk, exporter = startWith [] (Logging.withTemplateAsBody true)
        use _ = sdk
        use factory = factoryOf sdk LogLevel.Trace
        let logger = factory.CreateLogger "Levels"

        for level in
            [
                LogLevel.Trace
                LogLevel.Debug
                LogLevel.Information
                LogLevel.Warning
                LogLevel.Error
                LogLevel.Critical
            ] do
            logger.Log(level, "At {Level}", level)

        let! records = flushed sdk exporter

        Assert.Equal<LogRecord list>(
            [
                expected "Levels" 1 "Trace" "At {Level}" [ KeyValue.string "Level" "Trace" ]
                expected "Levels" 5 "Debug" "At {Level}" [ KeyValue.string "Level" "Debug" ]
                expected "Levels" 9 "Information" "At {Level}" [ KeyValue.string "Level" "Information" ]
                expected "Levels" 13 "Warning" "At {Level}" [ KeyValue.string "Level" "Warning" ]
                expected "Levels" 17 "Error" "At {Level}" [ KeyValue.string "Level" "Error" ]
                expected "Levels" 21 "Critical" "At {Level}" [ KeyValue.string "Level" "Critical" ]
            ],
            records |> List.map withoutTime
        )
    }

/// A struct state like the source generator's: pairs by index, optionally with an indexer that throws.
[<Struct>]
type StructPairs =
    val Broken: bool
    new(broken) = { Broken = broken }

    member private x.Pairs =
        [|
            KeyValuePair("Name", box "World")
            KeyValuePair("{OriginalFormat}", box "Hi {Name}")
        |]

    interface IReadOnlyList<KeyValuePair<string, obj>> with
        member x.Count = 2

        member x.Item
            with get index =
                if x.Broken then
                    failwith "indexer broke"
                else
                    x.Pairs[index]

        member x.GetEnumerator() : IEnumerator<KeyValuePair<string, obj>> =
            (x.Pairs :> IEnumerable<KeyValuePair<string, obj>>).GetEnumerator()

        member x.GetEnumerator() : Collections.IEnumerator = x.Pairs.GetEnumerator()

let ``a struct key/value state is read like a boxed one, a throwing indexer falls back to enumeration`` () =
    task {
        let sdk, exporter = startWith [] id
        use _ = sdk
        use factory = factoryOf sdk LogLevel.Information
        let logger = factory.CreateLogger "Structs"
        let format = Func<StructPairs, exn, string>(fun _ _ -> "Hi World")
        logger.Log(LogLevel.Information, EventId 0, StructPairs false, null, format)
        logger.Log(LogLevel.Information, EventId 0, StructPairs true, null, format)
        let! records = flushed sdk exporter

        let attributes =
            [
                KeyValue.string "Name" "World"
                KeyValue.string "{OriginalFormat}" "Hi {Name}"
            ]

        Assert.Equal<LogRecord list>(
            [
                expected "Structs" 9 "Information" "Hi World" attributes
                expected "Structs" 9 "Information" "Hi World" attributes
            ],
            records |> List.map withoutTime
        )

        for state in [ box (StructPairs false); box (StructPairs true) ] do
            Assert.Equal((attributes, Some "Hi {Name}"), LogMapping.stateAttributes true state)
    }

let ``event id and exception become the event name and attributes`` () =
    task {
        let sdk, exporter = startWith [] id
        use _ = sdk
        use factory = factoryOf sdk LogLevel.Trace
        let logger = factory.CreateLogger "Payments"
        let error = InvalidOperationException "card declined"
        logger.LogError(EventId(12, "PaymentFailed"), error, "Payment {Id} failed", 7)
        let! records = flushed sdk exporter

        Assert.Equal(
            { expected
                  "Payments"
                  17
                  "Error"
                  "Payment 7 failed"
                  [
                      KeyValue.int "Id" 7L
                      KeyValue.string "{OriginalFormat}" "Payment {Id} failed"
                      KeyValue.int "event.id" 12L
                      KeyValue.string "exception.type" "System.InvalidOperationException"
                      KeyValue.string "exception.message" "card declined"
                      KeyValue.string "exception.stacktrace" (error.ToString())
                  ] with
                EventName = "PaymentFailed"
            },
            withoutTime (List.exactlyOne records)
        )
    }

let ``scopes are flattened into attributes only when enabled`` () =
    task {
        let run includeScopes =
            task {
                let sdk, exporter = startWith [] (Logging.withScopes includeScopes)
                use _ = sdk
                use factory = factoryOf sdk LogLevel.Trace
                let logger = factory.CreateLogger "Scoped"

                using (logger.BeginScope("Request {RequestId}", "r-1")) (fun _ ->
                    using (logger.BeginScope<string> "inner") (fun _ -> logger.LogInformation "inside"))

                let! records = flushed sdk exporter
                return ReadOnlyList.toList (List.exactlyOne records).Attributes
            }

        let! on = run true
        let! off = run false

        Assert.Equal<KeyValue list>(
            [
                KeyValue.string "{OriginalFormat}" "inside"
                KeyValue.string "RequestId" "r-1"
                KeyValue.string "scope" "inner"
            ],
            on
        )

        Assert.Equal<KeyValue list>([ KeyValue.string "{OriginalFormat}" "inside" ], off)
    }

let ``IsEnabled honours the logging filters and disabled levels export nothing`` () =
    task {
        let sdk, exporter = startWith [] id
        use _ = sdk
        use factory = factoryOf sdk LogLevel.Warning
        let logger = factory.CreateLogger "Filtered"
        Assert.False(logger.IsEnabled LogLevel.Information)
        Assert.True(logger.IsEnabled LogLevel.Warning)
        logger.LogInformation "dropped by the filter"
        logger.LogWarning "kept"
        let! records = flushed sdk exporter
        Assert.Equal<AnyValue list>([ AnyValue.String "kept" ], records |> List.map (fun r -> r.Body))
        Assert.False((sdk.CreateLogger "x").IsEnabled LogLevel.None)
    }

let ``without logging configured the provider's loggers are disabled`` () =
    let sdk =
        Telemetry.create "tests"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.start

    use _ = sdk
    let logger = sdk.CreateLogger "none"
    Assert.False(logger.IsEnabled LogLevel.Critical)
    logger.LogCritical "nowhere"
    Assert.Empty sdk.LogPipelines

let ``limits from the environment drop and truncate attributes, counting the drops`` () =
    task {
        let sdk, exporter =
            startWith
                [
                    "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "2"
                    "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "3"
                ]
                id

        use _ = sdk
        use factory = factoryOf sdk LogLevel.Trace
        factory.CreateLogger("Limited").LogInformation("{A} {B} {C}", "abcdef", "x", "y")
        let! records = flushed sdk exporter
        let record = List.exactlyOne records

        Assert.Equal<KeyValue list>(
            [ KeyValue.string "A" "abc"; KeyValue.string "B" "x" ],
            (ReadOnlyList.toList record.Attributes)
        )

        Assert.Equal(2, record.DroppedAttributes)
        Assert.Equal(AnyValue.String "abcdef x y", record.Body)
    }

let ``a log written inside a span carries that span's ids`` () =
    task {
        let sdk, exporter = startWith [] id
        use _ = sdk
        use factory = factoryOf sdk LogLevel.Trace
        let logger = factory.CreateLogger "Traced"
        use source = new ActivitySource("Tests.Logging." + Guid.NewGuid().ToString("N"))
        use listener = new ActivityListener()
        listener.ShouldListenTo <- fun s -> s.Name = source.Name
        listener.Sample <- SampleActivity<ActivityContext>(fun _ -> ActivitySamplingResult.AllDataAndRecorded)
        ActivitySource.AddActivityListener listener

        let activity = source.StartActivity "work"
        logger.LogInformation "inside"
        activity.Stop()
        logger.LogInformation "outside"
        let! records = flushed sdk exporter
        let inside = records |> List.find (fun r -> r.Body = AnyValue.String "inside")
        let outside = records |> List.find (fun r -> r.Body = AnyValue.String "outside")
        Assert.Equal(ActivityConversion.toTraceId activity.TraceId, inside.TraceId)
        Assert.Equal(ActivityConversion.toSpanId activity.SpanId, inside.SpanId)
        Assert.Equal(TraceFlags.Sampled, inside.TraceFlags)
        Assert.Equal(TraceId.Empty, outside.TraceId)
        Assert.Equal(SpanId.Empty, outside.SpanId)
    }

let ``processors filter and redact, composed with >=>`` () =
    task {
        let notDebug = Processor.filter (fun (r: LogRecord) -> r.SeverityNumber >= 9)

        let redact =
            Processor.map (fun (r: LogRecord) ->
                { r with
                    Attributes =
                        (ReadOnlyList.toList r.Attributes)
                        |> List.map (fun a -> if a.Key = "Card" then KeyValue.string "Card" "***" else a)
                })

        let sdk, exporter = startWith [] (Logging.addProcessor (notDebug >=> redact))
        use _ = sdk
        use factory = factoryOf sdk LogLevel.Trace
        let logger = factory.CreateLogger "Redacted"
        logger.LogDebug("debug {Card}", "1234")
        logger.LogInformation("paid with {Card}", "1234")
        let! records = flushed sdk exporter
        let record = List.exactlyOne records
        Assert.Equal(AnyValue.String "paid with 1234", record.Body)
        Assert.Equal(Some(AnyValue.String "***"), KeyValue.tryFind "Card" (ReadOnlyList.toList record.Attributes))
    }

// ---- bad input ----

let ``a throwing ToString, a null format and a 1 MB message neither throw nor block`` () =
    task {
        let sdk, exporter = startWith [ "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "16" ] id
        use _ = sdk
        use factory = factoryOf sdk LogLevel.Trace
        let logger = factory.CreateLogger "Bad"
        logger.LogInformation("value {Bad}", TestUtil.ThrowingToString())
        logger.LogInformation(null: string)
        let big = String('x', 1024 * 1024)
        logger.LogInformation("{Big}", big)
        let! records = flushed sdk exporter
        Assert.Equal(3, records.Length)
        // The formatter threw on ToString: the template is the body, the value its type name.
        Assert.Equal(AnyValue.String "value {Bad}", records[0].Body)

        Assert.Equal(
            Some(AnyValue.String(typeof<TestUtil.ThrowingToString>.FullName.Substring(0, 16))),
            KeyValue.tryFind "Bad" records[0].Attributes
        )

        Assert.Equal(AnyValue.String "[null]", records[1].Body)
        Assert.Equal(AnyValue.String big, records[2].Body)
        Assert.Equal(Some(AnyValue.String(String('x', 16))), KeyValue.tryFind "Big" records[2].Attributes)
    }

/// An exporter that logs through `logger` while exporting, synchronously and after an await.
type private LoggingExporter(logger: ILogger ref) =
    let inner = InMemoryExporter<LogRecord>()
    member _.Inner = inner

    interface IExporter<LogRecord> with
        member _.Name = "logging"

        member _.Export(batch, token) =
            logger.Value.LogWarning "exporting"

            task {
                do! Task.Yield()
                logger.Value.LogWarning "exported"
                return! (inner :> IExporter<LogRecord>).Export(batch, token)
            }

        member _.Shutdown token = (inner :> IExporter<LogRecord>).Shutdown token

let ``a log call made inside an exporter is suppressed, not recursed`` () =
    task {
        let loggerCell = ref Unchecked.defaultof<ILogger>
        let exporter = LoggingExporter loggerCell

        let sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withLogging (Logging.addSimpleExporter exporter)
            |> Telemetry.start

        use _ = sdk
        loggerCell.Value <- sdk.CreateLogger "Reentrant"

        for i in 1..3 do
            loggerCell.Value.LogInformation("app {I}", i)

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok

        Assert.Equal<AnyValue list>(
            [ AnyValue.String "app 1"; AnyValue.String "app 2"; AnyValue.String "app 3" ],
            exporter.Inner.ItemList |> List.map (fun r -> r.Body)
        )

        let stats = (Seq.exactlyOne sdk.LogPipelines).Stats
        Assert.Equal(3L, stats.Accepted)
    }

let ``a logger used after shutdown neither throws nor blocks, and the records are counted as rejected`` () =
    task {
        let sdk, exporter = startWith [] id
        use factory = factoryOf sdk LogLevel.Trace
        let logger = factory.CreateLogger "Late"
        logger.LogInformation "before"
        let! ok = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True ok
        logger.LogInformation "after 1"
        logger.LogInformation "after 2"
        Assert.Equal<AnyValue list>([ AnyValue.String "before" ], exporter.ItemList |> List.map (fun r -> r.Body))
        let { Name = name; Stats = stats } = Seq.exactlyOne sdk.LogPipelines
        Assert.Equal("logs/in-memory", name)

        Assert.Equal(
            {
                Accepted = 1L
                Rejected = 2L
                Exported = 1L
                Failed = 0L
                Dropped = 0L
                ExportCalls = 1L
                Stored = 0L
                Recovered = 0L
                DroppedStoreFull = 0L
                DroppedExpired = 0L
                UnreadableFiles = 0L
            },
            stats
        )
    }

// ---- the native F# API ----

let ``the native logger writes structured records with severity, body, attributes and event name`` () =
    task {
        let sdk, exporter = startWith [] id
        use _ = sdk
        let log = Logger.create sdk "Native"
        Logger.info log "order placed" [ KeyValue.int "order.id" 42L ]
        Logger.warn log "slow" []
        let error = InvalidOperationException "bad"

        Logger.emit
            log
            { Logger.event "ignored" with
                Level = LogLevel.Error
                Body = AnyValue.Map [ KeyValue.string "k" "v" ]
                Attributes = [ KeyValue.bool "retry" true ]
                EventName = "OrderFailed"
                Exception = Some error
            }

        let! records = flushed sdk exporter

        Assert.Equal<LogRecord list>(
            [
                expected "Native" 9 "Information" "order placed" [ KeyValue.int "order.id" 42L ]
                expected "Native" 13 "Warning" "slow" []
                { expected
                      "Native"
                      17
                      "Error"
                      ""
                      [
                          KeyValue.bool "retry" true
                          KeyValue.string "exception.type" "System.InvalidOperationException"
                          KeyValue.string "exception.message" "bad"
                          KeyValue.string "exception.stacktrace" (error.ToString())
                      ] with
                    Body = AnyValue.Map [ KeyValue.string "k" "v" ]
                    EventName = "OrderFailed"
                }
            ],
            records |> List.map withoutTime
        )
    }

let ``batched log export delivers everything on flush and the console exporter prints lines`` () =
    task {
        use writer = new IO.StringWriter()
        let memory = InMemoryExporter<LogRecord>()

        let sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withLogging (
                Logging.addBatchExporter memory
                >> Logging.addBatchExporter (ConsoleLogExporter writer)
            )
            |> Telemetry.start

        use _ = sdk
        let log = Logger.create sdk "Batch"

        for i in 1..100 do
            Logger.info log $"line {i}" []

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok
        Assert.Equal(100, memory.Items.Count)
        let lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
        Assert.Equal(100, lines.Length)
        Assert.EndsWith("Information [Batch] line 100", lines[99].TrimEnd('\r'))
    }

let ``a retried batch sends the same records, each made and processed once, and later records are intact`` () =
    task {
        let exporter = TestUtil.FlakyExporter<LogRecord> 2
        let processed = ref 0

        let countOnce: Processor<LogRecord> =
            fun record ->
                Interlocked.Increment &processed.contents |> ignore
                Some record

        let sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withRetry TestUtil.quickRetry
            |> Telemetry.withLogging (Logging.addProcessor countOnce >> Logging.addBatchExporter exporter)
            |> Telemetry.start

        use _ = sdk
        use factory = factoryOf sdk LogLevel.Trace
        let logger = factory.CreateLogger "Retry"

        for i in 1..20 do
            logger.LogInformation("first {Index}", i)

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok

        // Entries are pooled: records logged after the retries must not be changed by them.
        for i in 1..20 do
            logger.LogInformation("second {Index}", i)

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok
        let bodies (records: LogRecord array) = records |> Array.map (fun r -> string r.Body) |> List.ofArray

        match exporter.Calls with
        | first :: retry1 :: retry2 :: later ->
            let expected = [ for i in 1..20 -> $"first {i}" ]
            Assert.Equal<string list>(expected, bodies first)
            Assert.Equal<string list>(expected, bodies retry1)
            Assert.Equal<string list>(expected, bodies retry2)
            Assert.Equal<string list>([ for i in 1..20 -> $"second {i}" ], later |> Array.concat |> bodies)
        | calls -> failwith $"expected at least 4 export calls, got {calls.Length}"

        Assert.Equal(40, processed.Value)
    }

[<Tests>]
let tests =
    testList
        "LoggingTests"
        [
            test "log batch options default to a 1000 ms delay and read OTEL_BLRP_*" {
                ``log batch options default to a 1000 ms delay and read OTEL_BLRP_*`` ()
            }
            test "the console format is one line with time, severity, category, body, attributes and ids" {
                ``the console format is one line with time, severity, category, body, attributes and ids`` ()
            }
            testTask "a templated LogInformation becomes an exact record" {
                do! ``a templated LogInformation becomes an exact record`` ()
            }
            testTask "the template can be the body, and each level maps to its severity" {
                do! ``the template can be the body, and each level maps to its severity`` ()
            }
            testTask "a struct key/value state is read like a boxed one, a throwing indexer falls back to enumeration" {
                do!
                    ``a struct key/value state is read like a boxed one, a throwing indexer falls back to enumeration`` ()
            }
            testTask "event id and exception become the event name and attributes" {
                do! ``event id and exception become the event name and attributes`` ()
            }
            testTask "scopes are flattened into attributes only when enabled" {
                do! ``scopes are flattened into attributes only when enabled`` ()
            }
            testTask "IsEnabled honours the logging filters and disabled levels export nothing" {
                do! ``IsEnabled honours the logging filters and disabled levels export nothing`` ()
            }
            test "without logging configured the provider's loggers are disabled" {
                ``without logging configured the provider's loggers are disabled`` ()
            }
            testTask "limits from the environment drop and truncate attributes, counting the drops" {
                do! ``limits from the environment drop and truncate attributes, counting the drops`` ()
            }
            testTask "a log written inside a span carries that span's ids" {
                do! ``a log written inside a span carries that span's ids`` ()
            }
            testTask "processors filter and redact, composed with >=>" {
                do! ``processors filter and redact, composed with >=>`` ()
            }
            testTask "a throwing ToString, a null format and a 1 MB message neither throw nor block" {
                do! ``a throwing ToString, a null format and a 1 MB message neither throw nor block`` ()
            }
            testTask "a log call made inside an exporter is suppressed, not recursed" {
                do! ``a log call made inside an exporter is suppressed, not recursed`` ()
            }
            testTask "a logger used after shutdown neither throws nor blocks, and the records are counted as rejected" {
                do!
                    ``a logger used after shutdown neither throws nor blocks, and the records are counted as rejected`` ()
            }
            testTask "the native logger writes structured records with severity, body, attributes and event name" {
                do! ``the native logger writes structured records with severity, body, attributes and event name`` ()
            }
            testTask "batched log export delivers everything on flush and the console exporter prints lines" {
                do! ``batched log export delivers everything on flush and the console exporter prints lines`` ()
            }
            testTask
                "a retried batch sends the same records, each made and processed once, and later records are intact" {
                do!
                    ``a retried batch sends the same records, each made and processed once, and later records are intact`` ()
            }
        ]
