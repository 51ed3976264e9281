namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading

type SelfDiagnosticsTotals = { Rejected: int64; Dropped: int64; Failed: int64 }

module internal SelfDiagnosticsCounters =
    let private cells: int64 array = Array.zeroCreate 3

    let addRejected (count: int64) = Interlocked.Add(&cells.[0], count) |> ignore

    let addDropped (count: int64) = Interlocked.Add(&cells.[1], count) |> ignore

    let addFailed (count: int64) = Interlocked.Add(&cells.[2], count) |> ignore

    let snapshot () =
        {
            Rejected = Interlocked.Read &cells.[0]
            Dropped = Interlocked.Read &cells.[1]
            Failed = Interlocked.Read &cells.[2]
        }

[<RequireQualifiedAccess>]
module SelfDiagnostics =
    let private log = TelemetryEventSource.Log

    // One report: the event (never throwing), then the sinks, given the kind of message (the rate limit's key)
    // and its text, both made only when a sink is registered.
    let private report (event: unit -> unit) level (key: unit -> string) (message: unit -> string) =
        try
            event ()
        with _ ->
            ()

        if DiagnosticsSinks.any () then
            try
                DiagnosticsSinks.publish level (key ()) (message ())
            with _ ->
                ()

    let private at (destination: string) =
        if String.IsNullOrEmpty destination then
            ""
        else
            $" to {destination}"

    let configWarnings (warnings: ConfigWarning list) =
        for w in warnings do
            let text () = $"configuration: {w.Source}: {w.Message}"
            report (fun () -> log.ConfigurationWarning(w.Source, w.Message)) DiagnosticLevel.Warning text text

    let private generic event level (``component``: string) (message: string) =
        let text () = $"{``component``}: {message}"
        report (fun () -> event (``component``, message)) level text text

    let warning ``component`` message = generic log.Warning DiagnosticLevel.Warning ``component`` message

    let error ``component`` message = generic log.Error DiagnosticLevel.Error ``component`` message

    let info ``component`` message = generic log.Info DiagnosticLevel.Info ``component`` message

    let debug ``component`` message = generic log.Debug DiagnosticLevel.Debug ``component`` message

    let exportFailed (pipeline: string) (exporter: string) (destination: string) (reason: string) =
        report
            (fun () -> log.ExportFailed(pipeline, exporter, reason))
            DiagnosticLevel.Error
            (fun () -> $"{pipeline}: export{at destination} failed")
            (fun () -> $"{pipeline}: export{at destination} failed: {reason}")

    let exportRetry pipeline exporter destination (attempt: int) (delayMs: int64) reason =
        report
            (fun () -> log.ExportRetry(pipeline, exporter, attempt, delayMs, reason))
            DiagnosticLevel.Info
            (fun () -> $"{pipeline}: export{at destination} retried")
            (fun () -> $"{pipeline}: retrying export{at destination} (attempt {attempt}) in {delayMs} ms: {reason}")

    let exporterException pipeline exporter destination (exceptionType: string) (message: string) =
        report
            (fun () -> log.ExporterException(pipeline, exporter, exceptionType, message))
            DiagnosticLevel.Error
            (fun () -> $"{pipeline}: exporter {exporter} threw {exceptionType}")
            (fun () -> $"{pipeline}: exporter {exporter}{at destination} threw {exceptionType}: {message}")

    let itemsRejected (pipeline: string) (count: int64) =
        report
            (fun () -> log.ItemsRejected(pipeline, count))
            DiagnosticLevel.Warning
            (fun () -> $"{pipeline}: items rejected")
            (fun () -> $"{pipeline}: {count} items rejected (queue full or shut down)")

    let shutdownTimedOut (pipeline: string) (count: int64) =
        report
            (fun () -> log.ShutdownTimedOut(pipeline, count))
            DiagnosticLevel.Error
            (fun () -> $"{pipeline}: shutdown timed out")
            (fun () -> $"{pipeline}: shutdown timed out, {count} items not exported")

    let partialSuccess pipeline exporter destination (rejected: int64) (message: string) =
        report
            (fun () -> log.PartialSuccess(pipeline, exporter, rejected, message))
            DiagnosticLevel.Warning
            (fun () -> $"{pipeline}: partial success from {exporter}{at destination}")
            (fun () ->
                $"{pipeline}: exporter {exporter}{at destination}: the peer rejected {rejected} items: {message}")

    let displayUrl (url: Uri) =
        if isNull url then
            ""
        elif url.IsAbsoluteUri then
            url.GetComponents(UriComponents.SchemeAndServer ||| UriComponents.Path, UriFormat.UriEscaped)
        else
            ""

    [<CompiledName("Totals")>]
    let totals () = SelfDiagnosticsCounters.snapshot ()
