/// The findings on a configuration file: unknown keys and unsupported nodes warn, wrong types and values are errors
/// with path and line (all of them at once), and the file_format versions.
module Functional.Telemetry.Tests.SchemaCheckTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.ConfigMappingTests

// ---- warnings ----

let ``an unknown key is a warning with its path and line, and the rest of the file applies`` () =
    let model, warnings =
        parse
            """file_format: "1.1"
tracer_provider:
  processors:
    - batch:
        exporterr:
          console:
        exporter:
          console:
"""

    let warning = Assert.Single warnings
    Assert.Equal("tracer_provider.processors[0].batch.exporterr", warning.Source)
    Assert.Contains("unknown key 'exporterr'", warning.Message)
    Assert.Contains("line 5, column 9", warning.Message)
    Assert.Equal(1, model.Tracing.Value.Processors.Length)

let ``unsupported nodes of the specification are warnings naming them, never silently ignored`` () =
    let model, warnings =
        parse
            """file_format: "1.1"
log_level: debug
instrumentation/development:
  general:
    peer:
      service_mapping: []
distribution:
  acme:
    flag: true
resource:
  detection/development:
    detectors:
      - container:
propagator:
  composite:
    - tracecontext:
    - ottrace:
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_file/development:
            output_stream: stdout
    - simple:
        exporter:
          jaeger:
            endpoint: http://localhost:9411
  sampler:
    jaeger_remote/development:
      endpoint: http://localhost:14250
      initial_sampler:
        always_on:
meter_provider:
  readers:
    - periodic:
        max_export_batch_size/development: 10
        producers:
          - opencensus:
        exporter:
          console:
        cardinality_limits:
          default: 100
          counter: 10
    - pull:
        exporter:
          prometheus/development:
            translation_strategy: no_translation/development
            resource_constant_labels:
              included: [service.*]
  views:
    - selector:
        meter_schema_url: https://example.com
      stream:
        attribute_keys:
          included: [http.*]
  tracer_configurator/development:
    default_config:
      enabled: true
logger_provider:
  processors:
    - event_to_span_event_bridge/development:
"""

    let paths = warnings |> List.map _.Source

    for path in
        [
            "log_level"
            "instrumentation/development"
            "distribution"
            "resource.detection/development.detectors[0].container"
            "propagator.composite[1].ottrace"
            "tracer_provider.processors[1].simple.exporter.jaeger"
            "tracer_provider.sampler.jaeger_remote/development"
            "meter_provider.readers[0].periodic.max_export_batch_size/development"
            "meter_provider.readers[0].periodic.producers"
            "meter_provider.readers[0].periodic.cardinality_limits.counter"
            "meter_provider.readers[1].pull.exporter.prometheus/development.resource_constant_labels"
            "meter_provider.readers[1].pull.exporter.prometheus/development.translation_strategy"
            "meter_provider.views[0].selector.meter_schema_url"
            "meter_provider.views[0].stream.attribute_keys.included"
            "meter_provider.tracer_configurator/development"
            "logger_provider.processors[0].event_to_span_event_bridge/development"
        ] do
        Assert.True(List.contains path paths, $"no warning for {path}; got %A{paths}")

    // What could not be used is left out; the rest applies (the otlp_file/development processor is supported).
    Assert.Equal(1, model.Tracing.Value.Processors.Length)
    Assert.True model.Tracing.Value.Sampler.IsNone
    Assert.Equal(2, model.Metrics.Value.Readers.Length)
    Assert.Empty model.Logging.Value.Processors
    Assert.False model.Detection.Value.Process

// ---- errors ----

let ``a wrong type is an error with its path and line`` () =
    let errors =
        errorsOf
            """file_format: "1.1"
tracer_provider:
  processors:
    - batch:
        schedule_delay: soon
        exporter:
          console:
"""

    let error = Assert.Single errors
    Assert.Equal("tracer_provider.processors[0].batch.schedule_delay", error.Path)
    Assert.Equal(5, error.Line)
    Assert.Equal(25, error.Column)
    Assert.Contains("expected an integer, got the string 'soon'", error.Message)

