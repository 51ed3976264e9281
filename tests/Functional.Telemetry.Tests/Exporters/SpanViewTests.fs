module Functional.Telemetry.Tests.SpanViewTests

open Expecto
open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private uniqueSource () = "Tests.Views." + Guid.NewGuid().ToString("N")

/// The record a view's public properties describe.
let private shown (view: SpanView) =
    {
        Context = view.Context
        ParentSpanId = view.ParentSpanId
        ParentIsRemote = view.ParentIsRemote
        Name = view.Name
        Kind = view.Kind
        StartTime = view.StartTime
        EndTime = view.EndTime
        Attributes = ReadOnlyList.toList view.Attributes
        Events = ReadOnlyList.toList view.Events
        Links = ReadOnlyList.toList view.Links
        Status = view.Status
        DroppedAttributes = view.DroppedAttributes
        DroppedEvents = view.DroppedEvents
        DroppedLinks = view.DroppedLinks
        Scope = view.Scope
    }

/// An exporter of views that reads every view it is lent, during Export: what its properties show, what `ToSpan`
/// makes, and the OTLP requests written from the views and from the records (protobuf and JSON).
type private ViewReader() =
    let seen = ConcurrentQueue<Span * Span>()
    let encodings = ConcurrentQueue<byte array * byte array>()

    let encode (write: Buffers.ArrayBufferWriter<byte> -> unit) =
        let buffer = Buffers.ArrayBufferWriter<byte>()
        write buffer
        buffer.WrittenSpan.ToArray()

    member _.Seen = List.ofSeq seen
    member _.Encodings = List.ofSeq encodings

    interface IExporter<SpanView> with
        member _.Name = "view-reader"

        member _.Export(batch, _) =
            for view in batch.Items do
                seen.Enqueue(shown view, view.ToSpan())
                Assert.Equal(ReadOnlyList.count view.Attributes, view.AttributeCount)

            let records = batch.Items |> Array.map _.ToSpan()

            encodings.Enqueue(
                encode (OtlpProtobuf.writeSpanViews batch.Resource batch.Items),
                encode (OtlpProtobuf.writeTraces batch.Resource records)
            )

            encodings.Enqueue(
                encode (OtlpJson.writeSpanViews batch.Resource batch.Items),
                encode (OtlpJson.writeTraces batch.Resource records)
            )

            Task.FromResult ExportResult.Success

        member _.Shutdown _ = Task.CompletedTask

/// An SDK recording `source` into a view reader and an in-memory exporter of records (both as spans end).
let private start (source: string) (configure: TracingConfig -> TracingConfig) =
    let reader = ViewReader()
    let records = InMemoryExporter<Span>()

    let sdk =
        Telemetry.create "tests"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withResourceDetection false
        |> Telemetry.withTracing (
            Tracing.addSource source
            >> configure
            >> Tracing.addSimpleExporter (SpanViewExporter reader)
            >> Tracing.addSimpleExporter records
        )
        |> Telemetry.start

    sdk, reader, records

/// Every view shows what its record holds; the records equal those the exporter of records got; the OTLP requests
/// written from the views equal those written from the records.
let private assertViewsMatchRecords (reader: ViewReader) (records: InMemoryExporter<Span>) expectedCount =
    let seen = reader.Seen
    Assert.Equal(expectedCount, seen.Length)

    for fromProperties, record in seen do
        Assert.Equal(record, fromProperties)

    let bySpanId = records.ItemList |> List.map (fun s -> s.Context.SpanId, s) |> dict

    for _, record in seen do
        Assert.Equal(bySpanId[record.Context.SpanId], record)

    for fromViews, fromRecords in reader.Encodings do
        Assert.Equal<byte array>(fromRecords, fromViews)

type private Opaque(text: string) =
    override _.ToString() = text

