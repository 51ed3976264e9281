/// Configuration files to the model: every supported node read into the SDK's own types, with the specification's
/// defaults for what a file leaves out.
module Functional.Telemetry.Tests.ConfigMappingTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private noEnv = Env.ofList []

let internal parseWith (lookup: EnvLookup) (yaml: string) =
    match ConfigFileParser.parse lookup yaml with
    | Ok result -> result
    | Error errors -> failwithf "expected a valid file, got %s" (ConfigFileParser.describe "under test" errors)

let internal parse yaml = parseWith noEnv yaml

let internal errorsOf (yaml: string) =
    match ConfigFileParser.parse noEnv yaml with
    | Error errors -> errors
    | Ok(_, warnings) -> failwithf "expected errors, got a valid file (warnings %A)" warnings

let private parameters (parent: SpanContext option) =
    {
        Parent = defaultArg parent SpanContext.Invalid
        TraceId = TraceId(1UL, 2UL)
        Name = "op"
        Kind = SpanKind.Internal
        Attributes = []
        Links = []
    }

let private parent (sampled: bool) (remote: bool) =
    Some
        {
            TraceId = TraceId(1UL, 2UL)
            SpanId = SpanId 3UL
            TraceFlags = (if sampled then TraceFlags.Sampled else TraceFlags.None)
            TraceState = TraceState.Empty
            IsRemote = remote
        }

let decide (sampler: Sampler) parentContext = (sampler (parameters parentContext)).Decision

/// Every node the SDK reads, in one file.
let kitchenSink =
    """file_format: "1.1"
disabled: false
resource:
  attributes:
    - name: service.name
      value: checkout
    - name: replicas
      value: 3
      type: int
    - name: ratio
      value: 0.5
      type: double
    - name: canary
      value: true
      type: bool
    - name: zones
      value: [a, b]
      type: string_array
    - name: ports
      value: [80, 443]
      type: int_array
    - name: weights
      value: [1.5, 2]
      type: double_array
    - name: flags
      value: [true, false]
      type: bool_array
    - name: dropped
      value:
  attributes_list: service.namespace=shop,service.name=ignored
  schema_url: https://opentelemetry.io/schemas/1.26.0
  detection/development:
    attributes:
      included: [process.*, host.name]
      excluded: [process.executable.path]
    detectors:
      - process:
      - host:
      - service:
attribute_limits:
  attribute_value_length_limit: 4096
  attribute_count_limit: 64
propagator:
  composite:
    - tracecontext:
    - baggage:
    - b3:
  composite_list: b3multi,jaeger,xray,tracecontext
tracer_provider:
  processors:
    - batch:
        schedule_delay: 200
        export_timeout: 1000
        max_queue_size: 100
        max_export_batch_size: 10
        exporter:
          otlp_http:
            endpoint: http://collector:4318/v1/traces
            headers:
              - name: api-key
                value: secret
              - name: ignored
                value:
            headers_list: tenant=a,api-key=other
            compression: gzip
            timeout: 2000
            encoding: json
            tls:
              ca_file: /certs/ca.pem
              cert_file: /certs/client.pem
              key_file: /certs/client.key
    - simple:
        exporter:
          console:
    - batch:
        exporter:
          otlp_grpc:
            endpoint: collector:4317
            tls:
              insecure: true
  limits:
    attribute_count_limit: 32
    event_count_limit: 10
    link_count_limit: 11
    event_attribute_count_limit: 12
    link_attribute_count_limit: 13
  sampler:
    parent_based:
      root:
        trace_id_ratio_based:
          ratio: 0.0
      remote_parent_not_sampled:
        always_on:
      local_parent_sampled:
        always_off:
  id_generator:
    random:
meter_provider:
  readers:
    - periodic:
        interval: 5000
        timeout: 0
        exporter:
          otlp_grpc:
            endpoint: http://collector:4317
            temporality_preference: delta
            default_histogram_aggregation: base2_exponential_bucket_histogram
        cardinality_limits:
          default: 500
    - periodic:
        exporter:
          console:
            temporality_preference: low_memory
    - pull:
        exporter:
          prometheus/development:
            host: 127.0.0.1
            port: 0
            scope_info_enabled: false
            target_info_enabled/development: false
            translation_strategy: underscore_escaping_without_suffixes/development
  views:
    - selector:
        instrument_name: http.server.request.duration
        instrument_type: histogram
        unit: s
        meter_name: Shop
        meter_version: "1.0"
      stream:
        name: http.duration
        description: request time
        aggregation:
          explicit_bucket_histogram:
            boundaries: [0.1, 1, 10]
            record_min_max: false
        aggregation_cardinality_limit: 100
        attribute_keys:
          included: [http.method, http.route, secret]
          excluded: [secret]
    - selector:
        instrument_name: "queue.*"
      stream:
        aggregation:
          drop:
    - selector:
        instrument_type: counter
      stream:
        aggregation:
          base2_exponential_bucket_histogram:
            max_scale: 10
            max_size: 50
        attribute_keys:
          excluded: [user.id]
  exemplar_filter: always_off
logger_provider:
  processors:
    - batch:
        exporter:
          otlp_http:
    - simple:
        exporter:
          console:
  limits:
    attribute_value_length_limit: 100
"""