let ``every error of a file is reported at once, in line order`` () =
    let errors =
        errorsOf
            """file_format: "1.1"
disabled: maybe
tracer_provider:
  processors:
    - simple: {}
  sampler:
    trace_id_ratio_based:
      ratio: 2
meter_provider:
  readers:
    - periodic:
        interval: -5
        exporter:
          otlp_http:
            endpoint: not a url
            compression: brotli
  exemplar_filter: sometimes
resource:
  attributes:
    - name: port
      value: eighty
      type: int
"""

    let found = errors |> List.map (fun e -> e.Path, e.Line)

    Assert.Equal<(string * int) list>(
        [
            "disabled", 2
            "tracer_provider.processors[0].simple", 5
            "tracer_provider.sampler.trace_id_ratio_based.ratio", 8
            "meter_provider.readers[0].periodic.interval", 12
            "meter_provider.readers[0].periodic.exporter.otlp_http.endpoint", 15
            "meter_provider.readers[0].periodic.exporter.otlp_http.compression", 16
            "meter_provider.exemplar_filter", 17
            "resource.attributes[0].value", 21
        ],
        found
    )

    let message = ConfigFileParser.describe "'otel.yaml'" errors
    Assert.StartsWith("The configuration file 'otel.yaml' has 8 errors:", message)
    Assert.Contains("line 8, column 14: tracer_provider.sampler.trace_id_ratio_based.ratio: must be at most 1", message)

let ``a view the SDK refuses is an error naming the view`` () =
    let errors =
        errorsOf
            """file_format: "1.1"
meter_provider:
  readers:
    - periodic:
        exporter:
          console:
  views:
    - selector:
        instrument_name: "http.*"
      stream:
        name: renamed
"""

    let error = Assert.Single errors
    Assert.Equal("meter_provider.views[0]", error.Path)
    Assert.Equal(8, error.Line)

let ``YAML syntax errors carry the parser's position`` () =
    let errors = errorsOf "file_format: \"1.1\"\ntracer_provider:\n  processors: [\n"
    let error = Assert.Single errors
    Assert.True(error.Line >= 3, $"line {error.Line}")
    Assert.Contains("not valid YAML", error.Message)

let ``documents that are not configurations are errors, never exceptions`` (yaml: string) =
    Assert.NotEmpty(errorsOf yaml)

// ---- versions ----

let ``file_format 1.0 and 1.1 are read`` (version: string) =
    let model, _ = parse $"file_format: {version}"
    Assert.Equal(version.Trim('"'), model.FileFormat)

let ``another file_format is refused, with no other finding`` (version: string) =
    let error = Assert.Single(errorsOf $"file_format: {version}\ntracer_provider: 5")
    Assert.Equal("file_format", error.Path)
    Assert.Contains("this SDK reads 1.0 and 1.1", error.Message)

let ``the Prometheus exporter reads each version's own keys`` () =
    let prometheus version keys =
        let model, warnings =
            parse
                $"""file_format: "{version}"
meter_provider:
  readers:
    - pull:
        exporter:
          prometheus/development:
{keys}"""

        match model.Metrics.Value.Readers with
        | [ FileReader.Prometheus options ] -> options.Rendering, warnings
        | other -> failwithf "unexpected %A" other

    let v10, w10 =
        prometheus "1.0" "            without_scope_info: true\n            without_target_info/development: true\n"

    Assert.Empty w10
    Assert.False v10.ScopeLabels
    Assert.False v10.TargetInfo

    let v11, w11 =
        prometheus "1.1" "            scope_info_enabled: true\n            target_info_enabled/development: false\n"

    Assert.Empty w11
    Assert.True v11.ScopeLabels
    Assert.False v11.TargetInfo

    // A key of the other version is unknown.
    let _, crossed = prometheus "1.1" "            without_scope_info: true\n"
    Assert.Contains("unknown key 'without_scope_info'", (Assert.Single crossed).Message)

let ``id_generator exists from 1.1 on`` () =
    let yaml version =
        $"file_format: \"{version}\"\ntracer_provider:\n  processors:\n    - simple:\n        exporter:\n          console:\n  id_generator:\n    random:\n"

    Assert.Empty(snd (parse (yaml "1.1")))
    Assert.Equal("tracer_provider.id_generator", (Assert.Single(snd (parse (yaml "1.0")))).Source)

