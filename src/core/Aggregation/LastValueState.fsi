namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// State of a LastValue: the latest measurement by time (ties broken by the larger value, so merge commutes).
type LastValueState =
    {
        /// The latest value and when it was recorded (Unix nanoseconds); None before any measurement.
        Latest: (NumberValue * int64) option
    }

/// LastValue: a commutative monoid under "later wins".
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module LastValueState =
    /// No value yet.
    val empty: LastValueState
    /// Records a value observed at `time`.
    val record: state: LastValueState -> value: NumberValue -> time: int64 -> LastValueState
    /// Keeps the later of two values (the larger on equal times).
    val merge: left: LastValueState -> right: LastValueState -> LastValueState
    /// The latest value, if any.
    val collect: state: LastValueState -> NumberValue option
