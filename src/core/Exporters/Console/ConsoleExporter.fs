namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.IO

/// Writes spans to a text writer (the console by default) as trace trees; see `ConsoleTraceFormat`.
[<Sealed>]
type ConsoleSpanExporter(writer: TextWriter) =
    inherit TextExporter<Span>(writer, fun spans -> ConsoleTraceFormat.render (List.ofArray spans))

    /// Writes to standard output.
    new() = ConsoleSpanExporter(Console.Out)
