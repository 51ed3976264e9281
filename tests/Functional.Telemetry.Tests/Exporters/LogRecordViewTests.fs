module Functional.Telemetry.Tests.LogRecordViewTests

open Expecto
open System
open System.Collections
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// The record a view's public properties describe.
let private shown (view: LogRecordView) =
    {
        Timestamp = view.Timestamp
        ObservedTimestamp = view.ObservedTimestamp
        SeverityNumber = view.SeverityNumber
        SeverityText = view.SeverityText
        Body = view.Body
        Attributes = ReadOnlyList.toList view.Attributes
        DroppedAttributes = view.DroppedAttributes
        TraceId = view.TraceId
        SpanId = view.SpanId
        TraceFlags = view.TraceFlags
        EventName = view.EventName
        Scope = view.Scope
    }

/// An exporter of views that reads every view it is lent, during Export: what its properties show, what
/// `ToLogRecord` makes, and the OTLP requests written from the views and from the records.
type private ViewReader() =
    let seen = ConcurrentQueue<LogRecord * LogRecord>()
    let encodings = ConcurrentQueue<byte array * byte array>()

    let encode (write: Buffers.ArrayBufferWriter<byte> -> unit) =
        let buffer = Buffers.ArrayBufferWriter<byte>()
        write buffer
        buffer.WrittenSpan.ToArray()

    member _.Seen = List.ofSeq seen
    member _.Records = seen |> Seq.map snd |> List.ofSeq
    member _.Encodings = List.ofSeq encodings

    interface IExporter<LogRecordView> with
        member _.Name = "view-reader"

        member _.Export(batch, _) =
            for view in batch.Items do
                seen.Enqueue(shown view, view.ToLogRecord())
                Assert.Equal(ReadOnlyList.count view.Attributes, view.AttributeCount)

            let records = batch.Items |> Array.map _.ToLogRecord()

            encodings.Enqueue(
                encode (OtlpProtobuf.writeLogViews batch.Resource batch.Items),
                encode (OtlpProtobuf.writeLogs batch.Resource records)
            )

            encodings.Enqueue(
                encode (OtlpJson.writeLogViews batch.Resource batch.Items),
                encode (OtlpJson.writeLogs batch.Resource records)
            )

            Task.FromResult ExportResult.Success

        member _.Shutdown _ = Task.CompletedTask

/// What Microsoft.Extensions.Logging formats for each call, at the call (the reference for the body).
type private Formatted() =
    let messages = ConcurrentQueue<string>()
    member _.Messages = List.ofSeq messages

    interface ILoggerProvider with
        member x.CreateLogger _ =
            { new ILogger with
                member _.BeginScope _ = null
                member _.IsEnabled _ = true
                member _.Log(_, _, state, error, formatter) = messages.Enqueue(formatter.Invoke(state, error))
            }

        member _.Dispose() = ()

/// An SDK with a view reader and an in-memory exporter of records; `mode` for both. Logs go through a factory that
/// also formats each call with `formatted`.
let private start (mode: ExportMode) (configure: LoggingConfig -> LoggingConfig) =
    let reader = ViewReader()
    let records = InMemoryExporter<LogRecord>()

    let sdk =
        Telemetry.create "tests"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withResourceDetection false
        |> Telemetry.withLogging (
            configure
            >> Logging.addExporter mode (LogRecordViewExporter reader)
            >> Logging.addExporter mode records
        )
        |> Telemetry.start

    let formatted = new Formatted()

    let factory =
        LoggerFactory.Create(fun builder ->
            builder.SetMinimumLevel(LogLevel.Trace).AddProvider(sdk.LoggerProvider).AddProvider(formatted)
            |> ignore)

    sdk, factory, reader, records, formatted

let private waitingBatches =
    ExportMode.Batched
        { BatchOptions.defaults with
            ScheduleDelay = TimeSpan.FromMinutes 10.
        }

let private flush (sdk: TelemetrySdk) =
    task {
        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(ok, "flush timed out")
    }

/// Every view shows what its record holds, the exporter of records got the same records in the same order, and
/// the OTLP requests written from the views equal those written from the records.
let private assertViewsMatchRecords (reader: ViewReader) (records: InMemoryExporter<LogRecord>) =
    for fromProperties, record in reader.Seen do
        Assert.Equal(record, fromProperties)

    Assert.Equal<LogRecord list>(records.ItemList, reader.Records)

    for fromViews, fromRecords in reader.Encodings do
        Assert.Equal<byte array>(fromRecords, fromViews)

