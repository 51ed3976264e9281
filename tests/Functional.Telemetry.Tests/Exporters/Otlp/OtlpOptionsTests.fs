module Functional.Telemetry.Tests.OtlpOptionsTests

open Expecto
open System
open FsCheck.FSharp
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.PropertyTests

let private read signal pairs = OtlpOptions.fromEnvironment signal (Env.ofList pairs)

let private endpointOf signal pairs =
    let options, _ = read signal pairs
    (OtlpOptions.resolveEndpoint signal options).ToString()

let ``nothing set gives the defaults and no warnings`` () =
    let options, warnings = read OtlpSignal.Traces []
    Assert.Equal(OtlpOptions.defaults, options)
    Assert.Empty warnings
    Assert.Equal(TimeSpan.FromSeconds 10., options.Timeout)
    Assert.Equal(64L * 1024L * 1024L, options.MaxRequestBytes)

let ``default http/protobuf endpoints per signal`` (signal: string, expected: string) =
    let signal =
        match signal with
        | "traces" -> OtlpSignal.Traces
        | "metrics" -> OtlpSignal.Metrics
        | _ -> OtlpSignal.Logs

    Assert.Equal(expected, endpointOf signal [])

let ``default grpc endpoint is localhost 4317`` () =
    Assert.Equal("http://localhost:4317/", endpointOf OtlpSignal.Metrics [ "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc" ])

let ``the general endpoint gets the signal path appended for http`` () =
    let env = [ "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318" ]
    Assert.Equal("http://collector:4318/v1/traces", endpointOf OtlpSignal.Traces env)
    Assert.Equal("http://collector:4318/v1/logs", endpointOf OtlpSignal.Logs env)

let ``a general endpoint with a path and trailing slash keeps its path`` () =
    let env = [ "OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318/mypath/" ]
    Assert.Equal("https://collector:4318/mypath/v1/metrics", endpointOf OtlpSignal.Metrics env)

let ``a per-signal endpoint is used as is and beats the general one`` () =
    let env =
        [
            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://general:4318"
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom"
        ]

    Assert.Equal("http://traces:9999/custom", endpointOf OtlpSignal.Traces env)
    Assert.Equal("http://general:4318/v1/metrics", endpointOf OtlpSignal.Metrics env)

let ``the general endpoint is used as is for grpc`` () =
    let env =
        [
            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"
            "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"
        ]

    Assert.Equal("http://collector:4317/", endpointOf OtlpSignal.Traces env)

let ``a grpc endpoint without a scheme uses Insecure to pick it`` () =
    let secure =
        [
            "OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"
            "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"
        ]

    Assert.Equal("https://collector:4317/", endpointOf OtlpSignal.Traces secure)

    let insecure = ("OTEL_EXPORTER_OTLP_INSECURE", "true") :: secure
    Assert.Equal("http://collector:4317/", endpointOf OtlpSignal.Traces insecure)

let ``a per-signal protocol beats the general one, and the endpoint rule follows the signal's protocol`` () =
    let env =
        [
            "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"
            "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/json"
            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"
        ]

    let logs, _ = read OtlpSignal.Logs env
    let traces, _ = read OtlpSignal.Traces env
    Assert.Equal(OtlpProtocol.HttpJson, logs.Protocol)
    Assert.Equal(OtlpProtocol.Grpc, traces.Protocol)
    Assert.Equal("http://c:4318/v1/logs", endpointOf OtlpSignal.Logs env)
    Assert.Equal("http://c:4318/", endpointOf OtlpSignal.Traces env)

let ``headers are percent-decoded, trimmed, and per-signal headers replace the general ones`` () =
    let env =
        [
            "OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret%20one, x-team = a%2Cb "
            "OTEL_EXPORTER_OTLP_METRICS_HEADERS", "m=1"
        ]

    let traces, warnings = read OtlpSignal.Traces env
    Assert.Empty warnings
    Assert.Equal<(string * string) list>([ "api-key", "secret one"; "x-team", "a,b" ], traces.Headers)
    let metrics, _ = read OtlpSignal.Metrics env
    Assert.Equal<(string * string) list>([ "m", "1" ], metrics.Headers)

