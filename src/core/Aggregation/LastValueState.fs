namespace Functional.Telemetry.FSharp

open System
open Functional.Telemetry

type LastValueState = { Latest: (NumberValue * int64) option }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module LastValueState =
    let empty = { Latest = None }

    // A total order on values: by magnitude as a double, then a Long above a Double with the same double,
    // then by the exact integer or the bit pattern. Taking the maximum under a total order is what makes
    // merge commutative and associative even for ties.
    let private compareValues (left: NumberValue) (right: NumberValue) =
        let byDouble = left.AsDouble.CompareTo right.AsDouble

        if byDouble <> 0 then
            byDouble
        else
            match left, right with
            | NumberValue.Long a, NumberValue.Long b -> compare a b
            | NumberValue.Long _, NumberValue.Double _ -> 1
            | NumberValue.Double _, NumberValue.Long _ -> -1
            | NumberValue.Double a, NumberValue.Double b ->
                compare (BitConverter.DoubleToInt64Bits a) (BitConverter.DoubleToInt64Bits b)

    let merge left right =
        match left.Latest, right.Latest with
        | Some(leftValue, leftTime), Some(rightValue, rightTime) ->
            if leftTime > rightTime then left
            elif rightTime > leftTime then right
            elif compareValues leftValue rightValue >= 0 then left
            else right
        | Some _, None -> left
        | None, _ -> right

    let record state value time = merge state { Latest = Some(value, time) }

    let collect state = state.Latest |> Option.map fst
