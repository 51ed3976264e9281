// The F# samples of docs/*.md, compiled with the demo so that they keep matching the API.
// Nothing here runs when the demo runs; each sample is a function.
module FSharpDemo.DocSamples

open System
open System.Diagnostics
open System.Diagnostics.Tracing
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Builder
open Microsoft.Extensions.DependencyInjection
open Functional.Telemetry
open Functional.Telemetry.FSharp

// getting-started-fsharp.md: a minimal program
let minimal () =
    use telemetry =
        Telemetry.create "orders"
        |> Telemetry.withTracing (Tracing.addSource "MyCompany.*" >> Tracing.addConsoleExporter)
        |> Telemetry.start

    use tracer = Tracer.create "MyCompany.Orders" None

    Tracer.inSpan tracer "place order" (fun span -> span |> ActiveSpan.setAttribute "order.id" (AnyValue.Int 42L))

// getting-started-fsharp.md: HttpClient and ASP.NET Core
let aspNetCore (args: string array) =
    task {
        use _telemetry =
            Telemetry.create "checkout"
            |> Telemetry.withResourceAttributes [ KeyValue.string "deployment.environment.name" "staging" ]
            |> Telemetry.withTracing (
                Tracing.addSource "MyCompany.*"
                >> Tracing.addSource "System.Net.Http"
                >> Tracing.addSource "Microsoft.AspNetCore"
                >> Tracing.addConsoleExporter
            )
            |> Telemetry.start // 1. telemetry first

        let builder = WebApplication.CreateBuilder(args)
        builder.Services.AddHttpClient() |> ignore // 2. handlers are created later
        let app = builder.Build() // 3. the host captures the propagator here
        do! app.RunAsync()
    }

// getting-started-fsharp.md and tracing.md: processors
let isHealthCheck (span: Span) = span.Name = "GET /health"

let dropHealthChecks: Processor<Span> = Processor.filter (isHealthCheck >> not)

let scrub: Span -> Span =
    SpanProcessor.redact [ "user.email"; "card.number" ] "****"
    >> SpanProcessor.setAttribute "team" (AnyValue.String "payments")

let withProcessors: TracingConfig -> TracingConfig =
    Tracing.addProcessor dropHealthChecks
    >> Tracing.addProcessor (Processor.map scrub)

let onlySlow: Processor<Span> = Processor.filter (fun span -> span.DurationNanoseconds > 100_000_000L)

let pipeline: Processor<Span> = dropHealthChecks >=> onlySlow >=> Processor.map scrub

let sameAsChain: Processor<Span> = Processor.chain [ dropHealthChecks; onlySlow; Processor.map scrub ]

// A processor that decides per span: keep, change, or drop.
let tagErrors: Processor<Span> =
    fun span ->
        match span.Status with
        | Status.Error _ -> Some(SpanProcessor.setAttribute "alert" (AnyValue.Bool true) span)
        | _ -> Some span

// samplers
let samplers: Sampler list =
    [
        Sampler.parentBased (Sampler.traceIdRatio 0.1)
        Sampler.parentBasedWith
            { Sampler.parentBasedOptions (Sampler.traceIdRatio 0.1) with
                RemoteParentNotSampled = Sampler.alwaysOn
            }
        (fun parameters ->
            if parameters.Name = "GET /health" then
                Sampler.alwaysOff parameters
            else
                Sampler.defaultSampler parameters)
    ]

let withSampling: TracingConfig -> TracingConfig =
    Tracing.withSampler (Sampler.parentBased (Sampler.traceIdRatio 0.1))
    >> Tracing.withLimits
        { SpanLimits.defaults with
            AttributeCountLimit = 64
            AttributeValueLengthLimit = Some 4096
        }

// a custom exporter
type LineExporter() =
    interface IExporter<Span> with
        member _.Name = "lines"

        member _.Export(batch, _cancellationToken) =
            for span in batch.Items do
                printfn "%O %s %.2f ms" span.Context.TraceId span.Name (float span.DurationNanoseconds / 1e6)

            Task.FromResult ExportResult.Success

        member _.Shutdown(_cancellationToken) = Task.CompletedTask

let resultOf (status: int) =
    match status with
    | 200 -> ExportResult.Success
    | 429
    | 503 -> ExportResult.Retryable($"HTTP {status}", Nullable(TimeSpan.FromSeconds 2.))
    | _ -> ExportResult.Failure $"HTTP {status}"