type private Status =
    | Active = 1
    | Closed = 2

let private hello =
    LoggerMessage.Define<string, int>(LogLevel.Warning, EventId(7, "Hello"), "Hello {Name}, {Count} times")

let private withList =
    LoggerMessage.Define<List<int>>(LogLevel.Information, EventId(8), "Items {Items}")

let ``a view shows what its record holds and formats the body as ILogger does`` () =
    task {
        let sdk, factory, reader, records, formatted = start ExportMode.Simple id
        use _ = sdk
        use _ = factory
        let logger = factory.CreateLogger "Views"

        logger.LogInformation("Hello {Name} {Count}", "World", 42)
        logger.LogInformation("no holes")
        logger.LogInformation("escaped {{braces}} with {Value}", 1)
        logger.LogInformation("escaped {{braces}} and no holes", 1)
        logger.LogInformation("{Price:F2} {Name,8}|{Left,-6}|", 3.14159, "right", "left")
        logger.LogInformation("null {Value} and {Other}", null, "x")

        logger.LogInformation(
            "{When:yyyy-MM-dd} {Id} {Status} {Span}",
            DateTime(2024, 5, 1),
            Guid.Empty,
            Status.Active,
            TimeSpan.FromSeconds 90.
        )

        logger.LogInformation("{Items} and {Empty}", [| 1; 2; 3 |], List<string>())
        logger.LogInformation("{A} {A}", 1, 2)
        logger.LogInformation("more values {A}", 1, 2, 3)
        logger.LogError(EventId(42, "Failed"), InvalidOperationException "boom", "failed {Reason}", "because")
        hello.Invoke(logger, "Define", 3, null)
        withList.Invoke(logger, List<int>([ 5; 6 ]), null)
        logger.Log(LogLevel.Debug, EventId(0), "a plain state", null, (fun state _ -> state + "!"))

        do
            use around = (new Activity("around")).Start()
            logger.LogWarning("inside {Span}", "a span")

        do! flush sdk
        assertViewsMatchRecords reader records
        let bodies = reader.Records |> List.map (fun r -> r.Body)
        Assert.Equal<AnyValue list>(formatted.Messages |> List.map AnyValue.String, bodies)

        let first = reader.Records.Head

        Assert.Equal<KeyValue list>(
            [
                KeyValue.string "Name" "World"
                KeyValue.int "Count" 42L
                KeyValue.string "{OriginalFormat}" "Hello {Name} {Count}"
            ],
            ReadOnlyList.toList first.Attributes
        )

        let failed = reader.Records |> List.find (fun r -> r.EventName = "Failed")
        Assert.Equal(Some(AnyValue.Int 42L), KeyValue.tryFind "event.id" failed.Attributes)

        Assert.Equal(
            Some(AnyValue.String "System.InvalidOperationException"),
            KeyValue.tryFind "exception.type" failed.Attributes
        )

        let inside = reader.Records |> List.last
        Assert.True inside.TraceId.IsValid
    }

let ``views with scopes, the template as body, limits and processors show their records`` () =
    task {
        let limits =
            { LogRecordLimits.defaults with
                AttributeCountLimit = 3
                AttributeValueLengthLimit = Some 4
            }

        let tag: Processor<LogRecord> =
            fun record ->
                if record.SeverityNumber = 5 then
                    None
                else
                    Some { record with EventName = "processed" }

        let configure =
            Logging.withScopes true
            >> Logging.withTemplateAsBody true
            >> Logging.withLimits limits
            >> Logging.addProcessor tag

        let sdk, factory, reader, records, _ = start ExportMode.Simple configure
        use _ = sdk
        use _ = factory
        let logger = factory.CreateLogger "Views"

        do
            use _ = logger.BeginScope("request {Id}", 17)
            logger.LogInformation("Hello {Name} {Count}", "a long name", 42)
            logger.LogInformation("{A} {B} {C} {D} {E}", 1, 2, 3, 4, 5)
            logger.LogDebug("dropped by the processor")

        do! flush sdk
        assertViewsMatchRecords reader records
        Assert.Equal(2, reader.Records.Length)

        let first = reader.Records.Head
        Assert.Equal(AnyValue.String "Hello {Name} {Count}", first.Body)
        Assert.Equal("processed", first.EventName)
        Assert.Equal(Some(AnyValue.String "a lo"), KeyValue.tryFind "Name" first.Attributes)
        Assert.True(reader.Records[1].DroppedAttributes > 0)
    }

