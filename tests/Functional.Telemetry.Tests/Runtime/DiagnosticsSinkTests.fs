module Functional.Telemetry.Tests.DiagnosticsSinkTests

open Expecto
open System
open System.Collections.Concurrent
open System.Threading
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// A clock the test moves.
type private ManualClock() =
    let mutable now = 0L
    member _.Now() = now
    member _.Advance(ms: int64) = now <- now + ms

let private collecting () =
    let lines = ConcurrentQueue<DiagnosticLevel * string>()
    let write level message (_: DateTimeOffset) = lines.Enqueue((level, message))
    lines, write

let private seconds (value: float) = TimeSpan.FromSeconds value

let ``the rate limit writes a key once per interval and says how many it held back`` () =
    let clock = ManualClock()
    let limit = DiagnosticsRateLimit(seconds 30., clock.Now)
    Assert.Equal(ValueSome 0L, limit.Admit("a", DiagnosticLevel.Error))
    Assert.Equal(ValueNone, limit.Admit("a", DiagnosticLevel.Error))
    clock.Advance 29_999L
    Assert.Equal(ValueNone, limit.Admit("a", DiagnosticLevel.Error))
    // Another key is not held back by the first.
    Assert.Equal(ValueSome 0L, limit.Admit("b", DiagnosticLevel.Warning))
    clock.Advance 1L
    Assert.Equal(ValueSome 2L, limit.Admit("a", DiagnosticLevel.Error))
    Assert.Equal(ValueNone, limit.Admit("a", DiagnosticLevel.Warning))
    Assert.Equal<(string * DiagnosticLevel * int64) list>([ "a", DiagnosticLevel.Warning, 1L ], limit.TakeSuppressed())
    Assert.Empty(limit.TakeSuppressed())

let ``the summary of suppressed diagnostics keeps the most severe level among them`` () =
    let clock = ManualClock()
    let limit = DiagnosticsRateLimit(seconds 30., clock.Now)
    limit.Admit("k", DiagnosticLevel.Info) |> ignore
    limit.Admit("k", DiagnosticLevel.Info) |> ignore
    limit.Admit("k", DiagnosticLevel.Error) |> ignore
    limit.Admit("k", DiagnosticLevel.Warning) |> ignore
    Assert.Equal<(string * DiagnosticLevel * int64) list>([ "k", DiagnosticLevel.Error, 3L ], limit.TakeSuppressed())

let ``the rate limit's table stays bounded however many keys come`` () =
    let clock = ManualClock()
    let limit = DiagnosticsRateLimit(seconds 30., clock.Now)

    for i in 1..5000 do
        Assert.Equal(ValueSome 0L, limit.Admit(string i, DiagnosticLevel.Warning))

    // Forgotten keys are written again at once: nothing is suppressed for ever.
    Assert.Equal(ValueSome 0L, limit.Admit("1", DiagnosticLevel.Warning))

let ``a writer hands lines over in order, with the count suppressed before each`` () =
    task {
        let clock = ManualClock()
        let lines, write = collecting ()
        let writer = DiagnosticsWriter(write, DiagnosticsRateLimit(seconds 30., clock.Now))

        writer.Post(DiagnosticLevel.Error, "fail", "export failed: 1")
        writer.Post(DiagnosticLevel.Error, "fail", "export failed: 2")
        writer.Post(DiagnosticLevel.Warning, "other", "something else")
        clock.Advance 30_000L
        writer.Post(DiagnosticLevel.Error, "fail", "export failed: 3")
        let! flushed = writer.Flush(seconds 10.)
        Assert.True flushed

        Assert.Equal<(DiagnosticLevel * string) list>(
            [
                DiagnosticLevel.Error, "export failed: 1"
                DiagnosticLevel.Warning, "something else"
                DiagnosticLevel.Error, "export failed: 3 (1 similar suppressed in the last 30 s)"
            ],
            List.ofSeq lines
        )

        let! completed = writer.Complete(seconds 10.)
        Assert.True completed
    }