let ``the kitchen-sink file reads into the model without a warning`` () =
    let model, warnings = parseWith (Env.ofList [ "OTEL_SERVICE_NAME", "from-env" ]) kitchenSink
    Assert.Empty warnings
    Assert.Equal("1.1", model.FileFormat)
    Assert.False model.Disabled

    // resource: typed attributes over attributes_list; a null value drops its entry
    let attributes =
        (ReadOnlyList.toList model.Resource.Attributes)
        |> List.map (fun a -> a.Key, a.Value)
        |> Map.ofList

    Assert.Equal(AnyValue.String "checkout", attributes["service.name"])
    Assert.Equal(AnyValue.String "shop", attributes["service.namespace"])
    Assert.Equal(AnyValue.Int 3L, attributes["replicas"])
    Assert.Equal(AnyValue.Double 0.5, attributes["ratio"])
    Assert.Equal(AnyValue.Bool true, attributes["canary"])
    Assert.Equal(AnyValue.Array [ AnyValue.String "a"; AnyValue.String "b" ], attributes["zones"])
    Assert.Equal(AnyValue.Array [ AnyValue.Int 80L; AnyValue.Int 443L ], attributes["ports"])
    Assert.Equal(AnyValue.Array [ AnyValue.Double 1.5; AnyValue.Double 2.0 ], attributes["weights"])
    Assert.Equal(AnyValue.Array [ AnyValue.Bool true; AnyValue.Bool false ], attributes["flags"])
    Assert.False(attributes.ContainsKey "dropped")
    Assert.Equal("https://opentelemetry.io/schemas/1.26.0", model.Resource.SchemaUrl)

    let detection = model.Detection.Value
    Assert.True(detection.Process && detection.Host && detection.Service)
    Assert.Equal(Some "from-env", detection.ServiceName)
    Assert.True(detection.Keep "process.pid")
    Assert.True(detection.Keep "host.name")
    Assert.False(detection.Keep "process.executable.path")
    Assert.False(detection.Keep "os.type")

    // propagator: composite then composite_list, duplicates removed
    let propagator = model.Propagator.Value
    let headers = propagator.Fields |> Set.ofList

    Assert.True(
        headers.Contains "traceparent"
        && headers.Contains "baggage"
        && headers.Contains "b3"
    )

    Assert.True(
        headers.Contains "X-B3-TraceId"
        && headers.Contains "uber-trace-id"
        && headers.Contains "X-Amzn-Trace-Id"
    )

    // tracer_provider
    let tracing = model.Tracing.Value
    Assert.Equal<string list>([ "*" ], tracing.Sources)

    Assert.Equal(
        Some
            {
                AttributeCountLimit = 32
                AttributeValueLengthLimit = Some 4096
                EventCountLimit = 10
                LinkCountLimit = 11
                AttributePerEventCountLimit = 12
                AttributePerLinkCountLimit = 13
            },
        tracing.Limits
    )

    match tracing.Processors with
    | [ first; second; third ] ->
        Assert.Equal(
            ExportMode.Batched
                {
                    ScheduleDelay = TimeSpan.FromMilliseconds 200.
                    ExportTimeout = TimeSpan.FromSeconds 1.
                    MaxQueueSize = 100
                    MaxExportBatchSize = 10
                },
            first.Mode
        )

        Assert.Equal(
            FileExporter.Otlp
                { OtlpOptions.defaults with
                    Endpoint = Some(Uri "http://collector:4318/v1/traces")
                    Protocol = OtlpProtocol.HttpJson
                    Headers = [ "tenant", "a"; "api-key", "secret" ]
                    Timeout = TimeSpan.FromSeconds 2.
                    Compression = OtlpCompression.Gzip
                    CertificatePath = Some "/certs/ca.pem"
                    ClientCertificatePath = Some "/certs/client.pem"
                    ClientKeyPath = Some "/certs/client.key"
                },
            first.Exporter
        )

        Assert.Equal(
            {
                Mode = ExportMode.Simple
                Exporter = FileExporter.Console
            },
            second
        )

        Assert.Equal(ExportMode.Batched BatchOptions.defaults, third.Mode)

        Assert.Equal(
            FileExporter.Otlp
                { OtlpOptions.defaults with
                    Endpoint = Some(Uri "http://collector:4317")
                    Protocol = OtlpProtocol.Grpc
                    Insecure = true
                },
            third.Exporter
        )
    | other -> failwithf "expected three processors, got %A" other

    // sampler: parent_based with a ratio-0 root and two delegates swapped from their defaults
    let sampler = tracing.Sampler.Value
    Assert.Equal(SamplingDecision.Drop, decide sampler None)
    Assert.Equal(SamplingDecision.RecordAndSample, decide sampler (parent false true))
    Assert.Equal(SamplingDecision.RecordAndSample, decide sampler (parent true true))
    Assert.Equal(SamplingDecision.Drop, decide sampler (parent true false))
    Assert.Equal(SamplingDecision.Drop, decide sampler (parent false false))

    // meter_provider
    let metrics = model.Metrics.Value
    Assert.Equal<string list>([ "*" ], metrics.Meters)
    Assert.Equal(Some ExemplarFilter.AlwaysOff, metrics.ExemplarFilter)
    Assert.Equal(Some 500, metrics.CardinalityLimit)

    match metrics.Readers with
    | [ FileReader.Periodic(otlpOptions, otlp)
        FileReader.Periodic(consoleOptions, console)
        FileReader.Prometheus prometheus ] ->
        Assert.Equal(TimeSpan.FromSeconds 5., otlpOptions.Interval)
        Assert.Equal(TimeSpan.FromMilliseconds(float Int32.MaxValue), otlpOptions.Timeout)
        Assert.Equal(TemporalityPreference.Delta, otlp.Preference)
        Assert.Equal(Some(Aggregation.Base2ExponentialHistogram(160, 20, true)), otlp.Histograms)

        match otlp.Exporter with
        | FileExporter.Otlp options ->
            Assert.Equal(OtlpProtocol.Grpc, options.Protocol)
            Assert.Equal(Some(Uri "http://collector:4317"), options.Endpoint)
        | other -> failwithf "unexpected %A" other

        Assert.Equal(PeriodicReaderOptions.defaults, consoleOptions)
        Assert.Equal(FileExporter.Console, console.Exporter)
        Assert.Equal(TemporalityPreference.LowMemory, console.Preference)
        Assert.Equal("127.0.0.1", prometheus.Host)
        Assert.Equal(0, prometheus.Port)
        Assert.False prometheus.Rendering.ScopeLabels
        Assert.False prometheus.Rendering.TargetInfo
        Assert.False prometheus.Rendering.UnitSuffixes
        Assert.False prometheus.Rendering.TotalSuffix
    | other -> failwithf "unexpected readers %A" other

    match metrics.Views with
    | [ duration; queue; counters ] ->
        Assert.Equal(
            {
                Name = Some "http.server.request.duration"
                Kind = Some InstrumentKind.Histogram
                MeterName = Some "Shop"
                MeterVersion = Some "1.0"
                Unit = Some "s"
            },
            duration.Selector
        )

        Assert.Equal(Some "http.duration", duration.Name)
        Assert.Equal(Some "request time", duration.Description)
        Assert.Equal(Some(Aggregation.ExplicitBucketHistogram([ 0.1; 1.0; 10.0 ], false)), duration.Aggregation)
        Assert.Equal(Some 100, duration.CardinalityLimit)
        Assert.Equal(AttributeFilter.Allow [ "http.method"; "http.route" ], duration.Attributes)
        Assert.Equal(Some "queue.*", queue.Selector.Name)
        Assert.Equal(Some Aggregation.Drop, queue.Aggregation)
        Assert.Equal(Some InstrumentKind.Counter, counters.Selector.Kind)
        Assert.Equal(Some(Aggregation.Base2ExponentialHistogram(50, 10, true)), counters.Aggregation)
        Assert.Equal(AttributeFilter.Deny [ "user.id" ], counters.Attributes)
    | other -> failwithf "unexpected views %A" other

    // logger_provider: the general count limit, its own length limit
    let logging = model.Logging.Value

    Assert.Equal(
        Some
            {
                AttributeCountLimit = 64
                AttributeValueLengthLimit = Some 100
            },
        logging.Limits
    )

    Assert.True logging.Filter.IsNone

    match logging.Processors with
    | [ batch; simple ] ->
        Assert.Equal(
            ExportMode.Batched
                { BatchOptions.defaults with
                    ScheduleDelay = TimeSpan.FromSeconds 1.
                },
            batch.Mode
        )

        Assert.Equal(FileExporter.Otlp OtlpOptions.defaults, batch.Exporter)

        Assert.Equal(
            {
                Mode = ExportMode.Simple
                Exporter = FileExporter.Console
            },
            simple
        )
    | other -> failwithf "unexpected %A" other

