namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// State of a base-2 exponential histogram.
type ExponentialHistogramState =
    {
        /// Most buckets per sign.
        MaxSize: int
        /// The current scale (starts at the configured max scale, only decreases).
        Scale: int
        /// Measurements equal to zero.
        ZeroCount: int64
        /// Bucket index -> count, for positive values.
        Positive: Map<int, int64>
        /// Bucket index -> count, for negative values (by absolute value).
        Negative: Map<int, int64>
        /// Number of measurements.
        Count: int64
        /// Sum of measurements.
        Sum: float
        /// Smallest measurement (None when empty).
        Min: float option
        /// Largest measurement (None when empty).
        Max: float option
    }

/// Base-2 exponential histogram: a commutative monoid that rescales on merge.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module ExponentialHistogramState =
    /// Default most buckets per sign: 160.
    val defaultMaxSize: int
    /// Default (and highest) scale: 20.
    val defaultMaxScale: int
    /// An empty histogram.
    val empty: maxSize: int -> maxScale: int -> ExponentialHistogramState
    /// The bucket index of a non-zero finite value's magnitude at a scale: the i with base^i < |value| <= base^(i+1).
    /// Exact against `lowerBound` for normal values: `lowerBound scale i < |value| <= lowerBound scale (i + 1)`,
    /// and the index at scale s - 1 is the index at scale s shifted right by one. No logarithm on the way: a table
    /// of the bounds at scale 10, and above it a short series checked against the bounds near them.
    /// The scale must be in [-10, 20] (ArgumentOutOfRangeException otherwise: above 20 indexes overflow an int).
    val bucketIndex: scale: int -> value: float -> int
    /// The lower bound base^index of a bucket at a scale in [-10, 20] (the bucket is (lower, upper]).
    val lowerBound: scale: int -> index: int -> float
    /// Records a finite measurement, lowering the scale as needed so each sign spans at most MaxSize buckets
    /// (by the least amount that fits; never below scale -10, where values that do not fit are still recorded).
    val record: state: ExponentialHistogramState -> value: float -> ExponentialHistogramState
    /// Merges two histograms: both are brought to the lower of their scales, then lowered further until each sign
    /// spans at most MaxSize buckets (the smaller MaxSize of the two, so that merge commutes), never below scale -10.
    val merge: left: ExponentialHistogramState -> right: ExponentialHistogramState -> ExponentialHistogramState
    /// The same data at a lower scale (each bucket index shifted right by `by`).
    val downscale: by: int -> state: ExponentialHistogramState -> ExponentialHistogramState

    /// Bucket index -> count as the data model's dense range (offset of the lowest non-zero bucket, then every
    /// count up to the highest); empty buckets only when the map has none.
    val toBuckets: buckets: Map<int, int64> -> ExponentialBuckets

    /// The state as a data point of a series with these attributes, interval and exemplars (zero threshold 0).
    val toPoint:
        attributes: System.Collections.Generic.IReadOnlyList<KeyValue> ->
        startTime: int64 ->
        time: int64 ->
        exemplars: System.Collections.Generic.IReadOnlyList<Exemplar> ->
        state: ExponentialHistogramState ->
            ExponentialHistogramPoint
