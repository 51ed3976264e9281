namespace Functional.Telemetry

/// Counters of one pipeline. Invariant once shut down:
/// Accepted + Recovered = Exported + Failed + Dropped + Stored.
type RunnerStats =
    {
        /// Items the queue accepted.
        Accepted: int64
        /// Items refused because the queue was full or the pipeline was shut down (never reached the queue).
        Rejected: int64
        /// Items the backend accepted (sent at once, or later from the export store).
        Exported: int64
        /// Items whose export failed for good: a permanent failure (an HTTP 400, say), an exception, or (without an
        /// export store) a timeout or retries used up.
        Failed: int64
        /// Items lost for another reason: still queued when shutdown's deadline passed, held by a memory store at
        /// shutdown, refused by a full export store (`DroppedStoreFull`) or older than its age limit
        /// (`DroppedExpired`).
        Dropped: int64
        /// Export calls made (retries and sends from the export store included).
        ExportCalls: int64
        /// Items this process handed to the export store that it still holds: sent later, or, in a directory,
        /// by the next process that opens it.
        Stored: int64
        /// Items of requests an earlier process left in the export store's directory that this process sent or
        /// dropped (each also counted in Exported, Failed or Dropped).
        Recovered: int64
        /// Of Dropped: items refused because the export store was full (the newest are dropped).
        DroppedStoreFull: int64
        /// Of Dropped: items whose stored request passed the store's age limit.
        DroppedExpired: int64
        /// Stored files skipped (and deleted) because they were truncated, corrupt or not of this SDK's format.
        UnreadableFiles: int64
    }
