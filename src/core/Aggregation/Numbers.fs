namespace Functional.Telemetry.FSharp

open System
open Functional.Telemetry

/// Helpers shared by the aggregations and the temporality conversion.
module internal Numbers =
    // int64 arithmetic is unchecked, so Long + Long wraps around exactly like Interlocked.Add.
    let add (left: NumberValue) (right: NumberValue) =
        match left, right with
        | NumberValue.Long a, NumberValue.Long b -> NumberValue.Long(a + b)
        | _ -> NumberValue.Double(left.AsDouble + right.AsDouble)

    let subtract (left: NumberValue) (right: NumberValue) =
        match left, right with
        | NumberValue.Long a, NumberValue.Long b -> NumberValue.Long(a - b)
        | _ -> NumberValue.Double(left.AsDouble - right.AsDouble)

    // Math.Min/Max rather than F# min/max: they propagate NaN from either side, so they commute.
    let minOption (left: float option) (right: float option) =
        match left, right with
        | Some a, Some b -> Some(Math.Min(a, b))
        | Some _, None -> left
        | None, _ -> right

    let maxOption (left: float option) (right: float option) =
        match left, right with
        | Some a, Some b -> Some(Math.Max(a, b))
        | Some _, None -> left
        | None, _ -> right

    /// Adds two lists element-wise; the shorter one counts as zeros past its end (so mismatched bounds never throw).
    let rec addCounts (left: int64 list) (right: int64 list) =
        match left, right with
        | a :: restA, b :: restB -> (a + b) :: addCounts restA restB
        | [], rest
        | rest, [] -> rest

    let rec subtractCounts (left: int64 list) (right: int64 list) =
        match left, right with
        | a :: restA, b :: restB -> (a - b) :: subtractCounts restA restB
        | rest, [] -> rest
        | [], rest -> rest |> List.map (fun b -> -b)

    let mergeMaps (combine: int64 -> int64 -> int64) (left: Map<int, int64>) (right: Map<int, int64>) =
        right
        |> Map.fold
            (fun acc index count ->
                match Map.tryFind index acc with
                | Some existing -> Map.add index (combine existing count) acc
                | None -> Map.add index (combine 0L count) acc)
            left
