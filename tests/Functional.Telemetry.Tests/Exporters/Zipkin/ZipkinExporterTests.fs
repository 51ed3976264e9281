/// The Zipkin exporter against a Kestrel receiver on 127.0.0.1: the request it sends, how answers are classified,
/// its options and environment variables, `OTEL_TRACES_EXPORTER=zipkin`, and the export store through an outage.
module Functional.Telemetry.Tests.ZipkinExporterTests

open Expecto
open System
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Sockets
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Http
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.ZipkinReceiver

let private resource = Resource.create [ KeyValue.string "service.name" "zipkin-test" ]

let private span (index: int) =
    {
        Context =
            {
                TraceId = TraceId(0x0102030405060708UL, uint64 (index + 1))
                SpanId = SpanId(uint64 (index + 1))
                TraceFlags = TraceFlags.Sampled
                TraceState = TraceState.Empty
                IsRemote = false
            }
        ParentSpanId = SpanId.Empty
        ParentIsRemote = false
        Name = $"span-{index}"
        Kind = SpanKind.Internal
        StartTime = 1_000_000L
        EndTime = 3_000_000L
        Attributes = [ KeyValue.int "index" (int64 index) ]
        Events = []
        Links = []
        Status = Status.Unset
        DroppedAttributes = 0
        DroppedEvents = 0
        DroppedLinks = 0
        Scope = InstrumentationScope.Named "zipkin-tests"
    }

let private batch count = { Resource = resource; Items = Array.init count span }

let private export (exporter: IExporter<Span>) count = exporter.Export(batch count, CancellationToken.None)

let private options (receiver: Receiver) = { ZipkinOptions.defaults with Endpoint = receiver.SpansUrl }

let private refusedPort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

let private status (code: int) (_: int) (context: HttpContext) =
    context.Response.StatusCode <- code
    Task.CompletedTask

// ---- the request ----

let ``a batch is one POST of a JSON array to the endpoint, with the SDK's User-Agent`` () =
    task {
        use! receiver = start accepted
        use exporter = ZipkinExporter.create (options receiver)
        let! result = export exporter 3
        Assert.Equal(ExportResult.Success, result)
        let request = Assert.Single receiver.Requests
        Assert.Equal("POST", request.Method)
        Assert.Equal("/api/v2/spans", request.Path)
        Assert.Equal("application/json", request.ContentType)
        Assert.StartsWith("Functional.Telemetry-dotnet/", request.UserAgent)

        Assert.Equal<string list>(
            [ "0000000000000001"; "0000000000000002"; "0000000000000003" ],
            request.Spans |> List.map (fun s -> s.["id"].GetValue<string>())
        )

        Assert.True(
            request.Spans
            |> List.forall (fun s -> s.["localEndpoint"].["serviceName"].GetValue<string>() = "zipkin-test")
        )
    }

let ``the exporter is named zipkin and names its endpoint without user info`` () =
    use exporter =
        ZipkinExporter.create
            { ZipkinOptions.defaults with
                Endpoint = Uri "http://user:secret@zipkin.example:9411/api/v2/spans?x=1"
            }

    Assert.Equal("zipkin", (exporter :> IExporter<Span>).Name)
    let destination = ExportDestination.ofExporter exporter
    Assert.Contains("zipkin.example:9411/api/v2/spans", destination)
    Assert.DoesNotContain("secret", destination)

// ---- answers ----

let ``throttling and unavailable answers are retryable, as OTLP/HTTP's`` (code: int) =
    task {
        use! receiver = start (status code)
        use exporter = ZipkinExporter.create (options receiver)
        let! result = export exporter 1

        match result with
        | ExportResult.Retryable(reason, _) -> Assert.Contains(string code, reason)
        | other -> Assert.Fail $"expected Retryable, got {other}"
    }

let ``a Retry-After answer is kept as the retry delay`` () =
    task {
        use! receiver =
            start (fun _ context ->
                context.Response.StatusCode <- 503
                context.Response.Headers.RetryAfter <- Microsoft.Extensions.Primitives.StringValues "7"
                Task.CompletedTask)

        use exporter = ZipkinExporter.create (options receiver)
        let! result = export exporter 1

        match result with
        | ExportResult.Retryable(_, after) -> Assert.Equal(Nullable(TimeSpan.FromSeconds 7.), after)
        | other -> Assert.Fail $"expected Retryable, got {other}"
    }

