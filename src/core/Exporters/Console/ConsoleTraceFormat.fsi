namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Renders spans as text for the console exporter: each trace as an indented tree with a waterfall bar,
/// durations, kind, status and attributes. Pure: spans in, text out.
[<RequireQualifiedAccess>]
module ConsoleTraceFormat =
    /// Groups spans by trace (in order of first appearance) and renders each trace as a tree. A span whose parent
    /// is not among the spans is drawn as a root, marked with the parent id it continues.
    [<CompiledName("Render")>]
    val render: spans: Span list -> string

    /// `render` of the spans the views show (what the console exporter writes).
    val internal renderViews: spans: SpanView list -> string

    /// A duration in nanoseconds as text with a unit: `850 ns`, `12.3 µs`, `4.56 ms`, `1.234 s`.
    [<CompiledName("FormatDuration")>]
    val formatDuration: nanoseconds: int64 -> string
