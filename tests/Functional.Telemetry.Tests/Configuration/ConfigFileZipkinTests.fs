/// The `zipkin` span exporter of configuration files (an SDK extension plugin in the shape of the pre-1.0 schema's
/// ZipkinSpanExporter: `endpoint`, `timeout`): the schema check, the mapping, and an SDK started from a file
/// exporting to a Kestrel receiver.
module Functional.Telemetry.Tests.ConfigFileZipkinTests

open Expecto
open System
open System.Diagnostics
open System.IO
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.ConfigMappingTests

let private tracing (exporter: string) =
    $"""
file_format: "1.0"
tracer_provider:
  processors:
    - batch:
        exporter:
          {exporter}
"""

let private zipkinOf (yaml: string) =
    let model, warnings = parse yaml
    Assert.Empty warnings

    match (Assert.Single model.Tracing.Value.Processors).Exporter with
    | FileExporter.Zipkin options -> options
    | other -> failwith $"expected zipkin, got {other}"

let ``zipkin with nothing set takes the specification's defaults`` () =
    Assert.Equal(ZipkinOptions.defaults, zipkinOf (tracing "zipkin:"))

let ``zipkin's endpoint and timeout are read; timeout 0 is no limit`` () =
    let options =
        zipkinOf (
            tracing
                """zipkin:
            endpoint: https://zipkin.example:9411/api/v2/spans
            timeout: 2500"""
        )

    Assert.Equal(Uri "https://zipkin.example:9411/api/v2/spans", options.Endpoint)
    Assert.Equal(TimeSpan.FromMilliseconds 2500., options.Timeout)

    let unlimited =
        zipkinOf (
            tracing
                """zipkin:
            timeout: 0"""
        )

    Assert.Equal(TimeSpan.FromMilliseconds(float Int32.MaxValue), unlimited.Timeout)

let ``a bad zipkin endpoint or timeout is an error naming its path; an unknown key a warning`` () =
    let errors =
        errorsOf (
            tracing
                """zipkin:
            endpoint: zipkin:9411
            timeout: -1"""
        )

    let paths = errors |> List.map _.Path

    Assert.Contains("tracer_provider.processors[0].batch.exporter.zipkin.endpoint", paths)
    Assert.Contains("tracer_provider.processors[0].batch.exporter.zipkin.timeout", paths)

    let _, warnings =
        parse (
            tracing
                """zipkin:
            protocol: thrift"""
        )

    let warning = Assert.Single warnings
    Assert.Equal("tracer_provider.processors[0].batch.exporter.zipkin.protocol", warning.Source)

let ``zipkin under logger_provider is an unknown exporter: a warning, and no exporter`` () =
    let model, warnings =
        parse
            """
file_format: "1.0"
logger_provider:
  processors:
    - simple:
        exporter:
          zipkin:
"""

    let warning = Assert.Single warnings
    Assert.Equal("logger_provider.processors[0].simple.exporter.zipkin", warning.Source)
    Assert.Contains("unknown exporter 'zipkin'", warning.Message)
    Assert.Empty model.Logging.Value.Processors

let ``an SDK started from a file with a zipkin exporter sends its spans there`` () =
    task {
        use! receiver = ZipkinReceiver.start ZipkinReceiver.accepted
        let name = "Zipkin.File." + Guid.NewGuid().ToString("N")
        let path = Path.GetTempFileName()

        try
            File.WriteAllText(
                path,
                $"""
file_format: "1.0"
resource:
  attributes:
    - name: service.name
      value: from-file
tracer_provider:
  processors:
    - simple:
        exporter:
          zipkin:
            endpoint: {receiver.SpansUrl}
  tracer_configurator/development:
    default_config:
      enabled: false
    tracers:
      - name: {name}
        config:
          enabled: true
"""
            )

            let sdk =
                Telemetry.create "from-code"
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withConfigFile path
                |> Telemetry.start

            use source = new ActivitySource(name)
            let activity = source.StartActivity("from a file", ActivityKind.Producer)
            activity.SetTag("peer.service", "broker") |> ignore
            activity.Stop()
            let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
            let span = Assert.Single(receiver.Requests |> List.collect _.Spans)
            Assert.Equal(activity.SpanId.ToHexString(), span.["id"].GetValue<string>())
            Assert.Equal("PRODUCER", span.["kind"].GetValue<string>())
            Assert.Equal("from-file", span.["localEndpoint"].["serviceName"].GetValue<string>())
            Assert.Equal("broker", span.["remoteEndpoint"].["serviceName"].GetValue<string>())
        finally
            File.Delete path
    }

[<Tests>]
let tests =
    testList
        "ConfigFileZipkinTests"
        [
            test "zipkin with nothing set takes the specification's defaults" {
                ``zipkin with nothing set takes the specification's defaults`` ()
            }
            test "zipkin's endpoint and timeout are read; timeout 0 is no limit" {
                ``zipkin's endpoint and timeout are read; timeout 0 is no limit`` ()
            }
            test "a bad zipkin endpoint or timeout is an error naming its path; an unknown key a warning" {
                ``a bad zipkin endpoint or timeout is an error naming its path; an unknown key a warning`` ()
            }
            test "zipkin under logger_provider is an unknown exporter: a warning, and no exporter" {
                ``zipkin under logger_provider is an unknown exporter: a warning, and no exporter`` ()
            }
            testTask "an SDK started from a file with a zipkin exporter sends its spans there" {
                do! ``an SDK started from a file with a zipkin exporter sends its spans there`` ()
            }
        ]
