module Functional.Telemetry.Tests.TracingTests

open Expecto
open System
open System.Diagnostics
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// A unique source name per test: listeners are process-wide and tests run in parallel.
let uniqueSource () = "Tests." + Guid.NewGuid().ToString("N")

/// Starts an SDK recording `sources` into an in-memory exporter (exported as spans end).
let startWith (sources: string list) (configure: TracingConfig -> TracingConfig) =
    let exporter = InMemoryExporter<Span>()

    let sdk =
        Telemetry.create "tests"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withTracing (fun t ->
            (sources |> List.fold (fun c s -> Tracing.addSource s c) t)
            |> configure
            |> Tracing.addSimpleExporter exporter)
        |> Telemetry.start

    sdk, exporter

let flushed (sdk: TelemetrySdk) (exporter: InMemoryExporter<Span>) =
    task {
        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(ok, "flush timed out")
        return exporter.ItemList
    }

let ``a stopped Activity becomes an immutable span with every field`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use source = new ActivitySource(name, "2.1.0")

        let linked =
            ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded)

        let parentId, childId =
            using (source.StartActivity("parent")) (fun parent ->
                use child =
                    source.StartActivity(
                        ActivityKind.Client,
                        tags = [ Collections.Generic.KeyValuePair("at.start", box 1) ],
                        links = [ ActivityLink(linked) ],
                        name = "child"
                    )

                child.SetTag("http.request.method", "GET").SetTag("retries", 3).SetTag("ratio", 0.5).SetTag("ok", true)
                |> ignore

                child.SetTag("tags", [| "a"; "b" |]) |> ignore

                child.AddEvent(
                    ActivityEvent(
                        "cache miss",
                        tags = ActivityTagsCollection([ Collections.Generic.KeyValuePair("key", box "k1") ])
                    )
                )
                |> ignore

                child.SetStatus(ActivityStatusCode.Error, "boom") |> ignore
                parent.SpanId, child.SpanId)

        let! spans = flushed sdk exporter
        Assert.Equal(2, spans.Length)
        let child = spans |> List.find (fun s -> s.Name = "child")
        let parent = spans |> List.find (fun s -> s.Name = "parent")
        Assert.Equal(ActivityConversion.toSpanId childId, child.Context.SpanId)
        Assert.Equal(ActivityConversion.toSpanId parentId, child.ParentSpanId)
        Assert.Equal(parent.Context.TraceId, child.Context.TraceId)
        Assert.True parent.IsRoot
        Assert.True child.Context.TraceFlags.IsSampled
        Assert.Equal(SpanKind.Client, child.Kind)
        Assert.Equal(Status.Error "boom", child.Status)

        Assert.Equal<KeyValue list>(
            [
                KeyValue.int "at.start" 1L
                KeyValue.string "http.request.method" "GET"
                KeyValue.int "retries" 3L
                KeyValue.double "ratio" 0.5
                KeyValue.bool "ok" true
                KeyValue.create "tags" (AnyValue.Array [ AnyValue.String "a"; AnyValue.String "b" ])
            ],
            (ReadOnlyList.toList child.Attributes)
        )

        let event = List.exactlyOne (ReadOnlyList.toList child.Events)
        Assert.Equal("cache miss", event.Name)
        Assert.Equal<KeyValue list>([ KeyValue.string "key" "k1" ], (ReadOnlyList.toList event.Attributes))
        Assert.InRange(event.Timestamp, child.StartTime, child.EndTime)
        let link = List.exactlyOne (ReadOnlyList.toList child.Links)
        Assert.Equal(ActivityConversion.toTraceId linked.TraceId, link.Context.TraceId)
        Assert.Equal(name, child.Scope.Name)
        Assert.Equal("2.1.0", child.Scope.Version)
        Assert.True(child.EndTime >= child.StartTime)
        Assert.True(parent.StartTime <= child.StartTime && child.EndTime <= parent.EndTime)
    }

let ``conversion keeps string values, scopes and root parents apart across spans`` () =
    let first = uniqueSource ()
    let second = uniqueSource ()

    use listener =
        new ActivityListener(
            ShouldListenTo = (fun s -> s.Name = first || s.Name = second),
            Sample = (fun _ -> ActivitySamplingResult.AllDataAndRecorded)
        )

    ActivitySource.AddActivityListener listener
    use sourceA = new ActivitySource(first)
    use sourceB = new ActivitySource(second, "2.0")

    // Strings of one length and first character land in one cache slot: each span must keep its own.
    let convert (source: ActivitySource) (value: string) =
        use activity = source.StartActivity("op")
        activity.SetTag("k", value).SetTag("empty", "") |> ignore
        activity.Stop()
        ActivityConversion.toSpan SpanLimits.defaults activity

    let values = [ "GET"; "GXT"; String('G', 1) + "ET"; "GET"; "PUT"; String('x', 300); "GXT" ]

    values
    |> List.iteri (fun i value ->
        let source = if i % 2 = 0 then sourceA else sourceB
        let span = convert source value

        Assert.Equal<KeyValue list>(
            [ KeyValue.string "k" value; KeyValue.string "empty" "" ],
            (ReadOnlyList.toList span.Attributes)
        )

        Assert.Equal(source.Name, span.Scope.Name)
        Assert.Equal((if i % 2 = 0 then "" else "2.0"), span.Scope.Version)
        Assert.Equal(SpanId.Empty, span.ParentSpanId)
        Assert.True span.IsRoot)

    use parent = sourceA.StartActivity("parent")
    let child = convert sourceA "GET"
    Assert.Equal(ActivityConversion.toSpanId parent.SpanId, child.ParentSpanId)

let ``wildcard sources match, other sources are not recorded`` () =
    task {
        let prefix = uniqueSource ()
        let sdk, exporter = startWith [ prefix + ".*" ] id
        use _ = sdk
        use matching = new ActivitySource(prefix + ".Orders")
        use other = new ActivitySource(uniqueSource ())
        Assert.True(matching.HasListeners())
        Assert.False(other.HasListeners())
        using (matching.StartActivity "kept") ignore
        Assert.Null(other.StartActivity "ignored")
        let! spans = flushed sdk exporter
        Assert.Equal<string list>([ "kept" ], spans |> List.map (fun s -> s.Name))
    }

let ``an AlwaysOff sampler records nothing but still propagates the context`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] (Tracing.withSampler Sampler.alwaysOff)
        use _ = sdk
        use source = new ActivitySource(name)
        use activity = source.StartActivity "dropped"
        Assert.NotNull activity
        Assert.False activity.Recorded
        Assert.False activity.IsAllDataRequested
        activity.Stop()
        let! spans = flushed sdk exporter
        Assert.Empty spans
    }

