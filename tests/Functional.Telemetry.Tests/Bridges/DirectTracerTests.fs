module Functional.Telemetry.Tests.DirectTracerTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TracingTests

let ``a direct tracer's spans nest and record attributes, events, status and exceptions without an Activity`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use tracer = Tracer.createDirect name (Some "2.0")
        Assert.True tracer.IsDirect

        let result =
            Tracer.inSpan tracer "outer" (fun outer ->
                Assert.Equal(None, outer.Activity)
                Assert.Null Activity.Current
                Assert.True outer.IsRecording
                outer |> ActiveSpan.setAttribute "step" (AnyValue.Int 1L)
                outer |> ActiveSpan.setAttribute "step" (AnyValue.Int 2L)

                Tracer.inSpan tracer "inner" (fun inner ->
                    inner |> ActiveSpan.addEvent "checkpoint" [ KeyValue.bool "fast" true ]
                    inner |> ActiveSpan.setStatus Status.Ok
                    inner |> ActiveSpan.setStatus (Status.Error "ignored: Ok is final")
                    inner |> ActiveSpan.updateName "inner (renamed)"
                    Assert.Equal(inner.Context.SpanId, (ActiveSpan.current ()).Context.SpanId)
                    42))

        Assert.Equal(42, result)

        Assert.Throws<InvalidOperationException>(fun () ->
            Tracer.inSpan tracer "failing" (fun _ -> raise (InvalidOperationException "no stock"))
            |> ignore)
        |> ignore

        let! spans = flushed sdk exporter
        let outer = spans |> List.find (fun s -> s.Name = "outer")
        let inner = spans |> List.find (fun s -> s.Name = "inner (renamed)")
        let failing = spans |> List.find (fun s -> s.Name = "failing")
        Assert.True outer.IsRoot
        Assert.Equal(outer.Context.TraceId, inner.Context.TraceId)
        Assert.Equal(outer.Context.SpanId, inner.ParentSpanId)
        Assert.Equal<KeyValue list>([ KeyValue.int "step" 2L ], ReadOnlyList.toList outer.Attributes)
        Assert.Equal(Status.Ok, inner.Status)
        Assert.Equal("checkpoint", (List.exactlyOne (ReadOnlyList.toList inner.Events)).Name)
        Assert.True(inner.StartTime >= outer.StartTime && inner.EndTime <= outer.EndTime)

        Assert.Equal(
            {
                Name = name
                Version = "2.0"
                SchemaUrl = ""
                Attributes = []
            },
            inner.Scope
        )
        // Sampled, with the random-trace-id flag of a trace that started here.
        Assert.Equal(TraceFlags 3uy, outer.Context.TraceFlags)
        Assert.Equal(Status.Error "no stock", failing.Status)
        let event = List.exactlyOne (ReadOnlyList.toList failing.Events)
        Assert.Equal("exception", event.Name)
        Assert.Equal(Some(AnyValue.String "no stock"), KeyValue.tryFind "exception.message" event.Attributes)
    }

