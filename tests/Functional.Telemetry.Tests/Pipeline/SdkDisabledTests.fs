/// `OTEL_SDK_DISABLED=true`: every public F# API works and does nothing.
module Functional.Telemetry.Tests.SdkDisabledTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Threading
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private unique () = "SdkDisabled." + Guid.NewGuid().ToString("N")

let private disabled (variables: (string * string) list) =
    Telemetry.create "disabled"
    |> Telemetry.withEnvironment (Env.ofList (("OTEL_SDK_DISABLED", "true") :: variables))
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false

/// Everything the F# API can configure, over one name (sources and meters).
let private everything
    (name: string)
    (spans: InMemoryExporter<Span>)
    (metrics: InMemoryExporter<MetricData>)
    (logs: InMemoryExporter<LogRecord>)
    (reader: MetricPullReader)
    (handler: PrometheusScrapeHandler)
    =
    Telemetry.withTracing (
        Tracing.addSource name
        >> Tracing.withSampler Sampler.alwaysOn
        >> Tracing.addProcessor (Processor.map id)
        >> Tracing.addSimpleExporter spans
        >> Tracing.addConsoleExporter
        >> Tracing.addOtlpExporter id
    )
    >> Telemetry.withMetrics (
        Metrics.addMeter name
        >> Metrics.addExporter TemporalityPreference.Delta metrics
        >> Metrics.addReader reader
        >> Metrics.addPrometheusReader handler
        >> Metrics.addPrometheusEndpoint (fun o -> { o with Port = 0 })
        >> Metrics.addConsoleExporter
        >> Metrics.addOtlpExporter id
    )
    >> Telemetry.withLogging (
        Logging.withScopes true
        >> Logging.addSimpleExporter logs
        >> Logging.addConsoleExporter
        >> Logging.addOtlpExporter id
    )

let ``a disabled SDK records nothing, exports nothing and starts nothing; every API still works`` () =
    task {
        let name = unique ()
        let spans = InMemoryExporter<Span>()
        let metrics = InMemoryExporter<MetricData>()
        let logs = InMemoryExporter<LogRecord>()
        let reader = MetricPullReader()
        let handler = PrometheusScrapeHandler()
        let diagnostics = ConcurrentQueue<string>()

        let sdk =
            disabled [ "OTEL_LOG_LEVEL", "debug"; "OTEL_BSP_MAX_QUEUE_SIZE", "-1" ]
            |> Telemetry.withDiagnostics (fun _ message -> diagnostics.Enqueue message)
            |> everything name spans metrics logs reader handler
            |> Telemetry.start

        // Tracing: no listener, so no Activity; the native tracer still runs the work.
        use source = new ActivitySource(name)
        Assert.False(source.HasListeners())
        Assert.Null(source.StartActivity "ignored")
        use tracer = Tracer.create name (Some "1.0")
        let result = Tracer.inSpan tracer "work" (fun span -> if span.IsRecording then -1 else 42)
        Assert.Equal(42, result)
        let! fromTask = Tracer.inSpanTask tracer "task" (fun _ -> Threading.Tasks.Task.FromResult "done")
        Assert.Equal("done", fromTask)

        let fromAsync =
            Tracer.inSpanAsync tracer "async" (fun _ -> async { return 7 })
            |> Async.RunSynchronously

        Assert.Equal(7, fromAsync)

        // Metrics: instruments are not listened to; recording is free and harmless.
        use meter = Instruments.meter name None
        let counter = Instruments.counter meter "orders" "{order}" "orders"
        Assert.False counter.Enabled
        counter |> Instruments.add [ KeyValue.string "k" "v" ] 5L
        let histogram = Instruments.histogram meter "latency" "ms" "latency" None
        Assert.Equal(3, Instruments.time [] histogram (fun () -> 3))
        Assert.Empty(reader.Collect())

        // Logs: the provider's loggers are disabled; the native logger API works.
        let logger = Logger.create sdk "category"
        Assert.False(logger.IsEnabled LogLevel.Critical)
        Logger.error logger "failed" [ KeyValue.int "code" 7L ]
        Logger.emit logger (Logger.event "body")
        Assert.False((sdk.LoggerProvider.CreateLogger "other").IsEnabled LogLevel.Critical)
        Assert.False((sdk.CreateLogger "third").IsEnabled LogLevel.Critical)
        use _ = logger.BeginScope "scope"
        logger.LogCritical("critical {Value}", 1)

        // The SDK object: nothing started, everything answers.
        Assert.Empty sdk.SpanPipelines
        Assert.Empty sdk.MetricPipelines
        Assert.Empty sdk.LogPipelines
        Assert.Empty sdk.PrometheusEndpoints

        Assert.Equal(
            Some(AnyValue.String "disabled"),
            KeyValue.tryFind "service.name" (ReadOnlyList.toList sdk.Resource.Attributes)
        )

        Assert.Equal(0L, sdk.MetricDrops.NotFinite + sdk.MetricDrops.NegativeIncrements)
        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 1.)
        Assert.True flushed
        let! shutDown = sdk.Shutdown(TimeSpan.FromSeconds 1.)
        Assert.True shutDown
        let! again = sdk.Shutdown(TimeSpan.Zero)
        Assert.True again
        (sdk :> IDisposable).Dispose()
        do! sdk.DisposeAsync()

        Assert.Empty spans.Items
        Assert.Empty metrics.Items
        Assert.Empty logs.Items
        // No diagnostics sink was registered, even at debug with a bad variable.
        Assert.Empty diagnostics
    }

