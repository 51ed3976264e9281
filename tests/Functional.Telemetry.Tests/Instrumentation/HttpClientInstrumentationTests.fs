module Functional.Telemetry.Tests.HttpClientInstrumentationTests

open Expecto
open System
open System.Diagnostics
open System.Net
open System.Net.Http
open System.Net.Sockets
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

/// An attribute's value, read with Seq (the model's collections may be lists or read-only lists).
let attribute (key: string) (attributes: seq<KeyValue>) =
    attributes |> Seq.tryFind (fun a -> a.Key = key) |> Option.map _.Value

/// A Kestrel server on 127.0.0.1 (a free port) answering `/ok` (200), `/fail` (500) and 404 for the rest.
type Receiver private (app: WebApplication, port: int) =
    member _.Port = port
    member _.Url(path: string) = $"http://127.0.0.1:{port}{path}"

    static member Start() =
        task {
            let builder = WebApplication.CreateSlimBuilder()
            builder.Logging.ClearProviders() |> ignore
            builder.WebHost.UseUrls("http://127.0.0.1:0") |> ignore
            let app = builder.Build()
            app.MapGet("/ok", Func<string>(fun () -> "ok")) |> ignore
            app.MapGet("/fail", Func<IResult>(fun () -> Results.StatusCode 500)) |> ignore
            do! app.StartAsync()

            let address =
                app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
                |> Seq.head

            return new Receiver(app, Uri(address).Port)
        }

    interface IAsyncDisposable with
        member _.DisposeAsync() =
            ValueTask(
                task {
                    do! app.StopAsync()
                    do! app.DisposeAsync()
                }
            )

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
let refusedPort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

let private startTracing (configure: TracingConfig -> TracingConfig) =
    let exporter = InMemoryExporter<Span>()

    let sdk =
        Telemetry.create "http-client-tests"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withTracing (configure >> Tracing.addSimpleExporter exporter)
        |> Telemetry.start

    sdk, exporter

/// The HttpClient spans to `port` exported so far (other tests' HttpClient calls are recorded too).
let private clientSpansTo (port: int) (sdk: TelemetrySdk) (exporter: InMemoryExporter<Span>) =
    task {
        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(ok, "flush timed out")

        return
            exporter.ItemList
            |> List.filter (fun span ->
                span.Scope.Name = "System.Net.Http"
                && attribute "server.port" span.Attributes = Some(AnyValue.Int(int64 port)))
    }

let private spanOf (url: string) (spans: Span list) =
    spans
    |> List.filter (fun span -> attribute "url.full" span.Attributes = Some(AnyValue.String url))
    |> List.exactlyOne

let private send (client: HttpClient) (url: string) =
    task {
        use! response = client.GetAsync(url: string)
        return int response.StatusCode
    }

let ``HttpClient spans follow the HTTP client conventions, attribute by attribute`` () =
    task {
        use! receiver = Receiver.Start()
        let sdk, exporter = startTracing (Tracing.addHttpClientInstrumentation id)
        use _ = sdk
        use client = new HttpClient()

        let! ok = send client (receiver.Url "/ok")
        let! missing = send client (receiver.Url "/missing")
        let! failed = send client (receiver.Url "/fail")
        let! query = send client (receiver.Url "/ok?token=s3cret&page=2")
        Assert.Equal<int list>([ 200; 404; 500; 200 ], [ ok; missing; failed; query ])

        let! spans = clientSpansTo receiver.Port sdk exporter
        Assert.Equal(4, spans.Length)

        let expectAnswered (span: Span) (url: string) (status: int) =
            Assert.Equal("GET", span.Name)
            Assert.Equal(SpanKind.Client, span.Kind)

            Assert.Equal(
                Some(AnyValue.String "GET"),
                attribute "http.request.method" (ReadOnlyList.toList span.Attributes)
            )

            Assert.Equal(
                Some(AnyValue.String "127.0.0.1"),
                attribute "server.address" (ReadOnlyList.toList span.Attributes)
            )

            Assert.Equal(
                Some(AnyValue.Int(int64 receiver.Port)),
                attribute "server.port" (ReadOnlyList.toList span.Attributes)
            )

            Assert.Equal(Some(AnyValue.String url), attribute "url.full" (ReadOnlyList.toList span.Attributes))

            Assert.Equal(
                Some(AnyValue.String "1.1"),
                attribute "network.protocol.version" (ReadOnlyList.toList span.Attributes)
            )

            Assert.Equal(
                Some(AnyValue.Int(int64 status)),
                attribute "http.response.status_code" (ReadOnlyList.toList span.Attributes)
            )

            Assert.Empty((ReadOnlyList.toList span.Events))

        let okSpan = spanOf (receiver.Url "/ok") spans
        expectAnswered okSpan (receiver.Url "/ok") 200
        Assert.Equal(Status.Unset, okSpan.Status)
        Assert.Equal(None, attribute "error.type" (ReadOnlyList.toList okSpan.Attributes))

        // A client span is an error from 400 on, error.type the status code.
        for path, status in [ "/missing", 404; "/fail", 500 ] do
            let span = spanOf (receiver.Url path) spans
            expectAnswered span (receiver.Url path) status
            Assert.True(span.Status.IsError, $"{path}: {span.Status}")

            Assert.Equal(
                Some(AnyValue.String(string status)),
                attribute "error.type" (ReadOnlyList.toList span.Attributes)
            )

        // The query's values never leave: .NET writes `?*`.
        let querySpan = spanOf (receiver.Url "/ok?*") spans
        expectAnswered querySpan (receiver.Url "/ok?*") 200

        Assert.DoesNotContain(
            spans,
            fun span ->
                (ReadOnlyList.toList span.Attributes)
                |> Seq.exists (fun a -> (string a.Value).Contains "s3cret")
        )
    }

