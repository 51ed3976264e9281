namespace Functional.Telemetry

open System.Diagnostics
open System.Threading.Tasks
// Our Attribute, not System.Attribute.
open Functional.Telemetry

/// The export stage of a span pipeline, run on the runner's reader thread: each ended Activity becomes an
/// immutable Span record (limits applied), goes through the processors, and what they keep reaches the exporter.
/// Doing this off the application's thread keeps the instrumented code's cost to the Activity and one queue write.
[<Sealed>]
type SpanExportStage(limits: SpanLimits, processors: Processor<Span> list, exporter: IExporter<Span>) =
    let processor = Processor.chain processors

    let toSpan (activity: Activity) =
        try
            processor (ActivityConversion.toSpan limits activity)
        with ex ->
            SelfDiagnostics.error "tracing" $"span processing threw {ex.GetType().FullName}; span dropped"
            None

    interface IExporter<Activity> with
        member _.Name = exporter.Name

        member _.Export(batch, token) =
            // Without processors every span is kept: no option per span.
            let spans =
                if processors.IsEmpty then
                    try
                        batch.Items |> Array.map (ActivityConversion.toSpan limits)
                    with _ ->
                        // One bad Activity must not fail the batch: convert one by one, dropping what throws.
                        batch.Items |> Array.choose toSpan
                else
                    batch.Items |> Array.choose toSpan

            if spans.Length = 0 then
                Task.FromResult ExportResult.Success
            else
                // The exporter's own activity (an HttpClient span, say) must not become a span to export.
                Suppression.Run(fun () -> exporter.Export({ Resource = batch.Resource; Items = spans }, token))

        member _.Shutdown token = exporter.Shutdown token
