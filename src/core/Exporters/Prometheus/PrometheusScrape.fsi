namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading
open System.Threading.Tasks

/// The answer to one scrape: what an HTTP server writes back.
[<Sealed>]
type PrometheusScrapeResponse =
    /// 200 for an exposition (one with no series when `OTEL_SDK_DISABLED` made the SDK a no-op); 500 when
    /// collecting or rendering failed; 503 when the SDK is not running, the
    /// scrape was cancelled, or the collection took longer than the scrape timeout.
    member StatusCode: int

    /// The `Content-Type` header (the negotiated exposition format, or `text/plain` for errors).
    member ContentType: string

    /// `gzip` when the body is gzip-compressed, otherwise empty.
    member ContentEncoding: string

    /// The body. Shared between concurrent scrapes: do not write to it.
    member Body: ReadOnlyMemory<byte>

/// How many scrapes a handler answered, how many collections they caused, and how many failed.
type PrometheusScrapeStats =
    {
        /// Scrapes asked of the handler.
        Scrapes: int64
        /// Collections made; concurrent scrapes (and scrapes within the response cache) share one.
        Collections: int64
        /// Scrapes answered with 500, or with 503 because the collection took longer than the scrape timeout.
        Failures: int64
    }

/// Answers Prometheus scrapes from one cumulative pull reader: collects, renders in the format the scrape's
/// `Accept` header asks for, gzips when `Accept-Encoding` allows it. Add it to the metrics configuration
/// (`Metrics.addPrometheusReader`, C# `AddPrometheusReader`) and serve it with any HTTP server: the SDK's own
/// endpoint (`Metrics.addPrometheusEndpoint`) and the ASP.NET Core mapping both use it.
///
/// Scrapes arriving while a collection is in flight await that collection instead of starting another; with a
/// positive response cache, scrapes within that time of the last collection reuse it too. A scrape waits for the
/// collection at most the scrape timeout (default 10 s, Prometheus' default `scrape_timeout`) and then answers 503
/// with a warning on the `Functional-Telemetry` event source; a collection in flight for longer than that (an
/// observable callback that hangs) is not joined: the next scrape starts a new one. Each exposition is
/// rendered once per collection, format and encoding. Thread-safe; `ScrapeAsync` never throws.
[<Sealed>]
type PrometheusScrapeHandler =
    /// A handler with these exposition options, response cache duration (zero: only in-flight collections are
    /// shared) and scrape timeout (how long a scrape waits for a collection before answering 503).
    /// <exception cref="T:System.ArgumentException">The cache duration is negative or the timeout not positive.</exception>
    internal new:
        options: PrometheusOptions * responseCache: TimeSpan * scrapeTimeout: TimeSpan -> PrometheusScrapeHandler

    /// A handler with these exposition options and response cache duration (zero: only in-flight collections
    /// are shared), and the default scrape timeout (10 s).
    /// <exception cref="T:System.ArgumentException">The cache duration is negative.</exception>
    internal new: options: PrometheusOptions * responseCache: TimeSpan -> PrometheusScrapeHandler

    /// A handler with the default exposition options and no response cache.
    new: unit -> PrometheusScrapeHandler

    /// The exposition options (F# reads them as `Options` with Functional.Telemetry.FSharp open).
    member internal OptionsValue: PrometheusOptions

    /// How long a collection answers later scrapes.
    member ResponseCache: TimeSpan

    /// How long a scrape waits for a collection before answering 503.
    member ScrapeTimeout: TimeSpan

    /// The default scrape timeout: 10 seconds, Prometheus' default `scrape_timeout`.
    static member DefaultScrapeTimeout: TimeSpan

    /// The counts of scrapes, collections and failures so far.
    member Stats: PrometheusScrapeStats

    /// Answers a scrape with these `Accept` and `Accept-Encoding` header values (null or empty when absent).
    /// The token stops waiting for the (shared) collection; the collection itself goes on for the others.
    member ScrapeAsync:
        accept: string * acceptEncoding: string * cancellationToken: CancellationToken -> Task<PrometheusScrapeResponse>

    /// The pull reader the SDK attaches (cumulative).
    member internal Reader: MetricPullReader

    /// Called by the SDK at start: the resource of target_info.
    member internal Attach: resource: Resource -> unit

    /// Called by an SDK that `OTEL_SDK_DISABLED` made a no-op: scrapes get a 200 with no series until `Detach`.
    member internal AttachInert: unit -> unit

    /// Called by the SDK at shutdown: scrapes get 503 from now on.
    member internal Detach: unit -> unit

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Threading
open System.Threading.Tasks

/// Pure helpers of the scrape protocol.
[<RequireQualifiedAccess>]
module internal PrometheusScrape =
    /// Whether an `Accept-Encoding` header value allows gzip: a `gzip` entry decides alone (allowed unless
    /// `q=0`); without one, `*` without `q=0` allows it.
    [<CompiledName("AcceptsGzip")>]
    val acceptsGzip: acceptEncoding: string -> bool

/// F#-only members of the scrape handler (its exposition options are an F# record).
[<AutoOpen>]
module PrometheusScrapeHandlerExtensions =
    type PrometheusScrapeHandler with
        /// A handler with these exposition options, response cache duration (zero: only in-flight collections are
        /// shared) and scrape timeout (how long a scrape waits for a collection before answering 503; default
        /// 10 s). C# builds a handler with options through the metrics builder's `AddPrometheusReader`.
        /// <exception cref="T:System.ArgumentException">The cache duration is negative or the timeout not positive.</exception>
        static member Create:
            options: PrometheusOptions * responseCache: TimeSpan * ?scrapeTimeout: TimeSpan -> PrometheusScrapeHandler

        /// The exposition options.
        member Options: PrometheusOptions