let ``a sampler sees the parent, adds attributes and sets trace state`` () =
    task {
        let name = uniqueSource ()
        let seen = Collections.Concurrent.ConcurrentBag<SamplingParameters>()

        let sampler: Sampler =
            fun p ->
                seen.Add p

                {
                    Decision = SamplingDecision.RecordAndSample
                    Attributes = [ KeyValue.string "sampler.note" "chosen" ]
                    TraceState = { Entries = [ "vendor", "x1" ] }
                }

        let sdk, exporter = startWith [ name ] (Tracing.withSampler sampler)
        use _ = sdk
        use source = new ActivitySource(name)

        let remote =
            ActivityContext(
                ActivityTraceId.CreateRandom(),
                ActivitySpanId.CreateRandom(),
                ActivityTraceFlags.Recorded,
                null,
                true
            )

        using (source.StartActivity("server", ActivityKind.Server, remote)) ignore
        let! spans = flushed sdk exporter
        let span = List.exactlyOne spans
        let parameters = Seq.exactlyOne seen
        Assert.True(parameters.Parent.IsValid && parameters.Parent.IsRemote)
        Assert.Equal(SpanKind.Server, parameters.Kind)
        Assert.Equal("server", parameters.Name)
        Assert.Equal(ActivityConversion.toTraceId remote.TraceId, span.Context.TraceId)
        Assert.True span.ParentIsRemote
        Assert.Contains(KeyValue.string "sampler.note" "chosen", (ReadOnlyList.toList span.Attributes))
        Assert.Equal<(string * string) list>([ "vendor", "x1" ], (ReadOnlyList.toList span.Context.TraceState.Entries))
    }