let ``a minimal file: no propagator, no provider, no detection, defaults everywhere`` () =
    let model, warnings = parse "file_format: \"1.0\""
    Assert.Empty warnings
    Assert.True model.Propagator.IsNone
    Assert.True model.Tracing.IsNone
    Assert.True model.Metrics.IsNone
    Assert.True model.Logging.IsNone
    Assert.True model.Detection.IsNone
    Assert.Empty(ReadOnlyList.toList model.Resource.Attributes)

let ``providers without their optional nodes take the specification's defaults`` () =
    let model, _ =
        parse
            """file_format: "1.1"
propagator:
  composite_list: none
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_grpc:
meter_provider:
  readers:
    - pull:
        exporter:
          prometheus/development:
"""

    Assert.Equal(Propagators.none.Name, model.Propagator.Value.Name)
    let tracing = model.Tracing.Value
    Assert.True tracing.Sampler.IsNone
    Assert.True tracing.Limits.IsNone

    Assert.Equal<FileProcessor list>(
        [
            {
                Mode = ExportMode.Batched BatchOptions.defaults
                Exporter = FileExporter.Otlp { OtlpOptions.defaults with Protocol = OtlpProtocol.Grpc }
            }
        ],
        tracing.Processors
    )

    match model.Metrics.Value.Readers with
    | [ FileReader.Prometheus options ] ->
        Assert.Equal("localhost", options.Host)
        Assert.Equal(9464, options.Port)
        Assert.Equal(PrometheusOptions.defaults, options.Rendering)
    | other -> failwithf "unexpected %A" other

