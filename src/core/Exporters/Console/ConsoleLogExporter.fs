namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.IO

/// Writes log records to a text writer (the console by default), one line each; see `ConsoleLogFormat`.
[<Sealed>]
type ConsoleLogExporter(writer: TextWriter) =
    inherit
        TextExporter<LogRecord>(
            writer,
            fun records ->
                records
                |> Array.map (fun r -> ConsoleLogFormat.format r + Environment.NewLine)
                |> String.concat ""
        )

    /// Writes to standard output.
    new() = ConsoleLogExporter(Console.Out)