let ``a child the sampler drops or only records under a sampled local parent is not exported nor propagated as sampled``
    ()
    =
    task {
        let name = uniqueSource ()

        // .NET copies a local parent's Recorded flag to a child the sampler did not sample.
        let sampler: Sampler =
            fun p ->
                match p.Name with
                | "dropped" -> Sampler.alwaysOff p
                | "record only" ->
                    {
                        Decision = SamplingDecision.RecordOnly
                        Attributes = []
                        TraceState = TraceState.Empty
                    }
                | _ -> Sampler.alwaysOn p

        let sdk, exporter = startWith [ name ] (Tracing.withSampler sampler)
        use _ = sdk
        use source = new ActivitySource(name)

        do
            use parent = source.StartActivity "parent"
            Assert.True parent.Recorded

            do
                use dropped = source.StartActivity "dropped"
                Assert.False dropped.Recorded
                Assert.False dropped.IsAllDataRequested
                Assert.EndsWith("-00", dropped.Id)

            do
                use recordOnly = source.StartActivity "record only"
                Assert.False recordOnly.Recorded
                Assert.True recordOnly.IsAllDataRequested

            do
                use sampled = source.StartActivity "sampled"
                Assert.True sampled.Recorded

        let! spans = flushed sdk exporter
        Assert.Equal<string list>([ "parent"; "sampled" ], spans |> List.map (fun s -> s.Name) |> List.sort)
    }

let ``a second SDK whose sampler drops does not take the span from the SDK that samples it`` () =
    task {
        let name = uniqueSource ()
        let sampling, sampled = startWith [ name ] (Tracing.withSampler Sampler.alwaysOn)
        use _ = sampling
        // Registered second, so its Sample runs last: the per-thread mark is this SDK's when the first one starts.
        let dropping, _ = startWith [ name ] (Tracing.withSampler Sampler.alwaysOff)
        use _ = dropping
        use source = new ActivitySource(name)

        do
            use parent = source.StartActivity "parent"
            Assert.True parent.Recorded
            use child = source.StartActivity "child"
            Assert.True child.Recorded

        let! spans = flushed sampling sampled
        Assert.Equal<string list>([ "child"; "parent" ], spans |> List.map (fun s -> s.Name) |> List.sort)
    // The dropping SDK is not checked: an Activity another listener recorded is Recorded for every listener, and
    // the bridge exports what is Recorded (docs/tracing.md, "Several listeners").
    }

