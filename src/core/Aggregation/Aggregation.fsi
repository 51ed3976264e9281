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
