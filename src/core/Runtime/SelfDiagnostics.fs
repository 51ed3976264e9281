namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Diagnostics.Tracing
open System.Threading

/// The SDK's own diagnostics: an `EventSource` named `Functional-Telemetry` (listen with `dotnet-trace`,
/// PerfView or an in-process `EventListener`).
///
/// Privacy rule: events NEVER carry telemetry content (no span or metric names, no attribute keys or values,
/// no log bodies) and never carry header values or other secrets. They name the pipeline, the exporter and
/// the configuration source, and carry counts, delays and short reasons written by the SDK or the exporter
/// (exporters must not put content or secrets into their failure reasons or exception messages).
[<Sealed>]
[<EventSource(Name = EtwLayout.SelfDiagnosticsProviderName)>]
type TelemetryEventSource private () =
    inherit EventSource()

    /// The one instance of the event source.
    static member val Log = new TelemetryEventSource()

    /// A configuration value was invalid and a default was used instead (id 1, Warning).
    [<Event(1, Level = EventLevel.Warning, Message = "Configuration warning from {0}: {1}")>]
    member this.ConfigurationWarning(source: string, message: string) =
        if this.IsEnabled() then
            this.WriteEvent(1, source, message)

    /// Items were refused: the queue was full or the pipeline was shut down (id 2, Warning).
    /// `count` is the number refused since the previous report.
    [<Event(2, Level = EventLevel.Warning, Message = "Pipeline {0} rejected {1} items (queue full or shut down)")>]
    member this.ItemsRejected(pipeline: string, count: int64) =
        if this.IsEnabled() then
            this.WriteEvent(2, pipeline, count)

    /// An export failed and its batch was counted as failed (id 3, Error).
    [<Event(3, Level = EventLevel.Error, Message = "Pipeline {0}: export to {1} failed: {2}")>]
    member this.ExportFailed(pipeline: string, exporter: string, reason: string) =
        if this.IsEnabled() then
            this.WriteEvent(3, pipeline, exporter, reason)

    /// An exporter threw instead of returning a result (id 4, Error).
    [<Event(4, Level = EventLevel.Error, Message = "Pipeline {0}: exporter {1} threw {2}: {3}")>]
    member this.ExporterException(pipeline: string, exporter: string, exceptionType: string, message: string) =
        if this.IsEnabled() then
            this.WriteEvent(4, pipeline, exporter, exceptionType, message)

    /// A transient export failure will be retried after `delayMs` (id 5, Informational).
    [<Event(5,
            Level = EventLevel.Informational,
            Message = "Pipeline {0}: retrying export to {1} (attempt {2}) in {3} ms: {4}")>]
    member this.ExportRetry(pipeline: string, exporter: string, attempt: int, delayMs: int64, reason: string) =
        if this.IsEnabled() then
            this.WriteEvent(5, pipeline, exporter, attempt, delayMs, reason)

    /// Shutdown's deadline passed; `droppedCount` items were not exported (id 6, Error).
    [<Event(6, Level = EventLevel.Error, Message = "Pipeline {0}: shutdown timed out, {1} items not exported")>]
    member this.ShutdownTimedOut(pipeline: string, droppedCount: int64) =
        if this.IsEnabled() then
            this.WriteEvent(6, pipeline, droppedCount)

    /// The peer accepted a batch but rejected `rejectedCount` of its items (id 7, Warning).
    [<Event(7, Level = EventLevel.Warning, Message = "Pipeline {0}: exporter {1} partial success, {2} rejected: {3}")>]
    member this.PartialSuccess(pipeline: string, exporter: string, rejectedCount: int64, message: string) =
        if this.IsEnabled() then
            this.WriteEvent(7, pipeline, exporter, rejectedCount, message)

    /// A warning from any SDK component (id 8, Warning).
    [<Event(8, Level = EventLevel.Warning, Message = "{0}: {1}")>]
    member this.Warning(``component``: string, message: string) =
        if this.IsEnabled() then
            this.WriteEvent(8, ``component``, message)

    /// An error from any SDK component (id 9, Error).
    [<Event(9, Level = EventLevel.Error, Message = "{0}: {1}")>]
    member this.Error(``component``: string, message: string) =
        if this.IsEnabled() then
            this.WriteEvent(9, ``component``, message)

/// Process-wide totals of items lost by all pipelines (usable as a metric).
type SelfDiagnosticsTotals =
    {
        /// Items refused by a full or shut-down queue.
        Rejected: int64
        /// Items still queued when a shutdown deadline passed.
        Dropped: int64
        /// Items whose export failed.
        Failed: int64
    }

/// Holds the process-wide counters (rejected, dropped, failed); updated with Interlocked.
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

/// Reporting through the self-diagnostics event source. Never throws.
[<RequireQualifiedAccess>]
module SelfDiagnostics =
    /// Reports each configuration warning as a ConfigurationWarning event.
    [<CompiledName("ConfigWarnings")>]
    let configWarnings (warnings: ConfigWarning list) =
        for w in warnings do
            try
                TelemetryEventSource.Log.ConfigurationWarning(w.Source, w.Message)
            with _ ->
                ()

    /// Reports a warning from `component` (no telemetry content, no secrets in `message`).
    [<CompiledName("Warning")>]
    let warning (``component``: string) (message: string) =
        try
            TelemetryEventSource.Log.Warning(``component``, message)
        with _ ->
            ()

    /// Reports an error from `component` (no telemetry content, no secrets in `message`).
    [<CompiledName("Error")>]
    let error (``component``: string) (message: string) =
        try
            TelemetryEventSource.Log.Error(``component``, message)
        with _ ->
            ()

    /// The process-wide totals of rejected, dropped and failed items over every pipeline.
    [<CompiledName("Totals")>]
    let totals () = SelfDiagnosticsCounters.snapshot ()