let ``other errors are permanent failures`` (code: int) =
    task {
        use! receiver = start (status code)
        use exporter = ZipkinExporter.create (options receiver)
        let! result = export exporter 1

        match result with
        | ExportResult.Failure reason -> Assert.Contains(string code, reason)
        | other -> Assert.Fail $"expected Failure, got {other}"
    }

let ``a receiver that cannot be reached is retryable and marked unreachable`` () =
    task {
        use exporter =
            ZipkinExporter.create
                { ZipkinOptions.defaults with
                    Endpoint = Uri $"http://127.0.0.1:{refusedPort ()}/api/v2/spans"
                }

        let! result = export exporter 1

        match result with
        | ExportResult.Retryable(reason, _) -> Assert.True(ExportReasons.isUnreachable reason, reason)
        | other -> Assert.Fail $"expected Retryable, got {other}"
    }

let ``a receiver that does not answer within the timeout is retryable`` () =
    task {
        let release = TaskCompletionSource()

        use! receiver = start (fun _ context -> release.Task.WaitAsync(context.RequestAborted))

        use exporter =
            ZipkinExporter.create
                { options receiver with
                    Timeout = TimeSpan.FromMilliseconds 200.
                }

        let! result = export exporter 1
        release.TrySetResult() |> ignore

        match result with
        | ExportResult.Retryable(reason, _) -> Assert.Contains("timed out after 200 ms", reason)
        | other -> Assert.Fail $"expected Retryable, got {other}"
    }

// ---- options ----

let ``the defaults are the specification's`` () =
    Assert.Equal(Uri "http://localhost:9411/api/v2/spans", ZipkinOptions.defaults.Endpoint)
    Assert.Equal(TimeSpan.FromSeconds 10., ZipkinOptions.defaults.Timeout)
    let fromNothing, warnings = ZipkinOptions.fromEnvironment (Env.ofList [])
    Assert.Equal(ZipkinOptions.defaults, fromNothing)
    Assert.Empty warnings

let ``OTEL_EXPORTER_ZIPKIN_ENDPOINT and OTEL_EXPORTER_ZIPKIN_TIMEOUT are read; the endpoint is used as it is`` () =
    let options, warnings =
        ZipkinOptions.fromEnvironment (
            Env.ofList
                [
                    "OTEL_EXPORTER_ZIPKIN_ENDPOINT", " https://zipkin.example/custom/path "
                    "OTEL_EXPORTER_ZIPKIN_TIMEOUT", "2500"
                ]
        )

    Assert.Equal(Uri "https://zipkin.example/custom/path", options.Endpoint)
    Assert.Equal(TimeSpan.FromMilliseconds 2500., options.Timeout)
    Assert.Empty warnings

let ``bad environment values keep the default, with a warning naming the variable`` () =
    let options, warnings =
        ZipkinOptions.fromEnvironment (
            Env.ofList
                [
                    "OTEL_EXPORTER_ZIPKIN_ENDPOINT", "zipkin:9411"
                    "OTEL_EXPORTER_ZIPKIN_TIMEOUT", "-5"
                ]
        )

    Assert.Equal(ZipkinOptions.defaults, options)

    Assert.Equal<string list>(
        [ "OTEL_EXPORTER_ZIPKIN_ENDPOINT"; "OTEL_EXPORTER_ZIPKIN_TIMEOUT" ],
        warnings |> List.map _.Source
    )

let ``options set in code are checked, naming the setting`` () =
    TestUtil.rejects
        "Endpoint"
        (ZipkinOptions.validate
            { ZipkinOptions.defaults with
                Endpoint = Uri "ftp://zipkin/api"
            })

    TestUtil.rejects "Endpoint" (ZipkinOptions.validate { ZipkinOptions.defaults with Endpoint = null })

    TestUtil.rejects "Timeout" (ZipkinOptions.validate { ZipkinOptions.defaults with Timeout = TimeSpan.Zero })

    TestUtil.throwsNaming "Endpoint" (fun () ->
        ZipkinExporter.create
            { ZipkinOptions.defaults with
                Endpoint = Uri "file:///tmp/spans"
            })

