namespace Functional.Telemetry

open Functional.Telemetry.FSharp

[<RequireQualifiedAccess>]
type internal CellState =
    | Sum of SumState
    | LastValue of LastValueState
    | Histogram of HistogramState
    | ExponentialHistogram of ExponentialHistogramState

[<RequireQualifiedAccess>]
module internal CellState =
    let merge (left: CellState) (right: CellState) =
        match left, right with
        | CellState.Sum l, CellState.Sum r -> CellState.Sum(SumState.merge l r)
        | CellState.LastValue l, CellState.LastValue r -> CellState.LastValue(LastValueState.merge l r)
        | CellState.Histogram l, CellState.Histogram r -> CellState.Histogram(HistogramState.merge l r)
        | CellState.ExponentialHistogram l, CellState.ExponentialHistogram r ->
            CellState.ExponentialHistogram(ExponentialHistogramState.merge l r)
        | _ -> left