let ``nothing changes a direct span after it ended, not even through a reused span`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use tracer = Tracer.createDirect name None
        let first = Tracer.startSpan tracer (Tracer.named "first")
        first |> ActiveSpan.setAttribute "at" (AnyValue.String "run")
        first.Dispose()

        // After the end: ignored (the pooled span may already be a later span).
        first |> ActiveSpan.setAttribute "at" (AnyValue.String "after end")
        first |> ActiveSpan.updateName "renamed after end"
        first |> ActiveSpan.setStatus (Status.Error "after end")
        Assert.False first.IsRecording
        first.Dispose()

        let! _ = flushed sdk exporter

        use second = Tracer.startSpan tracer (Tracer.named "second")
        first |> ActiveSpan.setAttribute "leaked" (AnyValue.Bool true)
        second.Dispose()

        let! spans = flushed sdk exporter

        match spans with
        | [ f; s ] ->
            Assert.Equal("first", f.Name)
            Assert.Equal<KeyValue list>([ KeyValue.string "at" "run" ], ReadOnlyList.toList f.Attributes)
            Assert.Equal(Status.Unset, f.Status)
            Assert.Equal("second", s.Name)
            Assert.Empty s.Attributes
        | other -> failwith $"expected two spans, got {other.Length}"
    }

let ``a direct span is a child of the Activity around it and log records inside carry its ids`` () =
    task {
        let name = uniqueSource ()
        let logs = InMemoryExporter<LogRecord>()
        let spans = InMemoryExporter<Span>()

        let sdk =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addSimpleExporter spans)
            |> Telemetry.withLogging (Logging.addSimpleExporter logs)
            |> Telemetry.start

        use _ = sdk
        use source = new ActivitySource(name)
        use tracer = Tracer.createDirect name None
        use factory = LoggerFactory.Create(fun b -> b.AddProvider(sdk.LoggerProvider) |> ignore)
        let logger = factory.CreateLogger "Direct"

        let activityId, directId, innerActivityParent =
            use around = source.StartActivity "around"

            Tracer.inSpan tracer "direct" (fun span ->
                logger.LogInformation "inside the direct span"

                let innerParent =
                    use inner = source.StartActivity "activity inside"
                    logger.LogInformation "inside the inner Activity"
                    inner.ParentSpanId

                logger.LogInformation "back in the direct span"
                around.SpanId, span.Context.SpanId, innerParent)

        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok
        let direct = spans.ItemList |> List.find (fun s -> s.Name = "direct")
        Assert.Equal(ActivityConversion.toSpanId activityId, direct.ParentSpanId)
        Assert.Equal(directId, direct.Context.SpanId)
        // .NET does not see direct spans: an Activity started inside one is a child of the Activity around it.
        Assert.Equal(activityId, innerActivityParent)

        match logs.ItemList with
        | [ first; inner; last ] ->
            Assert.Equal(directId, first.SpanId)
            Assert.NotEqual(directId, inner.SpanId)
            Assert.Equal(directId, last.SpanId)
            Assert.Equal(direct.Context.TraceId, first.TraceId)
        | other -> failwith $"expected three records, got {other.Length}"
    }

let ``a direct span is sampled at start, and children of a dropped span are dropped`` () =
    task {
        let name = uniqueSource ()
        let seen = ConcurrentQueue<SamplingParameters>()

        let sampler: Sampler =
            fun parameters ->
                seen.Enqueue parameters

                if parameters.Name = "dropped" then
                    Sampler.alwaysOff parameters
                else
                    Sampler.parentBased Sampler.alwaysOn parameters

        let sdk, exporter = startWith [ name ] (Tracing.withSampler sampler)
        use _ = sdk
        use tracer = Tracer.createDirect name None

        Tracer.inSpanWith
            tracer
            { Tracer.named "kept" with
                Kind = SpanKind.Server
                Attributes = [ KeyValue.string "at.start" "yes" ]
            }
            ignore

        Tracer.inSpan tracer "dropped" (fun span ->
            Assert.False span.IsRecording
            span |> ActiveSpan.setAttribute "ignored" (AnyValue.Bool true)
            Tracer.inSpan tracer "child of dropped" (fun child -> Assert.False child.IsRecording))

        let! spans = flushed sdk exporter
        let kept = List.exactlyOne spans
        Assert.Equal("kept", kept.Name)
        Assert.Equal(SpanKind.Server, kept.Kind)
        Assert.Equal(Some(AnyValue.String "yes"), KeyValue.tryFind "at.start" kept.Attributes)
        let first = seen |> Seq.find (fun p -> p.Name = "kept")
        Assert.Equal<KeyValue list>([ KeyValue.string "at.start" "yes" ], ReadOnlyList.toList first.Attributes)
        Assert.False first.Parent.IsValid
    }

let ``a direct span flows through awaits and is a no-op when no SDK records its tracer`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use tracer = Tracer.createDirect name None

        let! childParent =
            Tracer.inSpanTask tracer "outer" (fun _ ->
                task {
                    do! Task.Yield()
                    return Tracer.inSpan tracer "after await" (fun child -> child.Context.SpanId)
                })

        use unrecorded = Tracer.createDirect (uniqueSource ()) None
        let span = Tracer.startSpan unrecorded (Tracer.named "nobody records this")
        Assert.False span.IsRecording
        Assert.False span.Context.IsValid
        span.Dispose()

        let! spans = flushed sdk exporter
        let outer = spans |> List.find (fun s -> s.Name = "outer")
        let child = spans |> List.find (fun s -> s.Name = "after await")
        Assert.Equal(childParent, child.Context.SpanId)
        Assert.Equal(outer.Context.SpanId, child.ParentSpanId)
    }

[<Tests>]
let tests =
    testList
        "DirectTracerTests"
        [
            testTask
                "a direct tracer's spans nest and record attributes, events, status and exceptions without an Activity" {
                do!
                    ``a direct tracer's spans nest and record attributes, events, status and exceptions without an Activity`` ()
            }
            testTask "nothing changes a direct span after it ended, not even through a reused span" {
                do! ``nothing changes a direct span after it ended, not even through a reused span`` ()
            }
            testTask "a direct span is a child of the Activity around it and log records inside carry its ids" {
                do! ``a direct span is a child of the Activity around it and log records inside carry its ids`` ()
            }
            testTask "a direct span is sampled at start, and children of a dropped span are dropped" {
                do! ``a direct span is sampled at start, and children of a dropped span are dropped`` ()
            }
            testTask "a direct span flows through awaits and is a no-op when no SDK records its tracer" {
                do! ``a direct span flows through awaits and is a no-op when no SDK records its tracer`` ()
            }
        ]
