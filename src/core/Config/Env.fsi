namespace Functional.Telemetry.FSharp

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

/// Environment lookups (the typed readers of settings are internal). Reading is pure given the lookup.
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
    val internal readInt:
        lookup: EnvLookup -> name: string -> isValid: (int -> bool) -> defaultValue: int -> int * ConfigWarning list

    /// Reads a duration in whole milliseconds (non-negative); unset or invalid gives `defaultValue` (invalid with a warning).
    [<CompiledName("ReadMilliseconds")>]
    val internal readMilliseconds:
        lookup: EnvLookup -> name: string -> defaultValue: TimeSpan -> TimeSpan * ConfigWarning list

    /// Reads a value that must be one of `choices` (compared case-insensitively after trimming).
    [<CompiledName("ReadChoice")>]
    val internal readChoice:
        lookup: EnvLookup -> name: string -> choices: (string * 'T) list -> defaultValue: 'T -> 'T * ConfigWarning list
