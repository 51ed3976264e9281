/// One configuration file alone drives traces, metrics and logs over OTLP (HTTP/protobuf with gzip, gRPC, and
/// HTTP/JSON) to a Kestrel receiver on 127.0.0.1; what arrived is decoded by the OTLP peer's independent decoder
/// (tests/otlp-peer/decode.js, the OpenTelemetry JS protobuf definitions) and compared with what was recorded.
module Functional.Telemetry.Tests.ConfigFileOtlpTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Diagnostics.Metrics
open System.IO
open System.IO.Compression
open System.Net
open System.Text.Json.Nodes
open System.Threading.Tasks
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Http
open Microsoft.AspNetCore.Server.Kestrel.Core
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.OtlpPeer
open Functional.Telemetry.Tests.ConfigFileTests

type private Request =
    {
        Signal: string
        Transport: string
        ContentType: string
        Encoding: string
        /// The message: unframed (gRPC) and decompressed.
        Body: byte array
    }

let private gunzip (body: byte array) =
    use input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress)
    use output = new MemoryStream()
    input.CopyTo output
    output.ToArray()

/// Kestrel on 127.0.0.1: HTTP/1.1 on one port (OTLP/HTTP), HTTP/2 without TLS on another (OTLP/gRPC).
let private startReceiver (received: ConcurrentQueue<Request>) =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore

        builder.WebHost.ConfigureKestrel(fun (kestrel: KestrelServerOptions) ->
            kestrel.Listen(IPAddress.Loopback, 0, (fun l -> l.Protocols <- HttpProtocols.Http1))
            kestrel.Listen(IPAddress.Loopback, 0, (fun l -> l.Protocols <- HttpProtocols.Http2)))
        |> ignore

        let app = builder.Build()

        app.Run(
            RequestDelegate(fun context ->
                task {
                    use buffer = new MemoryStream()
                    do! context.Request.Body.CopyToAsync buffer
                    let request = context.Request
                    let grpc = request.Protocol = "HTTP/2"

                    let signal =
                        request.Path.Value.Split('/', StringSplitOptions.RemoveEmptyEntries)
                        |> Array.last

                    let signal =
                        match signal with
                        | "Export" when request.Path.Value.Contains "trace" -> "traces"
                        | "Export" when request.Path.Value.Contains "metrics" -> "metrics"
                        | "Export" -> "logs"
                        | other -> other

                    let encoding =
                        if grpc then
                            string request.Headers["grpc-encoding"]
                        else
                            string request.Headers.ContentEncoding

                    let body =
                        if grpc then
                            match TestUtil.GrpcFrame.tryUnframe (buffer.ToArray()) with
                            | Some(true, message) -> gunzip message
                            | Some(false, message) -> message
                            | None -> [||]
                        elif encoding = "gzip" then
                            gunzip (buffer.ToArray())
                        else
                            buffer.ToArray()

                    received.Enqueue
                        {
                            Signal = signal
                            Transport = (if grpc then "grpc" else "http")
                            ContentType = request.ContentType
                            Encoding =
                                (if String.IsNullOrEmpty encoding then
                                     "identity"
                                 else
                                     encoding)
                            Body = body
                        }

                    if grpc then
                        context.Response.ContentType <- "application/grpc"
                        let framed = TestUtil.GrpcFrame.frame false ReadOnlySpan.Empty
                        do! context.Response.Body.WriteAsync(framed, 0, framed.Length)
                        context.Response.AppendTrailer("grpc-status", "0")
                    else
                        context.Response.StatusCode <- 200
                }
                :> Task)
        )

        do! app.StartAsync()
        return app
    }

/// Decodes every request with `node tests/otlp-peer/decode.js`; each gets its canonical JSON form.
let private decode (requests: Request list) =
    let dir = Directory.CreateTempSubdirectory "config-file-otlp"

    try
        requests
        |> List.iteri (fun index request ->
            let extension =
                if request.ContentType = "application/json" then
                    "json"
                else
                    "pb"

            File.WriteAllBytes(Path.Combine(dir.FullName, $"{index:D3}.{request.Signal}.{extension}"), request.Body))

        let info =
            ProcessStartInfo(
                "node",
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false
            )

        info.ArgumentList.Add(Path.Combine(peerDirectory (), "decode.js"))
        info.ArgumentList.Add dir.FullName
        use node = Process.Start info
        let errors = node.StandardError.ReadToEndAsync()
        let output = node.StandardOutput.ReadToEnd()
        node.WaitForExit()
        Assert.True(node.ExitCode = 0, $"decode.js failed: {errors.Result}")

        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        |> Array.map (fun line ->
            let entry = JsonNode.Parse line
            Assert.True(isNull entry["error"], $"the decoder refused a request: {line}")
            let file = entry["file"].GetValue<string>()
            file.Split('.')[1], entry["message"])
        |> List.ofArray
    finally
        dir.Delete true

