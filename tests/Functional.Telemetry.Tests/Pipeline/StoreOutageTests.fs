/// The export store through the whole SDK against collectors on 127.0.0.1: a metrics collection split into several
/// requests, and two exporters of one signal with different endpoints sharing one store directory.
module Functional.Telemetry.Tests.StoreOutageTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Sockets
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Hosting.Server
open Microsoft.AspNetCore.Hosting.Server.Features
open Microsoft.AspNetCore.Http
open Microsoft.AspNetCore.Server.Kestrel.Core
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private readVarint (data: byte array) (at: int ref) =
    let mutable result = 0UL
    let mutable shift = 0
    let mutable more = true

    while more do
        let b = data[at.Value]
        at.Value <- at.Value + 1
        result <- result ||| (uint64 (b &&& 0x7Fuy) <<< shift)
        shift <- shift + 7
        more <- b &&& 0x80uy <> 0uy

    result

let private fieldsOf (data: byte array) (start: int) (finish: int) (wanted: int) =
    let at = ref start
    let found = ResizeArray()

    while at.Value < finish do
        let key = readVarint data at

        match int (key &&& 7UL) with
        | 0 -> readVarint data at |> ignore
        | 1 -> at.Value <- at.Value + 8
        | 2 ->
            let length = int (readVarint data at)

            if int (key >>> 3) = wanted then
                found.Add(struct (at.Value, length))

            at.Value <- at.Value + length
        | 5 -> at.Value <- at.Value + 4
        | other -> failwith $"wire type {other}"

    List.ofSeq found

/// resource_spans (1) > scope_spans (2) > spans (2) > span_id (2), as lowercase hex.
let private spanIds (body: byte array) =
    [
        for struct (r, rl) in fieldsOf body 0 body.Length 1 do
            for struct (s, sl) in fieldsOf body r (r + rl) 2 do
                for struct (p, pl) in fieldsOf body s (s + sl) 2 do
                    for struct (i, il) in fieldsOf body p (p + pl) 2 do
                        Convert.ToHexString(body, i, il).ToLowerInvariant()
    ]

/// An OTLP/HTTP collector on 127.0.0.1:`port` (0: any) keeping the body of every request it receives.
let private startCollector (port: int) =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore

        builder.WebHost.ConfigureKestrel(fun (kestrel: KestrelServerOptions) ->
            kestrel.Listen(IPAddress.Loopback, port))
        |> ignore

        let app = builder.Build()
        let requests = ConcurrentQueue<byte array>()

        app.Run(
            RequestDelegate(fun context ->
                task {
                    use body = new MemoryStream()
                    do! context.Request.Body.CopyToAsync body
                    requests.Enqueue(body.ToArray())
                    context.Response.StatusCode <- 200
                }
                :> Task)
        )

        do! app.StartAsync()

        let address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
            |> Seq.head

        return app, Uri(address).Port, requests
    }

let private stopCollector (app: WebApplication) =
    task {
        use patience = new CancellationTokenSource(TimeSpan.FromSeconds 1.)

        try
            do! app.StopAsync patience.Token
        with _ ->
            ()

        do! (app :> IAsyncDisposable).DisposeAsync()
    }

let private refusedPort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

let private uniqueSource () = "StoreOutage." + Guid.NewGuid().ToString("N")

let private freshDirectory () =
    Path.Combine(Path.GetTempPath(), "ft-store-outage-" + Guid.NewGuid().ToString("N"))

let private checkBooks (stats: RunnerStats) =
    Assert.Equal(stats.Accepted + stats.Recovered, stats.Exported + stats.Failed + stats.Dropped + stats.Stored)

let ``a metrics collection split into many requests: every request is sent`` () =
    task {
        let! collector, port, requests = startCollector 0

        try
            let name = uniqueSource ()

            let sdk =
                Telemetry.create "store-outage"
                |> Telemetry.withEnvironment (Env.ofList [])
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withResourceDetection false
                |> Telemetry.withMetrics (
                    Metrics.addMeter name
                    >> Metrics.addOtlpExporter (fun o ->
                        { o with
                            Endpoint = Some(Uri $"http://127.0.0.1:{port}/v1/metrics")
                            Protocol = OtlpProtocol.HttpProtobuf
                            MaxRequestBytes = 1000L
                        })
                )
                |> Telemetry.start

            use meter = new System.Diagnostics.Metrics.Meter(name)

            for i in 1..40 do
                meter.CreateCounter<int64>($"counter-{i:D2}-x").Add 1L

            let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
            Assert.True flushed
            // 40 counters do not fit in one request of 1,000 bytes: several requests, every one sent.
            Assert.True(requests.Count > 1, $"{requests.Count} requests")

            let bodies =
                requests
                |> Seq.map (fun body -> Text.Encoding.UTF8.GetString body)
                |> String.concat ""

            for i in 1..40 do
                Assert.Contains($"counter-{i:D2}-x", bodies)

            let stats = sdk.MetricPipelines[0].Stats
            Assert.Equal(0L, stats.Stored)
            Assert.Equal(0L, stats.Dropped)
            Assert.Equal(stats.Accepted, stats.Exported)
            let! ok = sdk.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.True ok
        finally
            stopCollector collector |> ignore
    }

