namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// A problem found while reading configuration. Configuration never throws: a bad value is
/// replaced by its default and reported as a warning (through the self-diagnostics EventSource).
type ConfigWarning =
    {
        /// Where the value came from, for example the environment variable `OTEL_BSP_MAX_QUEUE_SIZE`.
        Source: string
        /// What was wrong and what was used instead. Never contains the value of a secret setting.
        Message: string
    }

/// Looks up a configuration value (an environment variable) by name; None when unset or blank.
type EnvLookup = string -> string option

/// Environment lookups and typed readers of settings. Reading is pure given the lookup.
[<RequireQualifiedAccess>]
module Env =
    /// Reads the process environment at the time of each call; blank values count as unset.
    [<CompiledName("System")>]
    val system: EnvLookup

    /// A lookup over fixed name/value pairs (for tests and for configuration in code).
    [<CompiledName("OfList")>]
    val ofList: values: (string * string) list -> EnvLookup

    /// Reads an integer that must satisfy `isValid`; unset gives `defaultValue`, invalid gives `defaultValue` and a warning.
    [<CompiledName("ReadInt")>]
    val readInt:
        lookup: EnvLookup -> name: string -> isValid: (int -> bool) -> defaultValue: int -> int * ConfigWarning list

    /// Reads a duration in whole milliseconds (non-negative); unset or invalid gives `defaultValue` (invalid with a warning).
    [<CompiledName("ReadMilliseconds")>]
    val readMilliseconds: lookup: EnvLookup -> name: string -> defaultValue: TimeSpan -> TimeSpan * ConfigWarning list

    /// Reads a value that must be one of `choices` (compared case-insensitively after trimming).
    [<CompiledName("ReadChoice")>]
    val readChoice:
        lookup: EnvLookup -> name: string -> choices: (string * 'T) list -> defaultValue: 'T -> 'T * ConfigWarning list

/// Batching settings of one export pipeline (spec: Batch Span/LogRecord Processor).
type BatchOptions =
    {
        /// Longest wait before a partial batch is exported. Default 5 s (`OTEL_BSP_SCHEDULE_DELAY`).
        ScheduleDelay: TimeSpan
        /// Deadline of one export call, retries included. Default 30 s (`OTEL_BSP_EXPORT_TIMEOUT`).
        ExportTimeout: TimeSpan
        /// Items the queue holds before new ones are dropped and counted. Default 2048 (`OTEL_BSP_MAX_QUEUE_SIZE`).
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

    /// Checks options given in code: a clear ArgumentException naming the bad field.
    [<CompiledName("Validate")>]
    val validate: options: BatchOptions -> BatchOptions
