module Functional.Telemetry.Tests.PrometheusServerTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Diagnostics.Tracing
open System.IO
open System.IO.Compression
open System.Net
open System.Net.Http
open System.Net.Sockets
open System.Text
open System.Text.Json
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Hosting.Server
open Microsoft.AspNetCore.Hosting.Server.Features
open Microsoft.AspNetCore.Http
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

let private uniqueMeter () = "PromTests." + Guid.NewGuid().ToString("N")

/// A port nobody listens on right now (the OS's choice).
let private freePort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

let private start (meter: string) (env: (string * string) list) (configure: MetricsConfig -> MetricsConfig) =
    Telemetry.create "prometheus-tests"
    |> Telemetry.withEnvironment (Env.ofList env)
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withMetrics (Metrics.addMeter meter >> configure)
    |> Telemetry.start

/// An SDK serving `meter` on a free port.
let private serve (meter: string) (configure: PrometheusEndpointOptions -> PrometheusEndpointOptions) =
    let sdk = start meter [] (Metrics.addPrometheusEndpoint (fun o -> configure { o with Port = 0 }))
    sdk, Seq.exactlyOne sdk.PrometheusEndpoints

let private client () =
    new HttpClient(
        new HttpClientHandler(AutomaticDecompression = DecompressionMethods.None),
        Timeout = TimeSpan.FromSeconds 30.
    )

let private get (http: HttpClient) (url: Uri) (headers: (string * string) list) =
    task {
        use request = new HttpRequestMessage(HttpMethod.Get, url)

        for name, value in headers do
            request.Headers.TryAddWithoutValidation(name, value) |> ignore

        let! response = http.SendAsync request
        let! body = response.Content.ReadAsByteArrayAsync()
        return response, body
    }

let private text (body: byte array) = Encoding.UTF8.GetString body

/// The value of the first sample line of `name` (exactly that name, with or without labels).
let private sample (name: string) (exposition: string) =
    exposition.Split('\n')
    |> Array.tryFind (fun line -> line.StartsWith(name + "{") || line.StartsWith(name + " "))
    |> Option.map (fun line -> line.Substring(line.LastIndexOf ' ' + 1) |> float)

let private openMetricsAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

