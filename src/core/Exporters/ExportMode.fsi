namespace Functional.Telemetry.FSharp

/// How a pipeline hands items to its exporter.
[<RequireQualifiedAccess>]
type ExportMode =
    /// Export each item as soon as it is queued (one item per call, in order), off the caller's thread.
    | Simple
    /// Collect items into batches by size or delay.
    | Batched of BatchOptions
