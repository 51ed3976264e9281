namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading.Tasks

/// The SDK's scrape endpoint: a small HTTP/1.1 server (no ASP.NET Core) answering `GET` and `HEAD` on one path
/// (case-sensitive) with its scrape handler. At most 100 connections at once: beyond them, the connection that has
/// waited longest for a request is closed for the new one. A request's head must arrive within 5 seconds (of the
/// accept, or of its first byte on a kept-alive connection, which may idle 2 minutes between requests); writing
/// a response may take 30 seconds. Started by `Telemetry.start` for `Metrics.addPrometheusEndpoint`, stopped by
/// the SDK's shutdown. A bind failure (port in use) does not stop the SDK: it is reported on the `Functional-Telemetry`
/// event source and `IsListening` is false.
[<Sealed>]
type PrometheusServer =
    /// The scrape URL: the bound port when listening (useful with port 0), else the configured one.
    member Url: Uri

    /// True from a successful bind until shutdown.
    member IsListening: bool

    /// The handler answering scrapes.
    member Handler: PrometheusScrapeHandler

    /// Binds and starts accepting (failures are reported, never thrown).
    static member internal Start:
        options: PrometheusEndpointOptions * handler: PrometheusScrapeHandler -> PrometheusServer

    /// Start with other limits than the defaults (tests).
    static member internal StartWith:
        options: PrometheusEndpointOptions * handler: PrometheusScrapeHandler * limits: PrometheusServerLimits ->
            PrometheusServer

    /// Connections open now (tests).
    member internal ConnectionCount: int

    /// Stops listening and closes open connections.
    member internal Stop: unit -> Task
