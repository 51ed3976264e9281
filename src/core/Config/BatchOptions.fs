namespace Functional.Telemetry.FSharp

open System

type BatchOptions =
    {
        ScheduleDelay: TimeSpan
        ExportTimeout: TimeSpan
        MaxQueueSize: int
        MaxExportBatchSize: int
    }

[<RequireQualifiedAccess>]
module BatchOptions =
    /// The largest MaxQueueSize: the runner's ring allocates its slots (16 bytes each) when it starts.
    let internal maxQueueSize = 1 <<< 24

    [<CompiledName("Default")>]
    let defaults =
        {
            ScheduleDelay = TimeSpan.FromMilliseconds 5000.
            ExportTimeout = TimeSpan.FromMilliseconds 30000.
            MaxQueueSize = 2048
            MaxExportBatchSize = 512
        }

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (prefix: string) (baseline: BatchOptions) (lookup: EnvLookup) =
        let positive v = v > 0
        let delay, w1 = Env.readMilliseconds lookup (prefix + "_SCHEDULE_DELAY") baseline.ScheduleDelay
        let timeoutName = prefix + "_EXPORT_TIMEOUT"
        let timeout, w2 = Env.readMilliseconds lookup timeoutName baseline.ExportTimeout

        // A zero timeout would fail every export: keep the baseline.
        let timeout, w2 =
            if timeout <= TimeSpan.Zero then
                baseline.ExportTimeout,
                w2
                @ [
                    {
                        Source = timeoutName
                        Message = "must be positive; using the default"
                    }
                ]
            else
                timeout, w2

        let queue, w3 =
            Env.readInt lookup (prefix + "_MAX_QUEUE_SIZE") (fun v -> v > 0 && v <= maxQueueSize) baseline.MaxQueueSize

        let batchName = prefix + "_MAX_EXPORT_BATCH_SIZE"
        let batch, w4 = Env.readInt lookup batchName positive baseline.MaxExportBatchSize

        // The spec requires batch <= queue; a larger batch could never fill.
        let batch, w5 =
            if batch > queue then
                queue,
                [
                    {
                        Source = batchName
                        Message = $"larger than the queue size {queue}; using {queue}"
                    }
                ]
            else
                batch, []

        {
            ScheduleDelay = delay
            ExportTimeout = timeout
            MaxQueueSize = queue
            MaxExportBatchSize = batch
        },
        w1 @ w2 @ w3 @ w4 @ w5

    [<CompiledName("Validate")>]
    let validate (options: BatchOptions) =
        [
            Validation.check
                (options.ScheduleDelay >= TimeSpan.Zero)
                (nameof options.ScheduleDelay)
                $"must not be negative, got {options.ScheduleDelay}."
            Validation.check
                (options.ExportTimeout > TimeSpan.Zero)
                (nameof options.ExportTimeout)
                $"must be positive, got {options.ExportTimeout}."
            Validation.check
                (options.MaxQueueSize > 0 && options.MaxQueueSize <= maxQueueSize)
                (nameof options.MaxQueueSize)
                $"must be positive and at most {maxQueueSize}, got {options.MaxQueueSize}."
            Validation.check
                (options.MaxExportBatchSize > 0
                 && options.MaxExportBatchSize <= options.MaxQueueSize)
                (nameof options.MaxExportBatchSize)
                $"must be positive and at most MaxQueueSize ({options.MaxQueueSize}), got {options.MaxExportBatchSize}."
        ]
        |> List.concat
        |> Validation.ofErrors options
