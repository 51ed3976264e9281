/// Flush and shutdown from the application's side: a UI thread's SynchronizationContext, slow observable callbacks,
/// logs written while the other signals drain, delta observable instruments across rounds.
module Functional.Telemetry.Tests.LifecycleTests

open Expecto
open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Threading
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private uniqueMeter () = "Lifecycle." + Guid.NewGuid().ToString("N")

let private create () =
    Telemetry.create "lifecycle"
    |> Telemetry.withEnvironment (Env.ofList [])
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false

let private hourly =
    {
        Interval = TimeSpan.FromHours 1.
        Timeout = TimeSpan.FromSeconds 1.
    }

/// A UI thread's context: posted work runs only when the owning thread pumps.
type private PumpContext() =
    inherit SynchronizationContext()
    let queue = new BlockingCollection<SendOrPostCallback * obj>()
    override _.Post(callback, state) = queue.Add((callback, state))
    override _.Send(callback, state) = callback.Invoke state

    member _.Pump(until: unit -> bool) =
        while not (until ()) do
            let mutable item = Unchecked.defaultof<SendOrPostCallback * obj>

            if queue.TryTake(&item, 10) then
                let callback, state = item
                callback.Invoke state

/// Runs `body` on a thread of its own with a UI-like context; true when it finished within `limit`.
let private onUiThread (limit: TimeSpan) (body: PumpContext -> unit) =
    let finished = ref false

    let thread =
        Thread(fun () ->
            let context = PumpContext()
            SynchronizationContext.SetSynchronizationContext context
            body context
            finished.Value <- true)

    thread.IsBackground <- true
    thread.Start()
    thread.Join limit && finished.Value

let ``an SDK started and disposed on a UI thread does not wait for that thread`` () =
    let name = uniqueMeter ()

    let finished =
        onUiThread (TimeSpan.FromSeconds 15.) (fun context ->
            let sdk =
                create ()
                |> Telemetry.withMetrics (
                    Metrics.addMeter name
                    >> Metrics.addExporterWith
                        {
                            Interval = TimeSpan.FromMilliseconds 50.
                            Timeout = TimeSpan.FromSeconds 1.
                        }
                        TemporalityPreference.Cumulative
                        (InMemoryExporter<MetricData>())
                )
                |> Telemetry.withTracing (
                    Tracing.addSource name >> Tracing.addBatchExporter (InMemoryExporter<Span>())
                )
                |> Telemetry.start

            // The UI runs a while (the periodic reader ticks), then the window closes without pumping again.
            let until = Stopwatch.StartNew()
            context.Pump(fun () -> until.ElapsedMilliseconds > 200L)
            (sdk :> IDisposable).Dispose()
            // A blocking flush of another SDK from the same thread.
            let other =
                create ()
                |> Telemetry.withTracing (
                    Tracing.addSource name >> Tracing.addBatchExporter (InMemoryExporter<Span>())
                )
                |> Telemetry.start

            Assert.True(other.ForceFlush(TimeSpan.FromSeconds 5.).Result)
            (other :> IDisposable).Dispose())

    Assert.True(finished, "Dispose or a blocking ForceFlush on a UI thread did not return")

let ``ForceFlush and Shutdown answer false at their timeout while an observable callback is stuck`` () =
    let name = uniqueMeter ()

    let sdk =
        create ()
        |> Telemetry.withMetrics (
            Metrics.addMeter name
            >> Metrics.addExporterWith hourly TemporalityPreference.Delta (InMemoryExporter<MetricData>())
        )
        |> Telemetry.start

    use meter = new Meter(name)
    use release = new ManualResetEventSlim(false)
    let stuck = ref false

    let _gauge =
        meter.CreateObservableGauge<int64>(
            "g",
            fun () ->
                if Volatile.Read &stuck.contents then
                    release.Wait()

                1L
        )

    stuck.Value <- true
    let watch = Stopwatch.StartNew()
    let flush = sdk.ForceFlush(TimeSpan.FromMilliseconds 100.)
    Assert.True(watch.Elapsed < TimeSpan.FromSeconds 2., "ForceFlush held the caller while collecting")
    Assert.False(flush.Result)
    let shutdown = sdk.Shutdown(TimeSpan.FromMilliseconds 100.)
    Assert.False(shutdown.Result)
    Assert.True(watch.Elapsed < TimeSpan.FromSeconds 5., "Shutdown went past its timeout")
    release.Set()

