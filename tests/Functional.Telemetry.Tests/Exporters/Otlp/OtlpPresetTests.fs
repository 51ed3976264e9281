/// Vendor presets (Jaeger, the Datadog Agent, Datadog's intake, Dynatrace, Google Cloud): the options each gives every
/// signal, how they sit over the environment, what they refuse, that no secret shows in their text, and the requests
/// each sends (path, headers, protocol, temporality) to Kestrel receivers on 127.0.0.1 through a base URL override.
module Functional.Telemetry.Tests.OtlpPresetTests

open Expecto
open System
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Threading.Tasks
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.OtlpTestReceiver

let private apiKey = "dd-key-" + Guid.NewGuid().ToString("N")
let private token = "dt0c01." + Guid.NewGuid().ToString("N")

let private optionsOf signal preset = OtlpPreset.options signal preset OtlpOptions.defaults

let private endpointOf signal preset = (optionsOf signal preset).Endpoint |> Option.map string

// ---- the options of each preset ----

let ``jaeger sends traces over http/protobuf to localhost:4318, or over gRPC to localhost:4317`` () =
    let options = optionsOf OtlpSignal.Traces OtlpPreset.jaeger
    Assert.Equal(Some "http://localhost:4318/v1/traces", options.Endpoint |> Option.map string)
    Assert.Equal(OtlpProtocol.HttpProtobuf, options.Protocol)
    Assert.Empty options.Headers

    let grpc = OtlpPreset.jaeger |> OtlpPreset.withProtocol OtlpProtocol.Grpc
    Assert.Equal(Some "http://localhost:4317/", endpointOf OtlpSignal.Traces grpc)
    Assert.Equal(OtlpProtocol.Grpc, (optionsOf OtlpSignal.Traces grpc).Protocol)
    Assert.Equal<OtlpSignal list>([ OtlpSignal.Traces ], OtlpPreset.jaeger.Signals)

let ``the Datadog Agent preset sends every signal to the local agent and metrics in delta`` () =
    let preset = OtlpPreset.datadogAgent
    Assert.Equal(Some "http://localhost:4318/v1/logs", endpointOf OtlpSignal.Logs preset)
    Assert.Equal(Some "http://localhost:4318/v1/metrics", endpointOf OtlpSignal.Metrics preset)
    Assert.Equal(TemporalityPreference.Delta, (optionsOf OtlpSignal.Metrics preset).TemporalityPreference)
    Assert.Empty (optionsOf OtlpSignal.Metrics preset).Headers

    let grpc = preset |> OtlpPreset.withProtocol OtlpProtocol.Grpc
    Assert.Equal(Some "http://localhost:4317/", endpointOf OtlpSignal.Metrics grpc)

let ``the Datadog intake preset posts http/protobuf to otlp.<site> with the API key header and metrics in delta`` () =
    let preset = OtlpPreset.datadog "datadoghq.eu" apiKey
    Assert.Equal(Some "https://otlp.datadoghq.eu/v1/traces", endpointOf OtlpSignal.Traces preset)
    Assert.Equal(Some "https://otlp.datadoghq.eu/v1/metrics", endpointOf OtlpSignal.Metrics preset)
    Assert.Equal(Some "https://otlp.datadoghq.eu/v1/logs", endpointOf OtlpSignal.Logs preset)
    let options = optionsOf OtlpSignal.Metrics preset
    Assert.Equal(OtlpProtocol.HttpProtobuf, options.Protocol)
    Assert.Equal<(string * string) list>([ "dd-api-key", apiKey; "dd-protocol", "otlp" ], options.Headers)
    Assert.Equal(TemporalityPreference.Delta, options.TemporalityPreference)

    let us3 = OtlpPreset.datadog " US3.datadoghq.com " apiKey
    Assert.Equal(Some "https://otlp.us3.datadoghq.com/v1/logs", endpointOf OtlpSignal.Logs us3)

