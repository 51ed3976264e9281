/// Every F# entry point that takes settings in code checks them the same way: the options type's pure `validate`,
/// turned into an ArgumentException naming the bad setting by `Validation.orThrow`.
module Functional.Telemetry.Tests.EntryPointValidationTests

open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TestUtil

let private badBatch = { BatchOptions.defaults with MaxQueueSize = 0 }

/// Starts an SDK that reads no environment variables and installs no propagator.
let private startWith (configure: TelemetryConfig -> TelemetryConfig) =
    use sdk =
        Telemetry.create "validation"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> configure
        |> Telemetry.start

    sdk.Resource

[<Fact>]
let ``Tracing.withLimits checks the span limits`` () =
    throwsNaming "AttributeCountLimit" (fun () ->
        Tracing.empty
        |> Tracing.withLimits { SpanLimits.defaults with AttributeCountLimit = -1 })

    throwsNaming "LinkCountLimit" (fun () ->
        Tracing.empty
        |> Tracing.withLimits { SpanLimits.defaults with LinkCountLimit = -1 })

[<Fact>]
let ``Logging.withLimits checks the log record limits`` () =
    throwsNaming "AttributeCountLimit" (fun () ->
        Logging.empty
        |> Logging.withLimits { LogRecordLimits.defaults with AttributeCountLimit = -1 })

    throwsNaming "AttributeValueLengthLimit" (fun () ->
        Logging.empty
        |> Logging.withLimits
            { LogRecordLimits.defaults with
                AttributeValueLengthLimit = Some -1
            })

[<Fact>]
let ``addExporter checks the batch options of spans and logs`` () =
    let exporter = InMemoryExporter<Span>()

    throwsNaming "MaxQueueSize" (fun () -> Tracing.empty |> Tracing.addExporter (ExportMode.Batched badBatch) exporter)

    throwsNaming "ScheduleDelay" (fun () ->
        Logging.empty
        |> Logging.addExporter
            (ExportMode.Batched
                { BatchOptions.defaults with
                    ScheduleDelay = TimeSpan.FromSeconds -1.
                })
            (InMemoryExporter<LogRecord>()))

[<Fact>]
let ``Telemetry.withRetry checks the retry policy`` () =
    throwsNaming "MaxAttempts" (fun () ->
        Telemetry.create "validation"
        |> Telemetry.withRetry { RetryPolicy.defaults with MaxAttempts = 0 })

[<Fact>]
let ``addSource and addMeter check the names`` () =
    throwsNaming "ActivitySource" (fun () -> Tracing.empty |> Tracing.addSource " ")
    throwsNaming "Meter" (fun () -> Metrics.empty |> Metrics.addMeter "a b")

[<Fact>]
let ``Metrics.addView checks the view`` () =
    throwsNaming "CardinalityLimit" (fun () ->
        Metrics.empty
        |> Metrics.addView { View.forInstrument "x" with CardinalityLimit = Some 0 })

    throwsNaming "Name" (fun () ->
        Metrics.empty
        |> Metrics.addView { View.forInstrument "x*" with Name = Some "y" })

[<Fact>]
let ``Metrics.withCardinalityLimit checks the limit`` () =
    throwsNaming "CardinalityLimit" (fun () -> Metrics.empty |> Metrics.withCardinalityLimit 0)

[<Fact>]
let ``Metrics.addExporterWith checks the periodic reader options`` () =
    let options =
        { PeriodicReaderOptions.defaults with
            Interval = TimeSpan.Zero
        }

    throwsNaming "Interval" (fun () ->
        Metrics.empty
        |> Metrics.addExporterWith options TemporalityPreference.Cumulative (InMemoryExporter<MetricData>()))

[<Fact>]
let ``OTLP options set in code are checked when the SDK starts, for each signal`` () =
    throwsNaming "Timeout" (fun () ->
        startWith (
            Telemetry.withTracing (
                Tracing.addSource "Validation.Otlp"
                >> Tracing.addOtlpExporter (fun o -> { o with Timeout = TimeSpan.Zero })
            )
        ))

    throwsNaming "MaxRequestBytes" (fun () ->
        startWith (
            Telemetry.withMetrics (
                Metrics.addMeter "Validation.Otlp"
                >> Metrics.addOtlpExporter (fun o -> { o with MaxRequestBytes = 0L })
            )
        ))

    throwsNaming "Headers" (fun () ->
        startWith (Telemetry.withLogging (Logging.addOtlpExporter (fun o -> { o with Headers = [ "bad key", "v" ] }))))

[<Fact>]
let ``OtlpExporter checks its options`` () =
    throwsNaming "Endpoint" (fun () ->
        OtlpExporter.traces
            { OtlpOptions.defaults with
                Endpoint = Some(Uri "ftp://collector:21")
            })

[<Fact>]
let ``Prometheus endpoint options set in code are checked when the SDK starts`` () =
    throwsNaming "Port" (fun () ->
        startWith (
            Telemetry.withMetrics (
                Metrics.addMeter "Validation.Prometheus"
                >> Metrics.addPrometheusEndpoint (fun o -> { o with Port = 70000 })
            )
        ))

[<Fact>]
let ``ETW options are checked when added and when an exporter is made`` () =
    throwsNaming "ProviderName" (fun () -> Tracing.empty |> Tracing.addEtwExporter "")

    throwsNaming "ProviderName" (fun () ->
        Logging.empty
        |> Logging.addEtwExporterWith
            { EtwOptions.create "My-App" with
                EtwOnlyProviderName = false
            })

    throwsNaming "ProviderName" (fun () -> new EtwSpanExporter(EtwOptions.create "a/b"))