let ``completing a writer writes what is queued, then a summary of what the rate limit held back`` () =
    task {
        let lines, write = collecting ()
        let writer = DiagnosticsWriter(write, DiagnosticsRateLimit(seconds 30.))

        for i in 1..4 do
            writer.Post(DiagnosticLevel.Error, "traces/x: export failed", $"traces/x: export failed: attempt {i}")

        let! completed = writer.Complete(seconds 10.)
        Assert.True completed

        Assert.Equal<(DiagnosticLevel * string) list>(
            [
                DiagnosticLevel.Error, "traces/x: export failed: attempt 1"
                DiagnosticLevel.Error, "traces/x: export failed: 3 more suppressed since the last one written"
            ],
            List.ofSeq lines
        )

        // Posting after completion neither throws nor writes.
        writer.Post(DiagnosticLevel.Error, "late", "late")
        Assert.Equal(2, lines.Count)
    }

let ``a sink that throws loses its line, never the writer`` () =
    task {
        let lines, write = collecting ()

        let writer =
            DiagnosticsWriter(
                (fun level message at ->
                    if message = "boom" then
                        raise (InvalidOperationException "sink failed")

                    write level message at),
                DiagnosticsRateLimit(seconds 30.)
            )

        writer.Post(DiagnosticLevel.Error, "1", "boom")
        writer.Post(DiagnosticLevel.Error, "2", "after")
        let! _ = writer.Complete(seconds 10.)
        Assert.Equal<(DiagnosticLevel * string) list>([ DiagnosticLevel.Error, "after" ], List.ofSeq lines)
    }

let ``a blocked sink never blocks the reporting thread: a full queue drops and says so`` () =
    task {
        let release = new ManualResetEventSlim(false)
        let lines, write = collecting ()

        let writer =
            DiagnosticsWriter(
                (fun level message at ->
                    release.Wait()
                    write level message at),
                DiagnosticsRateLimit(seconds 30.)
            )

        let posting = Diagnostics.Stopwatch.StartNew()

        for i in 1..3000 do
            writer.Post(DiagnosticLevel.Warning, string i, $"line {i}")

        // Posting 3000 lines to a sink that does not return took no time waiting for it.
        Assert.True(posting.Elapsed < seconds 5., $"posting took {posting.Elapsed}")
        release.Set()
        let! _ = writer.Complete(seconds 10.)
        let written = List.ofSeq lines
        Assert.True(written.Length < 3000)

        Assert.Contains(
            written,
            fun (level, message) -> level = DiagnosticLevel.Warning && message.Contains "diagnostics were dropped"
        )
    }

let ``a standard error line has the time, the SDK, the level and the message`` () =
    let at = DateTimeOffset(2025, 6, 1, 10, 15, 30, 123, TimeSpan.FromHours 2.)

    Assert.Equal(
        "2025-06-01T08:15:30.123Z Functional.Telemetry error: traces/otlp-http-protobuf: export failed",
        DiagnosticsFormat.line DiagnosticLevel.Error "traces/otlp-http-protobuf: export failed" at
    )

/// Registers a collecting writer under `threshold`; the lines whose text holds `marker` (other tests' SDKs report
/// to every registered sink too).
let private registered threshold (marker: string) =
    let lines, write = collecting ()
    let writer = DiagnosticsWriter(write, DiagnosticsRateLimit(seconds 30.))
    let registration = DiagnosticsSinks.register writer threshold true

    let mine () = lines |> Seq.filter (fun (_, message) -> message.Contains marker) |> List.ofSeq

    registration, mine

let ``every report reaches the registered sinks whose threshold admits it`` () =
    task {
        let marker = "m-" + Guid.NewGuid().ToString("N")
        let warnRegistration, warnLines = registered DiagnosticLevel.Warning marker
        let debugRegistration, debugLines = registered DiagnosticLevel.Debug marker

        SelfDiagnostics.error marker "e"
        SelfDiagnostics.warning marker "w"
        SelfDiagnostics.info marker "i"
        SelfDiagnostics.debug marker "d"
        SelfDiagnostics.configWarnings [ { Source = marker; Message = "bad value" } ]
        let! _ = warnRegistration.Close(seconds 10.)
        let! _ = debugRegistration.Close(seconds 10.)

        Assert.Equal<(DiagnosticLevel * string) list>(
            [
                DiagnosticLevel.Error, $"{marker}: e"
                DiagnosticLevel.Warning, $"{marker}: w"
                DiagnosticLevel.Warning, $"configuration: {marker}: bad value"
            ],
            warnLines ()
        )

        Assert.Equal<DiagnosticLevel list>(
            [
                DiagnosticLevel.Error
                DiagnosticLevel.Warning
                DiagnosticLevel.Info
                DiagnosticLevel.Debug
                DiagnosticLevel.Warning
            ],
            debugLines () |> List.map fst
        )

        // Closed: nothing more arrives.
        SelfDiagnostics.error marker "after"
        Assert.Equal(3, (warnLines ()).Length)
    }

