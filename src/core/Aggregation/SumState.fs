namespace Functional.Telemetry.FSharp

open Functional.Telemetry

type SumState = { Total: NumberValue }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module SumState =
    let empty kind =
        match kind with
        | NumberKind.Long -> { Total = NumberValue.Long 0L }
        | NumberKind.Double -> { Total = NumberValue.Double 0.0 }

    let record state value = { Total = Numbers.add state.Total value }

    let merge left right = { Total = Numbers.add left.Total right.Total }

    let collect state = state.Total
