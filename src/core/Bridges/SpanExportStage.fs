namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Diagnostics
open System.Threading.Tasks
open Functional.Telemetry

/// The export stage of a span pipeline, run by the runner for each batch: each ended Activity becomes an
/// immutable Span record (limits applied), goes through the processors, and what they keep reaches the exporter.
/// Doing this off the application's thread keeps the instrumented code's cost to the Activity and one queue write.
/// A retried batch is converted once: the retry sends the same spans, and processors see each span once.
[<Sealed>]
type internal SpanExportStage(limits: SpanLimits, processors: Processor<Span> list, exporter: IExporter<Span>) =
    let processor = Processor.chain processors
    let memo = ConversionMemo<Activity, Span>()

    let toSpan (activity: Activity) =
        try
            processor (ActivityConversion.toSpan limits activity)
        with ex ->
            SelfDiagnostics.error "tracing" $"span processing threw {ex.GetType().FullName}; span dropped"
            None

    let convert (activities: Activity array) =
        // Without processors every span is kept: no option per span.
        if processors.IsEmpty then
            try
                activities |> Array.map (ActivityConversion.toSpan limits)
            with _ ->
                // One bad Activity must not fail the batch: convert one by one, dropping what throws.
                activities |> Array.choose toSpan
        else
            activities |> Array.choose toSpan

    interface IExporter<Activity> with
        member _.Name = exporter.Name

        member _.Export(batch, token) =
            // Suppressed throughout: an Activity started by a processor, a tag's ToString or the exporter (an
            // HttpClient span, say) must not become a span to export, or export would feed itself.
            Suppression.Run(fun () ->
                memo.Export(
                    batch,
                    convert,
                    fun spans -> exporter.Export({ Resource = batch.Resource; Items = spans }, token)
                ))

        member _.Shutdown token = exporter.Shutdown token

    // The store's path (see IRequestExporter): the same conversion, the requests handed to the runner.
    interface IRequestExporter<Activity> with
        member _.EncodesRequests = RequestStage.encodes exporter

        member _.ExportRequests(batch, deliver, token) =
            Suppression.Run(fun () ->
                memo.Export(
                    batch,
                    convert,
                    fun spans ->
                        (RequestStage.requests exporter)
                            .ExportRequests({ Resource = batch.Resource; Items = spans }, deliver, token)
                ))

        member _.SendRequest(body, token) =
            Suppression.Run(fun () -> (RequestStage.requests exporter).SendRequest(body, token))

        member _.RequestKind = (RequestStage.requests exporter).RequestKind

    interface IExportDestination with
        member _.Destination = ExportDestination.ofExporter exporter
