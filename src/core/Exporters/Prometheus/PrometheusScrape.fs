namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Buffers
open System.Collections.Generic
open System.Diagnostics
open System.Globalization
open System.IO
open System.IO.Compression
open System.Text
open System.Threading
open System.Threading.Tasks

[<Sealed>]
type PrometheusScrapeResponse
    internal (statusCode: int, contentType: string, contentEncoding: string, body: ReadOnlyMemory<byte>) =
    member _.StatusCode = statusCode
    member _.ContentType = contentType
    member _.ContentEncoding = contentEncoding
    member _.Body = body

type PrometheusScrapeStats = { Scrapes: int64; Collections: int64; Failures: int64 }

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Collections.Generic
open System.Diagnostics
open System.Globalization
open System.IO
open System.IO.Compression
open System.Text
open System.Threading
open System.Threading.Tasks

[<RequireQualifiedAccess>]
module PrometheusScrape =
    /// The coding of one `Accept-Encoding` entry and whether its quality is above zero.
    let private entry (entry: string) =
        let parts = entry.Split ';'
        let name = parts.[0].Trim()

        let zeroQuality =
            parts
            |> Array.skip 1
            |> Array.exists (fun p ->
                let p = p.Trim()

                p.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                && (match Double.TryParse(p.Substring 2, NumberStyles.Float, CultureInfo.InvariantCulture) with
                    | true, q -> q <= 0.
                    | _ -> false))

        name, not zeroQuality

    // RFC 9110 12.5.3: an explicit `gzip` entry decides alone; `*` only speaks for codings not listed.
    [<CompiledName("AcceptsGzip")>]
    let acceptsGzip (acceptEncoding: string) =
        if String.IsNullOrWhiteSpace acceptEncoding then
            false
        else
            let entries = acceptEncoding.Split ',' |> Array.map entry

            let named (coding: string) (name: string, _) =
                String.Equals(name, coding, StringComparison.OrdinalIgnoreCase)

            match entries |> Array.filter (named "gzip") with
            | [||] -> entries |> Array.exists (fun (name, allowed) -> name = "*" && allowed)
            | gzip -> gzip |> Array.exists snd

namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Buffers
open System.Collections.Generic
open System.Diagnostics
open System.Globalization
open System.IO
open System.IO.Compression
open System.Text
open System.Threading
open System.Threading.Tasks

/// One collection and the expositions rendered from it (per format and encoding, made once).
[<Sealed>]
type private Snapshot(metrics: MetricData list, collectedAt: int64) =
    let renderings = Dictionary<struct (PrometheusFormat * bool), byte array>()
    member _.Metrics = metrics
    member _.CollectedAt = collectedAt
    member _.Renderings = renderings

