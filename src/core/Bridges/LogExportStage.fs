namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Threading.Tasks
open Functional.Telemetry

/// The export stage of a log pipeline, run by the runner for each batch of captured calls (their views). An
/// exporter of views (OTLP, console, ETW, `LogRecordViewExporter`) gets the views themselves, which make nothing
/// until read: the message is formatted, and attributes made, only when the exporter reads them. An exporter of
/// records gets `LogRecord`s. Processors take and return records: with processors, every call becomes a record
/// first, and an exporter of views then gets views of the records they kept.
///
/// A retried batch is converted once (see ConversionMemo). A view goes back to its pool once every pipeline is done
/// with it: here, once the batch's export has settled when the exporter reads views, or as soon as its record is
/// made otherwise. Conversion and export run with log suppression on, so a log call made from inside them is
/// dropped rather than fed back into the pipeline.
[<Sealed>]
type internal LogExportStage(processors: Processor<LogRecord> list, exporter: IExporter<LogRecord>) =
    let views = ViewExporters.logs exporter

    // No processors: the record goes straight to the batch, without an option per record.
    let processor =
        match processors with
        | [] -> None
        | processors -> Some(Processor.chain processors)

    // The view's record through the processors; None when they drop it or it throws. The view is released.
    let record (view: LogRecordView) =
        try
            try
                let made = view.ToLogRecord()

                match processor with
                | None -> Some made
                | Some processor -> processor made
            with ex ->
                SelfDiagnostics.error "logs" $"log record processing threw {ex.GetType().FullName}; record dropped"
                None
        finally
            view.Release()

    let records (calls: LogRecordView array) = Array.choose record calls

    let viewsOfRecords (calls: LogRecordView array) =
        Array.choose (fun view -> record view |> Option.map LogRecordView.OfLogRecord) calls

    let releaseAll (calls: LogRecordView array) =
        for view in calls do
            view.Release()

    // Calls handed to an exporter of views without processors are the batch itself, released once settled.
    let lentMemo = ConversionMemo<LogRecordView, LogRecordView>(releaseAll)
    let viewMemo = ConversionMemo<LogRecordView, LogRecordView>()
    let recordMemo = ConversionMemo<LogRecordView, LogRecord>()

    let exportViews (batch: Batch<LogRecordView>) (send: LogRecordView array -> Task<ExportResult>) =
        match processor with
        | None -> lentMemo.Export(batch, id, send)
        | Some _ -> viewMemo.Export(batch, viewsOfRecords, send)

    interface IExporter<LogRecordView> with
        member _.Name = exporter.Name

        member _.Export(batch, token) =
            Suppression.Run(fun () ->
                match views with
                | None ->
                    recordMemo.Export(
                        batch,
                        records,
                        fun records -> exporter.Export({ Resource = batch.Resource; Items = records }, token)
                    )
                | Some views ->
                    exportViews batch (fun items -> views.Export({ Resource = batch.Resource; Items = items }, token)))

        member _.Shutdown token =
            Suppression.Run(fun () ->
                task {
                    do! exporter.Shutdown token
                    return ()
                })
            :> Task

    // The store's path (see IRequestExporter): the same conversion, the requests handed to the runner.
    interface IRequestExporter<LogRecordView> with
        member _.EncodesRequests =
            match views with
            | None -> RequestStage.encodes exporter
            | Some views -> RequestStage.encodes views

        member _.ExportRequests(batch, deliver, token) =
            Suppression.Run(fun () ->
                match views with
                | None ->
                    recordMemo.Export(
                        batch,
                        records,
                        fun records ->
                            (RequestStage.requests exporter)
                                .ExportRequests({ Resource = batch.Resource; Items = records }, deliver, token)
                    )
                | Some views ->
                    exportViews batch (fun items ->
                        (RequestStage.requests views)
                            .ExportRequests({ Resource = batch.Resource; Items = items }, deliver, token)))

        member _.SendRequest(body, token) =
            Suppression.Run(fun () ->
                match views with
                | None -> (RequestStage.requests exporter).SendRequest(body, token)
                | Some views -> (RequestStage.requests views).SendRequest(body, token))

        member _.RequestKind =
            match views with
            | None -> (RequestStage.requests exporter).RequestKind
            | Some views -> (RequestStage.requests views).RequestKind

    interface IExportDestination with
        member _.Destination = ExportDestination.ofExporter exporter
