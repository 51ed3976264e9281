namespace Functional.Telemetry.FSharp

open Functional.Telemetry

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
