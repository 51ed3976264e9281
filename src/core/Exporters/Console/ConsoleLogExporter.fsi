namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.IO

/// Writes log records to a text writer (the console by default), one line each; see `ConsoleLogFormat`. Each
/// batch is written and the writer flushed; exporting never fails and the writer is not disposed.
[<Sealed>]
type ConsoleLogExporter =
    /// Writes to `writer`.
    new: writer: TextWriter -> ConsoleLogExporter

    /// Writes to standard output.
    new: unit -> ConsoleLogExporter

    interface IExporter<LogRecord>
    interface IViewExporter
