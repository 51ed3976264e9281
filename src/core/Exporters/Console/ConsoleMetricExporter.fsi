namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.IO

/// Writes each collection to a text writer (the console by default) as a table; see `ConsoleMetricFormat`. Each
/// collection is written and the writer flushed; exporting never fails and the writer is not disposed.
[<Sealed>]
type ConsoleMetricExporter =
    /// Writes to `writer`.
    new: writer: TextWriter -> ConsoleMetricExporter

    /// Writes to standard output.
    new: unit -> ConsoleMetricExporter

    interface IExporter<MetricData>
