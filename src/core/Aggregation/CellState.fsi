namespace Functional.Telemetry

open Functional.Telemetry.FSharp

/// The state of one series under any aggregation, in the pure model's terms: what a metric cell holds at
/// collection, so the runtime is checked against the pure fold by comparing these states.
[<RequireQualifiedAccess>]
type internal CellState =
    /// A sum.
    | Sum of SumState
    /// A last value.
    | LastValue of LastValueState
    /// An explicit-bucket histogram.
    | Histogram of HistogramState
    /// An exponential histogram.
    | ExponentialHistogram of ExponentialHistogramState

/// Operations on cell states.
[<RequireQualifiedAccess>]
module internal CellState =
    /// Two states of one series merged by their aggregation's monoid (the left one when the kinds differ).
    val merge: left: CellState -> right: CellState -> CellState