let ``a view shows what its record holds, for tags of every kind, events, links, status and kinds`` () =
    task {
        let name = uniqueSource ()
        let sdk, reader, records = start name id
        use _ = sdk
        use source = new ActivitySource(name, "1.2.3")

        let linked =
            ActivityContext(
                ActivityTraceId.CreateRandom(),
                ActivitySpanId.CreateRandom(),
                ActivityTraceFlags.Recorded,
                "vendor=value"
            )

        do
            use parent = source.StartActivity("parent", ActivityKind.Server)
            parent.TraceStateString <- "a=1,b=2"

            use child = source.StartActivity("child", ActivityKind.Client)

            child
                .SetTag("text", "GET")
                .SetTag("int", 200)
                .SetTag("long", 5_000_000_000L)
                .SetTag("bool", true)
                .SetTag("double", 0.25)
                .SetTag("single", 1.5f)
                .SetTag("short", 7s)
                .SetTag("huge", UInt64.MaxValue)
                .SetTag("decimal", 2.5m)
                .SetTag("char", 'x')
                .SetTag("bytes", [| 1uy; 2uy |])
                .SetTag("strings", [| "a"; "b" |])
                .SetTag("ints", [| 1; 2; 3 |])
                .SetTag("list", List<int>([ 4; 5 ]))
                .SetTag("opaque", Opaque "its text")
                .SetTag("time", DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc))
                .SetTag("empty", "")
                .SetStatus(ActivityStatusCode.Error, "it failed")
            |> ignore

            child.AddTag("", "no key") |> ignore

        do
            use withEvents =
                source.StartActivity(ActivityKind.Producer, links = [ ActivityLink(linked) ], name = "events and links")

            withEvents.AddEvent(ActivityEvent("retry", tags = ActivityTagsCollection([ KeyValuePair("n", box 2) ])))
            |> ignore

            withEvents.AddException(InvalidOperationException "boom") |> ignore
            withEvents.SetStatus(ActivityStatusCode.Ok) |> ignore

        do
            use remote =
                source.StartActivity(
                    "remote child",
                    ActivityKind.Consumer,
                    ActivityContext(
                        ActivityTraceId.CreateRandom(),
                        ActivitySpanId.CreateRandom(),
                        ActivityTraceFlags.Recorded,
                        null,
                        true
                    )
                )

            remote.SetTag("n", 1) |> ignore

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok
        assertViewsMatchRecords reader records 4

        let child = reader.Seen |> List.map snd |> List.find (fun s -> s.Name = "child")
        Assert.Equal(Some(AnyValue.String "GET"), KeyValue.tryFind "text" child.Attributes)
        Assert.Equal(Some(AnyValue.String "its text"), KeyValue.tryFind "opaque" child.Attributes)

        Assert.Equal(
            Some(AnyValue.Array [ AnyValue.Int 4L; AnyValue.Int 5L ]),
            KeyValue.tryFind "list" child.Attributes
        )

        Assert.Equal(Status.Error "it failed", child.Status)
        Assert.DoesNotContain(child.Attributes, fun a -> a.Key = "")

        let remote = reader.Seen |> List.map snd |> List.find (fun s -> s.Name = "remote child")
        Assert.True remote.ParentIsRemote
    }

let ``a view of a span the limits change shows the limited record`` () =
    task {
        let name = uniqueSource ()

        let limits =
            { SpanLimits.defaults with
                AttributeCountLimit = 2
                AttributeValueLengthLimit = Some 3
                EventCountLimit = 1
            }

        let sdk, reader, records = start name (Tracing.withLimits limits)
        use _ = sdk
        use source = new ActivitySource(name)

        do
            use over = source.StartActivity("over the count")
            over.SetTag("a", 1).SetTag("b", 2).SetTag("c", 3) |> ignore

        do
            use long = source.StartActivity("too long")
            long.SetTag("text", "abcdef").SetTag("strings", [| "abcdef" |]) |> ignore

        do
            use repeated = source.StartActivity("repeated")
            repeated.AddTag("k", "first").AddTag("k", "last") |> ignore

        do
            use events = source.StartActivity("events")
            events.AddEvent(ActivityEvent "one").AddEvent(ActivityEvent "two") |> ignore

        do
            use under = source.StartActivity("under")
            under.SetTag("s", "abc").SetTag("n", 123456) |> ignore

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok
        assertViewsMatchRecords reader records 5

        let byName n = reader.Seen |> List.map snd |> List.find (fun s -> s.Name = n)

        Assert.Equal(1, (byName "over the count").DroppedAttributes)
        Assert.Equal(Some(AnyValue.String "abc"), KeyValue.tryFind "text" (byName "too long").Attributes)
        Assert.Equal(1, ReadOnlyList.count (byName "repeated").Attributes)
        Assert.Equal(1, (byName "events").DroppedEvents)
        Assert.Equal(0, (byName "under").DroppedAttributes)
    }

let ``with processors an exporter of views reads the records they return`` () =
    task {
        let name = uniqueSource ()

        let rename: Processor<Span> =
            fun span ->
                if span.Name = "dropped" then
                    None
                else
                    Some { span with Name = span.Name + " (seen)" }

        let sdk, reader, records = start name (Tracing.addProcessor rename)
        use _ = sdk
        use source = new ActivitySource(name)
        source.StartActivity("kept").Dispose()
        source.StartActivity("dropped").Dispose()

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok
        assertViewsMatchRecords reader records 1
        Assert.Equal("kept (seen)", (reader.Seen |> List.exactlyOne |> snd).Name)
    }

