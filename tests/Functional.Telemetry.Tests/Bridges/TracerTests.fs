module Functional.Telemetry.Tests.TracerTests

open Expecto
open System
open System.Diagnostics
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TracingTests

let ``inSpan nests spans through Activity.Current and records attributes, events and status`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use tracer = Tracer.create name (Some "1.0")

        let result =
            Tracer.inSpan tracer "outer" (fun outer ->
                outer |> ActiveSpan.setAttribute "step" (AnyValue.Int 1L)

                Tracer.inSpan tracer "inner" (fun inner ->
                    inner |> ActiveSpan.addEvent "checkpoint" [ KeyValue.bool "fast" true ]
                    inner |> ActiveSpan.setStatus Status.Ok
                    inner |> ActiveSpan.setStatus (Status.Error "ignored: Ok is final")
                    Assert.Equal(inner.Context.SpanId, (ActiveSpan.current ()).Context.SpanId)
                    42))

        Assert.Equal(42, result)
        let! spans = flushed sdk exporter
        let outer = spans |> List.find (fun s -> s.Name = "outer")
        let inner = spans |> List.find (fun s -> s.Name = "inner")
        Assert.Equal(outer.Context.SpanId, inner.ParentSpanId)
        Assert.Equal<KeyValue list>([ KeyValue.int "step" 1L ], (ReadOnlyList.toList outer.Attributes))
        Assert.Equal(Status.Ok, inner.Status)
        Assert.Equal("checkpoint", (List.exactlyOne (ReadOnlyList.toList inner.Events)).Name)
        Assert.Equal("1.0", inner.Scope.Version)
    }

let ``an exception is recorded as an exception event with Error status and rethrown`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use tracer = Tracer.create name None

        let thrown =
            Assert.Throws<InvalidOperationException>(fun () ->
                Tracer.inSpan tracer "failing" (fun _ -> raise (InvalidOperationException "no stock"))
                |> ignore)

        Assert.Equal("no stock", thrown.Message)
        let! spans = flushed sdk exporter
        let span = List.exactlyOne spans
        Assert.Equal(Status.Error "no stock", span.Status)
        let event = List.exactlyOne (ReadOnlyList.toList span.Events)
        Assert.Equal("exception", event.Name)
        let find key = KeyValue.tryFind key (ReadOnlyList.toList event.Attributes)
        Assert.Equal(Some(AnyValue.String "System.InvalidOperationException"), find "exception.type")
        Assert.Equal(Some(AnyValue.String "no stock"), find "exception.message")

        match find "exception.stacktrace" with
        | Some(AnyValue.String trace) -> Assert.Contains("InvalidOperationException: no stock", trace)
        | other -> failwithf "no stack trace: %A" other
    }

let ``inSpanTask keeps the span current across awaits and ends it when the task completes`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use tracer = Tracer.create name None

        let! value =
            Tracer.inSpanTask tracer "async-parent" (fun parent ->
                task {
                    do! Task.Yield()

                    let! child =
                        Tracer.inSpanTask tracer "async-child" (fun child ->
                            task {
                                do! Task.Yield()
                                return child.Context.SpanId
                            })

                    Assert.Equal(parent.Context.SpanId, (ActiveSpan.current ()).Context.SpanId)
                    return child
                })

        let! spans = flushed sdk exporter
        let parent = spans |> List.find (fun s -> s.Name = "async-parent")
        let child = spans |> List.find (fun s -> s.Name = "async-child")
        Assert.Equal(value, child.Context.SpanId)
        Assert.Equal(parent.Context.SpanId, child.ParentSpanId)
    }

let ``inSpanAsync works with F# async across thread switches, and records failures`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use tracer = Tracer.create name None

        let workflow =
            Tracer.inSpanAsync tracer "workflow" (fun _ ->
                async {
                    do! Async.SwitchToThreadPool()
                    return! Tracer.inSpanAsync tracer "step" (fun _ -> async { return 7 })
                })

        let! result = Async.StartAsTask workflow
        Assert.Equal(7, result)

        let failing = Tracer.inSpanAsync tracer "broken" (fun _ -> async { return failwith "nope" })
        let! error = Assert.ThrowsAnyAsync<exn>(fun () -> Async.StartAsTask failing :> Task)
        Assert.Equal("nope", error.Message)

        let! spans = flushed sdk exporter
        let outer = spans |> List.find (fun s -> s.Name = "workflow")
        let step = spans |> List.find (fun s -> s.Name = "step")
        Assert.Equal(outer.Context.SpanId, step.ParentSpanId)
        Assert.Equal(Status.Error "nope", (spans |> List.find (fun s -> s.Name = "broken")).Status)
    }

