/// Shutdown and flush tell the truth and keep their deadline: the whole SDK returns within its timeout whatever
/// signals are on, answers false when something was not delivered, does not spend its deadline on a collector
/// that refuses connections, and leaves no unobserved task exception behind.
module Functional.Telemetry.Tests.ShutdownTests

open Expecto
open System
open System.Collections.Concurrent
open System.Diagnostics
open System.Net
open System.Net.Sockets
open System.Threading
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private create () =
    Telemetry.create "shutdown"
    |> Telemetry.withEnvironment (Env.ofList [])
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false

/// An exporter whose exports never answer (it ignores its token, as a hung collector's client might).
type private HangingExporter<'T>() =
    let started = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    member _.Started: Task = started.Task

    interface IExporter<'T> with
        member _.Name = "hanging"

        member _.Export(_, _) =
            started.TrySetResult() |> ignore
            TaskCompletionSource<ExportResult>().Task

        member _.Shutdown _ = Task.CompletedTask

/// An exporter that answers every export with a permanent failure.
type private RefusingExporter<'T>() =
    interface IExporter<'T> with
        member _.Name = "refusing"
        member _.Export(_, _) = Task.FromResult(ExportResult.Failure "400 bad request")
        member _.Shutdown _ = Task.CompletedTask

let private uniqueSource () = "Shutdown." + Guid.NewGuid().ToString("N")

/// A port on 127.0.0.1 where nothing listens: connections to it are refused.
let private refusedPort () =
    let listener = new TcpListener(IPAddress.Loopback, 0)
    listener.Start()
    let port = (listener.LocalEndpoint :?> IPEndPoint).Port
    listener.Stop()
    port

let private endSpan (source: ActivitySource) =
    use activity = source.StartActivity "work"
    Assert.NotNull activity

let ``Shutdown keeps its deadline when tracing and logging exporters both hang`` () =
    let name = uniqueSource ()
    let spans = HangingExporter<Span>()
    let logs = HangingExporter<LogRecord>()

    let sdk =
        create ()
        |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addBatchExporter spans)
        |> Telemetry.withLogging (Logging.addBatchExporter logs)
        |> Telemetry.start

    use source = new ActivitySource(name)
    endSpan source
    (sdk.CreateLogger "test").LogWarning "one record"
    Assert.True(sdk.ForceFlush(TimeSpan.FromMilliseconds 1.).Wait(TimeSpan.FromSeconds 10.))
    Assert.True(spans.Started.Wait(TimeSpan.FromSeconds 10.))
    Assert.True(logs.Started.Wait(TimeSpan.FromSeconds 10.))

    let clock = Stopwatch.StartNew()
    let ok = sdk.Shutdown(TimeSpan.FromSeconds 1.).Result
    clock.Stop()
    Assert.False ok
    // Was 2.0 s: logging got a second of its own after the others had used the whole deadline.
    Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds 1400., $"Shutdown(1 s) took {clock.Elapsed}")

let ``Dispose keeps its 5 s deadline when every signal's exporter hangs`` () =
    let name = uniqueSource ()
    let spans = HangingExporter<Span>()
    let logs = HangingExporter<LogRecord>()

    let sdk =
        create ()
        |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addBatchExporter spans)
        |> Telemetry.withLogging (Logging.addBatchExporter logs)
        |> Telemetry.start

    use source = new ActivitySource(name)
    endSpan source
    (sdk.CreateLogger "test").LogWarning "one record"
    sdk.ForceFlush(TimeSpan.FromMilliseconds 1.).Wait() |> ignore
    Assert.True(spans.Started.Wait(TimeSpan.FromSeconds 10.))
    Assert.True(logs.Started.Wait(TimeSpan.FromSeconds 10.))

    let clock = Stopwatch.StartNew()
    (sdk :> IDisposable).Dispose()
    clock.Stop()
    // Was 6.0 s.
    Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds 5400., $"Dispose took {clock.Elapsed}")

let ``Shutdown answers false when an earlier export failed, though nothing was left to drain`` () =
    let name = uniqueSource ()

    let sdk =
        create ()
        |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addBatchExporter (RefusingExporter<Span>()))
        |> Telemetry.start

    use source = new ActivitySource(name)

    for _ in 1..7 do
        endSpan source

    // The flush is truthful too: the seven spans were not delivered.
    Assert.False(sdk.ForceFlush(TimeSpan.FromSeconds 10.).Result)
    let stats = sdk.SpanPipelines[0].Stats
    Assert.Equal(7L, stats.Failed)
    Assert.Equal(0L, stats.Exported)
    // Was true: the queue was empty when shutdown began.
    Assert.False(sdk.Shutdown(TimeSpan.FromSeconds 5.).Result)

let ``Shutdown answers true when everything was exported`` () =
    let name = uniqueSource ()
    let exporter = InMemoryExporter<Span>()

    let sdk =
        create ()
        |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addBatchExporter exporter)
        |> Telemetry.start

    use source = new ActivitySource(name)
    endSpan source
    Assert.True(sdk.ForceFlush(TimeSpan.FromSeconds 10.).Result)
    Assert.True(sdk.Shutdown(TimeSpan.FromSeconds 5.).Result)
    Assert.Equal(1, exporter.Items.Count)

