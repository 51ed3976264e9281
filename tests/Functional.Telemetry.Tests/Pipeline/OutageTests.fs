/// The fault suite of the export store (docs/reliability.md): collectors on 127.0.0.1 that the tests stop, restart
/// and hang, spans at a steady rate, a child process killed mid-outage, and producers racing a full queue and a
/// full store. Each test checks what arrived (every span exactly once, by span id) and the books. The suite runs
/// alone (testSequenced: after the parallel tests, not beside them): its rates and deadlines are the point.
module Functional.Telemetry.Tests.OutageTests

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


// ---- reading span ids out of an ExportTraceServiceRequest ----

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

/// The (offset, length) of each length-delimited field number `wanted` of the message in data[start, finish).
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

// ---- collectors the tests control ----

/// An OTLP/HTTP collector on 127.0.0.1:`port` (0: any) counting each span id it receives; a hanging one accepts
/// requests and never answers.
let private startCollector (port: int) (hang: bool) (received: ConcurrentDictionary<string, int>) =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore

        builder.WebHost.ConfigureKestrel(fun (kestrel: KestrelServerOptions) ->
            kestrel.Limits.MaxRequestBodySize <- Nullable()
            kestrel.Listen(IPAddress.Loopback, port))
        |> ignore

        let app = builder.Build()

        app.Run(
            RequestDelegate(fun context ->
                task {
                    if hang then
                        try
                            do! Task.Delay(Timeout.Infinite, context.RequestAborted)
                        with _ ->
                            ()
                    else
                        use body = new MemoryStream()
                        do! context.Request.Body.CopyToAsync body

                        for id in spanIds (body.ToArray()) do
                            received.AddOrUpdate(id, 1, (fun _ n -> n + 1)) |> ignore

                        context.Response.StatusCode <- 200
                }
                :> Task)
        )

        do! app.StartAsync()

        let address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
            |> Seq.head

        return app, Uri(address).Port
    }

/// Stops a collector: its port refuses connections from then on (a hanging request is abandoned after a second).
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

let private uniqueSource () = "Outage." + Guid.NewGuid().ToString("N")

let private freshDirectory () = Path.Combine(Path.GetTempPath(), "ft-outage-" + Guid.NewGuid().ToString("N"))

let private sdkFor (source: string) (port: int) (store: ExportStore option) =
    Telemetry.create "outage"
    |> Telemetry.withEnvironment (Env.ofList [])
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> (match store with
        | Some store -> Telemetry.withExportStore store
        | None -> id)
    |> Telemetry.withTracing (
        Tracing.addSource source
        >> Tracing.addOtlpExporter (fun o ->
            { o with
                Endpoint = Some(Uri $"http://127.0.0.1:{port}/v1/traces")
                Protocol = OtlpProtocol.HttpProtobuf
            })
    )
    |> Telemetry.start

/// Ends `count` spans at once, returning their ids.
let private burst (source: ActivitySource) (count: int) =
    [
        for _ in 1..count do
            use activity = source.StartActivity "work"
            activity.SpanId.ToHexString()
    ]

/// Ends spans at `perSecond` for `seconds` (20 every 10 ms), adding their ids to `ids`.
let private steady (source: ActivitySource) (perSecond: int) (seconds: float) (ids: ResizeArray<string>) =
    task {
        let clock = Stopwatch.StartNew()
        let total = int (seconds * float perSecond)
        let mutable made = 0

        while made < total do
            ids.AddRange(burst source 20)
            made <- made + 20
            let wait = TimeSpan.FromSeconds(float made / float perSecond) - clock.Elapsed

            if wait > TimeSpan.Zero then
                do! Task.Delay wait
    }

let private assertExactlyOnce (produced: string seq) (received: ConcurrentDictionary<string, int>) =
    let produced = Set.ofSeq produced
    let missing = produced |> Set.filter (fun id -> not (received.ContainsKey id))
    let twice = received |> Seq.filter (fun kv -> kv.Value > 1) |> Seq.length
    let strangers = received.Keys |> Seq.filter (fun id -> not (produced.Contains id)) |> Seq.length
    Assert.True(missing.IsEmpty, $"{missing.Count} of {produced.Count} spans never arrived")
    Assert.True((twice = 0), $"{twice} spans arrived more than once")
    Assert.True((strangers = 0), $"{strangers} spans arrived that were not produced")

