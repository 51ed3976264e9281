namespace Functional.Telemetry

open System
open System.IO
open System.Threading
open System.Threading.Tasks

/// Writes spans to a text writer (the console by default) as trace trees; see `ConsoleTraceFormat`.
[<Sealed>]
type ConsoleSpanExporter(writer: TextWriter) =
    /// Writes to standard output.
    new() = ConsoleSpanExporter(Console.Out)

    interface IExporter<Span> with
        member _.Name = "console"

        member _.Export(batch, _) =
            writer.Write(ConsoleTraceFormat.render (List.ofArray batch.Items))
            writer.Flush()
            Task.FromResult ExportResult.Success

        member _.Shutdown(_: CancellationToken) = Task.CompletedTask
