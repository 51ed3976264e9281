namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Globalization

type ConfigWarning = { Source: string; Message: string }

type EnvLookup = string -> string option

[<RequireQualifiedAccess>]
module Env =
    let private nonBlank (value: string) = if String.IsNullOrWhiteSpace value then None else Some value

    [<CompiledName("System")>]
    let system: EnvLookup =
        fun name -> Environment.GetEnvironmentVariable name |> Option.ofObj |> Option.bind nonBlank

    [<CompiledName("OfList")>]
    let ofList (values: (string * string) list) : EnvLookup =
        let table = Map.ofList values
        fun name -> Map.tryFind name table |> Option.bind nonBlank

    let private warn name message = [ { Source = name; Message = message } ]

    let private parseInt (text: string) =
        match Int32.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
        | true, v -> Some v
        | _ -> None

    [<CompiledName("ReadInt")>]
    let readInt (lookup: EnvLookup) name (isValid: int -> bool) defaultValue =
        match lookup name with
        | None -> defaultValue, []
        | Some text ->
            match parseInt text with
            | Some v when isValid v -> v, []
            | _ -> defaultValue, warn name $"invalid value; using the default {defaultValue}"

    [<CompiledName("ReadMilliseconds")>]
    let readMilliseconds (lookup: EnvLookup) name (defaultValue: TimeSpan) =
        let millis, warnings = readInt lookup name (fun v -> v >= 0) (int defaultValue.TotalMilliseconds)

        TimeSpan.FromMilliseconds(float millis), warnings

    [<CompiledName("ReadChoice")>]
    let readChoice (lookup: EnvLookup) name (choices: (string * 'T) list) (defaultValue: 'T) =
        match lookup name with
        | None -> defaultValue, []
        | Some text ->
            let wanted = text.Trim()

            match
                choices
                |> List.tryFind (fun (key, _) -> String.Equals(key, wanted, StringComparison.OrdinalIgnoreCase))
            with
            | Some(_, value) -> value, []
            | None ->
                let allowed = choices |> List.map fst |> String.concat ", "
                defaultValue, warn name $"unknown value; expected one of {allowed}; using the default"

type BatchOptions =
    {
        ScheduleDelay: TimeSpan
        ExportTimeout: TimeSpan
        MaxQueueSize: int
        MaxExportBatchSize: int
    }

[<RequireQualifiedAccess>]
module BatchOptions =
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

        let queue, w3 = Env.readInt lookup (prefix + "_MAX_QUEUE_SIZE") positive baseline.MaxQueueSize
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
        if options.ScheduleDelay < TimeSpan.Zero then
            invalidArg (nameof options.ScheduleDelay) "ScheduleDelay must not be negative."

        if options.ExportTimeout <= TimeSpan.Zero then
            invalidArg (nameof options.ExportTimeout) "ExportTimeout must be positive."

        if options.MaxQueueSize <= 0 then
            invalidArg (nameof options.MaxQueueSize) "MaxQueueSize must be positive."

        if
            options.MaxExportBatchSize <= 0
            || options.MaxExportBatchSize > options.MaxQueueSize
        then
            invalidArg
                (nameof options.MaxExportBatchSize)
                "MaxExportBatchSize must be positive and at most MaxQueueSize."

        options
