module Functional.Telemetry.Tests.SelfDiagnosticsTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics.Tracing
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// Collects events whose first payload value is `marker`.
type private MarkedListener(marker: string) =
    inherit EventListener()
    let events = ConcurrentQueue<EventWrittenEventArgs>()

    member _.Events = if isNull (box events) then [] else List.ofSeq events

    override _.OnEventSourceCreated source =
        if source.Name = "Functional-Telemetry" then
            base.EnableEvents(source, EventLevel.Verbose)

    override _.OnEventWritten args =
        if
            not (isNull (box events))
            && not (isNull args.Payload)
            && args.Payload.Count > 0
            && (string args.Payload.[0]) = marker
        then
            events.Enqueue args

let ``the event source is named Functional-Telemetry and builds its manifest`` () =
    let log = TelemetryEventSource.Log
    Assert.Equal("Functional-Telemetry", log.Name)
    Assert.Null log.ConstructionException
    let manifest = EventSource.GenerateManifest(typeof<TelemetryEventSource>, "Functional.Telemetry.dll")
    Assert.Contains("ItemsRejected", manifest)

let ``every event has its id, level and payload names`` () =
    let marker = "m-" + Guid.NewGuid().ToString("N")
    use listener = new MarkedListener(marker)
    let log = TelemetryEventSource.Log
    log.ConfigurationWarning(marker, "bad value")
    log.ItemsRejected(marker, 3L)
    log.ExportFailed(marker, "otlp", "500")
    log.ExporterException(marker, "otlp", "System.Exception", "boom")
    log.ExportRetry(marker, "otlp", 1, 250L, "503")
    log.ShutdownTimedOut(marker, 7L)
    log.PartialSuccess(marker, "otlp", 2L, "2 spans rejected")
    log.Warning(marker, "careful")
    log.Error(marker, "broken")
    log.Info(marker, "started")
    log.Debug(marker, "detail")

    let seen =
        (ReadOnlyList.toList listener.Events)
        |> List.map (fun e -> e.EventId, e.EventName, e.Level, List.ofSeq e.PayloadNames)

    let expected =
        [
            1, "ConfigurationWarning", EventLevel.Warning, [ "source"; "message" ]
            2, "ItemsRejected", EventLevel.Warning, [ "pipeline"; "count" ]
            3, "ExportFailed", EventLevel.Error, [ "pipeline"; "exporter"; "reason" ]
            4, "ExporterException", EventLevel.Error, [ "pipeline"; "exporter"; "exceptionType"; "message" ]
            5, "ExportRetry", EventLevel.Informational, [ "pipeline"; "exporter"; "attempt"; "delayMs"; "reason" ]
            6, "ShutdownTimedOut", EventLevel.Error, [ "pipeline"; "droppedCount" ]
            7, "PartialSuccess", EventLevel.Warning, [ "pipeline"; "exporter"; "rejectedCount"; "message" ]
            8, "Warning", EventLevel.Warning, [ "component"; "message" ]
            9, "Error", EventLevel.Error, [ "component"; "message" ]
            10, "Info", EventLevel.Informational, [ "component"; "message" ]
            11, "Debug", EventLevel.Verbose, [ "component"; "message" ]
        ]

    Assert.Equal<(int * string * EventLevel * string list) list>(expected, seen)
    let retry = (ReadOnlyList.toList listener.Events) |> List.find (fun e -> e.EventId = 5)
    Assert.Equal<obj list>([ box marker; box "otlp"; box 1; box 250L; box "503" ], List.ofSeq retry.Payload)

let ``the module reports config warnings, warnings, errors, infos and debug details`` () =
    let marker = "m-" + Guid.NewGuid().ToString("N")
    use listener = new MarkedListener(marker)
    SelfDiagnostics.configWarnings [ { Source = marker; Message = "one" }; { Source = marker; Message = "two" } ]
    SelfDiagnostics.warning marker "w"
    SelfDiagnostics.error marker "e"
    SelfDiagnostics.info marker "i"
    SelfDiagnostics.debug marker "d"

    let seen =
        (ReadOnlyList.toList listener.Events)
        |> List.map (fun e -> e.EventName, string e.Payload.[1])

    Assert.Equal<(string * string) list>(
        [
            "ConfigurationWarning", "one"
            "ConfigurationWarning", "two"
            "Warning", "w"
            "Error", "e"
            "Info", "i"
            "Debug", "d"
        ],
        seen
    )

let ``process-wide totals count rejected items`` () =
    task {
        let before = SelfDiagnostics.totals ()

        let exporter =
            { new IExporter<int> with
                member _.Name = "never"
                member _.Export(_, _) = Threading.Tasks.TaskCompletionSource<ExportResult>().Task
                member _.Shutdown _ = Threading.Tasks.Task.CompletedTask
            }

        let runner =
            Runner.start
                "totals"
                (ExportMode.Batched
                    { BatchOptions.defaults with
                        MaxQueueSize = 1
                        MaxExportBatchSize = 1
                        ScheduleDelay = TimeSpan.FromMinutes 10.
                    })
                RetryPolicy.defaults
                { Attributes = []; SchemaUrl = "" }
                exporter

        let _ = runner.Shutdown(TimeSpan.FromMilliseconds 1.)
        Assert.False(runner.Post 1)
        let after = SelfDiagnostics.totals ()
        Assert.True(after.Rejected >= before.Rejected + 1L)
    }

[<Tests>]
let tests =
    testList
        "SelfDiagnosticsTests"
        [
            test "the event source is named Functional-Telemetry and builds its manifest" {
                ``the event source is named Functional-Telemetry and builds its manifest`` ()
            }
            test "every event has its id, level and payload names" {
                ``every event has its id, level and payload names`` ()
            }
            test "the module reports config warnings, warnings, errors, infos and debug details" {
                ``the module reports config warnings, warnings, errors, infos and debug details`` ()
            }
            testTask "process-wide totals count rejected items" { do! ``process-wide totals count rejected items`` () }
        ]