let ``bad header entries are skipped with warnings that never hold the value`` () =
    let env =
        [
            "OTEL_EXPORTER_OTLP_HEADERS", "good=ok,novalue-topsecret,=hidden-secret,bad key=s3cr3t"
        ]

    let options, warnings = read OtlpSignal.Traces env
    Assert.Equal<(string * string) list>([ "good", "ok" ], options.Headers)
    Assert.Equal(3, warnings.Length)

    for w in warnings do
        Assert.Equal("OTEL_EXPORTER_OTLP_HEADERS", w.Source)
        Assert.DoesNotContain("secret", w.Message)
        Assert.DoesNotContain("s3cr3t", w.Message)
        Assert.DoesNotContain("ok", w.Message)

let ``timeout, compression, certificates, insecure and temporality are read`` () =
    let env =
        [
            "OTEL_EXPORTER_OTLP_TIMEOUT", "2500"
            "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "700"
            "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"
            "OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem"
            "OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE", "/etc/client.pem"
            "OTEL_EXPORTER_OTLP_CLIENT_KEY", "/etc/client.key"
            "OTEL_EXPORTER_OTLP_INSECURE", "TRUE"
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "LowMemory"
        ]

    let metrics, warnings = read OtlpSignal.Metrics env
    Assert.Empty warnings
    Assert.Equal(TimeSpan.FromMilliseconds 700., metrics.Timeout)
    Assert.Equal(OtlpCompression.Gzip, metrics.Compression)
    Assert.Equal(Some "/etc/ca.pem", metrics.CertificatePath)
    Assert.Equal(Some "/etc/client.pem", metrics.ClientCertificatePath)
    Assert.Equal(Some "/etc/client.key", metrics.ClientKeyPath)
    Assert.True metrics.Insecure
    Assert.Equal(TemporalityPreference.LowMemory, metrics.TemporalityPreference)

    let traces, _ = read OtlpSignal.Traces env
    Assert.Equal(TimeSpan.FromMilliseconds 2500., traces.Timeout)
    Assert.Equal(None, traces.ClientCertificatePath)
    Assert.Equal(TemporalityPreference.Cumulative, traces.TemporalityPreference)

let ``invalid values give the default and a warning naming the variable`` () =
    let env =
        [
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "not a url"
            "OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"
            "OTEL_EXPORTER_OTLP_TIMEOUT", "-5"
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "brotli"
            "OTEL_EXPORTER_OTLP_INSECURE", "maybe"
        ]

    let options, warnings = read OtlpSignal.Traces env
    Assert.Equal({ OtlpOptions.defaults with Endpoint = None }, options)

    let sources = warnings |> List.map (fun w -> w.Source) |> List.sort

    Assert.Equal<string list>(
        [
            "OTEL_EXPORTER_OTLP_INSECURE"
            "OTEL_EXPORTER_OTLP_PROTOCOL"
            "OTEL_EXPORTER_OTLP_TIMEOUT"
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
        ],
        sources
    )

let ``an ftp endpoint from the environment is refused`` () =
    let options, warnings = read OtlpSignal.Logs [ "OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://c:21" ]
    Assert.Equal(None, options.Endpoint)
    Assert.Single warnings |> ignore

let ``validate refuses bad options set in code`` () =
    let bad options field =
        let e =
            Assert.Throws<ArgumentException>(fun () ->
                Validation.orThrow "options" (OtlpOptions.validate options) |> ignore)

        Assert.Equal(field, e.ParamName)
        e

    bad
        { OtlpOptions.defaults with
            Endpoint = Some(Uri "ftp://c:21")
        }
        "Endpoint"
    |> ignore

    bad
        { OtlpOptions.defaults with
            Endpoint = Some(Uri("relative/path", UriKind.Relative))
        }
        "Endpoint"
    |> ignore

    bad { OtlpOptions.defaults with Timeout = TimeSpan.Zero } "Timeout" |> ignore

    bad { OtlpOptions.defaults with MaxRequestBytes = 0L } "MaxRequestBytes"
    |> ignore

    bad { OtlpOptions.defaults with Headers = [ "bad key", "v" ] } "Headers"
    |> ignore

    let e =
        bad
            { OtlpOptions.defaults with
                Headers = [ "k", "top-secret\r\nx: y" ]
            }
            "Headers"

    Assert.DoesNotContain("top-secret", e.Message)

    let good =
        { OtlpOptions.defaults with
            Endpoint = Some(Uri "https://c:4318/v1/traces")
        }

    Assert.Equal(Ok good, OtlpOptions.validate good)