let ``spans with an explicit parent, kind and links`` () =
    task {
        let name = uniqueSource ()
        let sdk, exporter = startWith [ name ] id
        use _ = sdk
        use tracer = Tracer.create name None

        let remote =
            { SpanContext.Invalid with
                TraceId = TraceId(11UL, 12UL)
                SpanId = SpanId 13UL
                TraceFlags = TraceFlags.Sampled
                IsRemote = true
            }

        let linked = { remote with SpanId = SpanId 14UL }

        using
            (Tracer.startSpan
                tracer
                { Tracer.named "consume" with
                    Kind = SpanKind.Consumer
                    Parent = Some remote
                    Attributes = [ KeyValue.string "messaging.system" "kafka" ]
                    Links =
                        [
                            {
                                Context = linked
                                Attributes = [ KeyValue.int "index" 0L ]
                                DroppedAttributes = 0
                            }
                        ]
                })
            ignore

        let! spans = flushed sdk exporter
        let span = List.exactlyOne spans
        Assert.Equal(SpanKind.Consumer, span.Kind)
        Assert.Equal(remote.TraceId, span.Context.TraceId)
        Assert.Equal(remote.SpanId, span.ParentSpanId)
        Assert.True span.ParentIsRemote

        Assert.Equal<KeyValue list>(
            [ KeyValue.string "messaging.system" "kafka" ],
            (ReadOnlyList.toList span.Attributes)
        )

        let link = List.exactlyOne (ReadOnlyList.toList span.Links)
        Assert.Equal(linked.SpanId, link.Context.SpanId)
        Assert.Equal<KeyValue list>([ KeyValue.int "index" 0L ], (ReadOnlyList.toList link.Attributes))
    }

let ``an unrecorded span is a no-op`` () =
    use tracer = Tracer.create (uniqueSource ()) None
    let span = Tracer.startSpan tracer (Tracer.named "nobody listens")
    Assert.False span.IsRecording
    Assert.Equal(SpanContext.Invalid, span.Context)
    span |> ActiveSpan.setAttribute "k" (AnyValue.Int 1L)
    span |> ActiveSpan.recordException (exn "ignored")
    span.Dispose()

[<Tests>]
let tests =
    testList
        "TracerTests"
        [
            testTask "inSpan nests spans through Activity.Current and records attributes, events and status" {
                do! ``inSpan nests spans through Activity.Current and records attributes, events and status`` ()
            }
            testTask "an exception is recorded as an exception event with Error status and rethrown" {
                do! ``an exception is recorded as an exception event with Error status and rethrown`` ()
            }
            testTask "inSpanTask keeps the span current across awaits and ends it when the task completes" {
                do! ``inSpanTask keeps the span current across awaits and ends it when the task completes`` ()
            }
            testTask "inSpanAsync works with F# async across thread switches, and records failures" {
                do! ``inSpanAsync works with F# async across thread switches, and records failures`` ()
            }
            testTask "spans with an explicit parent, kind and links" {
                do! ``spans with an explicit parent, kind and links`` ()
            }
            test "an unrecorded span is a no-op" { ``an unrecorded span is a no-op`` () }
        ]