let ``logs written while the other signals shut down still reach the log exporters`` () =
    let name = uniqueMeter ()
    let metricsOut = InMemoryExporter<MetricData>()
    let logsOut = InMemoryExporter<LogRecord>()

    let sdk =
        create ()
        |> Telemetry.withMetrics (
            Metrics.addMeter name
            >> Metrics.addExporterWith hourly TemporalityPreference.Cumulative metricsOut
        )
        |> Telemetry.withLogging (Logging.addBatchExporter logsOut)
        |> Telemetry.start

    let logger = sdk.CreateLogger "callback"
    use meter = new Meter(name)
    let calls = ref 0

    let _gauge =
        meter.CreateObservableGauge<int64>(
            "g",
            fun () ->
                let n = Interlocked.Increment &calls.contents
                logger.LogWarning("observed {Call}", n)
                1L
        )

    Assert.True(sdk.Shutdown(TimeSpan.FromSeconds 5.).Result)
    // The final collection ran the callback (and logged) while metrics shut down.
    Assert.Equal(1, calls.Value)
    Assert.Equal(1, metricsOut.Items.Count)
    Assert.Equal(1, logsOut.Items.Count)

let ``a delta observable counter skipped for a round is measured against its last total when it comes back`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta

    use sdk =
        create ()
        |> Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addReader reader)
        |> Telemetry.start

    use meter = new Meter(name)
    let total = ref 1000L
    let failing = ref false

    let _counter =
        meter.CreateObservableCounter<int64>(
            "observed",
            fun () ->
                if failing.Value then
                    failwith "callback failed"
                else
                    total.Value
        )

    let deltas () =
        (reader.Collect() |> List.ofSeq)
        |> List.collect (fun m ->
            match m.Points with
            | MetricPoints.Sum(_, _, Items points) when m.Name = "observed" -> points |> List.map (fun p -> p.Value)
            | _ -> [])

    let first = deltas ()
    total.Value <- 1010L
    let second = deltas ()
    failing.Value <- true
    total.Value <- 1020L
    let skipped = deltas ()
    failing.Value <- false
    total.Value <- 1030L
    let back = deltas ()
    Assert.Equal<NumberValue list>([ NumberValue.Long 1000L ], first)
    Assert.Equal<NumberValue list>([ NumberValue.Long 10L ], second)
    Assert.Empty skipped
    Assert.Equal<NumberValue list>([ NumberValue.Long 20L ], back)

let private anyMember =
    Reflection.BindingFlags.Instance
    ||| Reflection.BindingFlags.NonPublic
    ||| Reflection.BindingFlags.Public

let private privateField (o: obj) name = o.GetType().GetField(name, anyMember).GetValue o

let ``a delta write that lands in a just-reclaimed series is merged with the new series of its attributes`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta

    use sdk =
        create ()
        |> Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addReader reader)
        |> Telemetry.start

    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64>("hits")
    let tagA = KeyValuePair<string, obj>("k", "a")
    counter.Add(1L, tagA)
    (reader.Collect() |> List.ofSeq) |> ignore
    // A writer gets the series for k=a (what GetOrAdd returns) and is preempted...
    let stream = reader.Streams |> List.find (fun s -> s.Config.Name = "hits")
    let buckets = privateField (privateField stream "table") "buckets" :?> Array

    let held =
        [
            for bucket in buckets do
                for s in (bucket :?> Array) -> s
        ]
        |> List.exactlyOne
    // ...while an idle interval's collection reclaims it.
    (reader.Collect() |> List.ofSeq) |> ignore
    // The writer resumes and records into the series it holds; another thread records k=a into a new series.
    let cell = held.GetType().GetProperty("Cell", anyMember).GetValue held :?> MetricCell
    cell.RecordLong 5L
    counter.Add(3L, tagA)

    let points =
        (reader.Collect() |> List.ofSeq)
        |> List.collect (fun m ->
            match m.Points with
            | MetricPoints.Sum(_, _, Items points) when m.Name = "hits" ->
                points |> List.map (fun p -> (ReadOnlyList.toList p.Attributes), p.Value)
            | _ -> [])

    Assert.Equal<(KeyValue list * NumberValue) list>([ [ KeyValue.string "k" "a" ], NumberValue.Long 8L ], points)

/// An exporter whose exports wait for `release` (after signalling `exporting`).
type private HeldExporter() =
    let exporting = new ManualResetEventSlim(false)
    let release = new ManualResetEventSlim(false)
    let exported = ConcurrentQueue<MetricData>()
    member _.Exporting = exporting
    member _.Release = release
    member _.Exported = List.ofSeq exported

    interface IExporter<MetricData> with
        member _.Name = "held"

        member _.Export(batch, _) =
            Threading.Tasks.Task.Run(fun () ->
                for item in batch.Items do
                    exported.Enqueue item

                exporting.Set()
                release.Wait()
                ExportResult.Success)

        member _.Shutdown _ = Threading.Tasks.Task.CompletedTask