let withExporters: TracingConfig -> TracingConfig =
    Tracing.addBatchExporter (LineExporter())
    >> Tracing.addExporter
        (ExportMode.Batched
            { BatchOptions.defaults with
                ScheduleDelay = TimeSpan.FromSeconds 1.
                MaxExportBatchSize = 256
            })
        (LineExporter())
    >> Tracing.addSimpleExporter (LineExporter())

let withRetries (config: TelemetryConfig) = config |> Telemetry.withRetry { RetryPolicy.defaults with MaxAttempts = 3 }

// an exporter of views
type SlowSpanExporter() =
    interface IExporter<SpanView> with
        member _.Name = "slow-spans"

        member _.Export(batch, _cancellationToken) =
            for span in batch.Items do
                if span.DurationNanoseconds > 500_000_000L then
                    printfn
                        "%s: %d ms, %d attributes"
                        span.Name
                        (span.DurationNanoseconds / 1_000_000L)
                        span.AttributeCount

            Task.FromResult ExportResult.Success

        member _.Shutdown(_cancellationToken) = Task.CompletedTask

let withViewExporter: TracingConfig -> TracingConfig =
    Tracing.addBatchExporter (SpanViewExporter(SlowSpanExporter()))

// flushing
let flush (telemetry: TelemetrySdk) =
    task {
        let! flushed = telemetry.ForceFlush(TimeSpan.FromSeconds 5.)
        let! clean = telemetry.Shutdown(TimeSpan.FromSeconds 10.)

        for { Name = exporter; Stats = stats } in telemetry.SpanPipelines do
            printfn "%s: %d exported, %d rejected, %d dropped" exporter stats.Exported stats.Rejected stats.Dropped

        return flushed && clean
    }

// testing with InMemoryExporter
let placeOrder (tracer: Tracer) (orderId: int64) =
    Tracer.inSpan tracer "place order" (fun span -> span |> ActiveSpan.setAttribute "order.id" (AnyValue.Int orderId))

let ``placing an order is traced`` () =
    task {
        let exporter = InMemoryExporter<Span>()

        use telemetry =
            Telemetry.create "tests"
            |> Telemetry.withEnvironment (Env.ofList []) // ignore the machine's OTEL_* variables
            |> Telemetry.withPropagatorInstalled false // leave the process-wide propagator alone
            |> Telemetry.withTracing (Tracing.addSource "MyCompany.Orders" >> Tracing.addSimpleExporter exporter)
            |> Telemetry.start

        use tracer = Tracer.create "MyCompany.Orders" None
        placeOrder tracer 42L

        let! flushed = telemetry.ForceFlush(TimeSpan.FromSeconds 5.)
        let span = List.exactlyOne exporter.ItemList

        if
            not flushed
            || span.Name <> "place order"
            || KeyValue.tryFind "order.id" span.Attributes <> Some(AnyValue.Int 42L)
        then
            failwith "not traced"
    }

// tracing.md: direct tracers
let directSpans () =
    use tracer = Tracer.createDirect "MyCompany.Pricing" None

    Tracer.inSpan tracer "price basket" (fun span ->
        span |> ActiveSpan.setAttribute "basket.items" (AnyValue.Int 3L)

        Tracer.inSpan tracer "apply discounts" (fun discounts ->
            discounts |> ActiveSpan.setAttribute "discount.count" (AnyValue.Int 1L)))

// tracing.md: the native tracer
let tracerSamples (tracer: Tracer) =
    task {
        let total =
            Tracer.inSpan tracer "sum" (fun span ->
                span
                |> ActiveSpan.addEvent "cache miss" [ KeyValue.string "cache.key" "prices" ]

                1 + 2)

        let! body =
            Tracer.inSpanTask tracer "download" (fun _ ->
                task {
                    do! Task.Delay 10
                    return "ok"
                })

        let! count =
            Tracer.inSpanAsync tracer "count" (fun _ ->
                async {
                    do! Async.Sleep 10
                    return 3
                })
            |> Async.StartAsTask

        // A span started by hand, continuing a trace that arrived in message headers.
        let headers = [ "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" ]

        let incoming = Propagators.traceContext.Extract (Propagators.getterOf headers) PropagationContext.empty

        let start =
            { Tracer.named "process message" with
                Kind = SpanKind.Consumer
                Attributes = [ KeyValue.string "messaging.system" "rabbitmq" ]
                Parent = incoming.SpanContext
            }

        use span = Tracer.startSpan tracer start

        try
            span |> ActiveSpan.setAttribute "batch.size" (AnyValue.Int 10L)
            span |> ActiveSpan.updateName "process order message"
            span |> ActiveSpan.setStatus Status.Ok
        with error ->
            span |> ActiveSpan.recordException error
            span |> ActiveSpan.setStatus (Status.Error error.Message)

        return total, body, count, span.Context.TraceId
    }