let ``a disabled SDK's scrape handlers answer an empty exposition until shutdown, then serve another SDK`` () =
    task {
        let handler = PrometheusScrapeHandler()

        let sdk =
            disabled []
            |> Telemetry.withMetrics (
                Metrics.addMeter (unique ())
                >> Metrics.addPrometheusReader handler
                >> Metrics.addPrometheusEndpoint (fun o -> { o with Port = 0 })
            )
            |> Telemetry.start

        // The handler added in code, then one for the endpoint (whose server does not start).
        Assert.Equal(2, sdk.PrometheusScrapeHandlers.Count)
        Assert.Same(handler, sdk.PrometheusScrapeHandlers.[0])
        Assert.Empty sdk.PrometheusEndpoints

        for served in sdk.PrometheusScrapeHandlers do
            let! text = served.ScrapeAsync(null, "gzip", CancellationToken.None)
            Assert.Equal(200, text.StatusCode)
            Assert.StartsWith("text/plain; version=0.0.4", text.ContentType)
            Assert.Equal("", text.ContentEncoding)
            Assert.Equal(0, text.Body.Length)

            let! openMetrics =
                served.ScrapeAsync("application/openmetrics-text;version=1.0.0", "", CancellationToken.None)

            Assert.Equal(200, openMetrics.StatusCode)
            Assert.StartsWith("application/openmetrics-text", openMetrics.ContentType)
            Assert.Equal("# EOF\n", Text.Encoding.UTF8.GetString(openMetrics.Body.Span))

        Assert.Equal(0L, handler.Stats.Collections)
        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 1.)
        let! after = handler.ScrapeAsync(null, null, CancellationToken.None)
        Assert.Equal(503, after.StatusCode)

        // Detached: an enabled SDK can take the handler.
        let meter = unique ()

        use _enabled =
            Telemetry.create "enabled"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withMetrics (Metrics.addMeter meter >> Metrics.addPrometheusReader handler)
            |> Telemetry.start

        use m = new Meter(meter)
        m.CreateCounter<int64>("visits").Add 2L
        let! scraped = handler.ScrapeAsync(null, null, CancellationToken.None)
        Assert.Contains("visits_total", Text.Encoding.UTF8.GetString(scraped.Body.Span))
    }

let ``only true (any case) disables the SDK, as the spec's booleans say`` (value: string, isDisabled: bool) =
    let name = unique ()

    use sdk =
        Telemetry.create "disabled"
        |> Telemetry.withEnvironment (Env.ofList [ "OTEL_SDK_DISABLED", value ])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withResourceDetection false
        |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addSimpleExporter (InMemoryExporter<Span>()))
        |> Telemetry.start

    use source = new ActivitySource(name)
    Assert.Equal(not isDisabled, source.HasListeners())

