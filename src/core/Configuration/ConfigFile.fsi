namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// OpenTelemetry declarative configuration files (`file_format` 1.0 and 1.1, YAML) read into the same
/// `TelemetryConfig` that code builds: `ConfigFile.load "otel.yaml"`, then the `Telemetry` functions on top (or
/// `Telemetry.withConfigFile` to apply a file over a configuration made in code). The configuration's environment
/// lookup is empty: the `OTEL_*` variables are read only inside the file's `${VAR}` substitutions.
[<RequireQualifiedAccess>]
module ConfigFile =
    /// Reads a file, substituting `${VAR}` from the process environment: the configuration and the warnings
    /// (unknown keys, unsupported nodes, each with its path and line), or every error found.
    [<CompiledName("Load")>]
    val load: path: string -> Result<TelemetryConfig * ConfigWarning list, ConfigFileError list>

    /// Reads a file, substituting `${VAR}` from this lookup.
    [<CompiledName("LoadWith")>]
    val loadWith:
        lookup: EnvLookup -> path: string -> Result<TelemetryConfig * ConfigWarning list, ConfigFileError list>

    /// Reads YAML text, substituting `${VAR}` from this lookup. Pure but for the resource detectors the text
    /// enables (`resource.detection/development`), which read the machine.
    [<CompiledName("Parse")>]
    val parse: lookup: EnvLookup -> yaml: string -> Result<TelemetryConfig * ConfigWarning list, ConfigFileError list>