let ``a dns target is a gRPC endpoint, from the environment and in code, and no HTTP one`` () =
    let options, warnings =
        read
            OtlpSignal.Traces
            [
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"
                "OTEL_EXPORTER_OTLP_ENDPOINT", "dns:///collectors:4317"
            ]

    Assert.Empty warnings
    Assert.Equal(Some(Uri "dns:///collectors:4317"), options.Endpoint)
    Assert.True(Result.isOk (OtlpOptions.validate options))

    let _, httpWarnings = read OtlpSignal.Traces [ "OTEL_EXPORTER_OTLP_ENDPOINT", "dns:///collectors:4318" ]
    Assert.Equal("OTEL_EXPORTER_OTLP_ENDPOINT", (Assert.Single httpWarnings).Source)

    TestUtil.rejects
        "Endpoint"
        (OtlpOptions.validate
            { OtlpOptions.defaults with
                Endpoint = Some(Uri "dns:///collectors:4318")
            })

    TestUtil.rejects
        "Endpoint"
        (OtlpOptions.validate
            { OtlpOptions.defaults with
                Protocol = OtlpProtocol.Grpc
                Endpoint = Some(Uri "dns:///")
            })

let ``gRPC addresses and keepalive settings are validated`` () =
    let grpc = { OtlpOptions.defaults with Protocol = OtlpProtocol.Grpc }

    let withGrpc (change: OtlpGrpcOptions -> OtlpGrpcOptions) = { grpc with Grpc = change grpc.Grpc }

    let good =
        withGrpc (fun g ->
            { g with
                Addresses = [ Uri "http://10.0.0.1:4317"; Uri "http://collector-b:4317/" ]
                LoadBalancing = OtlpLoadBalancing.RoundRobin
                KeepAlivePingDelay = Some(TimeSpan.FromSeconds 30.)
                KeepAlivePingTimeout = TimeSpan.FromSeconds 5.
                KeepAlivePingPolicy = Net.Http.HttpKeepAlivePingPolicy.Always
            })

    Assert.Equal(Ok good, OtlpOptions.validate good)

    let addresses = "Grpc.Addresses"

    TestUtil.rejects addresses (OtlpOptions.validate { good with Protocol = OtlpProtocol.HttpProtobuf })

    TestUtil.rejects
        addresses
        (OtlpOptions.validate (withGrpc (fun g -> { g with Addresses = [ Uri "ftp://10.0.0.1:21" ] })))

    TestUtil.rejects
        addresses
        (OtlpOptions.validate (
            withGrpc (fun g ->
                { g with
                    Addresses = [ Uri "http://10.0.0.1:4317/v1/traces" ]
                })
        ))

    TestUtil.rejects
        addresses
        (OtlpOptions.validate (
            withGrpc (fun g ->
                { g with
                    Addresses = [ Uri "http://a:4317"; Uri "https://b:4317" ]
                })
        ))

    TestUtil.rejects
        "Grpc.KeepAlivePingDelay"
        (OtlpOptions.validate (
            withGrpc (fun g ->
                { g with
                    KeepAlivePingDelay = Some(TimeSpan.FromMilliseconds 500.)
                })
        ))

    TestUtil.rejects
        "Grpc.KeepAlivePingTimeout"
        (OtlpOptions.validate (withGrpc (fun g -> { g with KeepAlivePingTimeout = TimeSpan.Zero })))

