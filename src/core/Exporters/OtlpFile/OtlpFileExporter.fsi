namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// The specification's OTLP File Exporter for one signal: each batch becomes one line of OTLP/JSON (the
/// `TracesData`, `MetricsData` or `LogsData` object, as the OTLP/HTTP JSON request body is) followed by `\n`, written
/// and flushed to standard output or to a file rotated by size (see `OtlpFileOptions`). A write that fails (disk
/// full, no permission) is a Failure naming the destination and the error, counted by the runner; the next batch
/// tries again. Lines are not split: a batch is one line whatever its size.
[<Sealed>]
type OtlpFileExporter<'T> =
    interface IExporter<'T>
    interface IExportDestination
    interface IDisposable

/// Creating OTLP file exporters from options (validated: ArgumentException naming the bad setting).
[<RequireQualifiedAccess>]
module OtlpFileExporter =
    /// A span exporter.
    [<CompiledName("Traces")>]
    val traces: options: OtlpFileOptions -> OtlpFileExporter<Span>

    /// A metric exporter; pair it with `options.TemporalityPreference` when adding it to a metrics pipeline
    /// (`Metrics.addOtlpFileExporter` does).
    [<CompiledName("Metrics")>]
    val metrics: options: OtlpFileOptions -> OtlpFileExporter<MetricData>

    /// A log record exporter.
    [<CompiledName("Logs")>]
    val logs: options: OtlpFileOptions -> OtlpFileExporter<LogRecord>

    /// An exporter writing its lines to `stream` instead of standard output (tests).
    val internal toStream:
        stream: IO.Stream ->
        encode: (Resource -> 'T array -> Buffers.IBufferWriter<byte> -> unit) ->
            OtlpFileExporter<'T>