// tracing.md: propagation
let propagation () =
    let propagator =
        Propagators.composite [ Propagators.traceContext; Propagators.baggage; Propagators.b3Multi ]

    let context =
        {
            SpanContext =
                Some
                    {
                        TraceId = TraceId(0x0af7651916cd43ddUL, 0x8448eb211c80319cUL)
                        SpanId = SpanId 0xb7ad6b7169203331UL
                        TraceFlags = TraceFlags.Sampled
                        TraceState = TraceState.empty
                        IsRemote = false
                    }
            Baggage = Baggage.empty |> Baggage.set "tenant" "acme"
        }

    let headers: (string * string) list = propagator.Inject context
    let back = propagator.Extract (Propagators.getterOf headers) PropagationContext.empty

    use telemetry =
        Telemetry.create "svc"
        |> Telemetry.withPropagator propagator
        |> Telemetry.withTracing (Tracing.addSource "MyCompany.*" >> Tracing.addConsoleExporter)
        |> Telemetry.start

    use _installedByHand = Propagation.install Propagators.defaults
    headers, back, telemetry.Propagator.Name

// tracing.md: self-diagnostics in process
type TelemetryDiagnostics() =
    inherit EventListener()

    override this.OnEventSourceCreated source =
        if source.Name = "Functional-Telemetry" then
            this.EnableEvents(source, EventLevel.Warning)

    override _.OnEventWritten event =
        let payload = event.Payload |> Seq.map string |> String.concat " | "
        eprintfn "[%O] %s: %s" event.Level event.EventName payload

let totals () =
    let t = SelfDiagnostics.totals ()
    printfn "rejected %d, dropped %d, failed %d" t.Rejected t.Dropped t.Failed

// configuration.md
let configuredInCode () =
    Telemetry.create "checkout"
    |> Telemetry.withResourceAttributes [ KeyValue.string "service.version" "1.4.2" ]
    |> Telemetry.withResourceDetection false
    |> Telemetry.withEnvironment (Env.ofList [ "OTEL_TRACES_SAMPLER", "always_on" ])
    |> Telemetry.withTracing (Tracing.addSource "MyCompany.*" >> Tracing.addConsoleExporter)
    |> Telemetry.start

// metrics.md: getting started
let metricsGettingStarted () =
    use telemetry =
        Telemetry.create "checkout"
        |> Telemetry.withMetrics (
            Metrics.addMeter "MyCompany.*"
            >> Metrics.addView
                { View.forInstrument "payload.size" with
                    Aggregation = Some(Aggregation.Base2ExponentialHistogram(160, 20, true))
                }
            >> Metrics.addConsoleExporter
        )
        |> Telemetry.start

    use meter = Instruments.meter "MyCompany.Orders" None
    let placed = Instruments.counter meter "orders.placed" "{order}" "Orders placed"
    placed |> Instruments.add [ KeyValue.string "payment.method" "card" ] 1L
    ignore telemetry

// metrics.md: bound instruments
let boundInstruments () =
    use meter = Instruments.meter "MyCompany.Http" None
    let requests = Instruments.counter meter "http.requests" "{request}" "Requests served"
    let duration = Instruments.histogram meter "http.duration" "ms" "Request duration" None

    use getOk =
        requests.Bind
            [
                KeyValue.string "http.request.method" "GET"
                KeyValue.int "http.response.status_code" 200L
            ]

    use getDuration = duration.Bind [ KeyValue.string "http.request.method" "GET" ]

    getOk.Add 1L
    getDuration.Record 12.5