let ``a writer registered twice gets each diagnostic once, under the more verbose threshold`` () =
    task {
        let marker = "m-" + Guid.NewGuid().ToString("N")
        let lines, write = collecting ()
        let writer = DiagnosticsWriter(write, DiagnosticsRateLimit(seconds 30.))
        let first = DiagnosticsSinks.register writer DiagnosticLevel.Error false
        let second = DiagnosticsSinks.register writer DiagnosticLevel.Info false
        SelfDiagnostics.error marker "e"
        SelfDiagnostics.info marker "i"
        SelfDiagnostics.debug marker "d"
        let! _ = first.Close(seconds 10.)
        let! _ = second.Close(seconds 10.)
        let! _ = writer.Complete(seconds 10.)
        let mine = lines |> Seq.filter (fun (_, m) -> m.Contains marker) |> List.ofSeq

        Assert.Equal<(DiagnosticLevel * string) list>(
            [ DiagnosticLevel.Error, $"{marker}: e"; DiagnosticLevel.Info, $"{marker}: i" ],
            mine
        )
    }

let ``the export failure diagnostic names the pipeline (signal and exporter) and the destination`` () =
    task {
        let marker = "traces/m-" + Guid.NewGuid().ToString("N")
        let registration, lines = registered DiagnosticLevel.Info marker
        SelfDiagnostics.exportFailed marker "otlp-http-protobuf" "http://127.0.0.1:4318/v1/traces" "HTTP 400"
        SelfDiagnostics.exportRetry marker "otlp-http-protobuf" "http://127.0.0.1:4318/v1/traces" 2 750L "HTTP 503"
        SelfDiagnostics.itemsRejected marker 12L
        SelfDiagnostics.shutdownTimedOut marker 3L
        SelfDiagnostics.exporterException marker "custom" "" "System.InvalidOperationException" "boom"
        SelfDiagnostics.partialSuccess marker "otlp-grpc" "http://collector:4317/x" 2L "2 spans rejected"
        let! _ = registration.Close(seconds 10.)

        Assert.Equal<(DiagnosticLevel * string) list>(
            [
                DiagnosticLevel.Error, $"{marker}: export to http://127.0.0.1:4318/v1/traces failed: HTTP 400"
                DiagnosticLevel.Info,
                $"{marker}: retrying export to http://127.0.0.1:4318/v1/traces (attempt 2) in 750 ms: HTTP 503"
                DiagnosticLevel.Warning, $"{marker}: 12 items rejected (queue full or shut down)"
                DiagnosticLevel.Error, $"{marker}: shutdown timed out, 3 items not exported"
                DiagnosticLevel.Error, $"{marker}: exporter custom threw System.InvalidOperationException: boom"
                DiagnosticLevel.Warning,
                $"{marker}: exporter otlp-grpc to http://collector:4317/x: the peer rejected 2 items: 2 spans rejected"
            ],
            lines ()
        )
    }

let ``a URL in diagnostics keeps scheme, host, port and path only`` (url: string, shown: string) =
    Assert.Equal(shown, SelfDiagnostics.displayUrl (Uri url))

let ``reporting with no sink registered costs a check and never throws`` () =
    // Whatever other tests registered, reporting returns at once and never throws.
    SelfDiagnostics.error null null
    SelfDiagnostics.exportFailed null null null null
    SelfDiagnostics.configWarnings [ { Source = null; Message = null } ]
    Assert.Equal("", SelfDiagnostics.displayUrl null)
    Assert.Equal("", SelfDiagnostics.displayUrl (Uri("relative/path", UriKind.Relative)))

let ``a diagnostics registration closes once`` () =
    task {
        let mutable closes = 0

        let registration =
            DiagnosticsRegistration(fun _ ->
                Interlocked.Increment &closes |> ignore
                Task.FromResult true)

        let! first = registration.Close(seconds 1.)
        let! second = registration.Close(seconds -1.)
        Assert.True(first && second)
        Assert.Equal(1, closes)
    }

