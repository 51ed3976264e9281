namespace Functional.Telemetry

open Functional.Telemetry.FSharp

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
    /// Adds items refused by a queue.
    val addRejected: count: int64 -> unit

    /// Adds items dropped at a shutdown deadline.
    val addDropped: count: int64 -> unit

    /// Adds items whose export failed.
    val addFailed: count: int64 -> unit

    /// The totals now.
    val snapshot: unit -> SelfDiagnosticsTotals

/// The SDK's own diagnostics: the `Functional-Telemetry` EventSource (listen with `dotnet-trace`, PerfView or an
/// in-process `EventListener`) and the process-wide totals of lost items. Reporting never throws.
[<RequireQualifiedAccess>]
module SelfDiagnostics =
    /// Reports each configuration warning as a ConfigurationWarning event.
    val internal configWarnings: warnings: ConfigWarning list -> unit

    /// Reports a warning from `component` (no telemetry content, no secrets in `message`).
    val internal warning: ``component``: string -> message: string -> unit

    /// Reports an error from `component` (no telemetry content, no secrets in `message`).
    val internal error: ``component``: string -> message: string -> unit

    /// The process-wide totals of rejected, dropped and failed items over every pipeline.
    [<CompiledName("Totals")>]
    val totals: unit -> SelfDiagnosticsTotals