/// A property over 500 cases: each variable present or not, with up to 39 characters of an awkward alphabet.
let ``environment parsing never throws on arbitrary values`` () =
    let alphabet = "abc=,%%20:/.\\ \t\r\n-_0123456789httpsgrpc?#[]@!é\u0000\ud800"

    let suffixes =
        [
            "ENDPOINT"
            "PROTOCOL"
            "HEADERS"
            "TIMEOUT"
            "COMPRESSION"
            "CERTIFICATE"
            "CLIENT_CERTIFICATE"
            "CLIENT_KEY"
            "INSECURE"
        ]

    let names =
        [
            for suffix in suffixes do
                "OTEL_EXPORTER_OTLP_" + suffix
                "OTEL_EXPORTER_OTLP_TRACES_" + suffix
            "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"
        ]

    Prop.forAll (Arb.fromGen (Arbs.environment names (Arbs.textFrom alphabet 39))) (fun env ->
        for signal in [ OtlpSignal.Traces; OtlpSignal.Metrics; OtlpSignal.Logs ] do
            let options, _ = read signal env
            // Whatever the environment held, the result passes validation.
            OtlpOptions.validate options |> ignore)

/// Header names the transport sets or HttpClient owns, in mixed case: none may be configured.
let private ownedHeaderNames =
    [
        "Content-Type"
        "content-length"
        "CONTENT-ENCODING"
        "host"
        "Transfer-Encoding"
        "connection"
        "keep-alive"
        "proxy-connection"
        "upgrade"
        "te"
        "trailer"
        "expect"
        "grpc-timeout"
        "grpc-encoding"
    ]

let ``headers HttpClient cannot send are dropped from the environment with a warning naming the header, never its value``
    ()
    =
    let owned =
        ownedHeaderNames
        |> List.map (fun name -> name + "=owned-secret-" + name)
        |> String.concat ","

    for variable, signal in
        [
            "OTEL_EXPORTER_OTLP_HEADERS", OtlpSignal.Traces
            "OTEL_EXPORTER_OTLP_LOGS_HEADERS", OtlpSignal.Logs
        ] do
        let env =
            [
                variable,
                "api-key=good-value,"
                + owned
                + ",x-accent=caf%C3%A9-secret,x-bell=ring%07secret,x-del=a%7Fsecret,x-tab=a%09b"
            ]

        let options, warnings = read signal env
        // A horizontal tab is a legal field-value character; everything else above is refused.
        Assert.Equal<(string * string) list>([ "api-key", "good-value"; "x-tab", "a\tb" ], options.Headers)
        Assert.Equal(ownedHeaderNames.Length + 3, warnings.Length)

        for name in ownedHeaderNames @ [ "x-accent"; "x-bell"; "x-del" ] do
            Assert.Contains(warnings, fun w -> w.Source = variable && w.Message.Contains($"'{name}'"))

        for w in warnings do
            Assert.DoesNotContain("secret", w.Message)
            Assert.DoesNotContain("café", w.Message)

        // What the environment gives always passes the validation of options set in code.
        Assert.Equal(Ok options, OtlpOptions.validate options)

let ``headers HttpClient cannot send are an error in code naming Headers and the header, never its value`` () =
    for name in ownedHeaderNames do
        let error =
            Assert.Throws<ArgumentException>(fun () ->
                { OtlpOptions.defaults with
                    Headers = [ "api-key", "fine"; name, "owned-secret" ]
                }
                |> OtlpOptions.validate
                |> Validation.orThrow "options"
                |> ignore)

        Assert.Equal("Headers", error.ParamName)
        Assert.Contains($"'{name}'", error.Message)
        Assert.DoesNotContain("owned-secret", error.Message)

    for value in [ "café-secret"; "ring\u0007secret"; "tab\u007Fsecret"; "€-secret" ] do
        let error =
            Assert.Throws<ArgumentException>(fun () ->
                { OtlpOptions.defaults with Headers = [ "x-value", value ] }
                |> OtlpOptions.validate
                |> Validation.orThrow "options"
                |> ignore)

        Assert.Equal("Headers", error.ParamName)
        Assert.Contains("'x-value'", error.Message)
        Assert.DoesNotContain("secret", error.Message)

    // Ordinary headers, a tab and a User-Agent (a product identifier put before the SDK's) are fine.
    let fine =
        { OtlpOptions.defaults with
            Headers =
                [
                    "authorization", "Api-Token xyz"
                    "x-tab", "a\tb"
                    "User-Agent", "my-distro/1.0"
                ]
        }

    Assert.Equal(Ok fine, OtlpOptions.validate fine)

