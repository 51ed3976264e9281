/// SDKs started from configuration files: the file's settings act (a sampler drops, limits cut, views rename),
/// code adds on top what a file has no place for, OTEL_CONFIG_FILE in the environment lookup is applied at start,
/// and the other OTEL_* variables are no longer read.
module Functional.Telemetry.Tests.ConfigFileTests

open Expecto
open System
open System.Diagnostics
open System.Diagnostics.Metrics
open System.IO
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TracingTests
open Functional.Telemetry.Tests.MetricsTests

/// A YAML file in the temp directory, deleted on dispose.
type TempFile(yaml: string) =
    let path = Path.Combine(Path.GetTempPath(), $"otel-{Guid.NewGuid():N}.yaml")
    do File.WriteAllText(path, yaml)
    member _.Path = path

    interface IDisposable with
        member _.Dispose() = File.Delete path

/// `tracer_configurator/development` enabling only the source `${SOURCE}`: files under test record only their own
/// ActivitySource (tests run in parallel, and a file's default is every source).
let onlySource =
    """  tracer_configurator/development:
    default_config:
      enabled: false
    tracers:
      - name: ${SOURCE}
        config:
          enabled: true
"""

let onlyMeter =
    """  meter_configurator/development:
    default_config:
      enabled: false
    meters:
      - name: ${METER}
        config:
          enabled: true
"""

let private loaded (lookup: EnvLookup) (yaml: string) =
    match ConfigFile.parse lookup yaml with
    | Ok(config, warnings) ->
        Assert.Empty warnings
        config |> Telemetry.withPropagatorInstalled false
    | Error errors -> failwith (ConfigFileParser.describe "under test" errors)

let private spansOf (name: string) (work: ActivitySource -> unit) (sdk: TelemetrySdk) exporter =
    task {
        use source = new ActivitySource(name)

        try
            work source
        finally
            Activity.Current <- null

        return! flushed sdk exporter
    }

let ``a file's configuration reads no OTEL_* variable but those it substitutes`` () =
    let lookup =
        Env.ofList
            [
                "OTEL_TRACES_SAMPLER", "always_off"
                "OTEL_SERVICE_NAME", "from-environment"
                "OTEL_BSP_SCHEDULE_DELAY", "1"
                "SERVICE", "from-substitution"
            ]

    let config =
        loaded
            lookup
            """file_format: "1.1"
resource:
  attributes:
    - name: service.name
      value: ${SERVICE}
tracer_provider:
  processors:
    - simple:
        exporter:
          console:
"""

    Assert.Equal(None, config.Environment "OTEL_TRACES_SAMPLER")
    Assert.Equal(None, config.Environment "OTEL_SERVICE_NAME")
    Assert.Equal(None, config.ServiceName)
    Assert.False config.DetectResource

    Assert.Equal(
        Some(AnyValue.String "from-substitution"),
        (ReadOnlyList.toList config.Resource.Attributes)
        |> List.tryPick (fun a -> if a.Key = "service.name" then Some a.Value else None)
    )
    // No propagator in a file: none, as the specification says.
    Assert.Equal(Propagators.none.Name, config.Propagator.Value.Name)
    let tracing = config.Tracing.Value
    Assert.Equal<string list>([ "*" ], tracing.Sources)
    Assert.True tracing.Sampler.IsNone
    Assert.Equal(Some ExportMode.Simple, (List.exactlyOne tracing.Exporters).Mode)
    Assert.True config.Metrics.IsNone
    Assert.True config.Logging.IsNone

    // Started without its every-source tracing: tests run in parallel.
    use sdk = Telemetry.start { config with Tracing = None }
    Assert.Equal("from-substitution", (Resource.tryServiceName sdk.Resource).Value)
    Assert.Equal(Propagators.none.Name, sdk.Propagator.Name)

