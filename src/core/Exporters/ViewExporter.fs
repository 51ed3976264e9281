namespace Functional.Telemetry

type internal IViewExporter =
    abstract Views: obj

[<RequireQualifiedAccess>]
module internal ViewExporters =
    let spans (exporter: IExporter<Span>) =
        match box exporter with
        | :? IViewExporter as views ->
            match views.Views with
            | :? IExporter<SpanView> as spans -> Some spans
            | _ -> None
        | _ -> None

    let logs (exporter: IExporter<LogRecord>) =
        match box exporter with
        | :? IViewExporter as views ->
            match views.Views with
            | :? IExporter<LogRecordView> as logs -> Some logs
            | _ -> None
        | _ -> None

[<Sealed>]
type SpanViewExporter(exporter: IExporter<SpanView>) =
    member _.Exporter = exporter

    interface IExporter<Span> with
        member _.Name = exporter.Name

        member _.Export(batch, token) =
            exporter.Export(
                {
                    Resource = batch.Resource
                    Items = Array.map SpanView.OfSpan batch.Items
                },
                token
            )

        member _.Shutdown token = exporter.Shutdown token

    interface IViewExporter with
        member _.Views = box exporter

[<Sealed>]
type LogRecordViewExporter(exporter: IExporter<LogRecordView>) =
    member _.Exporter = exporter

    interface IExporter<LogRecord> with
        member _.Name = exporter.Name

        member _.Export(batch, token) =
            exporter.Export(
                {
                    Resource = batch.Resource
                    Items = Array.map LogRecordView.OfLogRecord batch.Items
                },
                token
            )

        member _.Shutdown token = exporter.Shutdown token

    interface IViewExporter with
        member _.Views = box exporter
