namespace Functional.Telemetry

type DiagnosticLevel =
    | Error = 1
    | Warning = 2
    | Info = 3
    | Debug = 4

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

[<RequireQualifiedAccess>]
module internal DiagnosticLevels =
    let variable = "OTEL_LOG_LEVEL"

    let defaultThreshold = DiagnosticLevel.Warning

    let fromEnvironment (lookup: EnvLookup) =
        Env.readChoice
            lookup
            variable
            [
                "none", None
                "error", Some DiagnosticLevel.Error
                "warn", Some DiagnosticLevel.Warning
                "warning", Some DiagnosticLevel.Warning
                "info", Some DiagnosticLevel.Info
                "debug", Some DiagnosticLevel.Debug
            ]
            (Some defaultThreshold)

    let admits (threshold: DiagnosticLevel option) (level: DiagnosticLevel) =
        match threshold with
        | Some threshold -> int level <= int threshold
        | None -> false

    let name (level: DiagnosticLevel) =
        match level with
        | DiagnosticLevel.Error -> "error"
        | DiagnosticLevel.Warning -> "warn"
        | DiagnosticLevel.Info -> "info"
        | DiagnosticLevel.Debug -> "debug"
        | other -> string (int other)