let ``the Dynatrace preset posts to the environment's OTLP API with an Api-Token and metrics in delta`` () =
    let preset = OtlpPreset.dynatrace "abc12345" token

    Assert.Equal(Some "https://abc12345.live.dynatrace.com/api/v2/otlp/v1/traces", endpointOf OtlpSignal.Traces preset)

    let options = optionsOf OtlpSignal.Metrics preset

    Assert.Equal(
        Some "https://abc12345.live.dynatrace.com/api/v2/otlp/v1/metrics",
        options.Endpoint |> Option.map string
    )

    Assert.Equal<(string * string) list>([ "Authorization", "Api-Token " + token ], options.Headers)
    Assert.Equal(OtlpProtocol.HttpProtobuf, options.Protocol)
    Assert.Equal(TemporalityPreference.Delta, options.TemporalityPreference)
    // Explicit buckets unless asked: Dynatrace keeps the buckets of explicit histograms (1.300+), only the
    // min/max/sum/count of exponential ones.
    Assert.False options.ExponentialHistograms

    let exponential = preset |> OtlpPreset.withExponentialHistograms true
    Assert.True (optionsOf OtlpSignal.Metrics exponential).ExponentialHistograms

    let activeGate =
        preset
        |> OtlpPreset.withBaseUrl (Uri "https://gate.internal:9999/e/abc12345/api/v2/otlp")

    Assert.Equal(
        Some "https://gate.internal:9999/e/abc12345/api/v2/otlp/v1/logs",
        endpointOf OtlpSignal.Logs activeGate
    )

let ``the Google Cloud preset sends to telemetry.googleapis.com with the project header and keeps the temporality`` () =
    let preset = OtlpPreset.googleCloud "my-project"
    Assert.Equal(Some "https://telemetry.googleapis.com/v1/traces", endpointOf OtlpSignal.Traces preset)

    let fromEnvironment =
        { OtlpOptions.defaults with
            TemporalityPreference = TemporalityPreference.Delta
        }

    let options = OtlpPreset.options OtlpSignal.Metrics preset fromEnvironment
    Assert.Equal<(string * string) list>([ "x-goog-user-project", "my-project" ], options.Headers)
    Assert.Equal(TemporalityPreference.Delta, options.TemporalityPreference)

    let grpc = preset |> OtlpPreset.withProtocol OtlpProtocol.Grpc
    Assert.Equal(Some "https://telemetry.googleapis.com/", endpointOf OtlpSignal.Logs grpc)

    let withToken = preset |> OtlpPreset.withHeader "Authorization" "Bearer ya29.token"

    Assert.Equal<string list>([ "x-goog-user-project"; "Authorization" ], withToken.HeaderNames)

let ``a preset's headers replace the environment's of the same name and keep the rest and its other settings`` () =
    let fromEnvironment, _ =
        OtlpOptions.fromEnvironment
            OtlpSignal.Logs
            (Env.ofList
                [
                    "OTEL_EXPORTER_OTLP_HEADERS", "DD-API-KEY=old,x-tenant=blue"
                    "OTEL_EXPORTER_OTLP_TIMEOUT", "2500"
                    "OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://elsewhere:4318"
                ])

    let options =
        OtlpPreset.options OtlpSignal.Logs (OtlpPreset.datadog "datadoghq.com" apiKey) fromEnvironment

    Assert.Equal<(string * string) list>(
        [ "x-tenant", "blue"; "dd-api-key", apiKey; "dd-protocol", "otlp" ],
        options.Headers
    )

    Assert.Equal(TimeSpan.FromMilliseconds 2500., options.Timeout)
    Assert.Equal(OtlpCompression.Zstd, options.Compression)
    Assert.Equal(Some "https://otlp.datadoghq.com/v1/logs", options.Endpoint |> Option.map string)

// ---- what presets refuse ----

let ``a preset on a signal its vendor does not receive is an ArgumentException naming preset`` () =
    TestUtil.throwsNaming "preset" (fun () -> Metrics.addOtlpPreset OtlpPreset.jaeger Metrics.empty)
    TestUtil.throwsNaming "preset" (fun () -> Logging.addOtlpPreset OtlpPreset.jaeger Logging.empty)

    TestUtil.throwsNaming "preset" (fun () ->
        OtlpPreset.options OtlpSignal.Metrics OtlpPreset.jaeger OtlpOptions.defaults)
    // Traces are what Jaeger receives.
    Tracing.addOtlpPreset OtlpPreset.jaeger Tracing.empty |> ignore

