/// Every F# entry point that takes settings in code checks them the same way: the options type's pure `validate`,
/// turned into an ArgumentException naming the bad setting by `Validation.orThrow`.
module Functional.Telemetry.Tests.EntryPointValidationTests

open Expecto
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

let ``Tracing.withLimits checks the span limits`` () =
    throwsNaming "AttributeCountLimit" (fun () ->
        Tracing.empty
        |> Tracing.withLimits { SpanLimits.defaults with AttributeCountLimit = -1 })

    throwsNaming "LinkCountLimit" (fun () ->
        Tracing.empty
        |> Tracing.withLimits { SpanLimits.defaults with LinkCountLimit = -1 })

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

let ``Telemetry.withRetry checks the retry policy`` () =
    throwsNaming "MaxAttempts" (fun () ->
        Telemetry.create "validation"
        |> Telemetry.withRetry { RetryPolicy.defaults with MaxAttempts = 0 })

let ``addSource and addMeter check the names`` () =
    throwsNaming "ActivitySource" (fun () -> Tracing.empty |> Tracing.addSource " ")
    throwsNaming "Meter" (fun () -> Metrics.empty |> Metrics.addMeter "a b")

let ``Metrics.addView checks the view`` () =
    throwsNaming "CardinalityLimit" (fun () ->
        Metrics.empty
        |> Metrics.addView { View.forInstrument "x" with CardinalityLimit = Some 0 })

    throwsNaming "Name" (fun () ->
        Metrics.empty
        |> Metrics.addView { View.forInstrument "x*" with Name = Some "y" })

let ``Metrics.withCardinalityLimit checks the limit`` () =
    throwsNaming "CardinalityLimit" (fun () -> Metrics.empty |> Metrics.withCardinalityLimit 0)

let ``Metrics.addExporterWith checks the periodic reader options`` () =
    let options =
        { PeriodicReaderOptions.defaults with
            Interval = TimeSpan.Zero
        }

    throwsNaming "Interval" (fun () ->
        Metrics.empty
        |> Metrics.addExporterWith options TemporalityPreference.Cumulative (InMemoryExporter<MetricData>()))

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

let ``OtlpExporter checks its options`` () =
    throwsNaming "Endpoint" (fun () ->
        OtlpExporter.traces
            { OtlpOptions.defaults with
                Endpoint = Some(Uri "ftp://collector:21")
            })

let ``Prometheus endpoint options set in code are checked when the SDK starts`` () =
    throwsNaming "Port" (fun () ->
        startWith (
            Telemetry.withMetrics (
                Metrics.addMeter "Validation.Prometheus"
                >> Metrics.addPrometheusEndpoint (fun o -> { o with Port = 70000 })
            )
        ))

let ``ETW options are checked when added and when an exporter is made`` () =
    throwsNaming "ProviderName" (fun () -> Tracing.empty |> Tracing.addEtwExporter "")

    throwsNaming "ProviderName" (fun () ->
        Logging.empty
        |> Logging.addEtwExporterWith
            { EtwOptions.create "My-App" with
                EtwOnlyProviderName = false
            })

    throwsNaming "ProviderName" (fun () -> new EtwSpanExporter(EtwOptions.create "a/b"))

[<Tests>]
let tests =
    testList
        "EntryPointValidationTests"
        [
            test "Tracing.withLimits checks the span limits" { ``Tracing.withLimits checks the span limits`` () }
            test "Logging.withLimits checks the log record limits" {
                ``Logging.withLimits checks the log record limits`` ()
            }
            test "addExporter checks the batch options of spans and logs" {
                ``addExporter checks the batch options of spans and logs`` ()
            }
            test "Telemetry.withRetry checks the retry policy" { ``Telemetry.withRetry checks the retry policy`` () }
            test "addSource and addMeter check the names" { ``addSource and addMeter check the names`` () }
            test "Metrics.addView checks the view" { ``Metrics.addView checks the view`` () }
            test "Metrics.withCardinalityLimit checks the limit" {
                ``Metrics.withCardinalityLimit checks the limit`` ()
            }
            test "Metrics.addExporterWith checks the periodic reader options" {
                ``Metrics.addExporterWith checks the periodic reader options`` ()
            }
            test "OTLP options set in code are checked when the SDK starts, for each signal" {
                ``OTLP options set in code are checked when the SDK starts, for each signal`` ()
            }
            test "OtlpExporter checks its options" { ``OtlpExporter checks its options`` () }
            test "Prometheus endpoint options set in code are checked when the SDK starts" {
                ``Prometheus endpoint options set in code are checked when the SDK starts`` ()
            }
            test "ETW options are checked when added and when an exporter is made" {
                ``ETW options are checked when added and when an exporter is made`` ()
            }
        ]
