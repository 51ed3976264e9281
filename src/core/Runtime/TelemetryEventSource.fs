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
type internal TelemetryEventSource private () =
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

    /// What the SDK does in normal operation, from any SDK component (id 10, Informational).
    [<Event(10, Level = EventLevel.Informational, Message = "{0}: {1}")>]
    member this.Info(``component``: string, message: string) =
        if this.IsEnabled() then
            this.WriteEvent(10, ``component``, message)

    /// Details for troubleshooting, from any SDK component (id 11, Verbose).
    [<Event(11, Level = EventLevel.Verbose, Message = "{0}: {1}")>]
    member this.Debug(``component``: string, message: string) =
        if this.IsEnabled() then
            this.WriteEvent(11, ``component``, message)