let ``one file alone drives spans, metrics and logs over OTLP to a receiver that decodes them`` () =
    task {
        let received = ConcurrentQueue<Request>()
        let! app = startReceiver received

        use _ =
            { new IDisposable with
                member _.Dispose() = app.StopAsync().Wait()
            }

        let addresses = app.Urls |> List.ofSeq
        let http = addresses |> List.item 0
        let grpc = addresses |> List.item 1
        let source = "ConfigFile.Otlp." + Guid.NewGuid().ToString("N")

        use file =
            new TempFile(
                $"""file_format: "1.1"
resource:
  attributes:
    - name: service.name
      value: ${{SERVICE_NAME:-config-file-e2e}}
    - name: deployment.environment.name
      value: test
propagator:
  composite:
    - tracecontext:
    - baggage:
tracer_provider:
  processors:
    - batch:
        schedule_delay: 50
        export_timeout: 0
        exporter:
          otlp_http:
            endpoint: ${{HTTP}}/v1/traces
            compression: gzip
            timeout: 0
  sampler:
    parent_based:
      root:
        always_on:
  tracer_configurator/development:
    default_config:
      enabled: false
    tracers:
      - name: ${{SOURCE}}
        config:
          enabled: true
meter_provider:
  readers:
    - periodic:
        interval: 600000
        exporter:
          otlp_grpc:
            endpoint: ${{GRPC}}
            temporality_preference: delta
  views:
    - selector:
        instrument_name: e2e.counter
      stream:
        name: e2e.renamed
  meter_configurator/development:
    default_config:
      enabled: false
    meters:
      - name: ${{SOURCE}}
        config:
          enabled: true
logger_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: ${{HTTP}}/v1/logs
            encoding: json
"""
            )

        // As a deployment would: OTEL_CONFIG_FILE names the file, the code names nothing but the service.
        use sdk =
            Telemetry.create "ignored-by-the-file-resource"
            |> Telemetry.withEnvironment (
                Env.ofList
                    [
                        "OTEL_CONFIG_FILE", file.Path
                        "HTTP", http.TrimEnd '/'
                        "GRPC", grpc.TrimEnd '/'
                        "SOURCE", source
                        // Ignored: a file is used.
                        "OTEL_TRACES_SAMPLER", "always_off"
                    ]
            )
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.start

        let traceId =
            try
                use activitySource = new ActivitySource(source)
                use meter = new Meter(source)
                let counter = meter.CreateCounter<int64>("e2e.counter")
                use activity = activitySource.StartActivity "e2e-span"
                counter.Add(7L)
                sdk.CreateLogger("E2E").LogWarning("hello {Who}", "file")
                activity.TraceId.ToHexString()
            finally
                Activity.Current <- null

        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(flushed, "flush timed out")
        let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True(stopped, "shutdown timed out")

        let requests = List.ofSeq received
        let bySignal signal = requests |> List.filter (fun r -> r.Signal = signal)

        // Transports as the file says.
        for r in bySignal "traces" do
            Assert.Equal(("http", "application/x-protobuf", "gzip"), (r.Transport, r.ContentType, r.Encoding))

        for r in bySignal "metrics" do
            Assert.Equal(("grpc", "application/grpc"), (r.Transport, r.ContentType))

        for r in bySignal "logs" do
            Assert.Equal(("http", "application/json"), (r.Transport, r.ContentType))

        let decoded = decode requests
        let messages signal = decoded |> List.filter (fst >> (=) signal) |> List.map snd

        let resources signal kind = messages signal |> List.collect (fun m -> items m kind)

        for signal, kind in
            [
                "traces", "resourceSpans"
                "metrics", "resourceMetrics"
                "logs", "resourceLogs"
            ] do
            let all = resources signal kind
            Assert.NotEmpty all

            for r in all do
                let attributes = attributes (at r [ "resource" ])
                let text value = Some $"{{\"stringValue\":\"{value}\"}}"
                Assert.Equal(text "config-file-e2e", attributes.TryFind "service.name")
                Assert.Equal(text "test", attributes.TryFind "deployment.environment.name")

        let spans =
            resources "traces" "resourceSpans"
            |> List.collect (fun r -> items r "scopeSpans")
            |> List.collect (fun s -> items s "spans")

        let span = Assert.Single spans
        Assert.Equal("e2e-span", str (at span [ "name" ]))
        Assert.Equal(traceId, str (at span [ "traceId" ]))

        let metrics =
            resources "metrics" "resourceMetrics"
            |> List.collect (fun r -> items r "scopeMetrics")
            |> List.filter (fun s -> str (at s [ "scope"; "name" ]) = source)
            |> List.collect (fun s -> items s "metrics")

        let metric = Assert.Single metrics
        Assert.Equal("e2e.renamed", str (at metric [ "name" ]))
        // Delta, as the file asks (AGGREGATION_TEMPORALITY_DELTA = 1).
        Assert.Equal(1, num (at metric [ "sum"; "aggregationTemporality" ]))
        let point = Assert.Single(items (at metric [ "sum" ]) "dataPoints")
        Assert.Equal("7", str (at point [ "asInt" ]))

        let records =
            resources "logs" "resourceLogs"
            |> List.collect (fun r -> items r "scopeLogs")
            |> List.collect (fun s -> items s "logRecords")

        let record = Assert.Single records
        Assert.Equal("hello file", str (at record [ "body"; "stringValue" ]))
        Assert.Equal(13, num (at record [ "severityNumber" ]))
        Assert.Equal(traceId, str (at record [ "traceId" ]))
    }

[<Tests>]
let tests =
    testList
        "ConfigFileOtlpTests"
        [
            testTask "one file alone drives spans, metrics and logs over OTLP to a receiver that decodes them" {
                do! ``one file alone drives spans, metrics and logs over OTLP to a receiver that decodes them`` ()
            }
        ]
