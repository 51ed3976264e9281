namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System.Buffers

/// OTLP/JSON encoding (OTLP/HTTP `application/json`): the same export requests as `OtlpProtobuf`, in the proto3
/// JSON mapping with the OTLP rules: lowerCamelCase keys, trace and span ids as lowercase hex (not base64),
/// 64-bit integers as decimal strings, enums as integers, bytes as base64, doubles as JSON numbers (NaN and the
/// infinities as the strings "NaN", "Infinity", "-Infinity").
///
/// Grouping and omitted defaults are as in `OtlpProtobuf`; strings are UTF-8 with lone surrogates replaced by
/// U+FFFD, and non-ASCII characters are written as they are (not escaped). An empty batch writes `{}`.
[<RequireQualifiedAccess>]
module OtlpJson =
    /// Writes an `ExportTraceServiceRequest` as OTLP/JSON.
    [<CompiledName("WriteTraces")>]
    val writeTraces: resource: Resource -> spans: Span array -> output: IBufferWriter<byte> -> unit

    /// Writes an `ExportMetricsServiceRequest` as OTLP/JSON.
    [<CompiledName("WriteMetrics")>]
    val writeMetrics: resource: Resource -> metrics: MetricData array -> output: IBufferWriter<byte> -> unit

    /// Writes an `ExportLogsServiceRequest` as OTLP/JSON.
    [<CompiledName("WriteLogs")>]
    val writeLogs: resource: Resource -> records: LogRecord array -> output: IBufferWriter<byte> -> unit
