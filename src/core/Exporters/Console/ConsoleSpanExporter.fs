namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.IO
open System.Threading
open System.Threading.Tasks

[<Sealed>]
type ConsoleSpanExporter(writer: TextWriter) =
    let text = TextExporter<Span>(writer, fun spans -> ConsoleTraceFormat.render (List.ofArray spans))

    let views =
        let text =
            TextExporter<SpanView>(writer, fun views -> ConsoleTraceFormat.renderViews (List.ofArray views))

        { new IExporter<SpanView> with
            member _.Name = "console"
            member _.Export(batch, _) = text.Export batch
            member _.Shutdown(_: CancellationToken) = Task.CompletedTask
        }

    new() = ConsoleSpanExporter(Console.Out)

    interface IExporter<Span> with
        member _.Name = "console"
        member _.Export(batch, _) = text.Export batch
        member _.Shutdown(_: CancellationToken) = Task.CompletedTask

    interface IViewExporter with
        member _.Views = box views