let ``a refused connection is an error span with error.type and one exception event`` () =
    task {
        let port = refusedPort ()
        let sdk, exporter = startTracing (Tracing.addHttpClientInstrumentation id)
        use _ = sdk
        use client = new HttpClient()
        let url = $"http://127.0.0.1:{port}/x"

        let! error = Assert.ThrowsAsync<HttpRequestException>(fun () -> client.GetAsync url :> Task)

        let! spans = clientSpansTo port sdk exporter
        let span = List.exactlyOne spans
        Assert.Equal("GET", span.Name)
        Assert.Equal(SpanKind.Client, span.Kind)
        Assert.True(span.Status.IsError)

        Assert.Equal(
            Some(AnyValue.String "connection_error"),
            attribute "error.type" (ReadOnlyList.toList span.Attributes)
        )

        Assert.Equal(Some(AnyValue.String url), attribute "url.full" (ReadOnlyList.toList span.Attributes))

        Assert.Equal(
            Some(AnyValue.String "127.0.0.1"),
            attribute "server.address" (ReadOnlyList.toList span.Attributes)
        )

        Assert.Equal(None, attribute "http.response.status_code" (ReadOnlyList.toList span.Attributes))

        let event = Seq.exactlyOne (ReadOnlyList.toList span.Events)
        Assert.Equal("exception", event.Name)

        Assert.Equal(
            Some(AnyValue.String "System.Net.Http.HttpRequestException"),
            attribute "exception.type" (ReadOnlyList.toList event.Attributes)
        )

        Assert.Equal(
            Some(AnyValue.String error.Message),
            attribute "exception.message" (ReadOnlyList.toList event.Attributes)
        )

        match attribute "exception.stacktrace" (ReadOnlyList.toList event.Attributes) with
        | Some(AnyValue.String trace) -> Assert.StartsWith("System.Net.Http.HttpRequestException", trace)
        | other -> Assert.Fail $"exception.stacktrace: {other}"
    }

let ``RecordException false removes the exception event and keeps the error`` () =
    task {
        let port = refusedPort ()

        let sdk, exporter =
            startTracing (Tracing.addHttpClientInstrumentation (fun o -> { o with RecordException = false }))

        use _ = sdk
        use client = new HttpClient()

        let! _ =
            Assert.ThrowsAsync<HttpRequestException>(fun () -> client.GetAsync $"http://127.0.0.1:{port}/x" :> Task)

        let! spans = clientSpansTo port sdk exporter
        let span = List.exactlyOne spans
        Assert.Empty((ReadOnlyList.toList span.Events))
        Assert.True(span.Status.IsError)

        Assert.Equal(
            Some(AnyValue.String "connection_error"),
            attribute "error.type" (ReadOnlyList.toList span.Attributes)
        )
    }