let ``disposing an SDK whose collector refuses connections does not spend the deadline on retries`` () =
    let name = uniqueSource ()
    let port = refusedPort ()

    let sdk =
        create ()
        |> Telemetry.withTracing (
            Tracing.addSource name
            >> Tracing.addOtlpExporter (fun o ->
                { o with
                    Endpoint = Some(Uri $"http://127.0.0.1:{port}/v1/traces")
                    Protocol = OtlpProtocol.HttpProtobuf
                })
        )
        |> Telemetry.start

    use source = new ActivitySource(name)
    endSpan source

    let clock = Stopwatch.StartNew()
    let ok = sdk.Shutdown(TimeSpan.FromSeconds 5.).Result
    clock.Stop()
    Assert.False ok
    // Was 5-7 s: the refused export was retried with backoff until the deadline (the official SDK: 0.17 s).
    Assert.True(clock.Elapsed < TimeSpan.FromSeconds 1.5, $"Shutdown took {clock.Elapsed}")
    let stats = sdk.SpanPipelines[0].Stats
    Assert.Equal(stats.Accepted, stats.Exported + stats.Failed + stats.Dropped)
    Assert.Equal(0L, stats.Exported)

/// Counts unobserved task exceptions that this SDK could have left (TimeoutException, cancellations, or anything
/// thrown from its code) while it is subscribed.
type private UnobservedWatch() =
    let seen = ConcurrentQueue<exn>()

    let handler =
        EventHandler<UnobservedTaskExceptionEventArgs>(fun _ args ->
            let ours =
                args.Exception.InnerExceptions
                |> Seq.exists (fun e ->
                    e :? TimeoutException
                    || e :? OperationCanceledException
                    || (not (isNull e.StackTrace) && e.StackTrace.Contains "Functional.Telemetry"))

            if ours then
                seen.Enqueue args.Exception)

    do TaskScheduler.UnobservedTaskException.AddHandler handler

    member _.Seen = List.ofSeq seen

    interface IDisposable with
        member _.Dispose() = TaskScheduler.UnobservedTaskException.RemoveHandler handler

let private collectGarbage () =
    for _ in 1..3 do
        GC.Collect()
        GC.WaitForPendingFinalizers()

let ``timed-out flushes and shutdowns leave no unobserved task exception`` () =
    use watch = new UnobservedWatch()
    let name = uniqueSource ()
    let spans = HangingExporter<Span>()
    let logs = HangingExporter<LogRecord>()

    let sdk =
        create ()
        |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addBatchExporter spans)
        |> Telemetry.withLogging (Logging.addBatchExporter logs)
        |> Telemetry.withMetrics (
            Metrics.addMeter name
            >> Metrics.addExporterWith
                {
                    Interval = TimeSpan.FromHours 1.
                    Timeout = TimeSpan.FromSeconds 1.
                }
                TemporalityPreference.Cumulative
                (HangingExporter<MetricData>())
        )
        |> Telemetry.start

    use source = new ActivitySource(name)
    use meter = new Diagnostics.Metrics.Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    counter.Add 1L
    endSpan source
    (sdk.CreateLogger "test").LogWarning "one record"

    // Run in a helper so that no task of these calls stays reachable from this frame.
    let timeOut () =
        for _ in 1..5 do
            Assert.False(sdk.ForceFlush(TimeSpan.FromMilliseconds 20.).Result)

        Assert.False(sdk.Shutdown(TimeSpan.FromMilliseconds 300.).Result)

    timeOut ()
    collectGarbage ()
    // Was one TimeoutException per timed-out wait (Deadline.orFalse's WaitAsync).
    Assert.Empty watch.Seen

[<Tests>]
let tests =
    testSequencedGroup
        "ShutdownTests"
        (testList
            "ShutdownTests"
            [
                test "Shutdown keeps its deadline when tracing and logging exporters both hang" {
                    ``Shutdown keeps its deadline when tracing and logging exporters both hang`` ()
                }
                test "Dispose keeps its 5 s deadline when every signal's exporter hangs" {
                    ``Dispose keeps its 5 s deadline when every signal's exporter hangs`` ()
                }
                test "Shutdown answers false when an earlier export failed, though nothing was left to drain" {
                    ``Shutdown answers false when an earlier export failed, though nothing was left to drain`` ()
                }
                test "Shutdown answers true when everything was exported" {
                    ``Shutdown answers true when everything was exported`` ()
                }
                test "disposing an SDK whose collector refuses connections does not spend the deadline on retries" {
                    ``disposing an SDK whose collector refuses connections does not spend the deadline on retries`` ()
                }
                test "timed-out flushes and shutdowns leave no unobserved task exception" {
                    ``timed-out flushes and shutdowns leave no unobserved task exception`` ()
                }
            ])