let ``native F# logger records are views of their body and attributes`` () =
    task {
        let sdk, factory, reader, records, _ = start ExportMode.Simple id
        use _ = sdk
        use _ = factory
        let logger = Logger.create sdk "Native"
        Logger.info logger "native body" [ KeyValue.int "n" 1L; KeyValue.bool "ok" true ]

        do! flush sdk
        assertViewsMatchRecords reader records

        let record = reader.Records |> List.exactlyOne
        Assert.Equal(AnyValue.String "native body", record.Body)

        Assert.Equal<KeyValue list>(
            [ KeyValue.int "n" 1L; KeyValue.bool "ok" true ],
            ReadOnlyList.toList record.Attributes
        )
    }

/// A state the application keeps and changes after the call.
type private MutableState() =
    let pairs = List<KeyValuePair<string, obj>>([ KeyValuePair("Key", box "before") ])
    member _.Change() = pairs[0] <- KeyValuePair("Key", box "after")
    override _.ToString() = $"state {pairs[0].Value}"

    interface IReadOnlyList<KeyValuePair<string, obj>> with
        member _.Count = pairs.Count

        member _.Item
            with get i = pairs[i]

        member _.GetEnumerator() : IEnumerator<KeyValuePair<string, obj>> = pairs.GetEnumerator()
        member _.GetEnumerator() : IEnumerator = (pairs :> IEnumerable).GetEnumerator()

let ``log state changed after the call returned does not change the exported record`` () =
    task {
        let sdk, factory, reader, records, formatted = start waitingBatches id
        use _ = sdk
        use _ = factory
        let logger = factory.CreateLogger "Views"

        // The argument array LogInformation keeps, changed after the call.
        let arguments: obj array = [| "World"; 42 |]
        logger.LogInformation("Hello {Name} {Count}", arguments)
        arguments[0] <- "changed"
        arguments[1] <- 0

        // A collection passed as a value, changed after the call.
        let items = List<int>([ 1; 2 ])
        logger.LogInformation("Items {Items}", items)
        items.Add 3

        // The same through LoggerMessage.Define.
        let defined = List<int>([ 5 ])
        withList.Invoke(logger, defined, null)
        defined.Add 6

        // A state object of the application's, changed after the call.
        let state = MutableState()
        logger.Log(LogLevel.Information, EventId(0), state, null, (fun s _ -> s.ToString()))
        state.Change()

        // Nothing is exported before this flush: every change above came first.
        do! flush sdk
        assertViewsMatchRecords reader records

        match reader.Records with
        | [ hello; listed; defined; custom ] ->
            Assert.Equal(AnyValue.String "Hello World 42", hello.Body)
            Assert.Equal(Some(AnyValue.String "World"), KeyValue.tryFind "Name" hello.Attributes)
            Assert.Equal(Some(AnyValue.Int 42L), KeyValue.tryFind "Count" hello.Attributes)
            Assert.Equal(AnyValue.String "Items 1, 2", listed.Body)

            Assert.Equal(
                Some(AnyValue.Array [ AnyValue.Int 1L; AnyValue.Int 2L ]),
                KeyValue.tryFind "Items" listed.Attributes
            )

            Assert.Equal(AnyValue.String "Items 5", defined.Body)
            Assert.Equal(Some(AnyValue.Array [ AnyValue.Int 5L ]), KeyValue.tryFind "Items" defined.Attributes)
            Assert.Equal(AnyValue.String "state before", custom.Body)
            Assert.Equal(Some(AnyValue.String "before"), KeyValue.tryFind "Key" custom.Attributes)
        | other -> failwith $"expected four records, got {other.Length}"

        // What ILogger formatted at each call.
        Assert.Equal<string list>([ "Hello World 42"; "Items 1, 2"; "Items 5"; "state before" ], formatted.Messages)
    }

/// A value that counts how often it is formatted (a value type: the view keeps it as it is).
[<Struct>]
type private Counted =
    val Counter: int ref
    new(counter) = { Counter = counter }

    override x.ToString() =
        x.Counter.Value <- x.Counter.Value + 1
        "counted"

