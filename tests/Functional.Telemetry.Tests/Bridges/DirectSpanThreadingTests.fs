module Functional.Telemetry.Tests.DirectSpanThreadingTests

open Expecto
open System
open System.Threading
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TracingTests

// Activity.SetTag is safe from several threads (its tag list locks); DirectSpan.SetAttribute is not: two threads
// that both find room write at the same TagCount (one attribute lost) or past the array's end (an
// IndexOutOfRangeException thrown into the application). ActiveSpan.current () flows into parallel work, so
// `Parallel.For` inside a direct span tagging the current span is enough.
let ``attributes set on one direct span from several threads are all kept and nothing throws`` () =
    task {
        let name = uniqueSource ()

        let sdk, exporter =
            startWith [ name ] (Tracing.withLimits { SpanLimits.defaults with AttributeCountLimit = 100_000 })

        use _ = sdk
        use tracer = Tracer.createDirect name None
        let threads = 4
        let perThread = 2_000
        let errors = Collections.Concurrent.ConcurrentBag<exn>()

        Tracer.inSpan tracer "parallel" (fun span ->
            use start = new Barrier(threads)

            let workers =
                [|
                    for t in 0 .. threads - 1 ->
                        Task.Run(fun () ->
                            start.SignalAndWait()

                            for i in 0 .. perThread - 1 do
                                try
                                    span |> ActiveSpan.setAttribute $"t{t}.{i}" (AnyValue.Int(int64 i))
                                with error ->
                                    errors.Add error)
                |]

            Task.WaitAll workers)

        let! spans = flushed sdk exporter

        let thrown =
            errors
            |> Seq.map (fun e -> e.GetType().Name)
            |> Seq.distinct
            |> String.concat ", "

        Assert.True(errors.IsEmpty, $"setAttribute threw into the application {errors.Count} times ({thrown})")
        // The span itself is exported (a torn tag array made its conversion throw: span dropped, counted exported).
        let span = spans |> List.tryFind (fun s -> s.Name = "parallel")
        Assert.True(span.IsSome, "the span was dropped")
        Assert.Equal(threads * perThread, Seq.length span.Value.Attributes)
    }

[<Tests>]
let tests =
    testList
        "DirectSpanThreadingTests"
        [
            testTask "attributes set on one direct span from several threads are all kept and nothing throws" {
                do! ``attributes set on one direct span from several threads are all kept and nothing throws`` ()
            }
        ]
