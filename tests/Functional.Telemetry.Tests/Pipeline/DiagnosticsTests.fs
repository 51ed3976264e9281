/// `OTEL_LOG_LEVEL` and the diagnostics sink through `Telemetry.start`: a dead collector is visible with no code,
/// each level filters, repeats are rate-limited.
module Functional.Telemetry.Tests.DiagnosticsTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Net
open System.Net.Sockets
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

let private unique () = "Diagnostics." + Guid.NewGuid().ToString("N")

/// A port on 127.0.0.1 that nothing listens on (bound, then released): connections to it are refused.
let private closedPort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

/// The OTLP settings of a dead collector, with secrets the diagnostics must not show.
let private deadCollector port =
    [
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", $"http://user:hunter2@127.0.0.1:{port}/v1/traces?token=s3cret"
        "OTEL_EXPORTER_OTLP_HEADERS", "api-key=k3y-value"
    ]

let private startWith (variables: (string * string) list) configure =
    Telemetry.create "diagnostics"
    |> Telemetry.withEnvironment (Env.ofList variables)
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withRetry RetryPolicy.disabled
    |> configure
    |> Telemetry.start

/// Ends one span of `source`.
let private oneSpan (source: string) =
    use activitySource = new ActivitySource(source)
    use activity = activitySource.StartActivity "work"
    Assert.NotNull activity

let private assertSafe (message: string) =
    for secret in [ "user"; "hunter2"; "token"; "s3cret"; "api-key"; "k3y-value" ] do
        Assert.DoesNotContain(secret, message)

let ``a dead collector is an error naming the signal, the exporter and the endpoint, without secrets`` () =
    task {
        let port = closedPort ()
        let source = unique ()

        let found =
            TaskCompletionSource<DiagnosticLevel * string>(TaskCreationOptions.RunContinuationsAsynchronously)

        // No exporter in code: the spec's default (otlp) exports to the endpoint of the environment.
        use sdk =
            startWith
                (deadCollector port)
                (Telemetry.withDiagnostics (fun level message ->
                    if message.Contains $"127.0.0.1:{port}" then
                        found.TrySetResult((level, message)) |> ignore)
                 >> Telemetry.withTracing (Tracing.addSource source))

        oneSpan source
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        let! level, message = found.Task |> within (TimeSpan.FromSeconds 30.)
        Assert.Equal(DiagnosticLevel.Error, level)
        Assert.StartsWith("traces/otlp-http-protobuf: export to ", message)
        Assert.Contains($"http://127.0.0.1:{port}/v1/traces failed", message)
        Assert.Contains("ConnectionRefused", message)
        assertSafe message
    }


type StandardErrorTests() =

    member _.``with no code at all, a dead collector is one line on standard error``() =
        task {
            let port = closedPort ()
            let source = unique ()
            let original = Console.Error
            use captured = new IO.StringWriter()
            Console.SetError(IO.TextWriter.Synchronized captured)

            try
                let sdk = startWith (deadCollector port) (Telemetry.withTracing (Tracing.addSource source))
                oneSpan source
                let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
                // Shutdown waits for the diagnostics reported so far to be written.
                let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
                ()
            finally
                Console.SetError original

            let lines =
                captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
                |> Array.filter (fun line -> line.Contains $"127.0.0.1:{port}")

            let line = Assert.Single lines

            Assert.Matches(
                @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z Functional\.Telemetry error: traces/otlp-http-protobuf: export to http://127\.0\.0\.1:\d+/v1/traces failed: .*ConnectionRefused",
                line
            )

            assertSafe line
        }

/// An exporter named `name` that fails every export.
type private FailingExporter(name: string) =
    interface IExporter<Span> with
        member _.Name = name
        member _.Export(_, _) = Task.FromResult(ExportResult.Failure "rejected by the test")
        member _.Shutdown _ = Task.CompletedTask

