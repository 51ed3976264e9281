namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Renders a collection of metrics as a readable table: name, unit, attributes, value or histogram summary.
/// Pure: metrics in, text out.
[<RequireQualifiedAccess>]
module ConsoleMetricFormat =
    /// One line per data point, grouped by metric, with a heading line per metric.
    [<CompiledName("Render")>]
    val render: metrics: MetricData list -> string