// logs.md: the F# pipeline and the native logger
let logsGettingStarted () =
    use telemetry =
        Telemetry.create "checkout"
        |> Telemetry.withLogging (
            Logging.addProcessor (
                Processor.filter (fun (r: LogRecord) -> r.SeverityNumber >= 9)
                >=> Processor.map (fun r ->
                    { r with
                        Attributes = r.Attributes |> Seq.filter (fun a -> a.Key <> "card") |> List.ofSeq
                    })
            )
            >> Logging.addConsoleExporter
        )
        |> Telemetry.start

    let log = Logger.create telemetry "Checkout"
    Logger.info log "order placed" [ KeyValue.int "order.id" 42L ]

    Logger.emit
        log
        { Logger.event "payment failed" with
            Level = Microsoft.Extensions.Logging.LogLevel.Error
            EventName = "PaymentFailed"
            Attributes = [ KeyValue.string "payment.method" "card" ]
        }

    // Or through Microsoft.Extensions.Logging:
    use factory =
        Microsoft.Extensions.Logging.LoggerFactory.Create(fun builder ->
            Microsoft.Extensions.Logging.LoggingBuilderExtensions.AddProvider(builder, telemetry.LoggerProvider)
            |> ignore)

    let logger = factory.CreateLogger "Checkout"
    Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "Hello {Name}", "World")

// otlp.md: start
let otlpStart () =
    use telemetry =
        Telemetry.create "checkout"
        |> Telemetry.withTracing (Tracing.addSource "MyCompany.*" >> Tracing.addOtlpExporter id)
        |> Telemetry.withMetrics (Metrics.addMeter "MyCompany.*" >> Metrics.addOtlpExporter id)
        |> Telemetry.withLogging (
            Logging.addOtlpExporter (fun o ->
                { o with
                    Protocol = OtlpProtocol.Grpc
                    Compression = OtlpCompression.Gzip
                })
        )
        |> Telemetry.start

    ignore telemetry

// otlp.md: a gRPC collector fleet (static addresses, round-robin)
let otlpGrpcFleet: TracingConfig -> TracingConfig =
    Tracing.addOtlpExporter (fun o ->
        { o with
            Protocol = OtlpProtocol.Grpc
            Grpc =
                { o.Grpc with
                    Addresses =
                        [
                            Uri "http://10.0.0.11:4317"
                            Uri "http://10.0.0.12:4317"
                            Uri "http://10.0.0.13:4317"
                        ]
                    LoadBalancing = OtlpLoadBalancing.RoundRobin
                }
        })

let unused = ignore<CancellationToken>, ignore<Activity>

// prometheus.md: the SDK's own endpoint
let prometheusEndpoint () =
    use telemetry =
        Telemetry.create "checkout"
        |> Telemetry.withMetrics (
            Metrics.addMeter "MyCompany.*"
            >> Metrics.addPrometheusEndpoint (fun o -> { o with Host = "0.0.0.0"; Port = 9464 })
        )
        |> Telemetry.start

    for endpoint in telemetry.PrometheusEndpoints do
        printfn $"{endpoint.Url} listening: {endpoint.IsListening}"

// prometheus.md: next to OTLP
let prometheusNextToOtlp: MetricsConfig -> MetricsConfig =
    Metrics.addMeter "MyCompany.*"
    >> Metrics.addOtlpExporter (fun o ->
        { o with
            TemporalityPreference = TemporalityPreference.Delta
        })
    >> Metrics.addPrometheusEndpoint id

// prometheus.md: a scrape handler served by any HTTP server
let prometheusHandler (handler: PrometheusScrapeHandler) (accept: string) (acceptEncoding: string) =
    task {
        let! response = handler.ScrapeAsync(accept, acceptEncoding, CancellationToken.None)
        return response.StatusCode, response.ContentType, response.ContentEncoding, response.Body.Length
    }

// etw.md: logs and spans as ETW events
let etwStart () =
    Telemetry.create "checkout"
    |> Telemetry.withTracing (Tracing.addSource "MyCompany.*" >> Tracing.addEtwExporter "MyCompany-Checkout")
    |> Telemetry.withLogging (
        Logging.addEtwExporterWith
            { EtwOptions.create "MyCompany-Checkout" with
                LogEventName = Some(fun r -> r.EventName)
                ResourceAttributes = [ "deployment.environment" ]
            }
    )
    |> Telemetry.start