/// Starts an SDK at `OTEL_LOG_LEVEL=level` where `marker` (the source, the meter and the failing exporter's name)
/// shows in a diagnostic of each level: an export failure (error), an invalid instrument name (warning), the
/// exporters it starts with (info), the sources it listens to (debug). Returns the levels of those diagnostics.
let private levelsAt (level: string) =
    task {
        let marker = unique ()
        let seen = ConcurrentQueue<DiagnosticLevel * string>()

        let sdk =
            startWith
                [ "OTEL_LOG_LEVEL", level ]
                (Telemetry.withDiagnostics (fun level message ->
                    if message.Contains marker then
                        seen.Enqueue((level, message)))
                 >> Telemetry.withTracing (
                     Tracing.addSource marker >> Tracing.addSimpleExporter (FailingExporter marker)
                 )
                 >> Telemetry.withMetrics (Metrics.addMeter marker >> Metrics.addReader (MetricPullReader())))

        use meter = new Meter(marker)
        meter.CreateCounter<int64>("1-invalid-name") |> ignore
        oneSpan marker
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        // Shutdown completes the SDK's sink once what it queued is written.
        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        return seen |> Seq.map fst |> Seq.distinct |> Seq.sort |> List.ofSeq, List.ofSeq seen
    }

let ``OTEL_LOG_LEVEL passes its level and the more severe ones`` (level: string, admitted: int) =
    task {
        let! levels, _ = levelsAt level
        let expected = [ 1..admitted ] |> List.map enum<DiagnosticLevel>
        Assert.Equal<DiagnosticLevel list>(expected, levels)
    }

let ``unset, OTEL_LOG_LEVEL is warn`` () =
    task {
        let! levels, messages = levelsAt ""
        Assert.Equal<DiagnosticLevel list>([ DiagnosticLevel.Error; DiagnosticLevel.Warning ], levels)

        Assert.Contains(
            messages,
            fun (level, message) ->
                level = DiagnosticLevel.Warning
                && message.StartsWith "metrics: instrument name '1-invalid-name'"
        )
    }

let ``info says where each signal exports and why`` () =
    task {
        let! _, messages = levelsAt "info"

        let infos =
            messages
            |> List.filter (fun (level, _) -> level = DiagnosticLevel.Info)
            |> List.map snd

        Assert.Contains(infos, fun message -> message.StartsWith "traces: exporting to Diagnostics.")
    }

let ``the same failure repeated is written once, with the count of the others at shutdown`` () =
    task {
        let marker = unique ()
        let seen = ConcurrentQueue<DiagnosticLevel * string>()

        let sdk =
            startWith
                []
                (Telemetry.withDiagnostics (fun level message ->
                    if message.Contains marker then
                        seen.Enqueue((level, message)))
                 >> Telemetry.withTracing (
                     Tracing.addSource marker >> Tracing.addSimpleExporter (FailingExporter marker)
                 ))

        for _ in 1..4 do
            oneSpan marker
            let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
            ()

        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)

        Assert.Equal<(DiagnosticLevel * string) list>(
            [
                DiagnosticLevel.Error, $"traces/{marker}: export failed: rejected by the test"
                DiagnosticLevel.Error, $"traces/{marker}: export failed: 3 more suppressed since the last one written"
            ],
            List.ofSeq seen
        )
    }

let ``a sink that throws or blocks never reaches the application`` () =
    task {
        let marker = unique ()

        use sdk =
            startWith
                [ "OTEL_LOG_LEVEL", "debug" ]
                (Telemetry.withDiagnostics (fun _ message ->
                    if message.Contains marker then
                        raise (InvalidOperationException "sink failed"))
                 >> Telemetry.withTracing (
                     Tracing.addSource marker >> Tracing.addSimpleExporter (FailingExporter marker)
                 ))

        let watch = Stopwatch.StartNew()

        for _ in 1..100 do
            oneSpan marker

        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        // False because every span failed (the flush tells the truth), but it finished well within its timeout.
        Assert.False flushed
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds 10.)
        Assert.Equal(100L, sdk.SpanPipelines[0].Stats.Failed)
    }