let ``the configurators narrow sources and meters, and the logger configurator filters records`` () =
    let model, warnings =
        parse
            """file_format: "1.1"
tracer_provider:
  processors:
    - simple:
        exporter:
          console:
  tracer_configurator/development:
    default_config:
      enabled: false
    tracers:
      - name: MyCompany.*
        config:
          enabled: true
      - name: Noisy
        config:
          enabled: false
meter_provider:
  readers:
    - periodic:
        exporter:
          console:
  meter_configurator/development:
    default_config:
      enabled: false
    meters:
      - name: Shop
        config:
          enabled: true
logger_provider:
  processors:
    - simple:
        exporter:
          console:
  logger_configurator/development:
    default_config:
      minimum_severity: warn
    loggers:
      - name: Chatty.*
        config:
          enabled: false
      - name: Audit
        config:
          trace_based: true
"""

    Assert.Empty warnings
    Assert.Equal<string list>([ "MyCompany.*" ], model.Tracing.Value.Sources)
    Assert.Equal<string list>([ "Shop" ], model.Metrics.Value.Meters)

    let filter = model.Logging.Value.Filter.Value

    let record category severity sampled =
        {
            Timestamp = 0L
            ObservedTimestamp = 0L
            SeverityNumber = severity
            SeverityText = ""
            Body = AnyValue.String "x"
            Attributes = []
            DroppedAttributes = 0
            TraceId = (if sampled = None then TraceId.Empty else TraceId(1UL, 2UL))
            SpanId = SpanId.Empty
            TraceFlags =
                (if sampled = Some true then
                     TraceFlags.Sampled
                 else
                     TraceFlags.None)
            EventName = ""
            Scope = InstrumentationScope.Named category
        }

    let kept category severity sampled = (filter (record category severity sampled)).IsSome
    // default_config: warn (13) and above, unspecified (0) kept
    Assert.False(kept "App" 9 None)
    Assert.True(kept "App" 13 None)
    Assert.True(kept "App" 0 None)
    // Chatty.*: off
    Assert.False(kept "Chatty.Module" 21 None)
    // Audit: every severity (its own config has no minimum), but only in sampled traces or outside any
    Assert.True(kept "Audit" 1 None)
    Assert.True(kept "Audit" 1 (Some true))
    Assert.False(kept "Audit" 1 (Some false))

