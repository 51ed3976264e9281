namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.IO
open System.Threading
open System.Threading.Tasks

[<Sealed>]
type ConsoleLogExporter(writer: TextWriter) =
    let text =
        TextExporter<LogRecord>(
            writer,
            fun records ->
                records
                |> Array.map (fun r -> ConsoleLogFormat.format r + Environment.NewLine)
                |> String.concat ""
        )

    let views =
        let text =
            TextExporter<LogRecordView>(
                writer,
                fun records ->
                    records
                    |> Array.map (fun r -> ConsoleLogFormat.formatView r + Environment.NewLine)
                    |> String.concat ""
            )

        { new IExporter<LogRecordView> with
            member _.Name = "console"
            member _.Export(batch, _) = text.Export batch
            member _.Shutdown(_: CancellationToken) = Task.CompletedTask
        }

    new() = ConsoleLogExporter(Console.Out)

    interface IExporter<LogRecord> with
        member _.Name = "console"
        member _.Export(batch, _) = text.Export batch
        member _.Shutdown(_: CancellationToken) = Task.CompletedTask

    interface IViewExporter with
        member _.Views = box views
