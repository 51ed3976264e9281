namespace Functional.Telemetry.FSharp

/// Instrument name rules (spec: `[A-Za-z][A-Za-z0-9_.\-/]{0,254}`).
[<RequireQualifiedAccess>]
module InstrumentName =
    /// True for a valid instrument name.
    val isValid: name: string -> bool