let ``a throwing sampler drops the span without throwing into the app`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] (Tracing.withSampler (fun _ -> failwith "bad sampler"))
        use _ = sdk
        use source = new ActivitySource(name)
        using (source.StartActivity "x") ignore
        let! spans = flushed sdk exporter
        Assert.Empty spans
    }

let ``processors filter, enrich and redact in order`` () =
    task {
        let name = uniqueSource ()

        let configure =
            Tracing.addProcessor (Processor.filter (fun s -> s.Name <> "health"))
            >> Tracing.addProcessor (
                Processor.map (SpanProcessor.setAttribute "team" (AnyValue.String "checkout"))
                |> Processor.andThen (Processor.map (SpanProcessor.redact [ "user.email" ] "***"))
            )

        let sdk, exporter = startWith [ name ] configure
        use _ = sdk
        use source = new ActivitySource(name)
        using (source.StartActivity "health") ignore

        using (source.StartActivity "login") (fun a -> a.SetTag("user.email", "a@b.c") |> ignore)

        let! spans = flushed sdk exporter
        let span = List.exactlyOne spans
        Assert.Equal("login", span.Name)

        Assert.Equal<KeyValue list>(
            [ KeyValue.string "user.email" "***"; KeyValue.string "team" "checkout" ],
            (ReadOnlyList.toList span.Attributes)
        )
    }

let ``span limits drop and count`` () =
    task {
        let name = uniqueSource ()

        let limits =
            { SpanLimits.defaults with
                AttributeCountLimit = 2
                EventCountLimit = 1
                AttributeValueLengthLimit = Some 3
            }

        let sdk, exporter = startWith [ name ] (Tracing.withLimits limits)
        use _ = sdk
        use source = new ActivitySource(name)

        using (source.StartActivity "limited") (fun a ->
            a.SetTag("a", "abcdef").SetTag("b", 1).SetTag("c", 2) |> ignore
            a.AddEvent(ActivityEvent "e1").AddEvent(ActivityEvent "e2") |> ignore)

        let! spans = flushed sdk exporter
        let span = List.exactlyOne spans

        Assert.Equal<KeyValue list>(
            [ KeyValue.string "a" "abc"; KeyValue.int "b" 1L ],
            (ReadOnlyList.toList span.Attributes)
        )

        Assert.Equal(1, span.DroppedAttributes)
        Assert.Equal(1, span.DroppedEvents)
        Assert.Equal<string list>([ "e1" ], (ReadOnlyList.toList span.Events) |> List.map (fun e -> e.Name))
    }

let ``the batch exporter exports on flush and on shutdown, and the SDK stops recording after shutdown`` () =
    task {
        let name = uniqueSource ()
        let exporter = InMemoryExporter<Span>()

        let sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [ "OTEL_BSP_SCHEDULE_DELAY", "60000" ])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addBatchExporter exporter)
            |> Telemetry.start

        use source = new ActivitySource(name)
        using (source.StartActivity "one") ignore
        let! flushedOk = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True flushedOk
        Assert.Equal(1, exporter.Items.Count)
        using (source.StartActivity "two") ignore
        let! shutdownOk = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True shutdownOk
        Assert.Equal<string list>([ "one"; "two" ], exporter.ItemList |> List.map (fun s -> s.Name))
        Assert.Equal(1, exporter.ShutdownCount)
        Assert.Null(source.StartActivity "after")
        let! again = sdk.Shutdown(TimeSpan.FromSeconds 1.)
        Assert.True again
        let stats = (Seq.exactlyOne sdk.SpanPipelines).Stats
        Assert.Equal(2L, stats.Exported)
    }

let ``the resource carries service name, sdk and detected attributes`` () =
    let sdk =
        Telemetry.create "orders"
        |> Telemetry.withEnvironment (Env.ofList [ "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test" ])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withResourceAttributes [ KeyValue.string "team" "payments" ]
        |> Telemetry.start

    use _ = sdk
    let find key = KeyValue.tryFind key (ReadOnlyList.toList sdk.Resource.Attributes)
    Assert.Equal(Some(AnyValue.String "orders"), find "service.name")
    Assert.Equal(Some(AnyValue.String "test"), find "deployment.environment.name")
    Assert.Equal(Some(AnyValue.String "payments"), find "team")
    Assert.Equal(Some(AnyValue.String "dotnet"), find "telemetry.sdk.language")
    Assert.Equal(Some(AnyValue.Int(int64 Environment.ProcessId)), find "process.pid")

let ``OTEL_SDK_DISABLED turns the SDK into a no-op`` () =
    let name = uniqueSource ()
    let exporter = InMemoryExporter<Span>()

    use sdk =
        Telemetry.create "tests"
        |> Telemetry.withEnvironment (Env.ofList [ "OTEL_SDK_DISABLED", "true" ])
        |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addSimpleExporter exporter)
        |> Telemetry.start

    use source = new ActivitySource(name)
    Assert.False(source.HasListeners())
    Assert.Empty sdk.SpanPipelines

let ``invalid settings in code are clear errors at build time`` () =
    Assert.Throws<ArgumentException>(fun () -> Telemetry.create " " |> ignore)
    |> ignore

    Assert.Throws<ArgumentException>(fun () -> Tracing.empty |> Tracing.addSource "" |> ignore)
    |> ignore

    let ex =
        Assert.Throws<ArgumentException>(fun () ->
            Tracing.empty
            |> Tracing.addExporter
                (ExportMode.Batched { BatchOptions.defaults with MaxQueueSize = 0 })
                (InMemoryExporter<Span>())
            |> ignore)

    Assert.Contains("MaxQueueSize", ex.Message)

/// An exporter that makes an activity of a listened source while exporting (as an HTTP exporter's HttpClient does).
type private SelfTracingExporter(source: ActivitySource) =
    let exported = Collections.Concurrent.ConcurrentQueue<string>()
    let mutable createdInside = 0
    member _.Exported = List.ofSeq exported
    member _.CreatedInside = createdInside

    interface IExporter<Span> with
        member _.Name = "self-tracing"

        member _.Export(batch, _) =
            task {
                do! Task.Yield()

                match source.StartActivity "from-the-exporter" with
                | null -> ()
                | activity ->
                    createdInside <- createdInside + 1
                    activity.Dispose()

                for span in batch.Items do
                    exported.Enqueue span.Name

                return ExportResult.Success
            }

        member _.Shutdown _ = Task.CompletedTask

let ``activities started while exporting are not recorded, so an exporter cannot feed itself`` () =
    task {
        let name = uniqueSource ()
        use source = new ActivitySource(name)
        let exporter = SelfTracingExporter source

        use sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addSimpleExporter exporter)
            |> Telemetry.start

        using (source.StartActivity "from-the-app") ignore
        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok
        Assert.Equal<string list>([ "from-the-app" ], exporter.Exported)
        Assert.Equal(0, exporter.CreatedInside)
        // Outside an export the same source is recorded again.
        using (source.StartActivity "after") (fun a -> Assert.True a.Recorded)
    }

let ``a retried batch sends the same spans, each processed once`` () =
    task {
        let name = uniqueSource ()
        let exporter = TestUtil.FlakyExporter<Span> 2
        let seen = ref 0

        // Keeps every other span it sees: run again on a retry, it would pick the other half.
        let everyOther: Processor<Span> =
            fun span ->
                if System.Threading.Interlocked.Increment &seen.contents % 2 = 1 then
                    Some span
                else
                    None

        let sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withRetry TestUtil.quickRetry
            |> Telemetry.withTracing (
                Tracing.addSource name
                >> Tracing.addProcessor everyOther
                >> Tracing.addBatchExporter exporter
            )
            |> Telemetry.start

        use _ = sdk
        use source = new ActivitySource(name)

        for i in 1..10 do
            source.StartActivity($"span {i}").Dispose()

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok
        let names (spans: Span array) = spans |> Array.map (fun s -> s.Name) |> List.ofArray
        let expected = [ "span 1"; "span 3"; "span 5"; "span 7"; "span 9" ]

        match exporter.Calls with
        | [ first; retry1; retry2 ] ->
            Assert.Equal<string list>(expected, names first)
            Assert.Equal<string list>(expected, names retry1)
            Assert.Equal<string list>(expected, names retry2)
        | calls -> failwith $"expected 3 export calls, got {calls.Length}"

        Assert.Equal(10, seen.Value)
    }

let ``tags that cannot be enumerated or contain themselves never throw into StartActivity`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use source = new ActivitySource(name)
        let selfContaining = System.Collections.ArrayList()
        selfContaining.Add selfContaining |> ignore

        let tags =
            [
                Collections.Generic.KeyValuePair<string, obj>("segment", box (ArraySegment<byte>()))
                Collections.Generic.KeyValuePair<string, obj>(
                    "lazy",
                    box (Seq.init 2 (fun i -> if i = 1 then failwith "lazy" else i))
                )
                Collections.Generic.KeyValuePair<string, obj>("self", box selfContaining)
            ]

        use activity = source.StartActivity("tagged", ActivityKind.Internal, ActivityContext(), tags)
        Assert.NotNull activity
        activity.Stop()
        let! spans = flushed sdk exporter
        let span = Assert.Single spans
        let keys = (ReadOnlyList.toList span.Attributes) |> List.map (fun a -> a.Key)
        Assert.Equal<string list>([ "segment"; "lazy"; "self" ], keys)
    }

