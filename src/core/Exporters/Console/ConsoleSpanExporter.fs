namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.IO
open System.Threading
open System.Threading.Tasks

[<Sealed>]
type ConsoleSpanExporter(writer: TextWriter) =
    let text = TextExporter<Span>(writer, fun spans -> ConsoleTraceFormat.render (List.ofArray spans))

    new() = ConsoleSpanExporter(Console.Out)

    interface IExporter<Span> with
        member _.Name = "console"
        member _.Export(batch, _) = text.Export batch
        member _.Shutdown(_: CancellationToken) = Task.CompletedTask