[<Sealed>]
type PrometheusScrapeHandler internal (options: PrometheusOptions, responseCache: TimeSpan, scrapeTimeout: TimeSpan) =
    do
        if responseCache < TimeSpan.Zero then
            invalidArg (nameof responseCache) "The scrape response cache duration must not be negative."

        if scrapeTimeout <= TimeSpan.Zero then
            invalidArg (nameof scrapeTimeout) "The scrape timeout must be positive."

    let reader = MetricPullReader TemporalityPreference.Cumulative
    let renderer = PrometheusRenderer options
    let gate = obj ()
    // The renderer keeps caches and is not thread-safe: renders are serialised (they are short next to collection).
    let renderGate = obj ()
    let mutable targetResource = Resource.empty
    let mutable attached = false
    // Held by an SDK that OTEL_SDK_DISABLED made a no-op: scrapes get an empty exposition.
    let mutable inert = false
    let mutable current: Task<Snapshot> = null
    let mutable warnedLeftOut = 0
    let mutable scrapes = 0L
    let mutable collections = 0L
    let mutable failures = 0L

    let cacheTicks = int64 (responseCache.TotalSeconds * float Stopwatch.Frequency)

    let text (status: int) (message: string) =
        PrometheusScrapeResponse(
            status,
            "text/plain; charset=utf-8",
            "",
            ReadOnlyMemory(Encoding.UTF8.GetBytes(message + "\n"))
        )

    // A collection in flight is joined, however long it has run: collections of one reader are serialised on its
    // collector, so a second one started beside a hung one (an observable callback that never returns) would only
    // queue behind it, holding a thread-pool thread per scrape timeout. Each scrape still waits at most the scrape
    // timeout and answers 503; the first scrape after the hung collection ends starts a fresh one.
    let reusable (snapshot: Task<Snapshot>) =
        not (isNull snapshot)
        && (not snapshot.IsCompleted
            || (snapshot.IsCompletedSuccessfully
                && cacheTicks > 0L
                && Stopwatch.GetTimestamp() - snapshot.Result.CollectedAt < cacheTicks))

    // The collection runs on the thread pool so that the lock is never held while observable callbacks run,
    // and a scrape that stops waiting does not stop the collection the others await.
    let shared () =
        lock gate (fun () ->
            if not (reusable current) then
                Interlocked.Increment &collections |> ignore
                current <- Task.Run(fun () -> Snapshot(reader.CollectList(), Stopwatch.GetTimestamp()))

            current)

    let gzip (bytes: ReadOnlySpan<byte>) =
        use output = new MemoryStream()

        do
            use zip = new GZipStream(output, CompressionLevel.Fastest, true)
            zip.Write bytes

        output.ToArray()

    let render (snapshot: Snapshot) format compress =
        lock renderGate (fun () ->
            let key = struct (format, compress)

            match snapshot.Renderings.TryGetValue key with
            | true, body -> body
            | _ ->
                let buffer = ArrayBufferWriter<byte>(4096)
                let leftOut = renderer.Render(format, targetResource, snapshot.Metrics, buffer)

                if leftOut > 0 && Interlocked.Exchange(&warnedLeftOut, 1) = 0 then
                    SelfDiagnostics.warning
                        "prometheus"
                        $"{leftOut} metrics are not shown to Prometheus (exponential histograms or delta temporality); this is reported once"

                let body =
                    if compress then
                        gzip buffer.WrittenSpan
                    else
                        buffer.WrittenSpan.ToArray()

                snapshot.Renderings.[key] <- body
                body)

    internal new(options: PrometheusOptions, responseCache: TimeSpan) =
        PrometheusScrapeHandler(options, responseCache, PrometheusScrapeHandler.DefaultScrapeTimeout)

    new() = PrometheusScrapeHandler(PrometheusOptions.defaults, TimeSpan.Zero)

    static member DefaultScrapeTimeout = TimeSpan.FromSeconds 10.

    member internal _.OptionsValue = options
    member _.ResponseCache = responseCache
    member _.ScrapeTimeout = scrapeTimeout

    member _.Stats =
        {
            Scrapes = Interlocked.Read &scrapes
            Collections = Interlocked.Read &collections
            Failures = Interlocked.Read &failures
        }

    member internal _.Reader = reader

    member internal _.Attach(resource: Resource) =
        targetResource <- resource
        attached <- true

    member internal _.AttachInert() = inert <- true

    member internal _.Detach() =
        attached <- false
        inert <- false
        lock gate (fun () -> current <- null)

    member _.ScrapeAsync
        (accept: string, acceptEncoding: string, cancellationToken: CancellationToken)
        : Task<PrometheusScrapeResponse> =
        Interlocked.Increment &scrapes |> ignore

        if inert then
            // Nothing is recorded: an exposition with no series (OpenMetrics still ends with `# EOF`).
            let format = PrometheusFormat.negotiate accept

            let body =
                match format with
                | PrometheusFormat.OpenMetrics -> PrometheusLiterals.eof
                | PrometheusFormat.Text -> Array.Empty<byte>()

            Task.FromResult(PrometheusScrapeResponse(200, PrometheusFormat.contentType format, "", ReadOnlyMemory body))
        elif not attached then
            Task.FromResult(text 503 "The telemetry SDK is not running.")
        else
            // Joined (or started) before the first await: a caller holding the returned task has its place.
            let collection = shared ()

            task {
                try
                    let! snapshot = collection.WaitAsync(scrapeTimeout, cancellationToken)
                    let format = PrometheusFormat.negotiate accept
                    let compress = PrometheusScrape.acceptsGzip acceptEncoding
                    let body = render snapshot format compress

                    return
                        PrometheusScrapeResponse(
                            200,
                            PrometheusFormat.contentType format,
                            (if compress then "gzip" else ""),
                            ReadOnlyMemory body
                        )
                with
                | :? OperationCanceledException when cancellationToken.IsCancellationRequested ->
                    return text 503 "The scrape was cancelled."
                | :? TimeoutException ->
                    Interlocked.Increment &failures |> ignore

                    SelfDiagnostics.warning
                        "prometheus"
                        $"a collection took longer than the scrape timeout ({scrapeTimeout.TotalSeconds} s); an observable callback may be blocked"

                    return text 503 "Collecting metrics took too long; see the Functional-Telemetry event source."
                | ex ->
                    Interlocked.Increment &failures |> ignore
                    SelfDiagnostics.error "prometheus" $"a scrape failed: {ex.GetType().FullName}"
                    return text 500 "The scrape failed; see the Functional-Telemetry event source."
            }

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<AutoOpen>]
module PrometheusScrapeHandlerExtensions =
    type PrometheusScrapeHandler with
        static member Create(options: PrometheusOptions, responseCache: TimeSpan, ?scrapeTimeout: TimeSpan) =
            PrometheusScrapeHandler(
                options,
                responseCache,
                defaultArg scrapeTimeout PrometheusScrapeHandler.DefaultScrapeTimeout
            )

        member x.Options = x.OptionsValue
