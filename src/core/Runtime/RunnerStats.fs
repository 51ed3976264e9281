namespace Functional.Telemetry

type RunnerStats =
    {
        Accepted: int64
        Rejected: int64
        Exported: int64
        Failed: int64
        Dropped: int64
        ExportCalls: int64
        Stored: int64
        Recovered: int64
        DroppedStoreFull: int64
        DroppedExpired: int64
        UnreadableFiles: int64
    }
