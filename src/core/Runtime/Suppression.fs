namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Threading
open System.Threading.Tasks

/// How many exports are running (a field that Interlocked can address).
[<Sealed>]
type internal ExportCounter() =
    [<DefaultValue>]
    val mutable Running: int

/// Set by every export stage while it converts and exports, checked by the bridges: telemetry produced from
/// inside an exporter (an exporter's own HttpClient span, a log call in a formatter or a ToString run during
/// conversion) is dropped instead of feeding the pipeline that is exporting, which could otherwise never end.
/// The counter makes the common case (no export running) one volatile read.
[<Sealed>]
type internal Suppression private () =
    static let flag = AsyncLocal<bool>()
    static let exports = ExportCounter()

    /// True inside an export (on its thread and in its async continuations).
    static member IsSuppressed = Volatile.Read(&exports.Running) > 0 && flag.Value

    /// Runs `work` suppressed; the suppression flows into the continuations of the task it returns.
    static member Run(work: unit -> Task<'T>) : Task<'T> =
        Interlocked.Increment(&exports.Running) |> ignore
        let previous = flag.Value
        flag.Value <- true

        let result =
            try
                work ()
            with error ->
                Task.FromException<'T> error

        flag.Value <- previous

        result.ContinueWith(
            (fun (_: Task<'T>) -> Interlocked.Decrement(&exports.Running) |> ignore),
            TaskContinuationOptions.ExecuteSynchronously
        )
        |> ignore

        result