let private tracingSdk (source: string) (port: int) (root: string) =
    Telemetry.create "store-outage"
    |> Telemetry.withEnvironment (Env.ofList [])
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withExportStore (ExportStore.disk root)
    |> Telemetry.withTracing (
        Tracing.addSource source
        >> Tracing.addOtlpExporter (fun o ->
            { o with
                Endpoint = Some(Uri $"http://127.0.0.1:{port}/v1/traces")
                Protocol = OtlpProtocol.HttpProtobuf
            })
    )
    |> Telemetry.start

let private burst (source: ActivitySource) (count: int) =
    [
        for _ in 1..count do
            use activity = source.StartActivity "work"
            activity.SpanId.ToHexString()
    ]

let private received (requests: ConcurrentQueue<byte array>) = requests |> Seq.collect spanIds |> List.ofSeq

let ``two exporters with different endpoints share a store directory: each collector receives only its own spans`` () =
    task {
        let root = freshDirectory ()

        try
            let portA = refusedPort ()
            let portB = refusedPort ()
            let nameA = uniqueSource ()
            let nameB = uniqueSource ()
            // Both collectors are down: each SDK keeps its spans in the shared directory and shuts down.
            let sdkA = tracingSdk nameA portA root
            let sdkB = tracingSdk nameB portB root
            use sourceA = new ActivitySource(nameA)
            use sourceB = new ActivitySource(nameB)
            let idsA = burst sourceA 50
            let idsB = burst sourceB 50
            let! okA = sdkA.Shutdown(TimeSpan.FromSeconds 5.)
            let! okB = sdkB.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.True(okA, $"{sdkA.SpanPipelines[0].Stats}")
            Assert.True(okB, $"{sdkB.SpanPipelines[0].Stats}")
            Assert.Equal(50L, sdkA.SpanPipelines[0].Stats.Stored)
            Assert.Equal(50L, sdkB.SpanPipelines[0].Stats.Stored)

            // The collectors are back; the next process for each endpoint opens the same directory.
            let! collectorA, _, requestsA = startCollector portA
            let! collectorB, _, requestsB = startCollector portB

            try
                let nextA = tracingSdk (uniqueSource ()) portA root
                let! flushedA = nextA.ForceFlush(TimeSpan.FromSeconds 10.)
                Assert.True(flushedA, $"{nextA.SpanPipelines[0].Stats}")
                let nextB = tracingSdk (uniqueSource ()) portB root
                let! flushedB = nextB.ForceFlush(TimeSpan.FromSeconds 10.)
                Assert.True(flushedB, $"{nextB.SpanPipelines[0].Stats}")
                Assert.Equal<string list>(List.sort idsA, List.sort (received requestsA))
                Assert.Equal<string list>(List.sort idsB, List.sort (received requestsB))
                Assert.Equal(50L, nextA.SpanPipelines[0].Stats.Recovered)
                Assert.Equal(50L, nextB.SpanPipelines[0].Stats.Recovered)
                let! _ = nextA.Shutdown(TimeSpan.FromSeconds 5.)
                let! _ = nextB.Shutdown(TimeSpan.FromSeconds 5.)
                checkBooks nextA.SpanPipelines[0].Stats
                checkBooks nextB.SpanPipelines[0].Stats
            finally
                stopCollector collectorA |> ignore
                stopCollector collectorB |> ignore
        finally
            if Directory.Exists root then
                Directory.Delete(root, true)
    }

[<Tests>]
let tests =
    testSequenced (
        testList
            "StoreOutageTests"
            [
                testTask "a metrics collection split into many requests: every request is sent" {
                    do! ``a metrics collection split into many requests: every request is sent`` ()
                }
                testTask
                    "two exporters with different endpoints share a store directory: each collector receives only its own spans" {
                    do!
                        ``two exporters with different endpoints share a store directory: each collector receives only its own spans`` ()
                }
            ]
    )
