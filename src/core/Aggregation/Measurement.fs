namespace Functional.Telemetry.FSharp

open System
open Functional.Telemetry

[<RequireQualifiedAccess>]
module Measurement =
    [<RequireQualifiedAccess>]
    type Rejection =
        | NotFinite
        | NegativeIncrement

    let validate kind value =
        let isNegative =
            match value with
            | NumberValue.Long v -> v < 0L
            | NumberValue.Double v -> v < 0.0

        match value with
        | NumberValue.Double v when not (Double.IsFinite v) -> Error Rejection.NotFinite
        | _ ->
            match kind with
            // Counters only go up, and an observable counter reports a cumulative total, which cannot be negative.
            // Histograms accept negative values, as in OpenTelemetry .NET.
            | InstrumentKind.Counter
            | InstrumentKind.ObservableCounter when isNegative -> Error Rejection.NegativeIncrement
            | _ -> Ok value
