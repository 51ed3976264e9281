namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Threading

type SelfDiagnosticsTotals = { Rejected: int64; Dropped: int64; Failed: int64 }

module internal SelfDiagnosticsCounters =
    let private cells: int64 array = Array.zeroCreate 3

    let addRejected (count: int64) = Interlocked.Add(&cells.[0], count) |> ignore

    let addDropped (count: int64) = Interlocked.Add(&cells.[1], count) |> ignore

    let addFailed (count: int64) = Interlocked.Add(&cells.[2], count) |> ignore

    let snapshot () =
        {
            Rejected = Interlocked.Read &cells.[0]
            Dropped = Interlocked.Read &cells.[1]
            Failed = Interlocked.Read &cells.[2]
        }

[<RequireQualifiedAccess>]
module SelfDiagnostics =
    let configWarnings (warnings: ConfigWarning list) =
        for w in warnings do
            try
                TelemetryEventSource.Log.ConfigurationWarning(w.Source, w.Message)
            with _ ->
                ()

    let warning (``component``: string) (message: string) =
        try
            TelemetryEventSource.Log.Warning(``component``, message)
        with _ ->
            ()

    let error (``component``: string) (message: string) =
        try
            TelemetryEventSource.Log.Error(``component``, message)
        with _ ->
            ()

    [<CompiledName("Totals")>]
    let totals () = SelfDiagnosticsCounters.snapshot ()