let ``the complete file of docs/configuration.md is valid, with no warning`` () =
    let rec root (dir: IO.DirectoryInfo) =
        if IO.File.Exists(IO.Path.Combine(dir.FullName, "Functional.sln")) then
            dir.FullName
        else
            root dir.Parent

    let text =
        IO.File.ReadAllText(
            IO.Path.Combine(root (IO.DirectoryInfo AppContext.BaseDirectory), "docs", "configuration.md")
        )

    let section = text.Substring(text.IndexOf "### A complete file")
    let start = section.IndexOf "```yaml\n" + "```yaml\n".Length
    let yaml = section.Substring(start, section.IndexOf("```", start) - start)
    let model, warnings = parseWith (Env.ofList [ "API_KEY", "secret" ]) yaml
    Assert.Empty warnings
    Assert.Equal(2, model.Metrics.Value.Readers.Length)
    Assert.Equal(1, model.Tracing.Value.Processors.Length)

let ``a batch queue above 2^24 is lowered to it with a warning naming the setting`` () =
    let model, warnings =
        parse
            """file_format: "1.0"
tracer_provider:
  processors:
    - batch:
        max_queue_size: 2147483647
        exporter:
          console:
"""

    let warning = Assert.Single warnings
    Assert.Contains("batch.max_queue_size", warning.Source)
    Assert.Contains("16777216", warning.Message)

    match model.Tracing.Value.Processors with
    | [ processor ] ->
        match processor.Mode with
        | ExportMode.Batched options -> Assert.Equal(1 <<< 24, options.MaxQueueSize)
        | other -> failwithf "unexpected %A" other
    | other -> failwithf "unexpected %A" other

[<Tests>]
let tests =
    testList
        "ConfigMappingTests"
        [
            test "a batch queue above 2^24 is lowered to it with a warning naming the setting" {
                ``a batch queue above 2^24 is lowered to it with a warning naming the setting`` ()
            }
            test "the kitchen-sink file reads into the model without a warning" {
                ``the kitchen-sink file reads into the model without a warning`` ()
            }
            test "a minimal file: no propagator, no provider, no detection, defaults everywhere" {
                ``a minimal file: no propagator, no provider, no detection, defaults everywhere`` ()
            }
            test "providers without their optional nodes take the specification's defaults" {
                ``providers without their optional nodes take the specification's defaults`` ()
            }
            test "the configurators narrow sources and meters, and the logger configurator filters records" {
                ``the configurators narrow sources and meters, and the logger configurator filters records`` ()
            }
            test "the complete file of docs/configuration.md is valid, with no warning" {
                ``the complete file of docs/configuration.md is valid, with no warning`` ()
            }
        ]