// configuration.md: the SDK's own diagnostics to a sink of your own instead of standard error
let diagnosticsSink () =
    use telemetry =
        Telemetry.create "checkout"
        |> Telemetry.withDiagnostics (fun level message -> eprintfn "[otel %O] %s" level message)
        |> Telemetry.withTracing (Tracing.addSource "MyCompany.*" >> Tracing.addOtlpExporter id)
        |> Telemetry.start

    ()

// semantic-conventions.md: the attribute constants
let semanticConventions () =
    use telemetry =
        Telemetry.create "orders"
        |> Telemetry.withResourceAttributes
            [
                KeyValue.string DeploymentAttributes.EnvironmentName DeploymentAttributes.EnvironmentNameValues.Staging
            ]
        |> Telemetry.withTracing (Tracing.addSource "MyCompany.*" >> Tracing.addConsoleExporter)
        |> Telemetry.start

    use tracer = Tracer.create "MyCompany.Orders" None

    Tracer.inSpan tracer "GET /orders/{id}" (fun span ->
        span
        |> ActiveSpan.setAttribute
            HttpAttributes.RequestMethod
            (AnyValue.String HttpAttributes.RequestMethodValues.Get)

        span |> ActiveSpan.setAttribute ServerAttributes.Port (AnyValue.Int 443L))

// semantic-conventions.md: literals work as patterns
let isServerError (span: Span) =
    span.Attributes
    |> Seq.exists (fun a ->
        match a.Key, a.Value with
        | HttpAttributes.ResponseStatusCode, AnyValue.Int code -> code >= 500L
        | _ -> false)

// instrumentation.md: ASP.NET Core
let aspNetCoreInstrumentation (args: string array) =
    task {
        use _telemetry =
            Telemetry.create "checkout"
            |> Telemetry.withTracing (
                AspNetCoreInstrumentation.AddTracingWith(fun o ->
                    o.Filter <- fun context -> context.Request.Path.Value <> "/health"
                    o.CapturedRequestHeaders.Add "x-request-id"

                    o.EnrichWithHttpResponse <-
                        fun activity response ->
                            activity.SetTag("app.cache", response.Headers["X-Cache"].ToString()) |> ignore)
                >> Tracing.addConsoleExporter
            )
            |> Telemetry.withMetrics (AspNetCoreInstrumentation.AddMetrics >> Metrics.addConsoleExporter)
            |> Telemetry.start // before the host is built

        let app = WebApplication.CreateBuilder(args).Build()

        app.MapGet("/users/{id}", Func<string, string>(fun id -> $"user {id}"))
        |> ignore

        do! app.RunAsync()
    }

// instrumentation.md: the defaults
let aspNetCoreDefaults: TracingConfig -> TracingConfig =
    AspNetCoreInstrumentation.AddTracing >> Tracing.addOtlpExporter id

// instrumentation.md: HttpClient spans with a filter and an enricher, and HttpClient's meters
let httpClientInstrumentation () =
    Telemetry.create "checkout"
    |> Telemetry.withTracing (
        Tracing.addHttpClientInstrumentation (fun o ->
            { o with
                Filter = Some(fun request -> request.RequestUri.AbsolutePath <> "/health")
                EnrichWithResponse =
                    Some(fun activity response ->
                        activity.SetTag(
                            "http.response.header.content-type",
                            response.Content.Headers.ContentType.MediaType
                        )
                        |> ignore)
            })
        >> Tracing.addOtlpExporter id
    )
    |> Telemetry.withMetrics (Metrics.addHttpClientInstrumentation >> Metrics.addOtlpExporter id)
    |> Telemetry.start

// instrumentation.md: gRPC calls and their HTTP/2 requests
let grpcClientInstrumentation () =
    Telemetry.create "checkout"
    |> Telemetry.withTracing (
        Tracing.addGrpcClientInstrumentation id
        >> Tracing.addHttpClientInstrumentation id
        >> Tracing.addOtlpExporter id
    )
    |> Telemetry.start

// instrumentation.md: the runtime's dotnet.* metrics
let runtimeInstrumentation () =
    Telemetry.create "checkout"
    |> Telemetry.withMetrics (
        Metrics.addRuntimeInstrumentation
        >> Metrics.addHttpClientInstrumentation
        >> Metrics.addPrometheusEndpoint id
    )
    |> Telemetry.start