let ``the filter and the enrichers see the request, the response and the exception`` () =
    task {
        use! receiver = Receiver.Start()
        let refused = refusedPort ()

        let mine (request: HttpRequestMessage) =
            request.RequestUri.Port = receiver.Port || request.RequestUri.Port = refused

        let sdk, exporter =
            startTracing (
                Tracing.addHttpClientInstrumentation (fun o ->
                    { o with
                        Filter = Some(fun request -> not (mine request && request.RequestUri.AbsolutePath = "/skip"))
                        EnrichWithRequest =
                            Some(fun activity request ->
                                if mine request then
                                    activity.SetTag("test.path", request.RequestUri.AbsolutePath) |> ignore)
                        EnrichWithResponse =
                            Some(fun activity response ->
                                if mine response.RequestMessage then
                                    activity.SetTag("test.reason", response.ReasonPhrase) |> ignore)
                        EnrichWithException =
                            Some(fun activity error ->
                                if activity.GetTagItem "server.port" = box refused then
                                    activity.SetTag("test.exception", error.GetType().Name) |> ignore)
                    })
            )

        use _ = sdk
        use client = new HttpClient()
        let! _ = send client (receiver.Url "/ok")
        let! skipped = send client (receiver.Url "/skip")
        Assert.Equal(404, skipped)

        let! _ =
            Assert.ThrowsAsync<HttpRequestException>(fun () -> client.GetAsync $"http://127.0.0.1:{refused}/x" :> Task)

        let! spans = clientSpansTo receiver.Port sdk exporter
        // The filtered request was not recorded.
        let span = List.exactlyOne spans
        Assert.Equal(Some(AnyValue.String "/ok"), attribute "test.path" (ReadOnlyList.toList span.Attributes))
        Assert.Equal(Some(AnyValue.String "OK"), attribute "test.reason" (ReadOnlyList.toList span.Attributes))

        let! failedSpans = clientSpansTo refused sdk exporter
        let failed = List.exactlyOne failedSpans
        Assert.Equal(Some(AnyValue.String "/x"), attribute "test.path" (ReadOnlyList.toList failed.Attributes))

        Assert.Equal(
            Some(AnyValue.String "HttpRequestException"),
            attribute "test.exception" (ReadOnlyList.toList failed.Attributes)
        )
    }

let ``a filtered request is not recorded and propagates its context as not sampled`` () =
    task {
        use! receiver = Receiver.Start()
        let enriched = ref false

        // The filter runs before HttpClient writes the headers: the traceparent it sends says not sampled.
        let sdk, exporter =
            startTracing (
                Tracing.addHttpClientInstrumentation (fun o ->
                    { o with
                        Filter = Some(fun request -> request.RequestUri.Port <> receiver.Port)
                        EnrichWithResponse =
                            Some(fun _ response ->
                                if response.RequestMessage.RequestUri.Port = receiver.Port then
                                    enriched.Value <- true)
                    })
            )

        use _ = sdk
        use client = new HttpClient()
        use request = new HttpRequestMessage(HttpMethod.Get, receiver.Url "/ok")
        use! response = client.SendAsync request
        Assert.Equal(HttpStatusCode.OK, response.StatusCode)

        match request.Headers.TryGetValues "traceparent" with
        | true, values -> Assert.EndsWith("-00", Seq.head values)
        | _ -> Assert.Fail "no traceparent was sent"

        let! spans = clientSpansTo receiver.Port sdk exporter
        Assert.Empty spans
        Assert.False(enriched.Value, "an enricher ran on a filtered request")
    }

let ``a filter or an enricher that throws is reported and never reaches the application`` () =
    task {
        use! receiver = Receiver.Start()
        let reported = TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)

        let exporter = InMemoryExporter<Span>()

        use sdk =
            Telemetry.create "http-client-tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withDiagnostics (fun _ message ->
                if message.Contains "HttpClient" && message.Contains "filter callback threw" then
                    reported.TrySetResult message |> ignore)
            |> Telemetry.withTracing (
                Tracing.addHttpClientInstrumentation (fun o ->
                    { o with
                        Filter =
                            Some(fun request ->
                                if
                                    request.RequestUri.Port = receiver.Port
                                    && request.RequestUri.AbsolutePath = "/ok"
                                then
                                    raise (InvalidOperationException "filter bug")

                                true)
                        EnrichWithResponse =
                            Some(fun _ response ->
                                if response.RequestMessage.RequestUri.Port = receiver.Port then
                                    raise (InvalidOperationException "enricher bug"))
                    })
                >> Tracing.addSimpleExporter exporter
            )
            |> Telemetry.start

        use client = new HttpClient()
        // The filter throws: the request goes, unrecorded. The enricher throws: the request goes, recorded.
        let! ok = send client (receiver.Url "/ok")
        let! failed = send client (receiver.Url "/fail")
        Assert.Equal<int list>([ 200; 500 ], [ ok; failed ])

        let! spans = clientSpansTo receiver.Port sdk exporter
        let span = List.exactlyOne spans

        Assert.Equal(
            Some(AnyValue.Int 500L),
            attribute "http.response.status_code" (ReadOnlyList.toList span.Attributes)
        )

        let! message = reported.Task.WaitAsync(TimeSpan.FromSeconds 10.)
        Assert.Contains("InvalidOperationException", message)
    }

