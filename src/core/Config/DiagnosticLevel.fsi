namespace Functional.Telemetry

/// How severe one of the SDK's own diagnostics is (export failures, drops, configuration warnings): what
/// `OTEL_LOG_LEVEL` filters and what a diagnostics sink given in code receives with each message. A lower value
/// is more severe.
type DiagnosticLevel =
    /// Telemetry was lost: an export failed, items were dropped at a shutdown deadline, a component threw.
    | Error = 1
    /// Something is wrong but nothing is lost yet, or what is lost is counted: a configuration value was ignored,
    /// a full queue rejected items, a peer rejected part of a batch.
    | Warning = 2
    /// What the SDK does in normal operation: an export retried, the exporters a signal started with.
    | Info = 3
    /// Details for troubleshooting.
    | Debug = 4

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// `OTEL_LOG_LEVEL`, the specification's level of the SDK's internal logger: which diagnostics reach the
/// diagnostics sink (standard error unless one is given in code).
[<RequireQualifiedAccess>]
module internal DiagnosticLevels =
    /// The variable's name, `OTEL_LOG_LEVEL`.
    val variable: string

    /// The default threshold: warnings and errors.
    val defaultThreshold: DiagnosticLevel

    /// The threshold `OTEL_LOG_LEVEL` sets (`none`, `error`, `warn` or `warning`, `info`, `debug`; trimmed, any
    /// case): None for `none`, the default (`warn`) when unset, and the default with a warning for any other value.
    val fromEnvironment: lookup: EnvLookup -> DiagnosticLevel option * ConfigWarning list

    /// Whether a diagnostic of `level` passes `threshold` (None passes nothing).
    val admits: threshold: DiagnosticLevel option -> level: DiagnosticLevel -> bool

    /// The level's name as `OTEL_LOG_LEVEL` spells it: `error`, `warn`, `info`, `debug`.
    val name: level: DiagnosticLevel -> string
