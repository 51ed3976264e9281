/// Instrumentations in the tracing configuration: started with the SDK, stopped at its shutdown.
module Functional.Telemetry.Tests.InstrumentationTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// An instrumentation that logs its starts (with the variable it read) and stops.
let private recording name (events: ConcurrentQueue<string>) =
    TracingInstrumentation.Create(
        name,
        fun env ->
            let variable = env "OTEL_INSTRUMENTATION_TEST" |> Option.defaultValue "unset"
            events.Enqueue $"start {name} {variable}"

            { new IDisposable with
                member _.Dispose() = events.Enqueue $"stop {name}"
            }
    )

let private start (env: (string * string) list) tracing diagnostics =
    Telemetry.create "instrumentation-tests"
    |> Telemetry.withEnvironment (Env.ofList env)
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withDiagnostics (fun _ message -> diagnostics message)
    |> Telemetry.withTracing tracing
    |> Telemetry.start

let ``an instrumentation starts with the SDK and the configuration's environment, and stops at shutdown`` () =
    task {
        let events = ConcurrentQueue<string>()

        let sdk =
            start
                [ "OTEL_INSTRUMENTATION_TEST", "from-env" ]
                (Tracing.addInstrumentation (recording "a" events)
                 >> Tracing.addInstrumentation (recording "b" events))
                ignore

        Assert.Equal<string list>([ "start a from-env"; "start b from-env" ], List.ofSeq events)
        let! ok = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.True ok
        // Stopped in the reverse order of their starts.
        Assert.Equal<string list>([ "start a from-env"; "start b from-env"; "stop b"; "stop a" ], List.ofSeq events)
    }

let ``an instrumentation that fails to start is reported and tracing goes on without it`` () =
    task {
        let source = "Instrumentation." + Guid.NewGuid().ToString("N")
        let diagnostics = ConcurrentQueue<string>()
        // The sink is called off the reporting thread: the test awaits the line (a signal) before looking.
        let reported = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        let exporter = InMemoryExporter<Span>()

        let failing = TracingInstrumentation.Create("failing", fun _ -> invalidOp "cannot start")

        use sdk =
            start
                []
                (Tracing.addSource source
                 >> Tracing.addInstrumentation failing
                 >> Tracing.addSimpleExporter exporter)
                (fun line ->
                    diagnostics.Enqueue line

                    if line.Contains "failed to start" then
                        reported.TrySetResult() |> ignore)

        use activitySource = new ActivitySource(source)
        activitySource.StartActivity("still traced").Dispose()
        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 5.)
        Assert.True flushed
        Assert.Contains(exporter.ItemList, fun s -> s.Name = "still traced")
        do! reported.Task.WaitAsync(TimeSpan.FromSeconds 10.)

        Assert.Contains(
            diagnostics,
            fun d -> d.Contains "the instrumentation failing failed to start (System.InvalidOperationException)"
        )
    }

let ``an instrumentation of a name added before replaces it, and a blank name is refused`` () =
    let events = ConcurrentQueue<string>()

    let config =
        Tracing.empty
        |> Tracing.addInstrumentation (recording "x" events)
        |> Tracing.addInstrumentation (recording "y" events)
        |> Tracing.addInstrumentation (TracingInstrumentation.Create("x", fun _ -> invalidOp "the second x"))

    Assert.Equal<string list>([ "y"; "x" ], config.Instrumentations |> Seq.map _.Name |> List.ofSeq)

    let error =
        Assert.Throws<ArgumentException>(fun () -> Tracing.addInstrumentation (recording " " events) config |> ignore)

    Assert.Equal("name", error.ParamName)

let ``a disabled SDK starts no instrumentation`` () =
    task {
        let events = ConcurrentQueue<string>()

        let sdk =
            start [ "OTEL_SDK_DISABLED", "true" ] (Tracing.addInstrumentation (recording "a" events)) ignore

        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.Empty events
    }

[<Tests>]
let tests =
    testList
        "InstrumentationTests"
        [
            testTask "an instrumentation starts with the SDK and the configuration's environment, and stops at shutdown" {
                do!
                    ``an instrumentation starts with the SDK and the configuration's environment, and stops at shutdown`` ()
            }
            testTask "an instrumentation that fails to start is reported and tracing goes on without it" {
                do! ``an instrumentation that fails to start is reported and tracing goes on without it`` ()
            }
            test "an instrumentation of a name added before replaces it, and a blank name is refused" {
                ``an instrumentation of a name added before replaces it, and a blank name is refused`` ()
            }
            testTask "a disabled SDK starts no instrumentation" { do! ``a disabled SDK starts no instrumentation`` () }
        ]
