namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.IO
open System.Threading
open System.Threading.Tasks

/// What the console exporters share: `render` turns a batch into text, written to `writer`, which is flushed after
/// each batch. Exporting never fails; the writer is not disposed.
[<Sealed>]
type internal TextExporter<'T>(writer: TextWriter, render: 'T array -> string) =
    static let success = Task.FromResult ExportResult.Success

    /// Writes the batch's text and flushes.
    member _.Export(batch: Batch<'T>) =
        writer.Write(render batch.Items)
        writer.Flush()
        success
