namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// The aggregation a metric stream uses (spec: Aggregation), chosen by instrument kind or by a view.
[<RequireQualifiedAccess>]
type Aggregation =
    /// The instrument kind's default: Sum for counters, LastValue for gauges, ExplicitBucketHistogram for histograms.
    | Default
    /// Records nothing; the stream is not exported.
    | Drop
    /// Arithmetic sum.
    | Sum
    /// The last value recorded.
    | LastValue
    /// Counts per bucket between the given upper bounds (ascending, distinct, finite), with sum, count, min and max.
    | ExplicitBucketHistogram of bounds: float list * recordMinMax: bool
    /// Base-2 exponential buckets that rescale to cover the data in at most `maxSize` buckets per sign.
    | Base2ExponentialHistogram of maxSize: int * maxScale: int * recordMinMax: bool

/// State of a Sum: the total, as an integer for integer instruments.
type SumState =
    {
        /// The total so far.
        Total: NumberValue
    }

/// State of a LastValue: the latest measurement by time (ties broken by the larger value, so merge commutes).
type LastValueState =
    {
        /// The latest value and when it was recorded (Unix nanoseconds); None before any measurement.
        Latest: (NumberValue * int64) option
    }

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

/// Sum: a commutative monoid under +.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module SumState =
    /// Zero of the given number kind.
    val empty: kind: NumberKind -> SumState
    /// Adds a measurement.
    val record: state: SumState -> value: NumberValue -> SumState
    /// Adds two totals.
    val merge: left: SumState -> right: SumState -> SumState
    /// The total.
    val collect: state: SumState -> NumberValue

/// LastValue: a commutative monoid under "later wins".
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module LastValueState =
    /// No value yet.
    val empty: LastValueState
    /// Records a value observed at `time`.
    val record: state: LastValueState -> value: NumberValue -> time: int64 -> LastValueState
    /// Keeps the later of two values (the larger on equal times).
    val merge: left: LastValueState -> right: LastValueState -> LastValueState
    /// The latest value, if any.
    val collect: state: LastValueState -> NumberValue option

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
        attributes: KeyValue list ->
        startTime: int64 ->
        time: int64 ->
        exemplars: Exemplar list ->
        state: HistogramState ->
            HistogramPoint

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
        attributes: KeyValue list ->
        startTime: int64 ->
        time: int64 ->
        exemplars: Exemplar list ->
        state: ExponentialHistogramState ->
            ExponentialHistogramPoint

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

/// Temporality conversion of collected points, pure.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Temporality =
    /// Cumulative -> delta: each point minus the previous cumulative point of the same series (by attributes,
    /// in any order); a series seen for the first time is its own delta. Start times become the previous point's
    /// time. Histogram deltas have no Min/Max (not derivable); exponential ones are taken at the lower scale of the
    /// two. A series missing from `current` is missing from the result. Gauges and points that are already delta
    /// pass through. The caller keeps `current` as the next `previous`.
    val cumulativeToDelta: previous: MetricPoints option -> current: MetricPoints -> MetricPoints

    /// Delta -> cumulative: each point added to the running total of its series; start times stay at the
    /// series' first start. Min/Max are the min of mins and max of maxes (None when a side with data has none);
    /// exponential buckets are added at the lower scale of the two, then lowered further until each sign fits the
    /// default 160 buckets (use deltaToCumulativeWith for another max size). Series with no new point are carried unchanged, after the updated ones. Gauges and points that
    /// are already cumulative pass through. The result is also the next `running`.
    val deltaToCumulative: running: MetricPoints option -> delta: MetricPoints -> MetricPoints

    /// Like deltaToCumulative, for exponential histograms recorded with at most `exponentialMaxSize` buckets per
    /// sign: the running sum is brought down to the scale that fits, as a cumulative aggregation would be.
    val deltaToCumulativeWith:
        exponentialMaxSize: int -> running: MetricPoints option -> delta: MetricPoints -> MetricPoints