// otlp.md: zstd compression
let otlpZstd: TracingConfig -> TracingConfig =
    Tracing.addOtlpExporter (fun o -> { o with Compression = OtlpCompression.Zstd })

// vendors.md: a preset on every signal
let vendorPreset () =
    let datadog = OtlpPreset.datadog "datadoghq.eu" (Environment.GetEnvironmentVariable "DD_API_KEY")

    use telemetry =
        Telemetry.create "checkout"
        |> Telemetry.withTracing (Tracing.addSource "MyCompany.*" >> Tracing.addOtlpPreset datadog)
        |> Telemetry.withMetrics (Metrics.addMeter "MyCompany.*" >> Metrics.addOtlpPreset datadog)
        |> Telemetry.withLogging (Logging.addOtlpPreset datadog)
        |> Telemetry.start

    ignore telemetry

// vendors.md: a preset's options composed with one's own, and the changes a deployment makes
let vendorPresetOptions: TracingConfig -> TracingConfig =
    let datadog = OtlpPreset.datadog "datadoghq.eu" (Environment.GetEnvironmentVariable "DD_API_KEY")

    Tracing.addOtlpExporter (
        OtlpPreset.options OtlpSignal.Traces datadog
        >> fun o -> { o with Timeout = TimeSpan.FromSeconds 5. }
    )

let vendorPresetChanges: TracingConfig -> TracingConfig =
    let jaeger =
        OtlpPreset.jaeger
        |> OtlpPreset.withProtocol OtlpProtocol.Grpc
        |> OtlpPreset.withBaseUrl (Uri "http://jaeger:4317")

    let dynatrace =
        OtlpPreset.dynatrace "abc12345" (Environment.GetEnvironmentVariable "DT_API_TOKEN")
        |> OtlpPreset.withBaseUrl (Uri "https://activegate.internal:9999/e/abc12345/api/v2/otlp")
        |> OtlpPreset.withExponentialHistograms false

    Tracing.addOtlpPreset jaeger >> Tracing.addOtlpPreset dynatrace

// vendors.md: Google Cloud with a token obtained elsewhere (it expires; nothing here refreshes it)
let googleCloudPreset (accessToken: string) =
    let google =
        OtlpPreset.googleCloud "my-project"
        |> OtlpPreset.withHeader "Authorization" ("Bearer " + accessToken)

    Telemetry.create "batch-job"
    |> Telemetry.withResourceAttributes [ KeyValue.string "gcp.project_id" "my-project" ]
    |> Telemetry.withTracing (Tracing.addSource "MyCompany.*" >> Tracing.addOtlpPreset google)

// otlp-file.md: JSON lines to files and to standard output
let otlpFile () =
    let toFile path (o: OtlpFileOptions) = { o with Output = OtlpFileOutput.File path }

    use telemetry =
        Telemetry.create "checkout"
        |> Telemetry.withTracing (
            Tracing.addSource "MyCompany.*"
            >> Tracing.addOtlpFileExporter (toFile "/var/log/checkout/traces.jsonl")
        )
        |> Telemetry.withMetrics (Metrics.addMeter "MyCompany.*" >> Metrics.addOtlpFileExporter id)
        |> Telemetry.withLogging (Logging.addOtlpFileExporter (toFile "/var/log/checkout/logs.jsonl"))
        |> Telemetry.start

    ignore telemetry

// zipkin.md: the Zipkin exporter
let zipkinStart () =
    use telemetry =
        Telemetry.create "checkout"
        |> Telemetry.withTracing (
            Tracing.addSource "MyCompany.*"
            >> Tracing.addZipkinExporter (fun o ->
                { o with
                    Endpoint = Uri "http://zipkin.internal:9411/api/v2/spans"
                })
        )
        |> Telemetry.start

    ignore telemetry

// tracing.md: AWS X-Ray trace ids
let xrayTraceIds () =
    Telemetry.create "checkout"
    |> Telemetry.withPropagator Propagators.xray
    |> Telemetry.withTracing (
        Tracing.addSource "MyCompany.*"
        >> Tracing.withIdGenerator IdGenerator.AwsXRay
        >> Tracing.addOtlpExporter id
    )
    |> Telemetry.start
