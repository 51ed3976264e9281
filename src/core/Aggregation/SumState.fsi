namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// State of a Sum: the total, as an integer for integer instruments.
type SumState =
    {
        /// The total so far.
        Total: NumberValue
    }

/// Sum: a commutative monoid under +.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module SumState =
    /// Zero of the given number kind.
    val empty: kind: NumberKind -> SumState
    /// Adds a measurement.
    val record: state: SumState -> value: NumberValue -> SumState
    /// Adds two totals.
    val merge: left: SumState -> right: SumState -> SumState
    /// The total.
    val collect: state: SumState -> NumberValue