let ``an Activity a processor starts is not exported, so exporting cannot feed itself`` () =
    task {
        let name = uniqueSource ()
        use source = new ActivitySource(name)

        let enrich: Processor<Span> =
            fun span ->
                // Instrumented code called while processing (an enrichment lookup, say).
                use inner = source.StartActivity "lookup"
                Some span

        let sdk, exporter = startWith [ name ] (Tracing.addProcessor enrich)
        use _ = sdk
        source.StartActivity("request").Dispose()
        let! first = flushed sdk exporter
        let! second = flushed sdk exporter
        Assert.Equal<string list>([ "request" ], first |> List.map (fun s -> s.Name))
        Assert.Equal(1, second.Length)
    }

let ``a parent given as a traceparent string is sampled as a remote parent`` () =
    task {
        let name = uniqueSource ()
        let parents = System.Collections.Concurrent.ConcurrentQueue<SpanContext>()

        let recording: Sampler =
            fun parameters ->
                parents.Enqueue parameters.Parent
                Sampler.alwaysOn parameters

        let sdk, exporter = startWith [ name ] (Tracing.withSampler recording)
        use _ = sdk
        use source = new ActivitySource(name)
        let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        source.StartActivity("from a string parent", ActivityKind.Server, traceparent).Dispose()
        let! spans = flushed sdk exporter
        let span = Assert.Single spans
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", span.Context.TraceId.ToHex())
        let parent = Assert.Single parents
        Assert.True(parent.IsValid && parent.IsRemote, "the string parent was sampled as a local parent")
    }

/// A tag value whose ToString starts an Activity (instrumented code reached while describing a value).
type private TracedValue(source: ActivitySource) =
    override _.ToString() =
        let tags = [ Collections.Generic.KeyValuePair<string, obj>("inner", box "tag") ]
        use _ = source.StartActivity("describe", ActivityKind.Internal, ActivityContext(), tags)
        "traced"

