namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.IO

/// Writes spans to a text writer (the console by default) as trace trees; see `ConsoleTraceFormat`. Each batch is
/// written and the writer flushed; exporting never fails and the writer is not disposed.
[<Sealed>]
type ConsoleSpanExporter =
    /// Writes to `writer`.
    new: writer: TextWriter -> ConsoleSpanExporter

    /// Writes to standard output.
    new: unit -> ConsoleSpanExporter

    interface IExporter<Span>
    interface IViewExporter