let ``bad preset arguments are ArgumentExceptions naming them, never showing a key`` () =
    TestUtil.throwsNaming "site" (fun () -> OtlpPreset.datadog "https://datadoghq.com" apiKey)
    TestUtil.throwsNaming "apiKey" (fun () -> OtlpPreset.datadog "datadoghq.com" " ")
    TestUtil.throwsNaming "environmentId" (fun () -> OtlpPreset.dynatrace "abc.live" token)
    TestUtil.throwsNaming "apiToken" (fun () -> OtlpPreset.dynatrace "abc12345" "")
    TestUtil.throwsNaming "projectId" (fun () -> OtlpPreset.googleCloud "")

    TestUtil.throwsNaming "baseUrl" (fun () ->
        OtlpPreset.jaeger |> OtlpPreset.withBaseUrl (Uri("/relative", UriKind.Relative)))

    let grpc =
        Assert.Throws<ArgumentException>(fun () ->
            OtlpPreset.dynatrace "abc12345" token
            |> OtlpPreset.withProtocol OtlpProtocol.Grpc
            |> ignore)

    Assert.Equal("protocol", grpc.ParamName)
    Assert.Contains("dynatrace accepts http/protobuf, not grpc", grpc.Message)
    Assert.DoesNotContain(token, grpc.Message)

    let json =
        Assert.Throws<ArgumentException>(fun () ->
            OtlpPreset.datadog "datadoghq.com" apiKey
            |> OtlpPreset.withProtocol OtlpProtocol.HttpJson
            |> ignore)

    Assert.DoesNotContain(apiKey, json.Message)

let ``no preset's text, nor the text of the options it makes, shows a secret`` () =
    let presets =
        [
            OtlpPreset.datadog "datadoghq.com" apiKey
            OtlpPreset.dynatrace "abc12345" token
            OtlpPreset.googleCloud "p"
            |> OtlpPreset.withHeader "Authorization" ("Bearer " + token)
        ]

    for preset in presets do
        for text in [ string preset; sprintf "%A" preset; $"{preset}" ] do
            Assert.DoesNotContain(apiKey, text)
            Assert.DoesNotContain(token, text)

        let options = optionsOf OtlpSignal.Traces preset

        for text in [ string options; sprintf "%A" options; $"{options}" ] do
            Assert.DoesNotContain(apiKey, text)
            Assert.DoesNotContain(token, text)
            Assert.Contains("[redacted]", text)

    Assert.Equal(
        "dynatrace: http/protobuf to https://abc12345.live.dynatrace.com/api/v2/otlp/v1/<signal>, headers Authorization, metrics delta",
        string (OtlpPreset.dynatrace "abc12345" token)
    )

// ---- on the wire, through a base URL override ----

/// Starts an SDK whose signals the vendor receives export through `preset` pointed at `baseUrl` (on `receiver`),
/// records a span, a counter and a log, flushes and stops; returns what the receiver got.
let private sendTo (baseUrl: Uri) (preset: OtlpPreset) (receiver: Receiver) =
    task {
        let name = "Preset." + preset.Name + "." + Guid.NewGuid().ToString("N")
        let preset = preset |> OtlpPreset.withBaseUrl baseUrl
        let receives signal = List.contains signal preset.Signals

        let sdk =
            Telemetry.create "preset-test"
            |> Telemetry.withEnvironment (Env.ofList [ "OTEL_METRIC_EXPORT_INTERVAL", "600000" ])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpPreset preset)
            |> (if receives OtlpSignal.Metrics then
                    Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addOtlpPreset preset)
                else
                    id)
            |> (if receives OtlpSignal.Logs then
                    Telemetry.withLogging (Logging.addOtlpPreset preset)
                else
                    id)
            |> Telemetry.start

        do
            use source = new ActivitySource(name)
            use meter = new Meter(name)
            meter.CreateCounter<int64>("preset.counter").Add 5L
            source.StartActivity("preset-span").Dispose()

            if receives OtlpSignal.Logs then
                Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(sdk.CreateLogger "preset.logs", "preset log")

        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True flushed
        let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True stopped
        return receiver.Requests
    }

/// `sendTo` the receiver's own address.
let private sendThrough (preset: OtlpPreset) (receiver: Receiver) = sendTo receiver.Uri preset receiver

