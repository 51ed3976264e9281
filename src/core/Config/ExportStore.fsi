namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// Where the OTLP exporters keep the encoded requests a backend could not take (unreachable, or answering
/// retryably), until it answers again: they are then sent in order, oldest first. See docs/reliability.md.
[<RequireQualifiedAccess>]
type ExportStore =
    /// No store: a request is retried under the retry policy within its export deadline, then counted as failed.
    | Off
    /// In memory, at most `maxBytes` of request bodies across every pipeline of the SDK (default 64 MiB). What it
    /// holds when the SDK shuts down with the backend still unreachable is dropped and counted.
    | Memory of maxBytes: int64
    /// In files under `directory` (one subdirectory per signal, `traces`, `metrics`, `logs`, and in it one per
    /// destination: an exporter only ever sends the files made for its endpoint and protocol), at most `maxBytes`
    /// per exporter (default 256 MiB) and none older than `maxAge` (default 24 h). What it holds survives the
    /// process: the next process started with the same directory and endpoint sends it.
    | Disk of directory: string * maxBytes: int64 * maxAge: TimeSpan

/// Export store settings: defaults, environment variables and validation.
[<RequireQualifiedAccess>]
module ExportStore =
    /// In memory, 64 MiB across signals.
    [<CompiledName("Default")>]
    val defaults: ExportStore

    /// In memory, at most `maxBytes` across signals.
    [<CompiledName("InMemory")>]
    val memory: maxBytes: int64 -> ExportStore

    /// In files under `directory`, 256 MiB per exporter, 24 h at most. The SDK creates the directory (and its
    /// subdirectories) readable and writable by the owner only; it refuses, with a warning, the shared temporary
    /// directory itself and (on Unix) a directory that everyone may write to, that is a symbolic link or that
    /// another account owns, and keeps the requests in memory instead. See docs/reliability.md.
    [<CompiledName("OnDisk")>]
    val disk: directory: string -> ExportStore

    /// Reads the OpenTelemetry .NET SDK's variables: `OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY` = `in_memory` (memory,
    /// 64 MiB) or `disk`, with `OTEL_DOTNET_EXPERIMENTAL_OTLP_DISK_RETRY_DIRECTORY_PATH` the directory (required:
    /// `disk` without it keeps memory and warns, as the official SDK no longer falls back to the temporary
    /// directory). None when the variable is unset. Pure given the lookup; never throws.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> ExportStore option * ConfigWarning list

    /// Checks a store given in code: `maxBytes` positive, `maxAge` positive, the directory not blank. Error with
    /// one message per problem (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: store: ExportStore -> Result<ExportStore, string list>
