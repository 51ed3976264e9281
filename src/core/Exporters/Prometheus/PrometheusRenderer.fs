namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System.Buffers
open System.Text

/// Renders collections as Prometheus text or OpenMetrics into a caller's buffer: the options and the caches kept
/// between renders (`PrometheusRenderCache`), handed to the exposition writer at each render. Not thread-safe
/// (the scrape handler renders under a lock).
[<Sealed>]
type internal PrometheusRenderer(options: PrometheusOptions) =
    let cache = PrometheusRenderCache()

    /// The options.
    member _.Options = options

    /// Writes the exposition of `metrics` in `format`; returns the number of metrics left out (see
    /// `PrometheusExposition.render`).
    member _.Render
        (format: PrometheusFormat, resource: Resource, metrics: MetricData list, output: IBufferWriter<byte>)
        : int =
        PrometheusExposition.render cache options format resource metrics output

    /// The exposition as a string (tests, debugging).
    member this.RenderToString(format: PrometheusFormat, resource: Resource, metrics: MetricData list) : string =
        let buffer = ArrayBufferWriter<byte>()
        this.Render(format, resource, metrics, buffer) |> ignore
        Encoding.UTF8.GetString buffer.WrittenSpan
