namespace Functional.Telemetry

open System
open System.Collections.Generic

[<RequireQualifiedAccess>]
type InstrumentKind =
    | Counter
    | UpDownCounter
    | Histogram
    | Gauge
    | ObservableCounter
    | ObservableUpDownCounter
    | ObservableGauge

[<RequireQualifiedAccess>]
type NumberKind =
    | Long
    | Double

type InstrumentDescriptor =
    {
        Name: string
        Description: string
        Unit: string
        Kind: InstrumentKind
        NumberKind: NumberKind
        Scope: InstrumentationScope
        AdvisedBoundaries: IReadOnlyList<float>
    }

[<RequireQualifiedAccess>]
type Temporality =
    | Delta
    | Cumulative

[<RequireQualifiedAccess>]
type NumberValue =
    | Long of int64
    | Double of float

    member x.AsDouble =
        match x with
        | Long v -> float v
        | Double v -> v

type Exemplar =
    {
        FilteredAttributes: IReadOnlyList<KeyValue>
        Time: int64
        Value: NumberValue
        TraceId: TraceId
        SpanId: SpanId
    }

type NumberPoint =
    {
        Attributes: IReadOnlyList<KeyValue>
        StartTime: int64
        Time: int64
        Value: NumberValue
        Exemplars: IReadOnlyList<Exemplar>
    }

type HistogramPoint =
    {
        Attributes: IReadOnlyList<KeyValue>
        StartTime: int64
        Time: int64
        Count: int64
        Sum: float
        Min: Nullable<float>
        Max: Nullable<float>
        Bounds: IReadOnlyList<float>
        BucketCounts: IReadOnlyList<int64>
        Exemplars: IReadOnlyList<Exemplar>
    }

type ExponentialBuckets = { Offset: int; Counts: IReadOnlyList<int64> }

type ExponentialHistogramPoint =
    {
        Attributes: IReadOnlyList<KeyValue>
        StartTime: int64
        Time: int64
        Count: int64
        Sum: float
        Min: Nullable<float>
        Max: Nullable<float>
        Scale: int
        ZeroCount: int64
        ZeroThreshold: float
        Positive: ExponentialBuckets
        Negative: ExponentialBuckets
        Exemplars: IReadOnlyList<Exemplar>
    }

[<RequireQualifiedAccess>]
type MetricPoints =
    | Sum of temporality: Temporality * isMonotonic: bool * points: IReadOnlyList<NumberPoint>
    | Gauge of points: IReadOnlyList<NumberPoint>
    | Histogram of temporality: Temporality * points: IReadOnlyList<HistogramPoint>
    | ExponentialHistogram of temporality: Temporality * points: IReadOnlyList<ExponentialHistogramPoint>

    member x.NumberPoints: IReadOnlyList<NumberPoint> =
        match x with
        | Sum(_, _, points)
        | Gauge points -> points
        | _ -> []

    member x.HistogramPoints: IReadOnlyList<HistogramPoint> =
        match x with
        | Histogram(_, points) -> points
        | _ -> []

    member x.ExponentialHistogramPoints: IReadOnlyList<ExponentialHistogramPoint> =
        match x with
        | ExponentialHistogram(_, points) -> points
        | _ -> []

type MetricData =
    {
        Name: string
        Description: string
        Unit: string
        Scope: InstrumentationScope
        Points: MetricPoints
    }