let private checkBooks (stats: RunnerStats) =
    Assert.Equal(stats.Accepted + stats.Recovered, stats.Exported + stats.Failed + stats.Dropped + stats.Stored)

let ``a collector down for 3 s at 2,000 spans a second, with default settings: every span arrives exactly once`` () =
    task {
        let received = ConcurrentDictionary<string, int>()
        let! collector, port = startCollector 0 false received
        let name = uniqueSource ()
        let sdk = sdkFor name port None
        use source = new ActivitySource(name)
        let produced = ResizeArray<string>()

        do! steady source 2000 1. produced
        // Down: the port refuses connections.
        do! stopCollector collector
        do! steady source 2000 3. produced
        let! back, _ = startCollector port false received

        try
            do! steady source 2000 1. produced
            // A flush sends what is queued and tries the store at once: true when the store is empty.
            let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 30.)
            Assert.True(flushed, $"flush: {sdk.SpanPipelines[0].Stats}")
            let stats = sdk.SpanPipelines[0].Stats
            Assert.Equal(int64 produced.Count, stats.Accepted)
            Assert.Equal(0L, stats.Rejected)
            Assert.Equal(int64 produced.Count, stats.Exported)
            Assert.Equal(0L, stats.Stored)
            checkBooks stats
            assertExactlyOnce produced received
            let! ok = sdk.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.True ok
        finally
            stopCollector back |> ignore
    }

let private childDll () =
    let testDir = DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))
    let tfm = testDir.Name
    let configuration = testDir.Parent.Name
    let testsDir = testDir.Parent.Parent.Parent.Parent
    let path = Path.Combine(testsDir.FullName, "StoreChild", "bin", configuration, tfm, "StoreChild.dll")
    Assert.True(File.Exists path, $"StoreChild not built at {path}")
    path

let ``a process killed mid-outage: what it stored on disk is sent exactly once by the next process on that directory``
    ()
    =
    task {
        let root = freshDirectory ()

        let dotnet =
            match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
            | null
            | "" -> "dotnet"
            | path -> path

        // The same endpoint for the child and the next process (a directory keeps each endpoint's requests apart).
        let endpointPort = refusedPort ()

        let info =
            ProcessStartInfo(dotnet, [ childDll (); root; $"http://127.0.0.1:{endpointPort}/v1/traces"; "2000" ])

        info.RedirectStandardInput <- true
        info.RedirectStandardOutput <- true
        info.UseShellExecute <- false
        use child = Process.Start info

        try
            let! line = child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds 60.)
            let parts = line.Split ' '
            Assert.Equal("stored", parts[0])
            // Every span went to the store before the child was killed.
            Assert.Equal("2000", parts[1])
            let ids = parts[2].Split ','
            Assert.Equal(2000, ids.Length)
            // Killed mid-outage: no shutdown, no flush.
            child.Kill true
            do! child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds 30.)

            let received = ConcurrentDictionary<string, int>()
            let! collector, port = startCollector endpointPort false received

            try
                let sdk = sdkFor (uniqueSource ()) port (Some(ExportStore.disk root))
                let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 30.)
                Assert.True(flushed, $"flush: {sdk.SpanPipelines[0].Stats}")
                let stats = sdk.SpanPipelines[0].Stats
                Assert.Equal(2000L, stats.Recovered)
                Assert.Equal(2000L, stats.Exported)
                Assert.Equal(0L, stats.UnreadableFiles)
                checkBooks stats
                assertExactlyOnce ids received
                let! ok = sdk.Shutdown(TimeSpan.FromSeconds 5.)
                Assert.True ok
                Assert.Empty(Directory.GetFiles(Path.Combine(root, "traces"), "*.req", SearchOption.AllDirectories))
            finally
                stopCollector collector |> ignore
        finally
            if not child.HasExited then
                child.Kill true

            if Directory.Exists root then
                Directory.Delete(root, true)
    }