type DisabledPropagatorTests() =

    /// The spec: OTEL_SDK_DISABLED "has no effect on propagators configured through the OTEL_PROPAGATORS variable".
    member _.``a disabled SDK still installs the propagator and restores the previous one at shutdown``() =
        let previous = DistributedContextPropagator.Current

        let sdk =
            Telemetry.create "disabled"
            |> Telemetry.withEnvironment (Env.ofList [ "OTEL_SDK_DISABLED", "true"; "OTEL_PROPAGATORS", "b3" ])
            |> Telemetry.withResourceDetection false
            |> Telemetry.start

        try
            Assert.IsType<PropagatorBridge>(DistributedContextPropagator.Current) |> ignore
            Assert.Equal<string>([ "b3" ], DistributedContextPropagator.Current.Fields)
        finally
            (sdk :> IDisposable).Dispose()

        Assert.Same(previous, DistributedContextPropagator.Current)

let ``exporters given as objects are shut down with a disabled SDK`` () =
    task {
        let spans = InMemoryExporter<Span>()
        let metrics = InMemoryExporter<MetricData>()
        let logs = InMemoryExporter<LogRecord>()

        let sdk =
            disabled []
            |> Telemetry.withTracing (Tracing.addSource (unique ()) >> Tracing.addBatchExporter spans)
            |> Telemetry.withMetrics (Metrics.addExporter TemporalityPreference.Cumulative metrics)
            |> Telemetry.withLogging (Logging.addSimpleExporter logs)
            |> Telemetry.start

        // Whatever they opened when made (connections, files, threads) is released with the SDK.
        let! clean = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.True clean
        Assert.Equal(1, spans.ShutdownCount)
        Assert.Equal(1, metrics.ShutdownCount)
        Assert.Equal(1, logs.ShutdownCount)
        Assert.Equal(0, spans.BatchCount + metrics.BatchCount + logs.BatchCount)
    }

[<Tests>]
let tests =
    testList
        "SdkDisabledTests"
        [
            testTask "a disabled SDK records nothing, exports nothing and starts nothing; every API still works" {
                do! ``a disabled SDK records nothing, exports nothing and starts nothing; every API still works`` ()
            }
            testTask
                "a disabled SDK's scrape handlers answer an empty exposition until shutdown, then serve another SDK" {
                do!
                    ``a disabled SDK's scrape handlers answer an empty exposition until shutdown, then serve another SDK`` ()
            }
            test "only true (any case) disables the SDK, as the spec's booleans say(value: \"true\", isDisabled: true)" {
                ``only true (any case) disables the SDK, as the spec's booleans say`` ("true", true)
            }
            test "only true (any case) disables the SDK, as the spec's booleans say(value: \"TRUE\", isDisabled: true)" {
                ``only true (any case) disables the SDK, as the spec's booleans say`` ("TRUE", true)
            }
            test
                "only true (any case) disables the SDK, as the spec's booleans say(value: \" True \", isDisabled: true)" {
                ``only true (any case) disables the SDK, as the spec's booleans say`` (" True ", true)
            }
            test
                "only true (any case) disables the SDK, as the spec's booleans say(value: \"false\", isDisabled: false)" {
                ``only true (any case) disables the SDK, as the spec's booleans say`` ("false", false)
            }
            test "only true (any case) disables the SDK, as the spec's booleans say(value: \"yes\", isDisabled: false)" {
                ``only true (any case) disables the SDK, as the spec's booleans say`` ("yes", false)
            }
            test "only true (any case) disables the SDK, as the spec's booleans say(value: \"1\", isDisabled: false)" {
                ``only true (any case) disables the SDK, as the spec's booleans say`` ("1", false)
            }
            testSequencedGroup
                "global-propagator"
                (testList
                    "DisabledPropagatorTests"
                    [
                        test "a disabled SDK still installs the propagator and restores the previous one at shutdown" {
                            let instance = DisabledPropagatorTests()

                            instance
                                .``a disabled SDK still installs the propagator and restores the previous one at shutdown`` ()
                        }
                    ])
            testTask "exporters given as objects are shut down with a disabled SDK" {
                do! ``exporters given as objects are shut down with a disabled SDK`` ()
            }
        ]