let ``a file's sampler drops, and an exporter added in code on top sees what it keeps`` () =
    task {
        let name = uniqueSource ()
        let exporter = InMemoryExporter<Span>()

        let yaml =
            $"""file_format: "1.0"
tracer_provider:
  processors:
    - simple:
        exporter:
          console:
  sampler:
    parent_based:
      root:
        always_off:
      local_parent_not_sampled:
        always_on:
{onlySource}"""

        use sdk =
            loaded (Env.ofList [ "SOURCE", name ]) yaml
            |> Telemetry.withTracing (Tracing.addSimpleExporter exporter)
            |> Telemetry.start

        let! spans =
            spansOf
                name
                (fun source ->
                    // A root: dropped by the file's root sampler.
                    use root = source.StartActivity "dropped-root"
                    Assert.False(root.Recorded)
                    root.Stop()
                    // Under a local parent that is not sampled: local_parent_not_sampled is always_on.
                    use parent = new Activity("unsampled-parent")
                    parent.ActivityTraceFlags <- ActivityTraceFlags.None
                    parent.Start() |> ignore
                    use child = source.StartActivity "kept-child"
                    child.Stop())
                sdk
                exporter

        Assert.Equal<string list>([ "kept-child" ], spans |> List.map _.Name)
    }

let ``a file's span limits cut attributes, events and links`` () =
    task {
        let name = uniqueSource ()
        let exporter = InMemoryExporter<Span>()

        let yaml =
            $"""file_format: "1.1"
attribute_limits:
  attribute_value_length_limit: 3
tracer_provider:
  processors:
    - simple:
        exporter:
          console:
  limits:
    attribute_count_limit: 2
    event_count_limit: 1
{onlySource}"""

        use sdk =
            loaded (Env.ofList [ "SOURCE", name ]) yaml
            |> Telemetry.withTracing (Tracing.addSimpleExporter exporter)
            |> Telemetry.start

        let! spans =
            spansOf
                name
                (fun source ->
                    use activity = source.StartActivity "limited"
                    activity.SetTag("a", "long value").SetTag("b", "x").SetTag("c", "y") |> ignore
                    activity.AddEvent(ActivityEvent "one").AddEvent(ActivityEvent "two") |> ignore)
                sdk
                exporter

        let span = List.exactlyOne spans

        Assert.Equal<KeyValue list>(
            [ KeyValue.string "a" "lon"; KeyValue.string "b" "x" ],
            (ReadOnlyList.toList span.Attributes)
        )

        Assert.Equal(1, span.DroppedAttributes)
        Assert.Equal(1, (ReadOnlyList.toList span.Events).Length)
        Assert.Equal(1, span.DroppedEvents)
    }

let ``a file's views rename, drop and re-bucket, its cardinality limit caps streams`` () =
    let meterName = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Cumulative

    let yaml =
        $"""file_format: "1.1"
meter_provider:
  readers:
    - periodic:
        interval: 600000
        exporter:
          console:
        cardinality_limits:
          default: 3
  views:
    - selector:
        instrument_name: orders
        meter_name: ${{METER}}
      stream:
        name: orders.placed
        description: orders placed
        attribute_keys:
          included: [region]
    - selector:
        instrument_name: noise
      stream:
        aggregation:
          drop:
    - selector:
        instrument_type: histogram
      stream:
        aggregation:
          explicit_bucket_histogram:
            boundaries: [10, 100]
{onlyMeter}"""

    use sdk =
        loaded (Env.ofList [ "METER", meterName ]) yaml
        |> Telemetry.withMetrics (Metrics.addReader reader)
        |> Telemetry.start

    use meter = new Meter(meterName)
    let orders = meter.CreateCounter<int64>("orders")
    orders.Add(1L, tag "region" "eu", tag "user" "a")
    orders.Add(2L, tag "region" "eu", tag "user" "b")
    meter.CreateCounter<int64>("noise").Add 5L
    let latency = meter.CreateHistogram<float>("latency")
    latency.Record 50.0
    let wide = meter.CreateCounter<int64>("wide")

    for i in 1..10 do
        wide.Add(1L, tag "i" i)

    let metrics =
        reader.Collect()
        |> List.ofSeq
        |> List.filter (fun m -> m.Scope.Name = meterName)

    let names = metrics |> List.map _.Name |> Set.ofList
    Assert.Equal<Set<string>>(set [ "orders.placed"; "latency"; "wide" ], names)

    let placed = find "orders.placed" metrics
    Assert.Equal("orders placed", placed.Description)

    match sumPoints placed with
    | [ point ] ->
        Assert.Equal<KeyValue list>([ KeyValue.string "region" "eu" ], (ReadOnlyList.toList point.Attributes))
        Assert.Equal(NumberValue.Long 3L, point.Value)
    | other -> failwithf "unexpected %A" other

    match (find "latency" metrics).Points with
    | MetricPoints.Histogram(_, Items [ point ]) ->
        Assert.Equal<float list>([ 10.0; 100.0 ], (ReadOnlyList.toList point.Bounds))
    | other -> failwithf "unexpected %A" other

    // 3 streams at most, the overflow series included.
    Assert.Equal(3, (sumPoints (find "wide" metrics)).Length)