let ``the endpoint serves the text format by default and OpenMetrics when Accept asks for it`` () =
    task {
        let name = uniqueMeter ()
        use meter = new Meter(name)
        let counter = meter.CreateCounter<int64>("prom.test.requests")
        let sdk, server = serve name id
        use _ = sdk
        counter.Add 3L
        Assert.True server.IsListening
        Assert.Equal("/metrics", server.Url.AbsolutePath)
        use http = client ()

        let! plain, plainBody = get http server.Url []
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode)
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", plain.Content.Headers.ContentType.ToString())
        Assert.Equal(Some 3.0, sample "prom_test_requests_total" (text plainBody))
        Assert.DoesNotContain("# EOF", text plainBody)

        let! om, omBody = get http server.Url [ "Accept", openMetricsAccept ]
        Assert.Equal(HttpStatusCode.OK, om.StatusCode)
        Assert.StartsWith("application/openmetrics-text", om.Content.Headers.ContentType.MediaType)
        Assert.EndsWith("# EOF\n", text omBody)
        Assert.Equal(Some 3.0, sample "prom_test_requests_total" (text omBody))
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``the endpoint gzips when the scrape accepts gzip`` () =
    task {
        let name = uniqueMeter ()
        use meter = new Meter(name)
        let counter = meter.CreateCounter<int64>("prom.test.zipped")

        let sdk, server =
            serve name (fun o ->
                { o with
                    ScrapeResponseCache = TimeSpan.FromHours 1.
                    ScrapeTimeout = TimeSpan.FromSeconds 7.
                })

        use _ = sdk
        Assert.Equal(TimeSpan.FromSeconds 7., server.Handler.ScrapeTimeout)
        counter.Add 11L
        use http = client ()

        let! zipped, zippedBody = get http server.Url [ "Accept-Encoding", "gzip" ]
        Assert.Equal(HttpStatusCode.OK, zipped.StatusCode)
        Assert.Equal<string list>([ "gzip" ], List.ofSeq zipped.Content.Headers.ContentEncoding)
        use input = new GZipStream(new MemoryStream(zippedBody), CompressionMode.Decompress)
        use reader = new StreamReader(input)
        let unzipped = reader.ReadToEnd()

        let! plain, plainBody = get http server.Url [ "Accept-Encoding", "gzip;q=0, identity" ]
        Assert.Empty plain.Content.Headers.ContentEncoding
        // One collection (cached), so both encodings carry the same exposition.
        Assert.Equal(text plainBody, unzipped)
        Assert.Equal(Some 11.0, sample "prom_test_zipped_total" unzipped)
        Assert.Equal(1L, server.Handler.Stats.Collections)
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``other paths are 404, other methods 405, HEAD has no body`` () =
    task {
        let name = uniqueMeter ()
        let sdk, server = serve name id
        use _ = sdk
        use http = client ()

        let! missing, _ = get http (Uri(server.Url, "/other")) []
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode)

        use post = new HttpRequestMessage(HttpMethod.Post, server.Url)
        let! posted = http.SendAsync post
        Assert.Equal(HttpStatusCode.MethodNotAllowed, posted.StatusCode)

        use head = new HttpRequestMessage(HttpMethod.Head, server.Url)
        let! headed = http.SendAsync head
        Assert.Equal(HttpStatusCode.OK, headed.StatusCode)
        let! headBody = headed.Content.ReadAsByteArrayAsync()
        Assert.Empty headBody
        // Nothing scraped for the 404 and 405.
        Assert.Equal(1L, server.Handler.Stats.Scrapes)
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``concurrent scrapes share one collection`` () =
    task {
        let name = uniqueMeter ()
        use meter = new Meter(name)
        let calls = ref 0
        let entered = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        use gate = new ManualResetEventSlim(false)

        meter.CreateObservableGauge(
            "prom.test.gated",
            fun () ->
                Interlocked.Increment calls |> ignore
                entered.TrySetResult() |> ignore
                // Holds the first collection until both scrapes wait on it.
                gate.Wait(TimeSpan.FromSeconds 30.) |> ignore
                42L
        )
        |> ignore

        let sdk, server = serve name id
        use _ = sdk
        use http = client ()
        let first = get http server.Url []
        do! entered.Task.WaitAsync(TimeSpan.FromSeconds 30.)
        let second = get http server.Url [ "Accept", openMetricsAccept ]
        // The second scrape has joined once the handler counted it (it joins before it awaits anything).
        Assert.True(SpinWait.SpinUntil((fun () -> server.Handler.Stats.Scrapes = 2L), TimeSpan.FromSeconds 30.))
        gate.Set()
        let! firstResponse, firstBody = within (TimeSpan.FromSeconds 30.) first
        let! secondResponse, secondBody = within (TimeSpan.FromSeconds 30.) second
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode)
        Assert.Equal(HttpStatusCode.OK, secondResponse.StatusCode)
        Assert.Equal(Some 42.0, sample "prom_test_gated" (text firstBody))
        Assert.Equal(Some 42.0, sample "prom_test_gated" (text secondBody))
        Assert.Equal(1, calls.Value)
        Assert.Equal(1L, server.Handler.Stats.Collections)

        // With no response cache, a later scrape collects again.
        let! _, _ = get http server.Url []
        Assert.Equal(2, calls.Value)
        Assert.Equal(2L, server.Handler.Stats.Collections)
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``the scrape handler joins an in-flight collection before its task is returned`` () =
    task {
        let name = uniqueMeter ()
        use meter = new Meter(name)
        let entered = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        use gate = new ManualResetEventSlim(false)

        meter.CreateObservableCounter(
            "prom.test.joined",
            fun () ->
                entered.TrySetResult() |> ignore
                gate.Wait(TimeSpan.FromSeconds 30.) |> ignore
                5L
        )
        |> ignore

        let handler = PrometheusScrapeHandler()
        use sdk = start name [] (Metrics.addPrometheusReader handler)
        let scrapes = [ for _ in 1..3 -> handler.ScrapeAsync("", "", CancellationToken.None) ]
        do! entered.Task.WaitAsync(TimeSpan.FromSeconds 30.)
        gate.Set()
        let! responses = within (TimeSpan.FromSeconds 30.) (Task.WhenAll scrapes)
        Assert.All(responses, fun r -> Assert.Equal(200, r.StatusCode))
        // One rendering per collection and format: the same bytes.
        Assert.True(responses.[0].Body.Span.SequenceEqual(responses.[2].Body.Span))
        Assert.Equal({ Scrapes = 3L; Collections = 1L; Failures = 0L }, handler.Stats)
        Assert.Equal<PrometheusScrapeHandler seq>([ handler ], sdk.PrometheusScrapeHandlers)
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``a handler outside a running SDK answers 503`` () =
    task {
        let handler = PrometheusScrapeHandler()
        let! before = handler.ScrapeAsync(null, null, CancellationToken.None)
        Assert.Equal(503, before.StatusCode)
        let sdk = start (uniqueMeter ()) [] (Metrics.addPrometheusReader handler)
        let! running = handler.ScrapeAsync(null, null, CancellationToken.None)
        Assert.Equal(200, running.StatusCode)
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
        let! after = handler.ScrapeAsync(null, null, CancellationToken.None)
        Assert.Equal(503, after.StatusCode)
        Assert.StartsWith("text/plain", after.ContentType)
    }

let ``host and port come from the environment, options in code win`` () =
    task {
        let envPort = freePort ()

        let env =
            [
                "OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1"
                "OTEL_EXPORTER_PROMETHEUS_PORT", string envPort
            ]

        use fromEnv = start (uniqueMeter ()) env (Metrics.addPrometheusEndpoint id)
        let server = Seq.exactlyOne fromEnv.PrometheusEndpoints
        Assert.True server.IsListening
        Assert.Equal(Uri($"http://127.0.0.1:{envPort}/metrics"), server.Url)
        use http = client ()
        let! response, _ = get http server.Url []
        Assert.Equal(HttpStatusCode.OK, response.StatusCode)

        let codePort = freePort ()

        use fromCode =
            start
                (uniqueMeter ())
                env
                (Metrics.addPrometheusEndpoint (fun o -> { o with Port = codePort; Path = "/scrape" }))

        Assert.Equal(Uri($"http://127.0.0.1:{codePort}/scrape"), (Seq.exactlyOne fromCode.PrometheusEndpoints).Url)
        do! fromEnv.Shutdown(TimeSpan.FromSeconds 5.) :> Task
        do! fromCode.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``endpoint options: environment defaults, warnings and checks`` () =
    let options, warnings = PrometheusEndpointOptions.fromEnvironment (Env.ofList [])
    Assert.Equal(PrometheusEndpointOptions.defaults, options)
    Assert.Empty warnings
    Assert.Equal(("127.0.0.1", 9464, "/metrics"), (options.Host, options.Port, options.Path))

    let bad, badWarnings =
        PrometheusEndpointOptions.fromEnvironment (Env.ofList [ "OTEL_EXPORTER_PROMETHEUS_PORT", "70000" ])

    Assert.Equal(9464, bad.Port)
    Assert.Equal("OTEL_EXPORTER_PROMETHEUS_PORT", (Assert.Single badWarnings).Source)

    let invalid setting (o: PrometheusEndpointOptions) =
        match PrometheusEndpointOptions.validate o with
        | Ok _ -> Assert.Fail $"expected {setting} to be refused"
        | Error errors -> Assert.Equal(Some setting, Validation.settingOf (List.head errors))

    invalid "Port" { options with Port = -1 }
    invalid "Host" { options with Host = " " }
    invalid "Path" { options with Path = "metrics" }

    invalid
        "ScrapeResponseCache"
        { options with
            ScrapeResponseCache = TimeSpan.FromSeconds -1.
        }

    invalid "ScrapeTimeout" { options with ScrapeTimeout = TimeSpan.Zero }
    // Checked when the SDK starts, like every option set in code.
    Assert.Throws<ArgumentException>(fun () ->
        start (uniqueMeter ()) [] (Metrics.addPrometheusEndpoint (fun o -> { o with Path = "x" }))
        |> ignore)
    |> ignore

let ``an invalid host from the environment is a warning and the default host`` () =
    for host in [ "localhost:9464"; "http://localhost"; "my host"; "a:b" ] do
        let options, warnings =
            PrometheusEndpointOptions.fromEnvironment (Env.ofList [ "OTEL_EXPORTER_PROMETHEUS_HOST", host ])

        Assert.Equal(PrometheusEndpointOptions.defaults.Host, options.Host)
        Assert.Equal("OTEL_EXPORTER_PROMETHEUS_HOST", (Assert.Single warnings).Source)

    for host in [ "localhost"; "0.0.0.0"; "::1"; "[::1]"; "*"; "metrics.example.com" ] do
        let options, warnings =
            PrometheusEndpointOptions.fromEnvironment (Env.ofList [ "OTEL_EXPORTER_PROMETHEUS_HOST", host ])

        Assert.Equal(host, options.Host)
        Assert.Empty warnings

    // The SDK starts and serves on the default host.
    let env =
        [
            "OTEL_EXPORTER_PROMETHEUS_HOST", "localhost:9464"
            "OTEL_EXPORTER_PROMETHEUS_PORT", "0"
        ]

    use sdk = start (uniqueMeter ()) env (Metrics.addPrometheusEndpoint id)
    let server = Seq.exactlyOne sdk.PrometheusEndpoints
    Assert.True server.IsListening
    Assert.Equal("127.0.0.1", server.Url.Host)

let ``an invalid host set in code is an ArgumentException at start`` () =
    for host in [ "localhost:9464"; "http://localhost"; "my host"; "a:b" ] do
        let error =
            Assert.Throws<ArgumentException>(fun () ->
                start (uniqueMeter ()) [] (Metrics.addPrometheusEndpoint (fun o -> { o with Host = host; Port = 0 }))
                |> ignore)

        Assert.Equal("Host", error.ParamName)

let ``a start that throws on a metrics option leaves tracing stopped`` () =
    let source = "PromTests.Traced." + Guid.NewGuid().ToString("N")
    use activitySource = new ActivitySource(source)

    let config =
        Telemetry.create "prometheus-tests"
        // Tracing with no exporter would export over OTLP (the specification's default): `none` keeps it local.
        |> Telemetry.withEnvironment (Env.ofList [ "OTEL_TRACES_EXPORTER", "none" ])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withResourceDetection false
        |> Telemetry.withTracing (Tracing.addSource source)
        |> Telemetry.withMetrics (Metrics.addPrometheusEndpoint (fun o -> { o with Path = "no-slash" }))

    // Without metrics the same config listens: the assertion below can fail.
    let tracingOnly = { config with Metrics = None } |> Telemetry.start
    Assert.True(activitySource.HasListeners())
    tracingOnly.Shutdown(TimeSpan.FromSeconds 5.).Wait()
    Assert.False(activitySource.HasListeners())

    Assert.Throws<ArgumentException>(fun () -> Telemetry.start config |> ignore)
    |> ignore

    Assert.False(activitySource.HasListeners())

let ``a scrape handler or pull reader serves one SDK: a second SDK or a second add is rejected at start`` () =
    task {
        let handler = PrometheusScrapeHandler()
        let first = start (uniqueMeter ()) [] (Metrics.addPrometheusReader handler)
        let second () = start (uniqueMeter ()) [] (Metrics.addPrometheusReader handler) |> ignore
        Assert.Contains("already attached", Assert.Throws<InvalidOperationException>(second).Message)
        // The first SDK still serves its handler.
        let! running = handler.ScrapeAsync("", "", CancellationToken.None)
        Assert.Equal(200, running.StatusCode)
        do! first.Shutdown(TimeSpan.FromSeconds 5.) :> Task
        // Once the first is shut down, another SDK may take the handler.
        let again = start (uniqueMeter ()) [] (Metrics.addPrometheusReader handler)
        let! answered = handler.ScrapeAsync("", "", CancellationToken.None)
        Assert.Equal(200, answered.StatusCode)
        do! again.Shutdown(TimeSpan.FromSeconds 5.) :> Task

        let twice () =
            start (uniqueMeter ()) [] (Metrics.addPrometheusReader handler >> Metrics.addPrometheusReader handler)
            |> ignore

        Assert.Contains("added twice", Assert.Throws<ArgumentException>(twice).Message)

        let pull = MetricPullReader()

        let pullTwice () =
            start (uniqueMeter ()) [] (Metrics.addReader pull >> Metrics.addReader pull)
            |> ignore

        Assert.Throws<ArgumentException>(pullTwice) |> ignore
        // A rejected start attached nothing.
        let! after = handler.ScrapeAsync("", "", CancellationToken.None)
        Assert.Equal(503, after.StatusCode)
    }

let ``an IPv6 host gets a bracketed URL`` () =
    task {
        let sdk, server = serve (uniqueMeter ()) (fun o -> { o with Host = "::1" })
        use _ = sdk

        if server.IsListening then
            Assert.Equal("[::1]", server.Url.Host)
            use http = client ()
            let! response, _ = get http server.Url []
            Assert.Equal(HttpStatusCode.OK, response.StatusCode)
        else
            // No IPv6 loopback here: the URL is still well formed.
            Assert.Equal(UriHostNameType.IPv6, server.Url.HostNameType)

        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

/// Sends `request` over a raw connection and reads until the server closes it.
let private raw (url: Uri) (request: string) =
    task {
        use tcp = new TcpClient()
        do! tcp.ConnectAsync(IPAddress.Loopback, url.Port)
        use stream = tcp.GetStream()
        let bytes = Encoding.ASCII.GetBytes request
        do! stream.WriteAsync(bytes, 0, bytes.Length)
        use reader = new StreamReader(stream, Encoding.UTF8)
        // Ends only when the server closes the connection.
        return! within (TimeSpan.FromSeconds 30.) (reader.ReadToEndAsync())
    }

/// One scrape on a connection of its own, which must answer 200 within 10 seconds.
let private scrapeOnNewConnection (url: Uri) =
    task {
        use http = client ()
        let! response, body = get http url [ "Connection", "close" ] |> within (TimeSpan.FromSeconds 10.)
        Assert.Equal(HttpStatusCode.OK, response.StatusCode)
        Assert.Contains("target_info", text body)
    }

let ``a thousand idle connections do not lock scrapers out`` () =
    task {
        let sdk, server = serve (uniqueMeter ()) id
        use _ = sdk
        let idle = [ for _ in 1..1000 -> new TcpClient() ]

        try
            // Connected, and silent: each holds a connection the server has to accept.
            for c in idle do
                do! c.ConnectAsync(IPAddress.Loopback, server.Url.Port)

            for _ in 1..3 do
                do! scrapeOnNewConnection server.Url

            // A scraper that keeps its connection alive between scrapes is served on it as well.
            use http = client ()

            for _ in 1..2 do
                let! response, _ = get http server.Url [] |> within (TimeSpan.FromSeconds 10.)
                Assert.Equal(HttpStatusCode.OK, response.StatusCode)
        finally
            for c in idle do
                c.Dispose()

        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

/// Connects and sends `head` one byte every `pause`, until the server closes the connection or `stop` is
/// cancelled; `started` completes once the first byte is written. Returns whether the server closed it.
let private drip
    (port: int)
    (head: string)
    (pause: TimeSpan)
    (started: TaskCompletionSource)
    (stop: CancellationToken)
    =
    task {
        use tcp = new TcpClient()
        do! tcp.ConnectAsync(IPAddress.Loopback, port)
        let stream = tcp.GetStream()
        let bytes = Encoding.ASCII.GetBytes head
        let mutable closed = false
        let mutable i = 0

        try
            while not closed && not stop.IsCancellationRequested do
                do! stream.WriteAsync(bytes, i % bytes.Length, 1, stop)
                started.TrySetResult() |> ignore
                i <- i + 1
                do! Task.Delay(pause, stop)
        with
        | :? OperationCanceledException -> ()
        | :? IOException
        | :? SocketException -> closed <- true

        return closed
    }

let ``slowly dripping connections do not hold the endpoint: scrapes keep answering`` () =
    task {
        let sdk, server = serve (uniqueMeter ()) id
        use _ = sdk
        use stop = new CancellationTokenSource()
        // A request head that never ends: a header line that keeps growing, one byte at a time.
        let head = "GET /metrics HTTP/1.1\r\nX-Slow: " + String('a', 4000)

        let started =
            [
                for _ in 1..150 -> TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
            ]

        let drips =
            [
                for s in started -> drip server.Url.Port head (TimeSpan.FromMilliseconds 200.) s stop.Token
            ]

        try
            do! Task.WhenAll(started |> List.map (fun s -> s.Task)).WaitAsync(TimeSpan.FromSeconds 30.)

            for _ in 1..3 do
                do! scrapeOnNewConnection server.Url
        finally
            stop.Cancel()

        let! _ = Task.WhenAll drips |> within (TimeSpan.FromSeconds 30.)
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``the path is case-sensitive`` () =
    task {
        let sdk, server = serve (uniqueMeter ()) id
        use _ = sdk
        use http = client ()
        let! upper, _ = get http (Uri(server.Url, "/METRICS")) []
        Assert.Equal(HttpStatusCode.NotFound, upper.StatusCode)
        let! exact, _ = get http server.Url []
        Assert.Equal(HttpStatusCode.OK, exact.StatusCode)
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``HTTP/1.0 requests are answered and the connection closed; empty lines before a request are skipped`` () =
    task {
        let sdk, server = serve (uniqueMeter ()) id
        use _ = sdk
        // Asks for keep-alive, which is not echoed: the server closes, so reading to the end returns.
        let! http10 = raw server.Url "GET /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", http10)
        Assert.Contains("\r\nConnection: close\r\n", http10)
        Assert.Contains("target_info", http10)

        let! leading = raw server.Url "\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", leading)
        Assert.Equal(2L, server.Handler.Stats.Scrapes)
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``Accept-Encoding parsing`` () =
    Assert.True(PrometheusScrape.acceptsGzip "gzip")
    Assert.True(PrometheusScrape.acceptsGzip "deflate, GZIP;q=0.5")
    Assert.True(PrometheusScrape.acceptsGzip "*")
    Assert.True(PrometheusScrape.acceptsGzip "identity, *;q=0.1")
    // An explicit gzip entry decides alone; `*` speaks only for codings not listed.
    Assert.False(PrometheusScrape.acceptsGzip "gzip;q=0, *")
    Assert.False(PrometheusScrape.acceptsGzip "*, gzip;q=0")
    Assert.True(PrometheusScrape.acceptsGzip "gzip, *;q=0")
    Assert.False(PrometheusScrape.acceptsGzip "*;q=0")
    Assert.False(PrometheusScrape.acceptsGzip "gzip;q=0")
    Assert.False(PrometheusScrape.acceptsGzip "identity")
    Assert.False(PrometheusScrape.acceptsGzip null)
    Assert.False(PrometheusScrape.acceptsGzip "")

/// Collects the messages of the SDK's events named `eventName` (`Error`, `Warning`) from the `prometheus`
/// component. (EventListener enables sources from its base constructor, before `eventName` is stored: the
/// source is enabled at Warning, which covers both, and events are filtered when they arrive.)
type private PrometheusEvents(eventName: string) =
    inherit EventListener()
    let events = ConcurrentQueue<string>()
    member _.Messages = List.ofSeq events

    override _.OnEventSourceCreated source =
        if source.Name = "Functional-Telemetry" then
            base.EnableEvents(source, EventLevel.Warning)

    override _.OnEventWritten args =
        if
            not (isNull (box events))
            && args.EventName = eventName
            && string args.Payload.[0] = "prometheus"
        then
            events.Enqueue(string args.Payload.[1])

let ``a port in use is reported and the SDK keeps running`` () =
    task {
        use listener = new PrometheusEvents("Error")
        let taken = new TcpListener(IPAddress.Loopback, 0)
        taken.Start()
        let port = (taken.LocalEndpoint :?> IPEndPoint).Port

        try
            let name = uniqueMeter ()
            use meter = new Meter(name)
            let handler = PrometheusScrapeHandler()
            meter.CreateCounter<int64>("prom.test.still").Add 1L

            use sdk =
                start
                    name
                    []
                    (Metrics.addPrometheusEndpoint (fun o -> { o with Port = port })
                     >> Metrics.addPrometheusReader handler)

            let server = Seq.exactlyOne sdk.PrometheusEndpoints
            Assert.False server.IsListening
            Assert.Contains(listener.Messages, fun m -> m.Contains(string port) && m.Contains "AddressAlreadyInUse")
            // The rest of the SDK works.
            let! response = handler.ScrapeAsync("", "", CancellationToken.None)
            Assert.Equal(200, response.StatusCode)
            let! shutdown = sdk.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.True shutdown
        finally
            taken.Stop()
    }

let ``a hung collection answers 503 after the scrape timeout and does not wedge later scrapes`` () =
    task {
        use listener = new PrometheusEvents("Warning")
        let name = uniqueMeter ()
        use meter = new Meter(name)
        let entered = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        use gate = new ManualResetEventSlim(false)

        try
            meter.CreateObservableGauge(
                "prom.test.hung",
                fun () ->
                    entered.TrySetResult() |> ignore
                    gate.Wait(TimeSpan.FromSeconds 60.) |> ignore
                    7L
            )
            |> ignore

            let handler =
                PrometheusScrapeHandler(PrometheusOptions.defaults, TimeSpan.Zero, TimeSpan.FromMilliseconds 500.)

            use sdk = start name [] (Metrics.addPrometheusReader handler)
            let! first = within (TimeSpan.FromSeconds 30.) (handler.ScrapeAsync("", "", CancellationToken.None))
            do! entered.Task.WaitAsync(TimeSpan.FromSeconds 30.)
            Assert.Equal(503, first.StatusCode)
            Assert.Contains("too long", Encoding.UTF8.GetString(first.Body.Span))
            Assert.Contains(listener.Messages, fun m -> m.Contains "scrape timeout")

            // The next scrape joins the hung collection (another would only queue behind it on the collector's
            // lock, holding a thread) and also gives up at the timeout.
            let! second = within (TimeSpan.FromSeconds 30.) (handler.ScrapeAsync("", "", CancellationToken.None))
            Assert.Equal(503, second.StatusCode)
            Assert.Equal({ Scrapes = 2L; Collections = 1L; Failures = 2L }, handler.Stats)

            // Once the callback returns, scrapes are answered again.
            gate.Set()
            let! third = within (TimeSpan.FromSeconds 30.) (handler.ScrapeAsync("", "", CancellationToken.None))
            Assert.Equal(200, third.StatusCode)
            Assert.Equal(Some 7.0, sample "prom_test_hung" (Encoding.UTF8.GetString(third.Body.Span)))
            do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
        finally
            gate.Set()
    }

let ``exponential histograms are left out and reported once`` () =
    task {
        use listener = new PrometheusEvents("Warning")
        let name = uniqueMeter ()
        use meter = new Meter(name)
        let sizes = meter.CreateHistogram<float>("prom.test.sizes")
        let counter = meter.CreateCounter<int64>("prom.test.kept")
        let handler = PrometheusScrapeHandler()

        let exponential =
            { View.forInstrument "prom.test.sizes" with
                Aggregation = Some(Aggregation.Base2ExponentialHistogram(160, 20, true))
            }

        use sdk = start name [] (Metrics.addView exponential >> Metrics.addPrometheusReader handler)
        sizes.Record 3.
        counter.Add 1L

        for _ in 1..3 do
            let! response = handler.ScrapeAsync("", "", CancellationToken.None)
            let body = Encoding.UTF8.GetString(response.Body.Span)
            Assert.Equal(200, response.StatusCode)
            Assert.DoesNotContain("prom_test_sizes", body)
            Assert.Equal(Some 1.0, sample "prom_test_kept_total" body)

        let warning = Assert.Single(listener.Messages)
        Assert.Contains("exponential histograms", warning)
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``shutdown stops listening`` () =
    task {
        let sdk, server = serve (uniqueMeter ()) id
        use http = client ()
        let! response, _ = get http server.Url []
        Assert.Equal(HttpStatusCode.OK, response.StatusCode)
        let! ok = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.True ok
        Assert.False server.IsListening
        use probe = new TcpClient()

        let! error =
            Assert.ThrowsAnyAsync<SocketException>(fun () -> probe.ConnectAsync(IPAddress.Loopback, server.Url.Port))

        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode)
    }

// ---- next to OTLP: each reader has its own temporality ----

let private startJsonReceiver (received: ConcurrentQueue<string>) =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore
        builder.WebHost.UseUrls("http://127.0.0.1:0") |> ignore
        let app = builder.Build()

        app.Run(
            RequestDelegate(fun context ->
                task {
                    use reader = new StreamReader(context.Request.Body)
                    let! body = reader.ReadToEndAsync()
                    received.Enqueue body
                    context.Response.ContentType <- "application/json"
                    do! context.Response.WriteAsync "{}"
                }
                :> Task)
        )

        do! app.StartAsync()

        let address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
            |> Seq.head

        return app, address
    }

/// The (temporality, value) of every sum data point named `name` in OTLP/JSON requests.
let private otlpSums (name: string) (bodies: string seq) =
    [
        for body in bodies do
            use doc = JsonDocument.Parse body

            for rm in doc.RootElement.GetProperty("resourceMetrics").EnumerateArray() do
                for sm in rm.GetProperty("scopeMetrics").EnumerateArray() do
                    for m in sm.GetProperty("metrics").EnumerateArray() do
                        if m.GetProperty("name").GetString() = name then
                            let sum = m.GetProperty "sum"
                            let temporality = sum.GetProperty("aggregationTemporality").GetInt32()

                            for p in sum.GetProperty("dataPoints").EnumerateArray() do
                                yield temporality, Int64.Parse(p.GetProperty("asInt").GetString())
    ]

let ``an OTLP delta reader and the cumulative Prometheus endpoint side by side`` () =
    task {
        let received = ConcurrentQueue<string>()
        let! app, address = startJsonReceiver received

        try
            let name = uniqueMeter ()
            use meter = new Meter(name)
            let counter = meter.CreateCounter<int64>("prom.side.orders")

            let otlp (o: OtlpOptions) =
                { o with
                    Endpoint = Some(Uri(address + "/v1/metrics"))
                    Protocol = OtlpProtocol.HttpJson
                    TemporalityPreference = TemporalityPreference.Delta
                }

            use sdk =
                start
                    name
                    []
                    (Metrics.addOtlpExporter otlp
                     >> Metrics.addPrometheusEndpoint (fun o -> { o with Port = 0 }))

            let server = Seq.exactlyOne sdk.PrometheusEndpoints
            use http = client ()

            counter.Add 5L
            let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.True flushed
            let! _, first = get http server.Url []
            Assert.Equal(Some 5.0, sample "prom_side_orders_total" (text first))

            counter.Add 3L
            let! flushedAgain = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.True flushedAgain
            let! _, second = get http server.Url []
            // Prometheus sees the running total, OTLP the increments (aggregationTemporality 1 = delta).
            Assert.Equal(Some 8.0, sample "prom_side_orders_total" (text second))
            Assert.Equal<(int * int64) list>([ 1, 5L; 1, 3L ], otlpSums "prom.side.orders" received)
            do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
        finally
            app.StopAsync().Wait()
            (app :> IDisposable).Dispose()
    }

// ---- connection limits (shortened through the internal StartWith) ----

/// An SDK whose scrape handler is served by a server with these limits; the meter `name` is collected.
let private serveWith (name: string) (handler: PrometheusScrapeHandler) (limits: PrometheusServerLimits) =
    let sdk = start name [] (Metrics.addPrometheusReader handler)

    let server =
        PrometheusServer.StartWith({ PrometheusEndpointOptions.defaults with Port = 0 }, handler, limits)

    sdk, server

/// Completes with true when the server closes the connection (end of stream or reset), within 30 seconds.
let private closedByServer (tcp: TcpClient) =
    task {
        try
            let buffer = Array.zeroCreate<byte> 4096
            let stream = tcp.GetStream()
            let mutable closed = false
            let mutable reading = true

            while reading do
                let! read = stream.ReadAsync(buffer, 0, buffer.Length)

                if read = 0 then
                    closed <- true
                    reading <- false

            return closed
        with
        | :? IOException
        | :? SocketException -> return true
    }
    |> within (TimeSpan.FromSeconds 30.)

/// Writes a scrape request on an open connection and reads its whole response (by its Content-Length), so the
/// connection is ready for the next one; returns the response's head.
let private scrapeOn (tcp: TcpClient) =
    task {
        let stream = tcp.GetStream()
        let request = Encoding.ASCII.GetBytes "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
        do! stream.WriteAsync(request, 0, request.Length)
        let received = ResizeArray<byte>()
        let buffer = Array.zeroCreate<byte> 4096
        let mutable head = ""
        let mutable remaining = -1
        let mutable reading = true

        while reading do
            let! read = stream.ReadAsync(buffer, 0, buffer.Length)

            if read = 0 then
                reading <- false
            else
                received.AddRange(ArraySegment(buffer, 0, read))

                if remaining < 0 then
                    let text = Encoding.ASCII.GetString(received.ToArray())

                    match text.IndexOf "\r\n\r\n" with
                    | -1 -> ()
                    | at ->
                        head <- text.Substring(0, at)

                        let length =
                            head.Split("\r\n")
                            |> Array.pick (fun line ->
                                if line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) then
                                    Some(int (line.Substring(15).Trim()))
                                else
                                    None)

                        remaining <- at + 4 + length - received.Count
                else
                    remaining <- remaining - read

                if remaining = 0 then
                    reading <- false

        return head
    }
    |> within (TimeSpan.FromSeconds 30.)

let private patientLimits =
    { PrometheusServerLimits.Default with
        RequestHeadTimeout = TimeSpan.FromMinutes 1.
        IdleTimeout = TimeSpan.FromMinutes 2.
    }

let ``beyond the connection cap the connection waiting longest is closed for the new one`` () =
    task {
        use listener = new PrometheusEvents("Warning")
        let handler = PrometheusScrapeHandler()

        let sdk, server = serveWith (uniqueMeter ()) handler { patientLimits with MaxConnections = 3 }

        use _ = sdk
        let clients = [ for _ in 1..3 -> new TcpClient() ]

        try
            // Accepted in order, so the first waits longest.
            for c in clients do
                do! c.ConnectAsync(IPAddress.Loopback, server.Url.Port)

            // The second has been answered since: its wait began after the third's.
            let! answered = scrapeOn clients.[1]
            Assert.StartsWith("HTTP/1.1 200 OK", answered)
            use extra = new TcpClient()
            do! extra.ConnectAsync(IPAddress.Loopback, server.Url.Port)
            let! firstClosed = closedByServer clients.[0]
            Assert.True firstClosed
            let! served = scrapeOn extra
            Assert.StartsWith("HTTP/1.1 200 OK", served)
            // The third is still served, and so is the second on its kept-alive connection.
            let! third = scrapeOn clients.[2]
            Assert.StartsWith("HTTP/1.1 200 OK", third)
            let! second = scrapeOn clients.[1]
            Assert.StartsWith("HTTP/1.1 200 OK", second)
            Assert.Contains(listener.Messages, fun m -> m.Contains "idle longest is closed")
        finally
            for c in clients do
                c.Dispose()

        do! server.Stop()
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``a connection that is answering is never closed to make room: the new one is`` () =
    task {
        use listener = new PrometheusEvents("Warning")
        let name = uniqueMeter ()
        use meter = new Meter(name)
        let entered = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
        use gate = new ManualResetEventSlim(false)

        meter.CreateObservableGauge(
            "prom.test.held",
            fun () ->
                entered.TrySetResult() |> ignore
                gate.Wait(TimeSpan.FromSeconds 60.) |> ignore
                3L
        )
        |> ignore

        let handler =
            PrometheusScrapeHandler(PrometheusOptions.defaults, TimeSpan.Zero, TimeSpan.FromSeconds 60.)

        let sdk, server = serveWith name handler { patientLimits with MaxConnections = 1 }
        use _ = sdk
        use busy = new TcpClient()

        try
            do! busy.ConnectAsync(IPAddress.Loopback, server.Url.Port)
            let answer = scrapeOn busy
            // The collection has started: the one connection is answering.
            do! entered.Task.WaitAsync(TimeSpan.FromSeconds 30.)
            use extra = new TcpClient()
            do! extra.ConnectAsync(IPAddress.Loopback, server.Url.Port)
            let! extraClosed = closedByServer extra
            Assert.True extraClosed
            Assert.Contains(listener.Messages, fun m -> m.Contains "all answering")
            gate.Set()
            let! response = answer
            Assert.StartsWith("HTTP/1.1 200 OK", response)
        finally
            gate.Set()

        do! server.Stop()
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

let ``a request head must arrive within the head timeout, dripped or not; a kept-alive connection may idle longer`` () =
    task {
        let handler = PrometheusScrapeHandler()
        let headTimeout = TimeSpan.FromMilliseconds 500.

        let sdk, server =
            serveWith (uniqueMeter ()) handler { patientLimits with RequestHeadTimeout = headTimeout }

        use _ = sdk

        // Connects and sends nothing.
        use silent = new TcpClient()
        let watch = Stopwatch.StartNew()
        do! silent.ConnectAsync(IPAddress.Loopback, server.Url.Port)
        let! silentClosed = closedByServer silent
        Assert.True silentClosed
        Assert.True(watch.Elapsed >= headTimeout - TimeSpan.FromMilliseconds 50., $"closed after {watch.Elapsed}")

        // Sends a byte every 50 ms, for ever: closed all the same, though it never stops sending.
        use stop = new CancellationTokenSource(TimeSpan.FromSeconds 30.)
        let started = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)

        let! dripClosed =
            drip
                server.Url.Port
                ("GET /metrics HTTP/1.1\r\nX-Slow: " + String('a', 8000))
                (TimeSpan.FromMilliseconds 50.)
                started
                stop.Token

        Assert.True(dripClosed, "the dripping connection was not closed by the server")
        Assert.False(stop.IsCancellationRequested, "the dripping connection was closed by the test's deadline")

        // A kept-alive connection: idle three head timeouts between two scrapes (the wait is the point), then served.
        use keptAlive = new TcpClient()
        do! keptAlive.ConnectAsync(IPAddress.Loopback, server.Url.Port)
        let! first = scrapeOn keptAlive
        Assert.StartsWith("HTTP/1.1 200 OK", first)
        do! Task.Delay(headTimeout * 3.)
        let! second = scrapeOn keptAlive
        Assert.StartsWith("HTTP/1.1 200 OK", second)
        Assert.Equal(1, server.ConnectionCount)

        do! server.Stop()
        do! sdk.Shutdown(TimeSpan.FromSeconds 5.) :> Task
    }

[<Tests>]
let tests =
    testSequencedGroup
        "PrometheusServerTests"
        (testList
            "PrometheusServerTests"
            [
                testTask "the endpoint serves the text format by default and OpenMetrics when Accept asks for it" {
                    do! ``the endpoint serves the text format by default and OpenMetrics when Accept asks for it`` ()
                }
                testTask "the endpoint gzips when the scrape accepts gzip" {
                    do! ``the endpoint gzips when the scrape accepts gzip`` ()
                }
                testTask "other paths are 404, other methods 405, HEAD has no body" {
                    do! ``other paths are 404, other methods 405, HEAD has no body`` ()
                }
                testTask "concurrent scrapes share one collection" {
                    do! ``concurrent scrapes share one collection`` ()
                }
                testTask "the scrape handler joins an in-flight collection before its task is returned" {
                    do! ``the scrape handler joins an in-flight collection before its task is returned`` ()
                }
                testTask "a handler outside a running SDK answers 503" {
                    do! ``a handler outside a running SDK answers 503`` ()
                }
                testTask "host and port come from the environment, options in code win" {
                    do! ``host and port come from the environment, options in code win`` ()
                }
                test "endpoint options: environment defaults, warnings and checks" {
                    ``endpoint options: environment defaults, warnings and checks`` ()
                }
                test "an invalid host from the environment is a warning and the default host" {
                    ``an invalid host from the environment is a warning and the default host`` ()
                }
                test "an invalid host set in code is an ArgumentException at start" {
                    ``an invalid host set in code is an ArgumentException at start`` ()
                }
                test "a start that throws on a metrics option leaves tracing stopped" {
                    ``a start that throws on a metrics option leaves tracing stopped`` ()
                }
                testTask
                    "a scrape handler or pull reader serves one SDK: a second SDK or a second add is rejected at start" {
                    do!
                        ``a scrape handler or pull reader serves one SDK: a second SDK or a second add is rejected at start`` ()
                }
                testTask "an IPv6 host gets a bracketed URL" { do! ``an IPv6 host gets a bracketed URL`` () }
                testTask "a thousand idle connections do not lock scrapers out" {
                    do! ``a thousand idle connections do not lock scrapers out`` ()
                }
                testTask "slowly dripping connections do not hold the endpoint: scrapes keep answering" {
                    do! ``slowly dripping connections do not hold the endpoint: scrapes keep answering`` ()
                }
                testTask "the path is case-sensitive" { do! ``the path is case-sensitive`` () }
                testTask
                    "HTTP/1.0 requests are answered and the connection closed; empty lines before a request are skipped" {
                    do!
                        ``HTTP/1.0 requests are answered and the connection closed; empty lines before a request are skipped`` ()
                }
                test "Accept-Encoding parsing" { ``Accept-Encoding parsing`` () }
                testTask "a port in use is reported and the SDK keeps running" {
                    do! ``a port in use is reported and the SDK keeps running`` ()
                }
                testTask "a hung collection answers 503 after the scrape timeout and does not wedge later scrapes" {
                    do! ``a hung collection answers 503 after the scrape timeout and does not wedge later scrapes`` ()
                }
                testTask "exponential histograms are left out and reported once" {
                    do! ``exponential histograms are left out and reported once`` ()
                }
                testTask "shutdown stops listening" { do! ``shutdown stops listening`` () }
                testTask "an OTLP delta reader and the cumulative Prometheus endpoint side by side" {
                    do! ``an OTLP delta reader and the cumulative Prometheus endpoint side by side`` ()
                }
                testTask "beyond the connection cap the connection waiting longest is closed for the new one" {
                    do! ``beyond the connection cap the connection waiting longest is closed for the new one`` ()
                }
                testTask "a connection that is answering is never closed to make room: the new one is" {
                    do! ``a connection that is answering is never closed to make room: the new one is`` ()
                }
                testTask
                    "a request head must arrive within the head timeout, dripped or not; a kept-alive connection may idle longer" {
                    do!
                        ``a request head must arrive within the head timeout, dripped or not; a kept-alive connection may idle longer`` ()
                }
            ])