let ``HttpClient metrics: the request duration in seconds with the advised buckets`` () =
    task {
        use! receiver = Receiver.Start()
        let reader = MetricPullReader()

        use _ =
            Telemetry.create "http-client-tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withMetrics (Metrics.addHttpClientInstrumentation >> Metrics.addReader reader)
            |> Telemetry.start

        use client = new HttpClient()
        let! _ = send client (receiver.Url "/ok")
        let! _ = send client (receiver.Url "/ok")
        let! _ = send client (receiver.Url "/fail")
        // A host name, so the client resolves it (System.Net.NameResolution).
        let! _ = send client $"http://localhost:{receiver.Port}/ok"

        let metrics = reader.Collect() |> List.ofSeq
        let duration = metrics |> List.find (fun m -> m.Name = "http.client.request.duration")
        Assert.Equal("s", duration.Unit)
        Assert.Equal("System.Net.Http", duration.Scope.Name)

        let points =
            match duration.Points with
            | MetricPoints.Histogram(_, points) ->
                points
                |> Seq.filter (fun p ->
                    attribute "server.port" p.Attributes = Some(AnyValue.Int(int64 receiver.Port))
                    && attribute "server.address" p.Attributes = Some(AnyValue.String "127.0.0.1"))
                |> List.ofSeq
            | other -> failwith $"not a histogram: {other}"

        let ok =
            points
            |> List.find (fun p -> attribute "http.response.status_code" p.Attributes = Some(AnyValue.Int 200L))

        Assert.Equal(2L, ok.Count)

        Assert.Equal<float list>(
            [ 0.005; 0.01; 0.025; 0.05; 0.075; 0.1; 0.25; 0.5; 0.75; 1.; 2.5; 5.; 7.5; 10. ],
            List.ofSeq (ReadOnlyList.toList ok.Bounds)
        )

        Assert.Equal(Some(AnyValue.String "GET"), attribute "http.request.method" (ReadOnlyList.toList ok.Attributes))
        Assert.Equal(Some(AnyValue.String "http"), attribute "url.scheme" (ReadOnlyList.toList ok.Attributes))

        Assert.Equal(
            Some(AnyValue.String "1.1"),
            attribute "network.protocol.version" (ReadOnlyList.toList ok.Attributes)
        )

        Assert.Equal(None, attribute "error.type" (ReadOnlyList.toList ok.Attributes))

        let failed =
            points
            |> List.find (fun p -> attribute "http.response.status_code" p.Attributes = Some(AnyValue.Int 500L))

        Assert.Equal(1L, failed.Count)
        Assert.Equal(Some(AnyValue.String "500"), attribute "error.type" (ReadOnlyList.toList failed.Attributes))

        Assert.Contains(metrics, fun m -> m.Name = "http.client.active_requests")
        Assert.Contains(metrics, fun m -> m.Name = "http.client.open_connections")

        let lookups = metrics |> List.find (fun m -> m.Name = "dns.lookup.duration")
        Assert.Equal("System.Net.NameResolution", lookups.Scope.Name)

        match lookups.Points with
        | MetricPoints.Histogram(_, points) ->
            Assert.Contains(
                points,
                fun p -> attribute "dns.question.name" p.Attributes = Some(AnyValue.String "localhost")
            )
        | other -> failwith $"not a histogram: {other}"
    }

[<Tests>]
let tests =
    testSequencedGroup
        "HttpClientInstrumentationTests"
        (testList
            "HttpClientInstrumentationTests"
            [
                testTask "HttpClient spans follow the HTTP client conventions, attribute by attribute" {
                    do! ``HttpClient spans follow the HTTP client conventions, attribute by attribute`` ()
                }
                testTask "a refused connection is an error span with error.type and one exception event" {
                    do! ``a refused connection is an error span with error.type and one exception event`` ()
                }
                testTask "RecordException false removes the exception event and keeps the error" {
                    do! ``RecordException false removes the exception event and keeps the error`` ()
                }
                testTask "the filter and the enrichers see the request, the response and the exception" {
                    do! ``the filter and the enrichers see the request, the response and the exception`` ()
                }
                testTask "a filtered request is not recorded and propagates its context as not sampled" {
                    do! ``a filtered request is not recorded and propagates its context as not sampled`` ()
                }
                testTask "a filter or an enricher that throws is reported and never reaches the application" {
                    do! ``a filter or an enricher that throws is reported and never reaches the application`` ()
                }
                testTask "HttpClient metrics: the request duration in seconds with the advised buckets" {
                    do! ``HttpClient metrics: the request duration in seconds with the advised buckets`` ()
                }
            ])