let ``a tag whose ToString starts an Activity does not cost the outer span its other tags at sampling`` () =
    task {
        let name = uniqueSource ()
        let seen = System.Collections.Concurrent.ConcurrentQueue<string * string list>()

        let recording: Sampler =
            fun parameters ->
                seen.Enqueue(parameters.Name, (ReadOnlyList.toList parameters.Attributes) |> List.map (fun a -> a.Key))
                Sampler.alwaysOn parameters

        let sdk, _ = startWith [ name ] (Tracing.withSampler recording)
        use _ = sdk
        use source = new ActivitySource(name)

        let tags =
            [
                Collections.Generic.KeyValuePair<string, obj>("a", box "1")
                Collections.Generic.KeyValuePair<string, obj>("b", box (TracedValue source))
                Collections.Generic.KeyValuePair<string, obj>("c", box "3")
            ]

        source.StartActivity("outer", ActivityKind.Internal, ActivityContext(), tags).Dispose()
        let outer = seen |> Seq.find (fun (n, _) -> n = "outer") |> snd
        Assert.Equal<string list>([ "a"; "b"; "c" ], outer)
    }

[<Tests>]
let tests =
    testList
        "TracingTests"
        [
            testTask "a stopped Activity becomes an immutable span with every field" {
                do! ``a stopped Activity becomes an immutable span with every field`` ()
            }
            test "conversion keeps string values, scopes and root parents apart across spans" {
                ``conversion keeps string values, scopes and root parents apart across spans`` ()
            }
            testTask "wildcard sources match, other sources are not recorded" {
                do! ``wildcard sources match, other sources are not recorded`` ()
            }
            testTask "an AlwaysOff sampler records nothing but still propagates the context" {
                do! ``an AlwaysOff sampler records nothing but still propagates the context`` ()
            }
            testTask "a sampler sees the parent, adds attributes and sets trace state" {
                do! ``a sampler sees the parent, adds attributes and sets trace state`` ()
            }
            testTask
                "a child the sampler drops or only records under a sampled local parent is not exported nor propagated as sampled" {
                do!
                    ``a child the sampler drops or only records under a sampled local parent is not exported nor propagated as sampled`` ()
            }
            testTask "a second SDK whose sampler drops does not take the span from the SDK that samples it" {
                do! ``a second SDK whose sampler drops does not take the span from the SDK that samples it`` ()
            }
            testTask "a throwing sampler drops the span without throwing into the app" {
                do! ``a throwing sampler drops the span without throwing into the app`` ()
            }
            testTask "processors filter, enrich and redact in order" {
                do! ``processors filter, enrich and redact in order`` ()
            }
            testTask "span limits drop and count" { do! ``span limits drop and count`` () }
            testTask "the batch exporter exports on flush and on shutdown, and the SDK stops recording after shutdown" {
                do!
                    ``the batch exporter exports on flush and on shutdown, and the SDK stops recording after shutdown`` ()
            }
            test "the resource carries service name, sdk and detected attributes" {
                ``the resource carries service name, sdk and detected attributes`` ()
            }
            test "OTEL_SDK_DISABLED turns the SDK into a no-op" { ``OTEL_SDK_DISABLED turns the SDK into a no-op`` () }
            test "invalid settings in code are clear errors at build time" {
                ``invalid settings in code are clear errors at build time`` ()
            }
            testTask "activities started while exporting are not recorded, so an exporter cannot feed itself" {
                do! ``activities started while exporting are not recorded, so an exporter cannot feed itself`` ()
            }
            testTask "a retried batch sends the same spans, each processed once" {
                do! ``a retried batch sends the same spans, each processed once`` ()
            }
            testTask "tags that cannot be enumerated or contain themselves never throw into StartActivity" {
                do! ``tags that cannot be enumerated or contain themselves never throw into StartActivity`` ()
            }
            testTask "an Activity a processor starts is not exported, so exporting cannot feed itself" {
                do! ``an Activity a processor starts is not exported, so exporting cannot feed itself`` ()
            }
            testTask "a parent given as a traceparent string is sampled as a remote parent" {
                do! ``a parent given as a traceparent string is sampled as a remote parent`` ()
            }
            testTask "a tag whose ToString starts an Activity does not cost the outer span its other tags at sampling" {
                do!
                    ``a tag whose ToString starts an Activity does not cost the outer span its other tags at sampling`` ()
            }
        ]
