namespace Functional.Telemetry.FSharp

open Functional.Telemetry

[<RequireQualifiedAccess>]
type Aggregation =
    | Default
    | Drop
    | Sum
    | LastValue
    | ExplicitBucketHistogram of bounds: float list * recordMinMax: bool
    | Base2ExponentialHistogram of maxSize: int * maxScale: int * recordMinMax: bool