[<Tests>]
let tests =
    testList
        "OtlpOptionsTests"
        [
            test "nothing set gives the defaults and no warnings" {
                ``nothing set gives the defaults and no warnings`` ()
            }
            test
                "default http/protobuf endpoints per signal(signal: \"traces\", expected: \"http://localhost:4318/v1/traces\")" {
                ``default http/protobuf endpoints per signal`` ("traces", "http://localhost:4318/v1/traces")
            }
            test
                "default http/protobuf endpoints per signal(signal: \"metrics\", expected: \"http://localhost:4318/v1/metrics\")" {
                ``default http/protobuf endpoints per signal`` ("metrics", "http://localhost:4318/v1/metrics")
            }
            test
                "default http/protobuf endpoints per signal(signal: \"logs\", expected: \"http://localhost:4318/v1/logs\")" {
                ``default http/protobuf endpoints per signal`` ("logs", "http://localhost:4318/v1/logs")
            }
            test "default grpc endpoint is localhost 4317" { ``default grpc endpoint is localhost 4317`` () }
            test "the general endpoint gets the signal path appended for http" {
                ``the general endpoint gets the signal path appended for http`` ()
            }
            test "a general endpoint with a path and trailing slash keeps its path" {
                ``a general endpoint with a path and trailing slash keeps its path`` ()
            }
            test "a per-signal endpoint is used as is and beats the general one" {
                ``a per-signal endpoint is used as is and beats the general one`` ()
            }
            test "the general endpoint is used as is for grpc" { ``the general endpoint is used as is for grpc`` () }
            test "a grpc endpoint without a scheme uses Insecure to pick it" {
                ``a grpc endpoint without a scheme uses Insecure to pick it`` ()
            }
            test "a per-signal protocol beats the general one, and the endpoint rule follows the signal's protocol" {
                ``a per-signal protocol beats the general one, and the endpoint rule follows the signal's protocol`` ()
            }
            test "headers are percent-decoded, trimmed, and per-signal headers replace the general ones" {
                ``headers are percent-decoded, trimmed, and per-signal headers replace the general ones`` ()
            }
            test "bad header entries are skipped with warnings that never hold the value" {
                ``bad header entries are skipped with warnings that never hold the value`` ()
            }
            test "timeout, compression, certificates, insecure and temporality are read" {
                ``timeout, compression, certificates, insecure and temporality are read`` ()
            }
            test "invalid values give the default and a warning naming the variable" {
                ``invalid values give the default and a warning naming the variable`` ()
            }
            test "an ftp endpoint from the environment is refused" {
                ``an ftp endpoint from the environment is refused`` ()
            }
            test "validate refuses bad options set in code" { ``validate refuses bad options set in code`` () }
            test "a dns target is a gRPC endpoint, from the environment and in code, and no HTTP one" {
                ``a dns target is a gRPC endpoint, from the environment and in code, and no HTTP one`` ()
            }
            test "gRPC addresses and keepalive settings are validated" {
                ``gRPC addresses and keepalive settings are validated`` ()
            }
            testPropertyWithConfig
                (Check.configWith 500)
                "environment parsing never throws on arbitrary values"
                (``environment parsing never throws on arbitrary values`` (): FsCheck.Property)
            test
                "headers HttpClient cannot send are dropped from the environment with a warning naming the header, never its value" {
                ``headers HttpClient cannot send are dropped from the environment with a warning naming the header, never its value`` ()
            }
            test "headers HttpClient cannot send are an error in code naming Headers and the header, never its value" {
                ``headers HttpClient cannot send are an error in code naming Headers and the header, never its value`` ()
            }
        ]
