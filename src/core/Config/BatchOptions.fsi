namespace Functional.Telemetry.FSharp

open System

/// Batching settings of one export pipeline (spec: Batch Span/LogRecord Processor).
type BatchOptions =
    {
        /// Longest wait before a partial batch is exported. Default 5 s (`OTEL_BSP_SCHEDULE_DELAY`).
        ScheduleDelay: TimeSpan
        /// Deadline of one export call, retries included. Default 30 s (`OTEL_BSP_EXPORT_TIMEOUT`).
        ExportTimeout: TimeSpan
        /// Items waiting for export before new ones are dropped and counted. The batch being exported (up to
        /// MaxExportBatchSize items) has left the queue, so a blocked pipeline holds MaxQueueSize +
        /// MaxExportBatchSize items, as the specification's batch processor does. At most 16,777,216 (2^24: the
        /// queue's slots are allocated when the pipeline starts, as the official SDK's are). Default 2048
        /// (`OTEL_BSP_MAX_QUEUE_SIZE`).
        MaxQueueSize: int
        /// Most items given to one export call; at most MaxQueueSize. Default 512 (`OTEL_BSP_MAX_EXPORT_BATCH_SIZE`).
        MaxExportBatchSize: int
    }

/// Batch settings: defaults and environment variables.
[<RequireQualifiedAccess>]
module BatchOptions =
    /// 5000 ms delay, 30000 ms timeout, queue 2048, batch 512.
    [<CompiledName("Default")>]
    val defaults: BatchOptions

    /// Reads `<prefix>_SCHEDULE_DELAY`, `_EXPORT_TIMEOUT`, `_MAX_QUEUE_SIZE`, `_MAX_EXPORT_BATCH_SIZE`
    /// (prefix `OTEL_BSP` for spans, `OTEL_BLRP` for logs) over `baseline`. Invalid values keep the baseline
    /// with a warning; a batch size above the queue size is lowered to the queue size with a warning.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment:
        prefix: string -> baseline: BatchOptions -> lookup: EnvLookup -> BatchOptions * ConfigWarning list

    /// The largest MaxQueueSize (2^24).
    val internal maxQueueSize: int

    /// Checks options given in code: ScheduleDelay not negative, ExportTimeout positive, MaxQueueSize positive
    /// and at most 2^24, MaxExportBatchSize positive and at most MaxQueueSize. Error with one message per bad setting (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: options: BatchOptions -> Result<BatchOptions, string list>
