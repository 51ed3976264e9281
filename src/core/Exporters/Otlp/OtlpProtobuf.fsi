namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System.Buffers

/// OTLP protobuf encoding (opentelemetry-proto v1): export requests written straight from the records into a
/// caller's buffer, as OTLP/gRPC and OTLP/HTTP (`application/x-protobuf`) send them.
///
/// Records are grouped under one resource, then by instrumentation scope (one Scope* message per distinct scope,
/// in order of first appearance). Fields holding proto3 defaults (zero, empty) are left out, except where
/// presence matters (`AnyValue` and point value oneofs, optional histogram sum/min/max, span flags).
/// Strings are written as UTF-8; invalid UTF-16 (a lone surrogate) becomes U+FFFD.
/// An empty batch writes an empty request (zero bytes).
[<RequireQualifiedAccess>]
module OtlpProtobuf =
    /// Writes an `ExportTraceServiceRequest` holding the spans. Span flags carry the trace flags byte plus
    /// `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK` (0x100) and, when the parent is remote, `..._IS_REMOTE_MASK` (0x200);
    /// link flags do the same from the linked context's `IsRemote`.
    [<CompiledName("WriteTraces")>]
    val writeTraces: resource: Resource -> spans: Span array -> output: IBufferWriter<byte> -> unit

    /// Writes an `ExportMetricsServiceRequest` holding the metrics (every point kind, with exemplars).
    [<CompiledName("WriteMetrics")>]
    val writeMetrics: resource: Resource -> metrics: MetricData array -> output: IBufferWriter<byte> -> unit

    /// Writes an `ExportLogsServiceRequest` holding the log records.
    [<CompiledName("WriteLogs")>]
    val writeLogs: resource: Resource -> records: LogRecord array -> output: IBufferWriter<byte> -> unit

    /// The number of bytes `writeTraces` writes for these spans (for splitting batches by request size).
    [<CompiledName("TracesSize")>]
    val tracesSize: resource: Resource -> spans: Span array -> int64

    /// The number of bytes `writeMetrics` writes for these metrics.
    [<CompiledName("MetricsSize")>]
    val metricsSize: resource: Resource -> metrics: MetricData array -> int64

    /// The number of bytes `writeLogs` writes for these log records.
    [<CompiledName("LogsSize")>]
    val logsSize: resource: Resource -> records: LogRecord array -> int64
