namespace Functional.Telemetry

open System
open System.IO
open System.Threading
open System.Threading.Tasks

/// Writes log records to a text writer (the console by default), one line each; see `ConsoleLogFormat`.
[<Sealed>]
type ConsoleLogExporter(writer: TextWriter) =
    /// Writes to standard output.
    new() = ConsoleLogExporter(Console.Out)

    interface IExporter<LogRecord> with
        member _.Name = "console"

        member _.Export(batch, _) =
            for record in batch.Items do
                writer.WriteLine(ConsoleLogFormat.format record)

            writer.Flush()
            Task.FromResult ExportResult.Success

        member _.Shutdown(_: CancellationToken) = Task.CompletedTask