let ``a file's log limits and logger configurator apply to ILogger records`` () =
    task {
        let exporter = InMemoryExporter<LogRecord>()

        let yaml =
            """file_format: "1.1"
logger_provider:
  processors:
    - simple:
        exporter:
          console:
  limits:
    attribute_count_limit: 1
  logger_configurator/development:
    loggers:
      - name: Quiet.*
        config:
          enabled: false
"""

        use sdk =
            loaded (Env.ofList []) yaml
            |> Telemetry.withLogging (Logging.addSimpleExporter exporter)
            |> Telemetry.start

        sdk.CreateLogger("Quiet.Module").LogWarning("never seen")
        sdk.CreateLogger("Orders").LogInformation("order {Id} for {Customer}", 7, "ada")
        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True ok

        let record = Assert.Single exporter.Items
        Assert.Equal("Orders", record.Scope.Name)
        Assert.Equal(1, (ReadOnlyList.toList record.Attributes).Length)
        Assert.True(record.DroppedAttributes >= 1)
    }

let ``disabled: true makes a no-op SDK`` () =
    task {
        let name = uniqueSource ()
        let exporter = InMemoryExporter<Span>()

        let yaml =
            $"""file_format: "1.1"
disabled: true
tracer_provider:
  processors:
    - simple:
        exporter:
          console:
{onlySource}"""

        use sdk =
            loaded (Env.ofList [ "SOURCE", name ]) yaml
            |> Telemetry.withTracing (Tracing.addSimpleExporter exporter)
            |> Telemetry.start

        let! spans =
            spansOf
                name
                (fun source ->
                    use activity = source.StartActivity "nothing"
                    Assert.Null activity)
                sdk
                exporter

        Assert.Empty spans
        Assert.Empty sdk.SpanPipelines
    }

let ``withConfigFile: the file wins for what it sets, code keeps what it added`` () =
    let name = uniqueSource ()
    let exporter = InMemoryExporter<Span>()

    use file =
        new TempFile(
            """file_format: "1.1"
resource:
  attributes:
    - name: deployment.environment.name
      value: staging
    - name: team
      value: from-file
propagator:
  composite:
    - b3:
tracer_provider:
  processors:
    - batch:
        exporter:
          console:
  limits:
    attribute_count_limit: 5
"""
        )

    let codeSampler = Sampler.traceIdRatio 0.5

    let config =
        Telemetry.create "checkout"
        |> Telemetry.withEnvironment (Env.ofList [ "OTEL_TRACES_SAMPLER", "always_off" ])
        |> Telemetry.withResourceAttributes [ KeyValue.string "team" "from-code"; KeyValue.string "region" "eu" ]
        |> Telemetry.withTracing (
            Tracing.addSource name
            >> Tracing.withSampler codeSampler
            >> Tracing.addSimpleExporter exporter
        )
        |> Telemetry.withConfigFile file.Path

    let tracing = config.Tracing.Value
    // Sources: the file's every-source default, then code's.
    Assert.Equal<string list>([ "*"; name ], tracing.Sources)
    // The file names no sampler: code's stays.
    Assert.True(obj.ReferenceEquals(codeSampler, tracing.Sampler.Value))
    Assert.Equal(5, tracing.Limits.Value.AttributeCountLimit)
    // The file's exporter first, then code's.
    Assert.Equal<ExportMode option list>(
        [ Some(ExportMode.Batched BatchOptions.defaults); Some ExportMode.Simple ],
        tracing.Exporters |> List.map _.Mode
    )

    Assert.Equal("b3", config.Propagator.Value.Name)
    Assert.Equal(None, config.Environment "OTEL_TRACES_SAMPLER")
    Assert.Equal(Some "checkout", config.ServiceName)

    let resource =
        (ReadOnlyList.toList config.Resource.Attributes)
        |> List.map (fun a -> a.Key, a.Value)
        |> Map.ofList

    Assert.Equal(AnyValue.String "from-file", resource["team"])
    Assert.Equal(AnyValue.String "eu", resource["region"])
    Assert.Equal(AnyValue.String "staging", resource["deployment.environment.name"])

