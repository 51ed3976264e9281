/// `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER` and `OTEL_LOGS_EXPORTER` through `Telemetry.start`: which
/// pipelines an SDK starts for each value, with and without exporters added in code.
module Functional.Telemetry.Tests.ExporterVariablesTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Net
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

let private unique () = "ExporterVariables." + Guid.NewGuid().ToString("N")

/// An SDK over these variables; OTLP exporters, when started, point at a port nothing listens on (nothing is
/// recorded, so nothing is sent).
let private start (variables: (string * string) list) configure =
    Telemetry.create "exporter-variables"
    |> Telemetry.withEnvironment (Env.ofList (("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9") :: variables))
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> configure
    |> Telemetry.start

let private names (pipelines: Collections.Generic.IReadOnlyList<ExportPipeline>) =
    pipelines |> Seq.map _.Name |> List.ofSeq

let private spanPipelines variables (tracing: TracingConfig -> TracingConfig) =
    use sdk = start variables (Telemetry.withTracing (Tracing.addSource (unique ()) >> tracing))
    names sdk.SpanPipelines

let private logPipelines variables (logging: LoggingConfig -> LoggingConfig) =
    use sdk = start variables (Telemetry.withLogging logging)
    names sdk.LogPipelines

let private traces value = [ "OTEL_TRACES_EXPORTER", value ]

let private codeExporters =
    Tracing.addConsoleExporter
    >> Tracing.addBatchExporter (InMemoryExporter<Span>())
    >> Tracing.addOtlpExporter (fun o -> { o with Protocol = OtlpProtocol.HttpJson })

let ``unset: what code adds is used`` () =
    Assert.Equal<string list>(
        [ "traces/console"; "traces/in-memory"; "traces/otlp-http-json" ],
        spanPipelines [] codeExporters
    )

let ``unset with no exporter in code: the spec's default, otlp, from OTEL_EXPORTER_OTLP_*`` () =
    Assert.Equal<string list>([ "traces/otlp-http-protobuf" ], spanPipelines [] id)

    Assert.Equal<string list>([ "traces/otlp-grpc" ], spanPipelines [ "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc" ] id)

    Assert.Equal<string list>([ "logs/otlp-http-protobuf" ], logPipelines [] id)

let ``each value selects its exporter with no exporter in code`` () =
    Assert.Equal<string list>([ "traces/otlp-http-protobuf" ], spanPipelines (traces "otlp") id)
    Assert.Equal<string list>([ "traces/console" ], spanPipelines (traces "console") id)
    Assert.Empty(spanPipelines (traces "none") id)
    Assert.Equal<string list>([ "logs/console" ], logPipelines [ "OTEL_LOGS_EXPORTER", "console" ] id)
    Assert.Empty(logPipelines [ "OTEL_LOGS_EXPORTER", "none" ] id)

let ``a list selects each exporter once, in order`` () =
    Assert.Equal<string list>(
        [ "traces/console"; "traces/otlp-http-protobuf" ],
        spanPipelines (traces " Console,OTLP,console ") id
    )

let ``set: the variable decides the kinds; code's exporters of those kinds keep their options; the others go`` () =
    // otlp: code's OTLP exporter (http/json, as set in code) stays; code's console goes; in-memory always applies.
    Assert.Equal<string list>(
        [ "traces/in-memory"; "traces/otlp-http-json" ],
        spanPipelines (traces "otlp") codeExporters
    )

    Assert.Equal<string list>([ "traces/console"; "traces/in-memory" ], spanPipelines (traces "console") codeExporters)
    // A kind code did not add is added with the environment's settings.
    Assert.Equal<string list>(
        [ "traces/in-memory"; "traces/otlp-http-protobuf" ],
        spanPipelines
            (traces "otlp")
            (Tracing.addBatchExporter (InMemoryExporter<Span>())
             >> Tracing.addConsoleExporter)
    )

let ``none turns off the exporters the variable can name; exporters given as objects still apply`` () =
    Assert.Equal<string list>([ "traces/in-memory" ], spanPipelines (traces "none") codeExporters)

    Assert.Equal<string list>(
        [ "logs/in-memory" ],
        logPipelines
            [ "OTEL_LOGS_EXPORTER", "none" ]
            (Logging.addConsoleExporter
             >> Logging.addBatchExporter (InMemoryExporter<LogRecord>()))
    )

