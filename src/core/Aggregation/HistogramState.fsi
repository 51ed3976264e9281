namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// State of an explicit-bucket histogram.
type HistogramState =
    {
        /// Upper bounds, ascending.
        Bounds: float list
        /// One count per bucket: Bounds.Length + 1 entries.
        Counts: int64 list
        /// Number of measurements.
        Count: int64
        /// Sum of measurements.
        Sum: float
        /// Smallest measurement (None when empty).
        Min: float option
        /// Largest measurement (None when empty).
        Max: float option
    }

/// Explicit-bucket histogram: a commutative monoid for a fixed set of bounds.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module HistogramState =
    /// The default bounds: 0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000.
    val defaultBounds: float list
    /// An empty histogram with these bounds.
    val empty: bounds: float list -> HistogramState
    /// The index of the bucket that holds `value`: the first i with value <= bounds[i], else bounds.Length.
    val bucketIndex: bounds: float list -> value: float -> int
    /// Records a (finite) measurement.
    val record: state: HistogramState -> value: float -> HistogramState
    /// Adds two histograms with the same bounds (the left one's bounds are kept).
    val merge: left: HistogramState -> right: HistogramState -> HistogramState

    /// The state as a data point of a series with these attributes, interval and exemplars.
    val toPoint:
        attributes: System.Collections.Generic.IReadOnlyList<KeyValue> ->
        startTime: int64 ->
        time: int64 ->
        exemplars: System.Collections.Generic.IReadOnlyList<Exemplar> ->
        state: HistogramState ->
            HistogramPoint