let ``telemetry made inside the sink is not recorded: diagnostics never feed the SDK's own pipelines`` () =
    task {
        let marker = unique ()
        let logs = InMemoryExporter<LogRecord>()
        let sdkCell: TelemetrySdk option ref = ref None
        let logged = TaskCompletionSource<unit>(TaskCreationOptions.RunContinuationsAsynchronously)

        let sink (_: DiagnosticLevel) (message: string) =
            match sdkCell.Value with
            | Some sdk when message.Contains marker ->
                // What a hosting layer's ILogger sink does, with this SDK's own provider.
                sdk.CreateLogger("Functional.Telemetry").LogError(message)
                logged.TrySetResult(()) |> ignore
            | _ -> ()

        use sdk =
            startWith
                []
                (Telemetry.withDiagnostics sink
                 >> Telemetry.withTracing (
                     Tracing.addSource marker >> Tracing.addSimpleExporter (FailingExporter marker)
                 )
                 >> Telemetry.withLogging (Logging.addSimpleExporter logs))

        sdkCell.Value <- Some sdk
        oneSpan marker
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        let! () = logged.Task |> within (TimeSpan.FromSeconds 30.)
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.Empty logs.Items
        // Outside the sink the same logger records.
        sdk.CreateLogger("Functional.Telemetry").LogError("outside")
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.Single logs.Items |> ignore
    }

[<Tests>]
let tests =
    testList
        "DiagnosticsTests"
        [
            testTask "a dead collector is an error naming the signal, the exporter and the endpoint, without secrets" {
                do!
                    ``a dead collector is an error naming the signal, the exporter and the endpoint, without secrets`` ()
            }
            testSequenced (
                testList
                    "StandardErrorTests"
                    [
                        testTask "with no code at all, a dead collector is one line on standard error" {
                            let instance = StandardErrorTests()
                            do! instance.``with no code at all, a dead collector is one line on standard error`` ()
                        }
                    ]
            )
            testTask "OTEL_LOG_LEVEL passes its level and the more severe ones(level: \"none\", admitted: 0)" {
                do! ``OTEL_LOG_LEVEL passes its level and the more severe ones`` ("none", 0)
            }
            testTask "OTEL_LOG_LEVEL passes its level and the more severe ones(level: \"error\", admitted: 1)" {
                do! ``OTEL_LOG_LEVEL passes its level and the more severe ones`` ("error", 1)
            }
            testTask "OTEL_LOG_LEVEL passes its level and the more severe ones(level: \"warn\", admitted: 2)" {
                do! ``OTEL_LOG_LEVEL passes its level and the more severe ones`` ("warn", 2)
            }
            testTask "OTEL_LOG_LEVEL passes its level and the more severe ones(level: \"info\", admitted: 3)" {
                do! ``OTEL_LOG_LEVEL passes its level and the more severe ones`` ("info", 3)
            }
            testTask "OTEL_LOG_LEVEL passes its level and the more severe ones(level: \"debug\", admitted: 4)" {
                do! ``OTEL_LOG_LEVEL passes its level and the more severe ones`` ("debug", 4)
            }
            testTask "unset, OTEL_LOG_LEVEL is warn" { do! ``unset, OTEL_LOG_LEVEL is warn`` () }
            testTask "info says where each signal exports and why" {
                do! ``info says where each signal exports and why`` ()
            }
            testTask "the same failure repeated is written once, with the count of the others at shutdown" {
                do! ``the same failure repeated is written once, with the count of the others at shutdown`` ()
            }
            testTask "a sink that throws or blocks never reaches the application" {
                do! ``a sink that throws or blocks never reaches the application`` ()
            }
            testTask "telemetry made inside the sink is not recorded: diagnostics never feed the SDK's own pipelines" {
                do!
                    ``telemetry made inside the sink is not recorded: diagnostics never feed the SDK's own pipelines`` ()
            }
        ]
