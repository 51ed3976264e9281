namespace Functional.Telemetry

open System
open System.Collections.Generic

/// The kind of a metric instrument (System.Diagnostics.Metrics or the native API).
[<RequireQualifiedAccess>]
type InstrumentKind =
    /// Counter<T>: monotonic increments.
    | Counter
    /// UpDownCounter<T>: increments and decrements.
    | UpDownCounter
    /// Histogram<T>: a distribution of values.
    | Histogram
    /// Gauge<T>: the last value set.
    | Gauge
    /// ObservableCounter<T>: monotonic cumulative totals observed at collection.
    | ObservableCounter
    /// ObservableUpDownCounter<T>: non-monotonic cumulative totals observed at collection.
    | ObservableUpDownCounter
    /// ObservableGauge<T>: values observed at collection.
    | ObservableGauge

/// Whether an instrument records integers or floating-point numbers.
[<RequireQualifiedAccess>]
type NumberKind =
    /// byte, short, int, long: aggregated as int64.
    | Long
    /// float, double, decimal: aggregated as double.
    | Double

/// What identifies an instrument (spec: name, kind, unit, description, plus the meter's scope).
type InstrumentDescriptor =
    {
        /// The instrument name (case-insensitive identity, kept as given).
        Name: string
        /// The description; empty when none.
        Description: string
        /// The UCUM unit; empty when none.
        Unit: string
        /// The instrument kind.
        Kind: InstrumentKind
        /// Integer or floating-point measurements.
        NumberKind: NumberKind
        /// The meter (name, version, schema URL, tags).
        Scope: InstrumentationScope
        /// Histogram bucket boundaries advised by the instrument (`InstrumentAdvice<T>`), if any.
        AdvisedBoundaries: IReadOnlyList<float>
    }

/// The aggregation temporality of a metric stream.
[<RequireQualifiedAccess>]
type Temporality =
    /// Each point covers the time since the previous collection.
    | Delta
    /// Each point covers the time since the stream started.
    | Cumulative

/// A number as recorded: integer instruments stay integers end to end.
[<RequireQualifiedAccess>]
type NumberValue =
    /// An integer value.
    | Long of int64
    /// A floating-point value.
    | Double of float

    /// The value as a double.
    member AsDouble: float

/// A measurement kept as an example of the data behind a point, with the trace it was recorded in.
type Exemplar =
    {
        /// Measurement attributes that the stream's attribute filter removed.
        FilteredAttributes: IReadOnlyList<KeyValue>
        /// Unix nanoseconds when the measurement was recorded.
        Time: int64
        /// The measured value.
        Value: NumberValue
        /// The trace of the span current at recording; `TraceId.Empty` when none.
        TraceId: TraceId
        /// The span current at recording; `SpanId.Empty` when none.
        SpanId: SpanId
    }

/// A Sum or Gauge data point.
type NumberPoint =
    {
        /// The series' attributes.
        Attributes: IReadOnlyList<KeyValue>
        /// Start of the aggregation interval, Unix nanoseconds.
        StartTime: int64
        /// Collection time, Unix nanoseconds.
        Time: int64
        /// The sum or last value.
        Value: NumberValue
        /// Exemplars.
        Exemplars: IReadOnlyList<Exemplar>
    }

/// An explicit-bucket histogram data point.
type HistogramPoint =
    {
        /// The series' attributes.
        Attributes: IReadOnlyList<KeyValue>
        /// Start of the aggregation interval, Unix nanoseconds.
        StartTime: int64
        /// Collection time, Unix nanoseconds.
        Time: int64
        /// Number of measurements.
        Count: int64
        /// Sum of the measurements.
        Sum: float
        /// Smallest measurement; None when Count = 0 or not recorded.
        Min: Nullable<float>
        /// Largest measurement; None when Count = 0 or not recorded.
        Max: Nullable<float>
        /// Upper bounds of the buckets (ascending); there is one more bucket than bounds, ending at +Inf.
        Bounds: IReadOnlyList<float>
        /// Count per bucket: bucket i holds values in (Bounds[i-1], Bounds[i]].
        BucketCounts: IReadOnlyList<int64>
        /// Exemplars.
        Exemplars: IReadOnlyList<Exemplar>
    }

/// One range of an exponential histogram: counts of consecutive buckets starting at index Offset.
type ExponentialBuckets =
    {
        /// Index of the first bucket: bucket i holds values in (base^i, base^(i+1)], base = 2^(2^-scale).
        Offset: int
        /// Counts of consecutive buckets.
        Counts: IReadOnlyList<int64>
    }

/// A base-2 exponential histogram data point.
type ExponentialHistogramPoint =
    {
        /// The series' attributes.
        Attributes: IReadOnlyList<KeyValue>
        /// Start of the aggregation interval, Unix nanoseconds.
        StartTime: int64
        /// Collection time, Unix nanoseconds.
        Time: int64
        /// Number of measurements.
        Count: int64
        /// Sum of the measurements.
        Sum: float
        /// Smallest measurement; None when Count = 0.
        Min: Nullable<float>
        /// Largest measurement; None when Count = 0.
        Max: Nullable<float>
        /// The resolution: base = 2^(2^-Scale).
        Scale: int
        /// Measurements equal to zero (or within ZeroThreshold).
        ZeroCount: int64
        /// Width of the zero bucket; 0 by default.
        ZeroThreshold: float
        /// Buckets of positive values.
        Positive: ExponentialBuckets
        /// Buckets of negative values (by absolute value).
        Negative: ExponentialBuckets
        /// Exemplars.
        Exemplars: IReadOnlyList<Exemplar>
    }

/// The points of one metric, by data type.
[<RequireQualifiedAccess>]
type MetricPoints =
    /// Sums (counters, up-down counters).
    | Sum of temporality: Temporality * isMonotonic: bool * points: IReadOnlyList<NumberPoint>
    /// Gauges (last values).
    | Gauge of points: IReadOnlyList<NumberPoint>
    /// Explicit-bucket histograms.
    | Histogram of temporality: Temporality * points: IReadOnlyList<HistogramPoint>
    /// Base-2 exponential histograms.
    | ExponentialHistogram of temporality: Temporality * points: IReadOnlyList<ExponentialHistogramPoint>

    /// The sum or gauge points (empty for histograms): for C# readers, no pattern matching needed.
    member NumberPoints: IReadOnlyList<NumberPoint>

    /// The explicit-bucket histogram points (empty for other kinds).
    member HistogramPoints: IReadOnlyList<HistogramPoint>

    /// The exponential histogram points (empty for other kinds).
    member ExponentialHistogramPoints: IReadOnlyList<ExponentialHistogramPoint>

/// One metric stream's data from one collection.
type MetricData =
    {
        /// The stream name (the instrument's, or a view's rename).
        Name: string
        /// The description.
        Description: string
        /// The unit.
        Unit: string
        /// The meter that produced it.
        Scope: InstrumentationScope
        /// The points.
        Points: MetricPoints
    }