let ``a measurement made while shutdown drains the final collection is counted, not lost silently`` () =
    let name = uniqueMeter ()
    let exporter = HeldExporter()

    let sdk =
        create ()
        |> Telemetry.withMetrics (
            Metrics.addMeter name
            >> Metrics.addExporterWith hourly TemporalityPreference.Delta exporter
        )
        |> Telemetry.start

    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64>("late")
    counter.Add 1L
    let shutdown = sdk.Shutdown(TimeSpan.FromSeconds 10.)
    // The final collection is being exported: the cells will not be read again.
    Assert.True(exporter.Exporting.Wait(TimeSpan.FromSeconds 10.))
    counter.Add 5L
    Assert.Equal(1L, sdk.MetricDrops.AfterShutdown)
    exporter.Release.Set()
    Assert.True(shutdown.Result)

    let total =
        exporter.Exported
        |> List.collect (fun m ->
            match m.Points with
            | MetricPoints.Sum(_, _, Items points) -> points |> List.map (fun p -> p.Value)
            | _ -> [])

    Assert.Equal<NumberValue list>([ NumberValue.Long 1L ], total)

let ``creating an instrument does not wait for an observable callback that is stuck in a collection`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Cumulative

    use sdk =
        create ()
        |> Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addReader reader)
        |> Telemetry.start

    use meter = new Meter(name)
    use inCallback = new ManualResetEventSlim(false)
    use release = new ManualResetEventSlim(false)

    let _gauge =
        meter.CreateObservableGauge<int64>(
            "stuck",
            fun () ->
                inCallback.Set()
                release.Wait()
                1L
        )

    let collection = Threading.Tasks.Task.Run(fun () -> (reader.Collect() |> List.ofSeq))
    Assert.True(inCallback.Wait(TimeSpan.FromSeconds 10.))
    // The application creates an instrument and records while the callback is stuck.
    let created =
        Threading.Tasks.Task.Run(fun () ->
            let counter = meter.CreateCounter<int64>("created.meanwhile")
            counter.Add 2L)

    Assert.True(created.Wait(TimeSpan.FromSeconds 5.), "creating an instrument waited for the stuck callback")
    release.Set()
    Assert.True(collection.Wait(TimeSpan.FromSeconds 10.))
    let names = (reader.Collect() |> List.ofSeq) |> List.map (fun m -> m.Name)
    Assert.Contains("created.meanwhile", names)

let ``a delta write delayed across a whole collection after its series was reclaimed is still collected`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta

    use sdk =
        create ()
        |> Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addReader reader)
        |> Telemetry.start

    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64>("slow.writer")
    counter.Add(1L, KeyValuePair<string, obj>("k", "a"))
    (reader.Collect() |> List.ofSeq) |> ignore
    let stream = reader.Streams |> List.find (fun s -> s.Config.Name = "slow.writer")
    let buckets = privateField (privateField stream "table") "buckets" :?> Array

    let held =
        [
            for bucket in buckets do
                for s in (bucket :?> Array) -> s
        ]
        |> List.exactlyOne
    // Reclaimed at this idle collection, then a whole collection passes before the writer resumes.
    (reader.Collect() |> List.ofSeq) |> ignore
    (reader.Collect() |> List.ofSeq) |> ignore
    let cell = held.GetType().GetProperty("Cell", anyMember).GetValue held :?> MetricCell
    cell.RecordLong 4L

    let values =
        (reader.Collect() |> List.ofSeq)
        |> List.collect (fun m ->
            match m.Points with
            | MetricPoints.Sum(_, _, Items points) when m.Name = "slow.writer" -> points |> List.map (fun p -> p.Value)
            | _ -> [])

    Assert.Equal<NumberValue list>([ NumberValue.Long 4L ], values)

[<Tests>]
let tests =
    testList
        "LifecycleTests"
        [
            test "an SDK started and disposed on a UI thread does not wait for that thread" {
                ``an SDK started and disposed on a UI thread does not wait for that thread`` ()
            }
            test "ForceFlush and Shutdown answer false at their timeout while an observable callback is stuck" {
                ``ForceFlush and Shutdown answer false at their timeout while an observable callback is stuck`` ()
            }
            test "logs written while the other signals shut down still reach the log exporters" {
                ``logs written while the other signals shut down still reach the log exporters`` ()
            }
            test "a delta observable counter skipped for a round is measured against its last total when it comes back" {
                ``a delta observable counter skipped for a round is measured against its last total when it comes back`` ()
            }
            test "a delta write that lands in a just-reclaimed series is merged with the new series of its attributes" {
                ``a delta write that lands in a just-reclaimed series is merged with the new series of its attributes`` ()
            }
            test "a measurement made while shutdown drains the final collection is counted, not lost silently" {
                ``a measurement made while shutdown drains the final collection is counted, not lost silently`` ()
            }
            test "creating an instrument does not wait for an observable callback that is stuck in a collection" {
                ``creating an instrument does not wait for an observable callback that is stuck in a collection`` ()
            }
            test "a delta write delayed across a whole collection after its series was reclaimed is still collected" {
                ``a delta write delayed across a whole collection after its series was reclaimed is still collected`` ()
            }
        ]