let ``an unknown value is a warning naming it and the variable; what code adds is then used`` () =
    task {
        let warnings = ConcurrentQueue<DiagnosticLevel * string>()

        let sdk =
            start
                (traces "zipkn")
                (Telemetry.withDiagnostics (fun level message -> warnings.Enqueue((level, message)))
                 >> Telemetry.withTracing (Tracing.addSource (unique ()) >> Tracing.addConsoleExporter))

        Assert.Equal<string list>([ "traces/console" ], names sdk.SpanPipelines)
        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)

        Assert.Contains(
            warnings,
            fun (level, message) ->
                level = DiagnosticLevel.Warning
                && message.Contains "OTEL_TRACES_EXPORTER"
                && message.Contains "'zipkn'"
        )
    }

let ``prometheus names no span exporter: a warning, and the rest of the list applies`` () =
    Assert.Equal<string list>([ "traces/console" ], spanPipelines (traces "prometheus,console") id)

// ---- metrics ----

let private startMetrics variables (metrics: MetricsConfig -> MetricsConfig) =
    start variables (Telemetry.withMetrics (Metrics.addMeter (unique ()) >> metrics))

let private metricsVariable value = [ "OTEL_METRICS_EXPORTER", value ]

let ``metrics: unset uses code's readers, else otlp`` () =
    use none = startMetrics [] id
    Assert.Equal<string list>([ "metrics/otlp-http-protobuf" ], names none.MetricPipelines)
    let reader = MetricPullReader()
    use pulled = startMetrics [] (Metrics.addReader reader)
    // A pull reader is what code added: no default.
    Assert.Empty pulled.MetricPipelines
    Assert.Empty pulled.PrometheusEndpoints

let ``metrics: console, otlp and none`` () =
    use console = startMetrics (metricsVariable "console") id
    Assert.Equal<string list>([ "metrics/console" ], names console.MetricPipelines)
    use both = startMetrics (metricsVariable "otlp,console") Metrics.addConsoleExporter
    Assert.Equal<string list>([ "metrics/console"; "metrics/otlp-http-protobuf" ], names both.MetricPipelines)

    use none =
        startMetrics (metricsVariable "none") (Metrics.addConsoleExporter >> Metrics.addOtlpExporter id)

    Assert.Empty none.MetricPipelines
    Assert.Empty none.PrometheusEndpoints

let ``metrics: prometheus is the SDK's own scrape endpoint, from OTEL_EXPORTER_PROMETHEUS_*`` () =
    task {
        let meter = unique ()

        use sdk =
            start
                (("OTEL_EXPORTER_PROMETHEUS_PORT", "0") :: metricsVariable "prometheus")
                (Telemetry.withMetrics (Metrics.addMeter meter >> Metrics.addConsoleExporter))

        Assert.Empty sdk.MetricPipelines
        let endpoint = Assert.Single sdk.PrometheusEndpoints
        Assert.True endpoint.IsListening
        use m = new Meter(meter)
        m.CreateCounter<int64>("orders").Add 3L
        use http = new Http.HttpClient()
        let! body = http.GetStringAsync endpoint.Url
        Assert.Contains("orders_total", body)
    }

let ``metrics: none keeps readers given in code (pull readers, scrape handlers, exporters given as objects)`` () =
    let reader = MetricPullReader()
    let handler = PrometheusScrapeHandler()
    let exporter = InMemoryExporter<MetricData>()

    use sdk =
        startMetrics
            (metricsVariable "none")
            (Metrics.addReader reader
             >> Metrics.addPrometheusReader handler
             >> Metrics.addExporter TemporalityPreference.Cumulative exporter
             >> Metrics.addPrometheusEndpoint (fun o -> { o with Port = 0 }))

    Assert.Equal<string list>([ "metrics/in-memory" ], names sdk.MetricPipelines)
    Assert.Empty sdk.PrometheusEndpoints
    Assert.Same(handler, Assert.Single sdk.PrometheusScrapeHandlers)

// ---- the OTLP exporter the variable builds sends where OTEL_EXPORTER_OTLP_* says ----