let ``OTEL_CONFIG_FILE in the environment lookup is applied when the SDK starts`` () =
    task {
        let name = uniqueSource ()
        let exporter = InMemoryExporter<Span>()

        use file =
            new TempFile(
                $"""file_format: "1.1"
resource:
  attributes:
    - name: from.file
      value: ${{GREETING:-hello}}
tracer_provider:
  processors:
    - simple:
        exporter:
          console:
  limits:
    attribute_count_limit: 1
{onlySource}"""
            )

        for variable in [ "OTEL_CONFIG_FILE"; "OTEL_EXPERIMENTAL_CONFIG_FILE" ] do
            exporter.Clear()

            use sdk =
                Telemetry.create "env-file"
                |> Telemetry.withEnvironment (
                    Env.ofList
                        [
                            variable, file.Path
                            "SOURCE", name
                            "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "100"
                        ]
                )
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withTracing (Tracing.addSimpleExporter exporter)
                |> Telemetry.start

            Assert.Equal("env-file", (Resource.tryServiceName sdk.Resource).Value)

            Assert.True(
                (ReadOnlyList.toList sdk.Resource.Attributes)
                |> List.contains (KeyValue.string "from.file" "hello")
            )

            let! spans =
                spansOf
                    name
                    (fun source ->
                        use activity = source.StartActivity "from-env-file"
                        activity.SetTag("a", 1).SetTag("b", 2) |> ignore)
                    sdk
                    exporter

            let span = List.exactlyOne spans
            // The file's limit, not the variable's.
            Assert.Equal(1, (ReadOnlyList.toList span.Attributes).Length)
    }

let ``an invalid OTEL_CONFIG_FILE stops the start with every error`` () =
    use file =
        new TempFile(
            """file_format: "1.1"
tracer_provider:
  processors:
    - batch:
        max_queue_size: 0
        exporter:
          console:
  sampler:
    always_sometimes:
meter_provider:
  readers: []
"""
        )

    let start () =
        Telemetry.create "bad-file"
        |> Telemetry.withEnvironment (Env.ofList [ "OTEL_CONFIG_FILE", file.Path ])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.start
        |> ignore

    let error = Assert.Throws<ArgumentException>(start)
    Assert.Contains("(OTEL_CONFIG_FILE) has 2 errors", error.Message)

    Assert.Contains(
        "line 5, column 25: tracer_provider.processors[0].batch.max_queue_size: must be at least 1",
        error.Message
    )

    Assert.Contains("line 11, column 12: meter_provider.readers", error.Message)

let ``withConfigFile refuses a file that is missing or not a configuration`` () =
    let missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml")

    let error =
        Assert.Throws<ArgumentException>(fun () -> Telemetry.create "x" |> Telemetry.withConfigFile missing |> ignore)

    Assert.Contains("cannot read the configuration file", error.Message)
    Assert.Equal("path", error.ParamName)

    match ConfigFile.load missing with
    | Error [ e ] -> Assert.Equal(0, e.Line)
    | other -> failwithf "unexpected %A" other