/// Console.SetError is process-wide: this test takes turns with the others that redirect standard error.
type StandardErrorSinkTests() =

    member _.``standard error is looked up at each write``() =
        task {
            let marker = "m-" + Guid.NewGuid().ToString("N")
            let registration = DiagnosticsSinks.start (Some DiagnosticLevel.Error) None
            let original = Console.Error
            use captured = new IO.StringWriter()
            Console.SetError(IO.TextWriter.Synchronized captured)

            try
                SelfDiagnostics.error marker "to standard error"
                let! _ = registration.Close(seconds 10.)
                ()
            finally
                Console.SetError original

            let line = captured.ToString().Split('\n') |> Array.find (fun l -> l.Contains marker)

            Assert.Matches(
                @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z Functional\.Telemetry error: m-[0-9a-f]{32}: to standard error",
                line
            )
        }

[<Tests>]
let tests =
    testList
        "DiagnosticsSinkTests"
        [
            test "the rate limit writes a key once per interval and says how many it held back" {
                ``the rate limit writes a key once per interval and says how many it held back`` ()
            }
            test "the summary of suppressed diagnostics keeps the most severe level among them" {
                ``the summary of suppressed diagnostics keeps the most severe level among them`` ()
            }
            test "the rate limit's table stays bounded however many keys come" {
                ``the rate limit's table stays bounded however many keys come`` ()
            }
            testTask "a writer hands lines over in order, with the count suppressed before each" {
                do! ``a writer hands lines over in order, with the count suppressed before each`` ()
            }
            testTask "completing a writer writes what is queued, then a summary of what the rate limit held back" {
                do! ``completing a writer writes what is queued, then a summary of what the rate limit held back`` ()
            }
            testTask "a sink that throws loses its line, never the writer" {
                do! ``a sink that throws loses its line, never the writer`` ()
            }
            testTask "a blocked sink never blocks the reporting thread: a full queue drops and says so" {
                do! ``a blocked sink never blocks the reporting thread: a full queue drops and says so`` ()
            }
            test "a standard error line has the time, the SDK, the level and the message" {
                ``a standard error line has the time, the SDK, the level and the message`` ()
            }
            testTask "every report reaches the registered sinks whose threshold admits it" {
                do! ``every report reaches the registered sinks whose threshold admits it`` ()
            }
            testTask "a writer registered twice gets each diagnostic once, under the more verbose threshold" {
                do! ``a writer registered twice gets each diagnostic once, under the more verbose threshold`` ()
            }
            testTask "the export failure diagnostic names the pipeline (signal and exporter) and the destination" {
                do! ``the export failure diagnostic names the pipeline (signal and exporter) and the destination`` ()
            }
            test
                "a URL in diagnostics keeps scheme, host, port and path only(url: \"http://user:secret@collector:4318/v1/traces?api_key=hidden#frag\", shown: \"http://collector:4318/v1/traces\")" {
                ``a URL in diagnostics keeps scheme, host, port and path only`` (
                    "http://user:secret@collector:4318/v1/traces?api_key=hidden#frag",
                    "http://collector:4318/v1/traces"
                )
            }
            test
                "a URL in diagnostics keeps scheme, host, port and path only(url: \"https://collector.example.com/otlp/v1/logs\", shown: \"https://collector.example.com/otlp/v1/logs\")" {
                ``a URL in diagnostics keeps scheme, host, port and path only`` (
                    "https://collector.example.com/otlp/v1/logs",
                    "https://collector.example.com/otlp/v1/logs"
                )
            }
            test
                "a URL in diagnostics keeps scheme, host, port and path only(url: \"http://[::1]:4317/\", shown: \"http://[::1]:4317/\")" {
                ``a URL in diagnostics keeps scheme, host, port and path only`` (
                    "http://[::1]:4317/",
                    "http://[::1]:4317/"
                )
            }
            test "reporting with no sink registered costs a check and never throws" {
                ``reporting with no sink registered costs a check and never throws`` ()
            }
            testTask "a diagnostics registration closes once" { do! ``a diagnostics registration closes once`` () }
            testSequenced (
                testList
                    "StandardErrorSinkTests"
                    [
                        testTask "standard error is looked up at each write" {
                            let instance = StandardErrorSinkTests()
                            do! instance.``standard error is looked up at each write`` ()
                        }
                    ]
            )
        ]