// ---- through the SDK ----

let private sdkWith (env: (string * string) list) (configure: TracingConfig -> TracingConfig) =
    Telemetry.create "zipkin-sdk"
    |> Telemetry.withEnvironment (Env.ofList env)
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withTracing configure
    |> Telemetry.start

let private uniqueSource () = "Zipkin.Test." + Guid.NewGuid().ToString("N")

let private ended (source: ActivitySource) (count: int) =
    [
        for i in 1..count do
            use activity = source.StartActivity($"work-{i}", ActivityKind.Client)
            activity.SetTag("peer.service", "inventory") |> ignore
            activity.SpanId.ToHexString()
    ]

let private receivedIds (receiver: Receiver) =
    receiver.Requests
    |> List.collect (fun r -> r.Spans |> List.map (fun s -> s.["id"].GetValue<string>()))

let ``OTEL_TRACES_EXPORTER=zipkin exports to OTEL_EXPORTER_ZIPKIN_ENDPOINT`` () =
    task {
        use! receiver = start accepted
        let name = uniqueSource ()

        let sdk =
            sdkWith
                [
                    "OTEL_TRACES_EXPORTER", "zipkin"
                    "OTEL_EXPORTER_ZIPKIN_ENDPOINT", receiver.SpansUrl.AbsoluteUri
                ]
                (Tracing.addSource name)

        use source = new ActivitySource(name)
        let ids = ended source 2
        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True flushed
        Assert.Equal<string list>([ "traces/zipkin" ], sdk.SpanPipelines |> Seq.map _.Name |> List.ofSeq)
        do! sdk.DisposeAsync()
        Assert.Equal<Set<string>>(Set.ofList ids, Set.ofList (receivedIds receiver))
        let first = receiver.Requests.Head.Spans.Head
        Assert.Equal("zipkin-sdk", first.["localEndpoint"].["serviceName"].GetValue<string>())
        Assert.Equal("inventory", first.["remoteEndpoint"].["serviceName"].GetValue<string>())
        Assert.Equal("CLIENT", first.["kind"].GetValue<string>())
    }

let ``addZipkinExporter reads the environment, then the options set in code win`` () =
    task {
        use! receiver = start accepted
        let name = uniqueSource ()

        let sdk =
            sdkWith
                [ "OTEL_EXPORTER_ZIPKIN_ENDPOINT", "http://127.0.0.1:1/not-here" ]
                (Tracing.addSource name
                 >> Tracing.addZipkinExporter (fun o -> { o with Endpoint = receiver.SpansUrl }))

        use source = new ActivitySource(name)
        let ids = ended source 1
        do! sdk.DisposeAsync()
        Assert.Equal<string list>(ids, receivedIds receiver)
    }

let ``OTEL_TRACES_EXPORTER=zipkin with otlp keeps both; zipkin for logs is a warning and ignored`` () =
    task {
        let warnings = Collections.Concurrent.ConcurrentQueue<string>()

        let sdk =
            Telemetry.create "zipkin-sdk"
            |> Telemetry.withEnvironment (
                Env.ofList
                    [
                        "OTEL_TRACES_EXPORTER", "otlp,zipkin"
                        "OTEL_LOGS_EXPORTER", "zipkin,console"
                    ]
            )
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withDiagnostics (fun _ message -> warnings.Enqueue message)
            |> Telemetry.withTracing (Tracing.addSource (uniqueSource ()))
            |> Telemetry.withLogging id
            |> Telemetry.start

        Assert.Equal<string list>(
            [ "traces/otlp-http-protobuf"; "traces/zipkin" ],
            sdk.SpanPipelines |> Seq.map _.Name |> List.ofSeq
        )

        Assert.Equal<string list>([ "logs/console" ], sdk.LogPipelines |> Seq.map _.Name |> List.ofSeq)
        do! sdk.Shutdown(TimeSpan.FromSeconds 2.) :> Task
        Assert.Contains(warnings, fun m -> m.Contains "OTEL_LOGS_EXPORTER" && m.Contains "'zipkin'")
    }

