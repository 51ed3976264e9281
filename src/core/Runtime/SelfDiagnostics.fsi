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
/// in-process `EventListener`), the diagnostics sinks of the running SDKs (standard error, filtered by
/// `OTEL_LOG_LEVEL`, unless a sink is given in code), and the process-wide totals of lost items. Every report goes
/// to both; reporting never throws and never waits for a sink.
[<RequireQualifiedAccess>]
module SelfDiagnostics =
    /// Reports each configuration warning as a ConfigurationWarning event (a warning for the sinks).
    val internal configWarnings: warnings: ConfigWarning list -> unit

    /// Reports a warning from `component` (no telemetry content, no secrets in `message`).
    val internal warning: ``component``: string -> message: string -> unit

    /// Reports an error from `component` (no telemetry content, no secrets in `message`).
    val internal error: ``component``: string -> message: string -> unit

    /// Reports what `component` does in normal operation (no telemetry content, no secrets in `message`).
    val internal info: ``component``: string -> message: string -> unit

    /// Reports a detail for troubleshooting from `component` (no telemetry content, no secrets in `message`).
    val internal debug: ``component``: string -> message: string -> unit

    /// An export to `destination` (a URL from `displayUrl`, or empty) failed and its batch was counted as failed.
    val internal exportFailed: pipeline: string -> exporter: string -> destination: string -> reason: string -> unit

    /// A transient export failure will be retried after `delayMs`.
    val internal exportRetry:
        pipeline: string ->
        exporter: string ->
        destination: string ->
        attempt: int ->
        delayMs: int64 ->
        reason: string ->
            unit

    /// An exporter threw instead of returning a result.
    val internal exporterException:
        pipeline: string -> exporter: string -> destination: string -> exceptionType: string -> message: string -> unit

    /// `count` items were refused since the previous report (queue full or shut down).
    val internal itemsRejected: pipeline: string -> count: int64 -> unit

    /// Shutdown's deadline passed with `count` items not exported.
    val internal shutdownTimedOut: pipeline: string -> count: int64 -> unit

    /// The peer at `destination` accepted a batch but rejected `rejected` of its items.
    val internal partialSuccess:
        pipeline: string -> exporter: string -> destination: string -> rejected: int64 -> message: string -> unit

    /// What diagnostics show of a URL: scheme, host, port and path; never user info, query or fragment (they may
    /// hold secrets).
    val internal displayUrl: url: System.Uri -> string

    /// The process-wide totals of rejected, dropped and failed items over every pipeline.
    [<CompiledName("Totals")>]
    val totals: unit -> SelfDiagnosticsTotals
