namespace Functional.Telemetry

/// Counters of one pipeline. Invariant once shut down: Accepted = Exported + Failed + Dropped.
type RunnerStats =
    {
        /// Items the queue accepted.
        Accepted: int64
        /// Items refused because the queue was full or the pipeline was shut down (never reached the queue).
        Rejected: int64
        /// Items the exporter accepted.
        Exported: int64
        /// Items whose export failed (failure, exception, timeout, retries exhausted).
        Failed: int64
        /// Items still queued when shutdown's deadline passed.
        Dropped: int64
        /// Export calls made (retries included).
        ExportCalls: int64
    }