let ``through an outage the export store keeps the requests and sends every span once when Zipkin answers`` () =
    task {
        // 503 (and a short Retry-After) for the first three requests, then 202.
        use! receiver =
            start (fun n context ->
                if n <= 3 then
                    context.Response.StatusCode <- 503
                    context.Response.Headers.RetryAfter <- Microsoft.Extensions.Primitives.StringValues "0"
                else
                    context.Response.StatusCode <- 202

                Task.CompletedTask)

        let name = uniqueSource ()

        let sdk =
            Telemetry.create "zipkin-sdk"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withRetry TestUtil.quickRetry
            |> Telemetry.withExportStore (ExportStore.memory (1024L * 1024L))
            |> Telemetry.withTracing (
                Tracing.addSource name
                >> Tracing.addZipkinExporter (fun o -> { o with Endpoint = receiver.SpansUrl })
            )
            |> Telemetry.start

        use source = new ActivitySource(name)
        let ids = ended source 5
        let! _ = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        do! receiver.WaitFor(4, TimeSpan.FromSeconds 20.)
        let! shut = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True(shut, sprintf "%A" (Seq.exactlyOne sdk.SpanPipelines).Stats)
        let accepted = receiver.Requests |> List.skip 3

        let delivered =
            accepted
            |> List.collect (fun r -> r.Spans |> List.map (fun s -> s.["id"].GetValue<string>()))

        Assert.Equal<string list>(List.sort ids, List.sort delivered)
        let stats = (Seq.exactlyOne sdk.SpanPipelines).Stats
        Assert.Equal(5L, stats.Exported)
        Assert.Equal(0L, stats.Stored)
        Assert.Equal(stats.Accepted, stats.Exported + stats.Failed + stats.Dropped + stats.Stored)
    }

let ``a directory store keeps Zipkin requests in its zipkin subdirectory for the next process`` () =
    task {
        let root = Path.Combine(Path.GetTempPath(), "ft-zipkin-" + Guid.NewGuid().ToString("N"))
        Directory.CreateDirectory root |> ignore

        if not (OperatingSystem.IsWindows()) then
            File.SetUnixFileMode(root, UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute)

        try
            let sdkTo (endpoint: Uri) name =
                Telemetry.create "zipkin-sdk"
                |> Telemetry.withEnvironment (Env.ofList [])
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withResourceDetection false
                |> Telemetry.withRetry TestUtil.quickRetry
                |> Telemetry.withExportStore (ExportStore.disk root)
                |> Telemetry.withTracing (
                    Tracing.addSource name
                    >> Tracing.addZipkinExporter (fun o -> { o with Endpoint = endpoint })
                )
                |> Telemetry.start

            // Nobody listens: the request goes to the store and stays there past shutdown. The next SDK uses the
            // same endpoint (a directory keeps each destination's requests apart, and sends them only there).
            let port = refusedPort ()
            let name = uniqueSource ()
            let down = sdkTo (Uri $"http://127.0.0.1:{port}/api/v2/spans") name
            use source = new ActivitySource(name)
            let ids = ended source 3
            let! _ = down.ForceFlush(TimeSpan.FromSeconds 5.)
            let! _ = down.Shutdown(TimeSpan.FromSeconds 5.)
            let stored = (Seq.exactlyOne down.SpanPipelines).Stats.Stored
            Assert.Equal(3L, stored)
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(root, "zipkin"), "*", SearchOption.AllDirectories))
            Assert.False(Directory.Exists(Path.Combine(root, "traces")))

            // The next SDK on the directory, with Zipkin up on that endpoint, sends what was kept.
            use! receiver = startOn port accepted
            let next = sdkTo receiver.SpansUrl (uniqueSource ())
            // A flush sends what the store holds now (as OutageTests' next process does).
            let! flushed = next.ForceFlush(TimeSpan.FromSeconds 20.)
            Assert.True(flushed, sprintf "%A" (Seq.exactlyOne next.SpanPipelines).Stats)
            let! _ = next.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.Equal<Set<string>>(Set.ofList ids, Set.ofList (receivedIds receiver))
            Assert.Equal(3L, (Seq.exactlyOne next.SpanPipelines).Stats.Recovered)
        finally
            try
                Directory.Delete(root, true)
            with _ ->
                ()
    }