let ``an Activity changed after it stopped is exported as it was when its view was first read`` () =
    task {
        let name = uniqueSource ()
        let mutable stopped: Activity = null
        let reads = ConcurrentQueue<Span>()
        let mutable calls = 0

        // Reads each view, then changes the Activity behind it, then reads again; asks for one retry.
        let exporter =
            { new IExporter<SpanView> with
                member _.Name = "changing"

                member _.Export(batch, _) =
                    calls <- calls + 1

                    for view in batch.Items do
                        let first = view.ToSpan()
                        stopped.DisplayName <- "renamed after the first read"
                        stopped.SetTag("added", "after the first read") |> ignore
                        stopped.SetStatus(ActivityStatusCode.Error, "late") |> ignore
                        Assert.Equal(first, shown view)
                        reads.Enqueue first

                    Task.FromResult(
                        if calls = 1 then
                            ExportResult.Retryable("once more", Nullable TimeSpan.Zero)
                        else
                            ExportResult.Success
                    )

                member _.Shutdown _ = Task.CompletedTask
            }

        let sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withRetry TestUtil.quickRetry
            |> Telemetry.withTracing (
                Tracing.addSource name
                >> Tracing.addExporter
                    (ExportMode.Batched
                        { BatchOptions.defaults with
                            ScheduleDelay = TimeSpan.FromMinutes 10.
                        })
                    (SpanViewExporter exporter)
            )
            |> Telemetry.start

        use _ = sdk
        use source = new ActivitySource(name)
        let activity = source.StartActivity("original")
        activity.SetTag("before", "stop") |> ignore
        activity.Stop()
        stopped <- activity

        // Changed after it stopped, before its batch is exported and read: exported as changed, as the official
        // SDK (which reads the Activity when it exports) does.
        activity.SetTag("after.stop", "seen") |> ignore

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok

        match List.ofSeq reads with
        | [ first; retried ] ->
            Assert.Equal(first, retried)
            Assert.Equal("original", first.Name)
            Assert.Equal(Some(AnyValue.String "seen"), KeyValue.tryFind "after.stop" first.Attributes)
            Assert.Equal(None, KeyValue.tryFind "added" first.Attributes)
            Assert.Equal(Status.Unset, first.Status)
        | other -> failwith $"expected one export and one retry, got {other.Length} reads"
    }

let ``a view is lent for one export: its record outlives it, the view is reused`` () =
    task {
        let name = uniqueSource ()
        let kept = ConcurrentQueue<SpanView * Span>()

        let exporter =
            { new IExporter<SpanView> with
                member _.Name = "keeping"

                member _.Export(batch, _) =
                    for view in batch.Items do
                        kept.Enqueue(view, view.ToSpan())

                    Task.FromResult ExportResult.Success

                member _.Shutdown _ = Task.CompletedTask
            }

        let sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addSimpleExporter (SpanViewExporter exporter))
            |> Telemetry.start

        use _ = sdk
        use source = new ActivitySource(name)
        source.StartActivity("first").Dispose()
        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok
        source.StartActivity("second").Dispose()
        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok

        match List.ofSeq kept with
        | [ (firstView, firstRecord); (secondView, secondRecord) ] ->
            Assert.Equal("first", firstRecord.Name)
            Assert.Equal("second", secondRecord.Name)
            // The first batch's view went back to the pool when its export settled, and shows the second span now.
            Assert.Same(firstView, secondView)
        | other -> failwith $"expected two spans, got {other.Length}"
    }

let ``a view of a record shows the record, and an exporter of views adapted takes records`` () =
    task {
        let record =
            {
                Context =
                    {
                        TraceId = TraceId(1UL, 2UL)
                        SpanId = SpanId 3UL
                        TraceFlags = TraceFlags.Sampled
                        TraceState = TraceState.Empty
                        IsRemote = false
                    }
                ParentSpanId = SpanId 4UL
                ParentIsRemote = true
                Name = "record"
                Kind = SpanKind.Server
                StartTime = 10L
                EndTime = 25L
                Attributes = [ KeyValue.string "k" "v"; KeyValue.int "n" 1L ]
                Events = []
                Links = []
                Status = Status.Ok
                DroppedAttributes = 1
                DroppedEvents = 2
                DroppedLinks = 3
                Scope = InstrumentationScope.Named "scope"
            }

        let view = SpanView.OfSpan record
        Assert.Equal(record, shown view)
        Assert.Same(record, view.ToSpan())
        Assert.Equal(15L, view.DurationNanoseconds)
        Assert.False view.IsRoot

        let reader = ViewReader()
        let adapted = SpanViewExporter reader :> IExporter<Span>

        let! result =
            adapted.Export({ Resource = Resource.empty; Items = [| record |] }, Threading.CancellationToken.None)

        Assert.Equal(ExportResult.Success, result)
        Assert.Equal<(Span * Span) list>([ record, record ], reader.Seen)
    }

[<Tests>]
let tests =
    testList
        "SpanViewTests"
        [
            testTask "a view shows what its record holds, for tags of every kind, events, links, status and kinds" {
                do! ``a view shows what its record holds, for tags of every kind, events, links, status and kinds`` ()
            }
            testTask "a view of a span the limits change shows the limited record" {
                do! ``a view of a span the limits change shows the limited record`` ()
            }
            testTask "with processors an exporter of views reads the records they return" {
                do! ``with processors an exporter of views reads the records they return`` ()
            }
            testTask "an Activity changed after it stopped is exported as it was when its view was first read" {
                do! ``an Activity changed after it stopped is exported as it was when its view was first read`` ()
            }
            testTask "a view is lent for one export: its record outlives it, the view is reused" {
                do! ``a view is lent for one export: its record outlives it, the view is reused`` ()
            }
            testTask "a view of a record shows the record, and an exporter of views adapted takes records" {
                do! ``a view of a record shows the record, and an exporter of views adapted takes records`` ()
            }
        ]
