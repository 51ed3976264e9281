namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers

/// An OTLP exporter for one signal: encodes each batch into a reused buffer, splits it into several requests
/// when it would exceed `MaxRequestBytes` (an oversize request is never sent), and sends them one after another.
///
/// It never retries: a Retryable result goes back to the runner, which calls Export again with the same batch;
/// the whole batch is then sent again (OTLP receivers tolerate duplicates; nothing depends on the identity of
/// the batch's array). The common batch is encoded once (the encoder measures, then writes).
/// An item that alone exceeds `MaxRequestBytes` is not sent; the batch's result is then a Failure naming the
/// count (after the rest was sent) so the loss is counted.
[<Sealed>]
type OtlpExporter<'T> =
    /// An exporter over `transport`: `encode` writes a request for some items; `views` is the exporter of the
    /// items' views over the same transport (the one the export stages use, see IViewExporter), or null.
    internal new:
        transport: OtlpTransport *
        encode: (Resource -> 'T array -> IBufferWriter<byte> -> unit) *
        maxRequestBytes: int64 *
        views: obj ->
            OtlpExporter<'T>

    /// An exporter over `transport` with no exporter of views.
    internal new:
        transport: OtlpTransport *
        encode: (Resource -> 'T array -> IBufferWriter<byte> -> unit) *
        maxRequestBytes: int64 ->
            OtlpExporter<'T>

    /// The transport (its name and endpoint).
    member internal Transport: OtlpTransport

    interface IExporter<'T>
    interface IRequestExporter<'T>
    interface IExportDestination
    interface IViewExporter
    interface IDisposable

/// Creating OTLP exporters from options (validated: ArgumentException for bad options set in code).
[<RequireQualifiedAccess>]
module OtlpExporter =
    /// A span exporter (protobuf or JSON by `options.Protocol`).
    [<CompiledName("Traces")>]
    val traces: options: OtlpOptions -> OtlpExporter<Span>

    /// A metric exporter; pair it with `options.TemporalityPreference` when adding it to a metrics pipeline.
    [<CompiledName("Metrics")>]
    val metrics: options: OtlpOptions -> OtlpExporter<MetricData>

    /// A log record exporter.
    [<CompiledName("Logs")>]
    val logs: options: OtlpOptions -> OtlpExporter<LogRecord>
