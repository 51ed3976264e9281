namespace Functional.Telemetry.FSharp

open Functional.Telemetry

type HistogramState =
    {
        Bounds: float list
        Counts: int64 list
        Count: int64
        Sum: float
        Min: float option
        Max: float option
    }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module HistogramState =
    let defaultBounds =
        [
            0.0
            5.0
            10.0
            25.0
            50.0
            75.0
            100.0
            250.0
            500.0
            750.0
            1000.0
            2500.0
            5000.0
            7500.0
            10000.0
        ]

    let empty (bounds: float list) =
        {
            Bounds = bounds
            Counts = List.replicate (bounds.Length + 1) 0L
            Count = 0L
            Sum = 0.0
            Min = None
            Max = None
        }

    let bucketIndex (bounds: float list) (value: float) =
        let rec find index remaining =
            match remaining with
            | bound :: rest -> if value <= bound then index else find (index + 1) rest
            | [] -> index

        find 0 bounds

    let record (state: HistogramState) value =
        let index = bucketIndex state.Bounds value

        { state with
            Counts =
                ReadOnlyList.toList state.Counts
                |> List.mapi (fun i count -> if i = index then count + 1L else count)
            Count = state.Count + 1L
            Sum = state.Sum + value
            Min = Numbers.minOption state.Min (Some value)
            Max = Numbers.maxOption state.Max (Some value)
        }

    let merge left right =
        {
            Bounds = left.Bounds
            Counts = Numbers.addCounts left.Counts right.Counts
            Count = left.Count + right.Count
            Sum = left.Sum + right.Sum
            Min = Numbers.minOption left.Min right.Min
            Max = Numbers.maxOption left.Max right.Max
        }

    let toPoint attributes startTime time exemplars (state: HistogramState) : HistogramPoint =
        {
            Attributes = attributes
            StartTime = startTime
            Time = time
            Count = state.Count
            Sum = state.Sum
            Min = Option.toNullable state.Min
            Max = Option.toNullable state.Max
            Bounds = state.Bounds
            BucketCounts = state.Counts
            Exemplars = exemplars
        }
