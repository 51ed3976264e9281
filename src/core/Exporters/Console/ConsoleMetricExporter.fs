namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.IO
open System.Threading
open System.Threading.Tasks

[<Sealed>]
type ConsoleMetricExporter(writer: TextWriter) =
    let text =
        TextExporter<MetricData>(writer, fun metrics -> ConsoleMetricFormat.render (List.ofArray metrics))

    new() = ConsoleMetricExporter(Console.Out)

    interface IExporter<MetricData> with
        member _.Name = "console"
        member _.Export(batch, _) = text.Export batch
        member _.Shutdown(_: CancellationToken) = Task.CompletedTask
