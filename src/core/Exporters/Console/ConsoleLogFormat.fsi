namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// The console exporter's text form of log records. Pure.
[<RequireQualifiedAccess>]
module ConsoleLogFormat =
    /// One line per record: UTC time (ISO 8601, 7 fractional digits), severity text (or the number when there
    /// is no text), `[category]`, the body, then ` {key=value, ...}` when there are attributes,
    /// ` (n dropped)` when limits dropped some, and ` trace_id=... span_id=...` inside a span.
    /// For example `2026-11-22T04:46:24.1234567Z Information [Orders] Hello World 42 {Name=World, Count=42}`.
    [<CompiledName("Format")>]
    val format: record: LogRecord -> string

    /// `format` of the record a view shows (what the console exporter writes).
    val internal formatView: record: LogRecordView -> string