/// The metric request's first Sum's aggregation temporality (1 delta, 2 cumulative), read from the protobuf
/// (ResourceMetrics 1 > ScopeMetrics 2 > Metric 2 > Sum 7 > aggregation_temporality 2).
let private sumTemporality (body: byte array) =
    // (field number, varint value or the bytes of a length-delimited field) of one message.
    let fields (bytes: byte array) =
        let mutable offset = 0
        let result = ResizeArray<int * Choice<uint64, byte array>>()

        let varint () =
            let mutable value = 0UL
            let mutable shift = 0
            let mutable go = true

            while go do
                let b = bytes.[offset]
                offset <- offset + 1
                value <- value ||| (uint64 (b &&& 0x7Fuy) <<< shift)
                shift <- shift + 7
                go <- b &&& 0x80uy <> 0uy

            value

        while offset < bytes.Length do
            let key = varint ()
            let field = int (key >>> 3)

            match int (key &&& 7UL) with
            | 0 -> result.Add(field, Choice1Of2(varint ()))
            | 2 ->
                let length = int (varint ())
                result.Add(field, Choice2Of2(bytes.[offset .. offset + length - 1]))
                offset <- offset + length
            | 1 -> offset <- offset + 8
            | 5 -> offset <- offset + 4
            | other -> failwith $"wire type {other}"

        List.ofSeq result

    let child number (bytes: byte array) =
        fields bytes
        |> List.pick (fun (field, value) ->
            match value with
            | Choice2Of2 inner when field = number -> Some inner
            | _ -> None)

    let sum = body |> child 1 |> child 2 |> child 2 |> child 7

    fields sum
    |> List.pick (fun (field, value) ->
        match value with
        | Choice1Of2 v when field = 2 -> Some(int v)
        | _ -> None)

let ``jaeger's requests: traces over http/protobuf to /v1/traces, no headers of its own`` () =
    task {
        let! receiver = start false
        use _ = receiver :> IAsyncDisposable
        let! requests = sendThrough OtlpPreset.jaeger receiver
        let request = Assert.Single requests
        Assert.Equal("/v1/traces", request.Path)
        Assert.Equal("HTTP/1.1", request.Protocol)
        Assert.Equal("application/x-protobuf", request.Header "content-type")
        Assert.False(request.Headers.ContainsKey "authorization")
    }

let ``jaeger over gRPC: the TraceService's Export on HTTP/2`` () =
    task {
        let! receiver = start true
        use _ = receiver :> IAsyncDisposable
        let! requests = sendThrough (OtlpPreset.jaeger |> OtlpPreset.withProtocol OtlpProtocol.Grpc) receiver
        let request = Assert.Single requests
        Assert.Equal("/opentelemetry.proto.collector.trace.v1.TraceService/Export", request.Path)
        Assert.Equal("HTTP/2", request.Protocol)
        Assert.Equal("application/grpc", request.Header "content-type")
    }

let ``the Datadog Agent's requests: three signals over gRPC, metrics in delta`` () =
    task {
        let! receiver = start true
        use _ = receiver :> IAsyncDisposable

        let! requests = sendThrough (OtlpPreset.datadogAgent |> OtlpPreset.withProtocol OtlpProtocol.Grpc) receiver

        let paths = requests |> List.map _.Path |> List.distinct |> List.sort

        Assert.Equal<string list>(
            [
                "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
                "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
                "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
            ],
            paths
        )

        let metrics = requests |> List.find (fun r -> r.Path.Contains "MetricsService")

        match TestUtil.GrpcFrame.tryUnframe metrics.Body with
        | Some(false, message) -> Assert.Equal(1, sumTemporality message)
        | other -> failwith $"expected an uncompressed gRPC message, got {other}"
    }

let ``Datadog's intake requests: /v1/<signal> over http/protobuf with dd-api-key and dd-protocol, metrics in delta``
    ()
    =
    task {
        let! receiver = start false
        use _ = receiver :> IAsyncDisposable
        let! requests = sendThrough (OtlpPreset.datadog "datadoghq.com" apiKey) receiver

        Assert.Equal<string list>(
            [ "/v1/logs"; "/v1/metrics"; "/v1/traces" ],
            requests |> List.map _.Path |> List.distinct |> List.sort
        )

        for request in requests do
            Assert.Equal(apiKey, request.Header "dd-api-key")
            Assert.Equal("otlp", request.Header "dd-protocol")
            Assert.Equal("application/x-protobuf", request.Header "content-type")

        let metrics = requests |> List.find (fun r -> r.Path = "/v1/metrics")
        Assert.Equal(1, sumTemporality metrics.Body)
    }

let ``Dynatrace's requests: the environment's path with Authorization Api-Token, metrics in delta`` () =
    task {
        let! receiver = start false
        use _ = receiver :> IAsyncDisposable
        // As a Managed environment or an ActiveGate is addressed: the base URL holds the environment's path.
        let preset = OtlpPreset.dynatrace "abc12345" token
        let address = Uri(receiver.Uri, "/e/abc12345/api/v2/otlp")
        let! requests = sendTo address preset receiver

        Assert.Equal<string list>(
            [
                "/e/abc12345/api/v2/otlp/v1/logs"
                "/e/abc12345/api/v2/otlp/v1/metrics"
                "/e/abc12345/api/v2/otlp/v1/traces"
            ],
            requests |> List.map _.Path |> List.distinct |> List.sort
        )

        for request in requests do
            Assert.Equal("Api-Token " + token, request.Header "authorization")
            Assert.Equal("application/x-protobuf", request.Header "content-type")

        let metrics = requests |> List.find (fun r -> r.Path.EndsWith "/v1/metrics")
        Assert.Equal(1, sumTemporality metrics.Body)
    }