/// A receiver of OTLP/HTTP requests: the paths it was posted to.
let private startReceiver () =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore
        builder.WebHost.UseUrls("http://127.0.0.1:0") |> ignore
        let app = builder.Build()
        let paths = ConcurrentQueue<string>()

        app.Run(
            RequestDelegate(fun context ->
                paths.Enqueue context.Request.Path.Value
                context.Response.StatusCode <- 200
                Task.CompletedTask)
        )

        do! app.StartAsync()

        let address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
            |> Seq.head

        return app, address, paths
    }

let ``otlp from the variable exports spans, metrics and logs to OTEL_EXPORTER_OTLP_ENDPOINT`` () =
    task {
        let! app, address, paths = startReceiver ()

        use _ =
            { new IDisposable with
                member _.Dispose() = app.DisposeAsync().AsTask().Wait()
            }

        let source = unique ()

        let sdk =
            Telemetry.create "exporter-variables"
            |> Telemetry.withEnvironment (
                Env.ofList
                    [
                        "OTEL_EXPORTER_OTLP_ENDPOINT", address
                        "OTEL_TRACES_EXPORTER", "otlp"
                        "OTEL_METRICS_EXPORTER", "otlp"
                        "OTEL_LOGS_EXPORTER", "otlp"
                    ]
            )
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withTracing (Tracing.addSource source)
            |> Telemetry.withMetrics (Metrics.addMeter source)
            |> Telemetry.withLogging id
            |> Telemetry.start

        use activitySource = new ActivitySource(source)
        (activitySource.StartActivity "work").Dispose()
        use meter = new Meter(source)
        meter.CreateCounter<int64>("hits").Add 1L
        sdk.CreateLogger("exporter-variables").LogWarning("logged")
        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.) |> within (TimeSpan.FromSeconds 30.)
        Assert.True flushed
        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)

        Assert.Equal<string list>(
            [ "/v1/logs"; "/v1/metrics"; "/v1/traces" ],
            paths |> Seq.distinct |> Seq.sort |> List.ofSeq
        )
    }

[<Tests>]
let tests =
    testList
        "ExporterVariablesTests"
        [
            test "unset: what code adds is used" { ``unset: what code adds is used`` () }
            test "unset with no exporter in code: the spec's default, otlp, from OTEL_EXPORTER_OTLP_*" {
                ``unset with no exporter in code: the spec's default, otlp, from OTEL_EXPORTER_OTLP_*`` ()
            }
            test "each value selects its exporter with no exporter in code" {
                ``each value selects its exporter with no exporter in code`` ()
            }
            test "a list selects each exporter once, in order" { ``a list selects each exporter once, in order`` () }
            test
                "set: the variable decides the kinds; code's exporters of those kinds keep their options; the others go" {
                ``set: the variable decides the kinds; code's exporters of those kinds keep their options; the others go`` ()
            }
            test "none turns off the exporters the variable can name; exporters given as objects still apply" {
                ``none turns off the exporters the variable can name; exporters given as objects still apply`` ()
            }
            testTask "an unknown value is a warning naming it and the variable; what code adds is then used" {
                do! ``an unknown value is a warning naming it and the variable; what code adds is then used`` ()
            }
            test "prometheus names no span exporter: a warning, and the rest of the list applies" {
                ``prometheus names no span exporter: a warning, and the rest of the list applies`` ()
            }
            test "metrics: unset uses code's readers, else otlp" {
                ``metrics: unset uses code's readers, else otlp`` ()
            }
            test "metrics: console, otlp and none" { ``metrics: console, otlp and none`` () }
            testTask "metrics: prometheus is the SDK's own scrape endpoint, from OTEL_EXPORTER_PROMETHEUS_*" {
                do! ``metrics: prometheus is the SDK's own scrape endpoint, from OTEL_EXPORTER_PROMETHEUS_*`` ()
            }
            test "metrics: none keeps readers given in code (pull readers, scrape handlers, exporters given as objects)" {
                ``metrics: none keeps readers given in code (pull readers, scrape handlers, exporters given as objects)`` ()
            }
            testTask "otlp from the variable exports spans, metrics and logs to OTEL_EXPORTER_OTLP_ENDPOINT" {
                do! ``otlp from the variable exports spans, metrics and logs to OTEL_EXPORTER_OTLP_ENDPOINT`` ()
            }
        ]
