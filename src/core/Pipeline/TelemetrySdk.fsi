namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Functional.Telemetry

/// One export pipeline of a running SDK: its exporter's name and a snapshot of its counters.
type ExportPipeline =
    {
        /// The pipeline name used in diagnostics, for example `traces/otlp-http`.
        Name: string
        /// The counters when the pipeline was read.
        Stats: RunnerStats
    }

    /// Lets C# take the pipeline apart: `foreach (var (name, stats) in sdk.SpanPipelines)`.
    member Deconstruct: name: outref<string> * stats: outref<RunnerStats> -> unit

/// A running SDK. Disposing it shuts it down: pending telemetry is exported first (5 s deadline).
[<Sealed>]
type TelemetrySdk =
    /// Made by `Telemetry.start`: the started parts (flushed and shut down), the runners and readers whose counters
    /// it shows, the logger bridge, the propagator's installation (undone at shutdown) and the diagnostics sink's
    /// registration (closed last at shutdown).
    internal new:
        resource: Resource *
        propagator: TextMapPropagator *
        parts: PipelinePart list *
        spanRunners: Runner<obj> list *
        metricRunners: Runner<MetricData list> list *
        metricDrops: MetricDropCounters *
        prometheusEndpoints: PrometheusServer list *
        scrapeHandlers: PrometheusScrapeHandler list *
        loggerBridge: LoggerBridge *
        installation: IDisposable option *
        diagnostics: DiagnosticsRegistration ->
            TelemetrySdk

    /// The resource every exported batch carries.
    member Resource: Resource

    /// The propagator in use (F# reads it as `Propagator` with Functional.Telemetry.FSharp open).
    member internal PropagatorValue: TextMapPropagator

    /// Counters of each span export pipeline, by exporter name.
    member SpanPipelines: IReadOnlyList<ExportPipeline>

    /// Counters of each periodic metrics pipeline, by exporter name.
    member MetricPipelines: IReadOnlyList<ExportPipeline>

    /// Counters of each log export pipeline, by exporter name. Records written after shutdown count as Rejected.
    member LogPipelines: IReadOnlyList<ExportPipeline>

    /// The ILoggerProvider of this SDK (register it with `ILoggingBuilder.AddProvider` or use `CreateLogger`).
    /// Without logging configured its loggers are disabled. Disposing it does nothing: the SDK owns the pipelines.
    member LoggerProvider: ILoggerProvider

    /// A logger of this category writing to the SDK's log pipelines.
    member CreateLogger: category: string -> ILogger

    /// The Prometheus scrape endpoints this SDK serves (`Metrics.addPrometheusEndpoint`), in the order added.
    member PrometheusEndpoints: IReadOnlyList<PrometheusServer>

    /// Every Prometheus scrape handler of this SDK: those added with `Metrics.addPrometheusReader`, then those of
    /// the endpoints.
    member PrometheusScrapeHandlers: IReadOnlyList<PrometheusScrapeHandler>

    /// Measurements dropped (NaN, infinities, negative counter increments) instead of recorded.
    member MetricDrops: MetricDropCounters

    /// Exports everything pending (and collects periodic metric readers now); true when done within the timeout.
    member ForceFlush: timeout: TimeSpan -> Task<bool>

    /// Stops recording, exports what is pending and shuts exporters down; idempotent. True when done in time.
    member Shutdown: timeout: TimeSpan -> Task<bool>

    /// Shuts the SDK down (5 s deadline), blocking until done: what `using`/`use` calls.
    member Dispose: unit -> unit

    /// Shuts the SDK down (5 s deadline): what `await using` calls.
    member DisposeAsync: unit -> ValueTask

    interface IDisposable
    interface IAsyncDisposable

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// F#-only members of the running SDK (its propagator is an F# value: a record of functions).
[<AutoOpen>]
module TelemetrySdkExtensions =
    type TelemetrySdk with
        /// The propagator in use.
        member Propagator: TextMapPropagator
