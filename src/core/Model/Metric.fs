namespace Functional.Telemetry

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
        AdvisedBoundaries: float list option
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
        FilteredAttributes: KeyValue list
        Time: int64
        Value: NumberValue
        TraceId: TraceId
        SpanId: SpanId
    }

type NumberPoint =
    {
        Attributes: KeyValue list
        StartTime: int64
        Time: int64
        Value: NumberValue
        Exemplars: Exemplar list
    }

type HistogramPoint =
    {
        Attributes: KeyValue list
        StartTime: int64
        Time: int64
        Count: int64
        Sum: float
        Min: float option
        Max: float option
        Bounds: float list
        BucketCounts: int64 list
        Exemplars: Exemplar list
    }

type ExponentialBuckets = { Offset: int; Counts: int64 list }

type ExponentialHistogramPoint =
    {
        Attributes: KeyValue list
        StartTime: int64
        Time: int64
        Count: int64
        Sum: float
        Min: float option
        Max: float option
        Scale: int
        ZeroCount: int64
        ZeroThreshold: float
        Positive: ExponentialBuckets
        Negative: ExponentialBuckets
        Exemplars: Exemplar list
    }

[<RequireQualifiedAccess>]
type MetricPoints =
    | Sum of temporality: Temporality * isMonotonic: bool * points: NumberPoint list
    | Gauge of points: NumberPoint list
    | Histogram of temporality: Temporality * points: HistogramPoint list
    | ExponentialHistogram of temporality: Temporality * points: ExponentialHistogramPoint list

    member x.NumberPoints: NumberPoint list =
        match x with
        | Sum(_, _, points)
        | Gauge points -> points
        | _ -> []

    member x.HistogramPoints: HistogramPoint list =
        match x with
        | Histogram(_, points) -> points
        | _ -> []

    member x.ExponentialHistogramPoints: ExponentialHistogramPoint list =
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
