namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess>]
type ExportStore =
    | Off
    | Memory of maxBytes: int64
    | Disk of directory: string * maxBytes: int64 * maxAge: TimeSpan

[<RequireQualifiedAccess>]
module ExportStore =
    let private memoryBytes = 64L * 1024L * 1024L
    let private diskBytes = 256L * 1024L * 1024L
    let private diskAge = TimeSpan.FromHours 24.

    [<CompiledName("Default")>]
    let defaults = ExportStore.Memory memoryBytes

    [<CompiledName("InMemory")>]
    let memory (maxBytes: int64) = ExportStore.Memory maxBytes

    [<CompiledName("OnDisk")>]
    let disk (directory: string) = ExportStore.Disk(directory, diskBytes, diskAge)

    [<Literal>]
    let private retryVariable = "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"

    [<Literal>]
    let private directoryVariable = "OTEL_DOTNET_EXPERIMENTAL_OTLP_DISK_RETRY_DIRECTORY_PATH"

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        match lookup retryVariable |> Option.map (fun v -> v.Trim().ToLowerInvariant()) with
        | None -> None, []
        | Some "in_memory" -> Some defaults, []
        | Some "disk" ->
            match lookup directoryVariable with
            | Some directory -> Some(disk (directory.Trim())), []
            | None ->
                Some defaults,
                [
                    {
                        Source = retryVariable
                        Message =
                            $"disk needs {directoryVariable} (no shared temporary directory is used); keeping requests in memory"
                    }
                ]
        | Some _ ->
            None,
            [
                {
                    Source = retryVariable
                    Message = "unknown value; expected one of in_memory, disk; using the default"
                }
            ]

    [<CompiledName("Validate")>]
    let validate (store: ExportStore) =
        match store with
        | ExportStore.Off -> []
        | ExportStore.Memory maxBytes ->
            Validation.check (maxBytes > 0L) "MaxBytes" $"must be positive, got {maxBytes}."
        | ExportStore.Disk(directory, maxBytes, maxAge) ->
            [
                Validation.check (not (String.IsNullOrWhiteSpace directory)) "Directory" "must not be blank."
                Validation.check (maxBytes > 0L) "MaxBytes" $"must be positive, got {maxBytes}."
                Validation.check (maxAge > TimeSpan.Zero) "MaxAge" $"must be positive, got {maxAge}."
            ]
            |> List.concat
        |> Validation.ofErrors store
