namespace Functional.Telemetry

/// Implemented by exporters of records that also read views (the SDK's OTLP, console and ETW exporters, and the
/// adapters `SpanViewExporter` and `LogRecordViewExporter`): the export stages then hand them views, and make no
/// records for them.
type internal IViewExporter =
    /// The exporter of views: an `IExporter<SpanView>` for an exporter of spans, an `IExporter<LogRecordView>` for
    /// an exporter of log records.
    abstract Views: obj

/// Finding the exporter of views behind an exporter of records.
[<RequireQualifiedAccess>]
module internal ViewExporters =
    /// The exporter of span views behind `exporter`; None when it reads records only.
    val spans: exporter: IExporter<Span> -> IExporter<SpanView> option

    /// The exporter of log record views behind `exporter`; None when it reads records only.
    val logs: exporter: IExporter<LogRecord> -> IExporter<LogRecordView> option

/// An exporter of span views, added where a pipeline takes exporters of spans (`Tracing.addBatchExporter`, the C#
/// builder's `AddExporter`). The pipeline then hands it `SpanView`s and makes no `Span` record for it (unless
/// processors are configured, which take records: it then gets views of their records). Called directly with a
/// batch of records, it exports views of them.
[<Sealed>]
type SpanViewExporter =
    /// Adapts `exporter`.
    new: exporter: IExporter<SpanView> -> SpanViewExporter

    /// The exporter of views.
    member Exporter: IExporter<SpanView>

    interface IExporter<Span>
    interface IViewExporter

/// An exporter of log record views, added where a pipeline takes exporters of log records
/// (`Logging.addBatchExporter`, the C# builder's `AddExporter`). The pipeline then hands it `LogRecordView`s and
/// makes no `LogRecord` for it (unless processors are configured, which take records: it then gets views of their
/// records). Called directly with a batch of records, it exports views of them.
[<Sealed>]
type LogRecordViewExporter =
    /// Adapts `exporter`.
    new: exporter: IExporter<LogRecordView> -> LogRecordViewExporter

    /// The exporter of views.
    member Exporter: IExporter<LogRecordView>

    interface IExporter<LogRecord>
    interface IViewExporter