[<Tests>]
let tests =
    testList
        "ZipkinExporterTests"
        [
            testTask "a batch is one POST of a JSON array to the endpoint, with the SDK's User-Agent" {
                do! ``a batch is one POST of a JSON array to the endpoint, with the SDK's User-Agent`` ()
            }
            test "the exporter is named zipkin and names its endpoint without user info" {
                ``the exporter is named zipkin and names its endpoint without user info`` ()
            }
            testTask "throttling and unavailable answers are retryable, as OTLP/HTTP's(code: 429)" {
                do! ``throttling and unavailable answers are retryable, as OTLP/HTTP's`` (429)
            }
            testTask "throttling and unavailable answers are retryable, as OTLP/HTTP's(code: 502)" {
                do! ``throttling and unavailable answers are retryable, as OTLP/HTTP's`` (502)
            }
            testTask "throttling and unavailable answers are retryable, as OTLP/HTTP's(code: 503)" {
                do! ``throttling and unavailable answers are retryable, as OTLP/HTTP's`` (503)
            }
            testTask "throttling and unavailable answers are retryable, as OTLP/HTTP's(code: 504)" {
                do! ``throttling and unavailable answers are retryable, as OTLP/HTTP's`` (504)
            }
            testTask "a Retry-After answer is kept as the retry delay" {
                do! ``a Retry-After answer is kept as the retry delay`` ()
            }
            testTask "other errors are permanent failures(code: 400)" {
                do! ``other errors are permanent failures`` (400)
            }
            testTask "other errors are permanent failures(code: 404)" {
                do! ``other errors are permanent failures`` (404)
            }
            testTask "other errors are permanent failures(code: 500)" {
                do! ``other errors are permanent failures`` (500)
            }
            testTask "a receiver that cannot be reached is retryable and marked unreachable" {
                do! ``a receiver that cannot be reached is retryable and marked unreachable`` ()
            }
            testTask "a receiver that does not answer within the timeout is retryable" {
                do! ``a receiver that does not answer within the timeout is retryable`` ()
            }
            test "the defaults are the specification's" { ``the defaults are the specification's`` () }
            test
                "OTEL_EXPORTER_ZIPKIN_ENDPOINT and OTEL_EXPORTER_ZIPKIN_TIMEOUT are read; the endpoint is used as it is" {
                ``OTEL_EXPORTER_ZIPKIN_ENDPOINT and OTEL_EXPORTER_ZIPKIN_TIMEOUT are read; the endpoint is used as it is`` ()
            }
            test "bad environment values keep the default, with a warning naming the variable" {
                ``bad environment values keep the default, with a warning naming the variable`` ()
            }
            test "options set in code are checked, naming the setting" {
                ``options set in code are checked, naming the setting`` ()
            }
            testTask "OTEL_TRACES_EXPORTER=zipkin exports to OTEL_EXPORTER_ZIPKIN_ENDPOINT" {
                do! ``OTEL_TRACES_EXPORTER=zipkin exports to OTEL_EXPORTER_ZIPKIN_ENDPOINT`` ()
            }
            testTask "addZipkinExporter reads the environment, then the options set in code win" {
                do! ``addZipkinExporter reads the environment, then the options set in code win`` ()
            }
            testTask "OTEL_TRACES_EXPORTER=zipkin with otlp keeps both; zipkin for logs is a warning and ignored" {
                do! ``OTEL_TRACES_EXPORTER=zipkin with otlp keeps both; zipkin for logs is a warning and ignored`` ()
            }
            testTask
                "through an outage the export store keeps the requests and sends every span once when Zipkin answers" {
                do!
                    ``through an outage the export store keeps the requests and sends every span once when Zipkin answers`` ()
            }
            testTask "a directory store keeps Zipkin requests in its zipkin subdirectory for the next process" {
                do! ``a directory store keeps Zipkin requests in its zipkin subdirectory for the next process`` ()
            }
        ]