[<Tests>]
let tests =
    testList
        "SchemaCheckTests"
        [
            test "an unknown key is a warning with its path and line, and the rest of the file applies" {
                ``an unknown key is a warning with its path and line, and the rest of the file applies`` ()
            }
            test "unsupported nodes of the specification are warnings naming them, never silently ignored" {
                ``unsupported nodes of the specification are warnings naming them, never silently ignored`` ()
            }
            test "a wrong type is an error with its path and line" {
                ``a wrong type is an error with its path and line`` ()
            }
            test "every error of a file is reported at once, in line order" {
                ``every error of a file is reported at once, in line order`` ()
            }
            test "a view the SDK refuses is an error naming the view" {
                ``a view the SDK refuses is an error naming the view`` ()
            }
            test "YAML syntax errors carry the parser's position" {
                ``YAML syntax errors carry the parser's position`` ()
            }
            test "documents that are not configurations are errors, never exceptions(yaml: \"\")" {
                ``documents that are not configurations are errors, never exceptions`` ("")
            }
            test "documents that are not configurations are errors, never exceptions(yaml: \"# only a comment\")" {
                ``documents that are not configurations are errors, never exceptions`` ("# only a comment")
            }
            test "documents that are not configurations are errors, never exceptions(yaml: \"- a list\")" {
                ``documents that are not configurations are errors, never exceptions`` ("- a list")
            }
            test "documents that are not configurations are errors, never exceptions(yaml: \"just text\")" {
                ``documents that are not configurations are errors, never exceptions`` ("just text")
            }
            test "documents that are not configurations are errors, never exceptions(yaml: \"file_format:\")" {
                ``documents that are not configurations are errors, never exceptions`` ("file_format:")
            }
            test "documents that are not configurations are errors, never exceptions(yaml: \"file_format: [1]\")" {
                ``documents that are not configurations are errors, never exceptions`` ("file_format: [1]")
            }
            test "documents that are not configurations are errors, never exceptions(yaml: \"{{{\")" {
                ``documents that are not configurations are errors, never exceptions`` ("{{{")
            }
            test
                "documents that are not configurations are errors, never exceptions(yaml: \"file_format: \\\"1.1\\\"\\n---\\nfile_format: \\\"1.1\\\"\")" {
                ``documents that are not configurations are errors, never exceptions`` (
                    "file_format: \"1.1\"\n---\nfile_format: \"1.1\""
                )
            }
            test
                "documents that are not configurations are errors, never exceptions(yaml: \"file_format: \\\"1.1\\\"\\nfile_format: \\\"1.0\\\"\")" {
                ``documents that are not configurations are errors, never exceptions`` (
                    "file_format: \"1.1\"\nfile_format: \"1.0\""
                )
            }
            test
                "documents that are not configurations are errors, never exceptions(yaml: \"file_format: \\\"1.1\\\"\\ntracer_provider:\\n  processors:\\n    - *nowhere\")" {
                ``documents that are not configurations are errors, never exceptions`` (
                    "file_format: \"1.1\"\ntracer_provider:\n  processors:\n    - *nowhere"
                )
            }
            test "file_format 1.0 and 1.1 are read(version: \"\\\"1.0\\\"\")" {
                ``file_format 1.0 and 1.1 are read`` ("\"1.0\"")
            }
            test "file_format 1.0 and 1.1 are read(version: \"\\\"1.1\\\"\")" {
                ``file_format 1.0 and 1.1 are read`` ("\"1.1\"")
            }
            test "file_format 1.0 and 1.1 are read(version: \"1.1\")" { ``file_format 1.0 and 1.1 are read`` ("1.1") }
            test "another file_format is refused, with no other finding(version: \"\\\"0.4\\\"\")" {
                ``another file_format is refused, with no other finding`` ("\"0.4\"")
            }
            test "another file_format is refused, with no other finding(version: \"\\\"1.0-rc.2\\\"\")" {
                ``another file_format is refused, with no other finding`` ("\"1.0-rc.2\"")
            }
            test "another file_format is refused, with no other finding(version: \"\\\"2.0\\\"\")" {
                ``another file_format is refused, with no other finding`` ("\"2.0\"")
            }
            test "another file_format is refused, with no other finding(version: \"\\\"1.2\\\"\")" {
                ``another file_format is refused, with no other finding`` ("\"1.2\"")
            }
            test "the Prometheus exporter reads each version's own keys" {
                ``the Prometheus exporter reads each version's own keys`` ()
            }
            test "id_generator exists from 1.1 on" { ``id_generator exists from 1.1 on`` () }
        ]