let ``Google Cloud's requests: /v1/<signal> with x-goog-user-project and a given token, metrics cumulative`` () =
    task {
        let! receiver = start false
        use _ = receiver :> IAsyncDisposable

        let preset =
            OtlpPreset.googleCloud "my-project"
            |> OtlpPreset.withHeader "Authorization" ("Bearer " + token)

        let! requests = sendThrough preset receiver

        Assert.Equal<string list>(
            [ "/v1/logs"; "/v1/metrics"; "/v1/traces" ],
            requests |> List.map _.Path |> List.distinct |> List.sort
        )

        for request in requests do
            Assert.Equal("my-project", request.Header "x-goog-user-project")
            Assert.Equal("Bearer " + token, request.Header "authorization")

        let metrics = requests |> List.find (fun r -> r.Path = "/v1/metrics")
        Assert.Equal(2, sumTemporality metrics.Body)
    }

[<Tests>]
let tests =
    testList
        "OtlpPresetTests"
        [
            test "jaeger sends traces over http/protobuf to localhost:4318, or over gRPC to localhost:4317" {
                ``jaeger sends traces over http/protobuf to localhost:4318, or over gRPC to localhost:4317`` ()
            }
            test "the Datadog Agent preset sends every signal to the local agent and metrics in delta" {
                ``the Datadog Agent preset sends every signal to the local agent and metrics in delta`` ()
            }
            test
                "the Datadog intake preset posts http/protobuf to otlp.<site> with the API key header and metrics in delta" {
                ``the Datadog intake preset posts http/protobuf to otlp.<site> with the API key header and metrics in delta`` ()
            }
            test "the Dynatrace preset posts to the environment's OTLP API with an Api-Token and metrics in delta" {
                ``the Dynatrace preset posts to the environment's OTLP API with an Api-Token and metrics in delta`` ()
            }
            test
                "the Google Cloud preset sends to telemetry.googleapis.com with the project header and keeps the temporality" {
                ``the Google Cloud preset sends to telemetry.googleapis.com with the project header and keeps the temporality`` ()
            }
            test
                "a preset's headers replace the environment's of the same name and keep the rest and its other settings" {
                ``a preset's headers replace the environment's of the same name and keep the rest and its other settings`` ()
            }
            test "a preset on a signal its vendor does not receive is an ArgumentException naming preset" {
                ``a preset on a signal its vendor does not receive is an ArgumentException naming preset`` ()
            }
            test "bad preset arguments are ArgumentExceptions naming them, never showing a key" {
                ``bad preset arguments are ArgumentExceptions naming them, never showing a key`` ()
            }
            test "no preset's text, nor the text of the options it makes, shows a secret" {
                ``no preset's text, nor the text of the options it makes, shows a secret`` ()
            }
            testTask "jaeger's requests: traces over http/protobuf to /v1/traces, no headers of its own" {
                do! ``jaeger's requests: traces over http/protobuf to /v1/traces, no headers of its own`` ()
            }
            testTask "jaeger over gRPC: the TraceService's Export on HTTP/2" {
                do! ``jaeger over gRPC: the TraceService's Export on HTTP/2`` ()
            }
            testTask "the Datadog Agent's requests: three signals over gRPC, metrics in delta" {
                do! ``the Datadog Agent's requests: three signals over gRPC, metrics in delta`` ()
            }
            testTask
                "Datadog's intake requests: /v1/<signal> over http/protobuf with dd-api-key and dd-protocol, metrics in delta" {
                do!
                    ``Datadog's intake requests: /v1/<signal> over http/protobuf with dd-api-key and dd-protocol, metrics in delta`` ()
            }
            testTask "Dynatrace's requests: the environment's path with Authorization Api-Token, metrics in delta" {
                do! ``Dynatrace's requests: the environment's path with Authorization Api-Token, metrics in delta`` ()
            }
            testTask
                "Google Cloud's requests: /v1/<signal> with x-goog-user-project and a given token, metrics cumulative" {
                do!
                    ``Google Cloud's requests: /v1/<signal> with x-goog-user-project and a given token, metrics cumulative`` ()
            }
        ]