let ``the message is formatted only when an exporter reads the body`` () =
    task {
        let counter = ref 0
        let read = ref 0

        let exporter =
            { new IExporter<LogRecordView> with
                member _.Name = "count-only"

                member _.Export(batch, _) =
                    read.Value <- read.Value + batch.Items.Length
                    Task.FromResult ExportResult.Success

                member _.Shutdown _ = Task.CompletedTask
            }

        let sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withLogging (Logging.addSimpleExporter (LogRecordViewExporter exporter))
            |> Telemetry.start

        use _ = sdk
        use factory = LoggerFactory.Create(fun b -> b.AddProvider(sdk.LoggerProvider) |> ignore)
        let logger = factory.CreateLogger "Lazy"

        for _ in 1..3 do
            logger.LogInformation("value {Value}", Counted counter)

        do! flush sdk
        Assert.Equal(3, read.Value)
        Assert.Equal(0, counter.Value)
    }

let ``the template formatter formats as ILogger does`` (template: string) =
    let values: obj list =
        [
            box 1234.5678
            box (DateTime(2020, 2, 3))
            null
            box [| "x"; null |]
            box "text"
        ]

    for count in 1 .. values.Length do
        let arguments = values |> List.truncate count |> Array.ofList
        let formatted = new Formatted()
        use factory = LoggerFactory.Create(fun b -> b.AddProvider formatted |> ignore)
        let logger = factory.CreateLogger "Reference"

        let reference =
            try
                logger.LogInformation(template, arguments)
                Some(List.exactlyOne formatted.Messages)
            with _ ->
                None

        let pairs = arguments |> Array.map (fun v -> KeyValuePair("v", v))
        let holes = (MessageTemplate.parsedOf template).Holes

        match MessageTemplate.tryFormat template pairs count with
        | ValueSome text when count >= holes -> Assert.Equal(reference, Some text)
        | ValueSome text -> failwith $"formatted '{text}' with fewer values than holes"
        | ValueNone -> Assert.True(reference.IsNone || count < holes, $"'{template}' with {count} values")

[<Tests>]
let tests =
    testList
        "LogRecordViewTests"
        [
            testTask "a view shows what its record holds and formats the body as ILogger does" {
                do! ``a view shows what its record holds and formats the body as ILogger does`` ()
            }
            testTask "views with scopes, the template as body, limits and processors show their records" {
                do! ``views with scopes, the template as body, limits and processors show their records`` ()
            }
            testTask "native F# logger records are views of their body and attributes" {
                do! ``native F# logger records are views of their body and attributes`` ()
            }
            testTask "log state changed after the call returned does not change the exported record" {
                do! ``log state changed after the call returned does not change the exported record`` ()
            }
            testTask "the message is formatted only when an exporter reads the body" {
                do! ``the message is formatted only when an exporter reads the body`` ()
            }
            test "the template formatter formats as ILogger does(template: \"plain text\")" {
                ``the template formatter formats as ILogger does`` ("plain text")
            }
            test "the template formatter formats as ILogger does(template: \"{A}\")" {
                ``the template formatter formats as ILogger does`` ("{A}")
            }
            test "the template formatter formats as ILogger does(template: \"{{A}} {A}\")" {
                ``the template formatter formats as ILogger does`` ("{{A}} {A}")
            }
            test "the template formatter formats as ILogger does(template: \"{A}}} {{{B}\")" {
                ``the template formatter formats as ILogger does`` ("{A}}} {{{B}")
            }
            test "the template formatter formats as ILogger does(template: \"x {A,5} y {B,-5} z {C:000.0}\")" {
                ``the template formatter formats as ILogger does`` ("x {A,5} y {B,-5} z {C:000.0}")
            }
            test "the template formatter formats as ILogger does(template: \"{A:N2} and {B:yyyy}\")" {
                ``the template formatter formats as ILogger does`` ("{A:N2} and {B:yyyy}")
            }
            test "the template formatter formats as ILogger does(template: \"unbalanced } {A}\")" {
                ``the template formatter formats as ILogger does`` ("unbalanced } {A}")
            }
            test "the template formatter formats as ILogger does(template: \"{A} {B} {C} {D}\")" {
                ``the template formatter formats as ILogger does`` ("{A} {B} {C} {D}")
            }
            test "the template formatter formats as ILogger does(template: \"{ A } {B }\")" {
                ``the template formatter formats as ILogger does`` ("{ A } {B }")
            }
        ]