let ``a collector that accepts and never answers: shutdown keeps its deadline, and a disk store loses nothing`` () =
    task {
        let root = freshDirectory ()

        try
            let received = ConcurrentDictionary<string, int>()
            let! hanging, hangingPort = startCollector 0 true received
            let name = uniqueSource ()
            let sdk = sdkFor name hangingPort (Some(ExportStore.disk root))
            use source = new ActivitySource(name)
            let ids = burst source 1000

            let clock = Stopwatch.StartNew()
            let! ok = sdk.Shutdown(TimeSpan.FromSeconds 2.)
            clock.Stop()
            Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds 2400., $"Shutdown(2 s) took {clock.Elapsed}")
            let stats = sdk.SpanPipelines[0].Stats
            // Nothing failed or was dropped: everything is on disk, so shutdown succeeded.
            Assert.True(ok, $"{stats}")
            Assert.Equal(1000L, stats.Stored)
            checkBooks stats
            do! stopCollector hanging
            Assert.Empty received

            // The next process on the same directory, with a collector that answers on the same port, sends all of it.
            let! collector, port = startCollector hangingPort false received

            try
                let next = sdkFor (uniqueSource ()) port (Some(ExportStore.disk root))
                let! flushed = next.ForceFlush(TimeSpan.FromSeconds 30.)
                Assert.True flushed
                Assert.Equal(1000L, next.SpanPipelines[0].Stats.Recovered)
                assertExactlyOnce ids received
                let! _ = next.Shutdown(TimeSpan.FromSeconds 5.)
                ()
            finally
                stopCollector collector |> ignore
        finally
            if Directory.Exists root then
                Directory.Delete(root, true)
    }

let ``a memory store drops what it holds at shutdown, counted, and a refused connection does not hold the shutdown``
    ()
    =
    task {
        let name = uniqueSource ()
        let sdk = sdkFor name (refusedPort ()) None
        use source = new ActivitySource(name)
        burst source 100 |> ignore
        let clock = Stopwatch.StartNew()
        let! ok = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        clock.Stop()
        Assert.False ok
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds 1.5, $"took {clock.Elapsed}")
        let stats = sdk.SpanPipelines[0].Stats
        Assert.Equal(100L, stats.Dropped)
        Assert.Equal(0L, stats.Stored)
        checkBooks stats
    }

let ``overload from two threads against a full queue and a full store: every span is counted exactly once`` () =
    task {
        let name = uniqueSource ()
        // A store of 64 KiB, a collector that refuses connections.
        let sdk = sdkFor name (refusedPort ()) (Some(ExportStore.memory (64L * 1024L)))
        use source = new ActivitySource(name)
        let perThread = 20_000
        use start = new Barrier(2)

        let produce () =
            start.SignalAndWait()

            for _ in 1..perThread do
                use activity = source.StartActivity "overload"
                // A request of 512 such spans is far bigger than the store.
                activity.SetTag("padding", String('x', 200)) |> ignore

        let threads = [ for _ in 1..2 -> Thread(produce) ]

        for t in threads do
            t.Start()

        for t in threads do
            t.Join()

        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        let stats = sdk.SpanPipelines[0].Stats
        let produced = int64 (2 * perThread)
        Assert.Equal(produced, stats.Accepted + stats.Rejected)
        checkBooks stats
        Assert.True(stats.DroppedStoreFull > 0L, $"{stats}")
        Assert.True(stats.Dropped >= stats.DroppedStoreFull)
        Assert.Equal(0L, stats.Stored)
        Assert.Equal(0L, stats.Exported)
    }

[<Tests>]
let tests =
    testSequenced (
        testList
            "OutageTests"
            [
                testTask
                    "a collector down for 3 s at 2,000 spans a second, with default settings: every span arrives exactly once" {
                    do!
                        ``a collector down for 3 s at 2,000 spans a second, with default settings: every span arrives exactly once`` ()
                }
                testTask
                    "a process killed mid-outage: what it stored on disk is sent exactly once by the next process on that directory" {
                    do!
                        ``a process killed mid-outage: what it stored on disk is sent exactly once by the next process on that directory`` ()
                }
                testTask
                    "a collector that accepts and never answers: shutdown keeps its deadline, and a disk store loses nothing" {
                    do!
                        ``a collector that accepts and never answers: shutdown keeps its deadline, and a disk store loses nothing`` ()
                }
                testTask
                    "a memory store drops what it holds at shutdown, counted, and a refused connection does not hold the shutdown" {
                    do!
                        ``a memory store drops what it holds at shutdown, counted, and a refused connection does not hold the shutdown`` ()
                }
                testTask
                    "overload from two threads against a full queue and a full store: every span is counted exactly once" {
                    do!
                        ``overload from two threads against a full queue and a full store: every span is counted exactly once`` ()
                }
            ]
    )
