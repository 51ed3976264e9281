namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.IO
open System.Threading
open System.Threading.Tasks

/// An exporter that writes each batch as text (the console exporters): `render` turns a batch into text, the
/// writer is flushed after each batch. Exporting never fails; the writer is not disposed.
type TextExporter<'T>(writer: TextWriter, render: 'T array -> string) =
    interface IExporter<'T> with
        member _.Name = "console"

        member _.Export(batch, _) =
            writer.Write(render batch.Items)
            writer.Flush()
            Task.FromResult ExportResult.Success

        member _.Shutdown(_: CancellationToken) = Task.CompletedTask