let ``resource detection runs only the detectors a file lists, filtered`` () =
    let config =
        loaded
            (Env.ofList [])
            """file_format: "1.1"
resource:
  detection/development:
    attributes:
      excluded: [process.executable.*]
    detectors:
      - process:
      - service:
"""

    let keys = (ReadOnlyList.toList config.Resource.Attributes) |> List.map _.Key |> Set.ofList
    Assert.Contains("process.pid", keys)
    Assert.Contains("service.instance.id", keys)
    Assert.DoesNotContain("process.executable.path", keys)
    Assert.DoesNotContain("host.name", keys)

let ``a signal the file leaves out and code enables without exporters exports nowhere`` () =
    let name = uniqueSource ()

    // The file configures no tracer provider; code enables tracing with a source and no exporter.
    use file =
        new TempFile(
            """file_format: "1.1"
resource:
  attributes:
    - name: team
      value: from-file
"""
        )

    use sdk =
        Telemetry.create "file-without-exporters"
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withTracing (Tracing.addSource name)
        |> Telemetry.withConfigFile file.Path
        |> Telemetry.start

    // Without the file, a signal with no exporter exports over OTLP (OTEL_TRACES_EXPORTER's default); a file is the
    // whole configuration, and it names no span exporter.
    Assert.Empty sdk.SpanPipelines

    // An exporter added in code on top still runs.
    let exporter = InMemoryExporter<Span>()

    use withCode =
        Telemetry.create "file-with-code-exporter"
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addSimpleExporter exporter)
        |> Telemetry.withConfigFile file.Path
        |> Telemetry.start

    Assert.Equal(1, withCode.SpanPipelines.Count)

let ``tracing enabled in code after a file that has no tracer provider exports nowhere`` () =
    let name = uniqueSource ()

    use file =
        new TempFile(
            """file_format: "1.1"
resource:
  attributes:
    - name: team
      value: from-file
"""
        )

    // Code enables tracing after the file is applied: whether the OTLP default applies is decided at start.
    use sdk =
        Telemetry.create "tracing-after-file"
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withConfigFile file.Path
        |> Telemetry.withTracing (Tracing.addSource name)
        |> Telemetry.start

    Assert.Empty sdk.SpanPipelines

[<Tests>]
let tests =
    testList
        "ConfigFileTests"
        [
            test "a file's configuration reads no OTEL_* variable but those it substitutes" {
                ``a file's configuration reads no OTEL_* variable but those it substitutes`` ()
            }
            testTask "a file's sampler drops, and an exporter added in code on top sees what it keeps" {
                do! ``a file's sampler drops, and an exporter added in code on top sees what it keeps`` ()
            }
            testTask "a file's span limits cut attributes, events and links" {
                do! ``a file's span limits cut attributes, events and links`` ()
            }
            test "a file's views rename, drop and re-bucket, its cardinality limit caps streams" {
                ``a file's views rename, drop and re-bucket, its cardinality limit caps streams`` ()
            }
            testTask "a file's log limits and logger configurator apply to ILogger records" {
                do! ``a file's log limits and logger configurator apply to ILogger records`` ()
            }
            testTask "disabled: true makes a no-op SDK" { do! ``disabled: true makes a no-op SDK`` () }
            test "withConfigFile: the file wins for what it sets, code keeps what it added" {
                ``withConfigFile: the file wins for what it sets, code keeps what it added`` ()
            }
            testTask "OTEL_CONFIG_FILE in the environment lookup is applied when the SDK starts" {
                do! ``OTEL_CONFIG_FILE in the environment lookup is applied when the SDK starts`` ()
            }
            test "an invalid OTEL_CONFIG_FILE stops the start with every error" {
                ``an invalid OTEL_CONFIG_FILE stops the start with every error`` ()
            }
            test "withConfigFile refuses a file that is missing or not a configuration" {
                ``withConfigFile refuses a file that is missing or not a configuration`` ()
            }
            test "resource detection runs only the detectors a file lists, filtered" {
                ``resource detection runs only the detectors a file lists, filtered`` ()
            }
            test "a signal the file leaves out and code enables without exporters exports nowhere" {
                ``a signal the file leaves out and code enables without exporters exports nowhere`` ()
            }
            test "tracing enabled in code after a file that has no tracer provider exports nowhere" {
                ``tracing enabled in code after a file that has no tracer provider exports nowhere`` ()
            }
        ]
