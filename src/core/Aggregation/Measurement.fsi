namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Measurement checks shared by every front end: what the SDK drops (and counts) instead of recording.
[<RequireQualifiedAccess>]
module Measurement =
    /// Why a measurement was dropped.
    [<RequireQualifiedAccess>]
    type Rejection =
        /// NaN or an infinity.
        | NotFinite
        /// A negative value of a monotonic instrument: a Counter increment or an ObservableCounter total.
        /// Histograms accept negative values (as OpenTelemetry .NET does).
        | NegativeIncrement

    /// Ok for a value the instrument kind accepts; Error with the reason otherwise.
    val validate: kind: InstrumentKind -> value: NumberValue -> Result<NumberValue, Rejection>
