/// Bound handles write per-thread cells (ThreadCells.fs): several threads on one handle while a delta reader
/// collects, threads that ended before a collection, slots reused by later threads, and a handle disposed while
/// threads write.
module Functional.Telemetry.Tests.BoundThreadCellsTests

open Expecto
open System
open System.Diagnostics.Metrics
open System.Threading
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// A unique meter name per test: listeners and bindings are process-wide.
let private uniqueMeter () = "BoundThreadCellsTests." + Guid.NewGuid().ToString("N")

let private start (meter: string) (readers: MetricPullReader list) =
    let addReaders config = readers |> List.fold (fun c reader -> Metrics.addReader reader c) config

    Telemetry.create "bound-thread-cells-tests"
    |> Telemetry.withEnvironment (Env.ofList [])
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withMetrics (Metrics.addMeter meter >> addReaders)
    |> Telemetry.start

/// One collection's point of a metric: a sum's value, or a histogram's (count, sum, bucket counts, min, max).
type private Collected =
    {
        Sum: float
        Histogram: (int64 * float * int64 list * float option * float option) option
    }

let private asFloat value =
    match value with
    | NumberValue.Long v -> float v
    | NumberValue.Double v -> v

/// One metric of a collection, summarised.
let private pick (metrics: MetricData list) name =
    metrics
    |> List.tryFind (fun m -> m.Name = name)
    |> Option.map (fun m ->
        match m.Points with
        | MetricPoints.Sum(_, _, points) ->
            {
                Sum = points |> Seq.sumBy (fun p -> asFloat p.Value)
                Histogram = None
            }
        | MetricPoints.Histogram(_, points) ->
            let p = Seq.exactlyOne points

            {
                Sum = p.Sum
                Histogram =
                    Some(
                        p.Count,
                        p.Sum,
                        ReadOnlyList.toList p.BucketCounts,
                        Option.ofNullable p.Min,
                        Option.ofNullable p.Max
                    )
            }
        | other -> failwithf "unexpected %A" other)

let private collectOne (reader: MetricPullReader) name = pick (List.ofSeq (reader.Collect())) name

let private streamOf (reader: MetricPullReader) name = reader.Streams |> List.find (fun s -> s.Config.Name = name)

/// Starts `count` threads running `body index`, released together; returns a function that joins them.
let private runThreads (count: int) (body: int -> unit) =
    use ready = new CountdownEvent(count)
    let go = new ManualResetEventSlim(false)

    let threads =
        [
            for index in 0 .. count - 1 ->
                Thread(fun () ->
                    ready.Signal() |> ignore
                    go.Wait()
                    body index)
        ]

    threads |> List.iter _.Start()
    ready.Wait()
    go.Set()

    fun () ->
        threads |> List.iter _.Join()
        go.Dispose()

let ``several threads on one bound counter and histogram, collected as delta while they write, lose nothing`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ reader ]
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    let histogram = meter.CreateHistogram<float> "h"
    use boundCounter = counter.Bind []
    use boundHistogram = histogram.Bind []
    let threads = 4
    let perThread = 50_000
    // Thread t records t*0.25 + (i mod 40) * 10: values on bucket bounds and between them, sums exact.
    let value t i = float t * 0.25 + float (i % 40) * 10.0
    let running = ref threads
    let collections = ref 0

    let join =
        runThreads threads (fun t ->
            for i in 0 .. perThread - 1 do
                // Halfway, each writer waits for collections to have happened while it wrote.
                if i = perThread / 2 then
                    SpinWait.SpinUntil(fun () -> Volatile.Read(&collections.contents) >= 3)

                boundCounter.Add(int64 (i % 3))
                boundHistogram.Record(value t i)

            Interlocked.Decrement(&running.contents) |> ignore)

    let counterIntervals = ResizeArray<Collected>()
    let histogramIntervals = ResizeArray<Collected>()

    let collectBoth () =
        // One collection of the reader covers both instruments.
        let metrics = reader.Collect() |> List.ofSeq
        pick metrics "c" |> Option.iter counterIntervals.Add
        pick metrics "h" |> Option.iter histogramIntervals.Add
        Interlocked.Increment(&collections.contents) |> ignore

    while Volatile.Read(&running.contents) > 0 do
        collectBoth ()

    join ()
    collectBoth ()
    collectBoth ()

    let all =
        [
            for t in 0 .. threads - 1 do
                for i in 0 .. perThread - 1 -> value t i
        ]

    // Counter: every increment in exactly one interval.
    let expectedCount = float threads * float ([ 0 .. perThread - 1 ] |> List.sumBy (fun i -> i % 3))
    Assert.Equal(expectedCount, counterIntervals |> Seq.sumBy _.Sum)

    let intervals = histogramIntervals |> Seq.choose _.Histogram |> List.ofSeq
    Assert.True(intervals.Length >= 2, $"{intervals.Length} intervals")
    // Count, sum and every bucket: the intervals add up to the measurements.
    Assert.Equal(int64 all.Length, intervals |> List.sumBy (fun (count, _, _, _, _) -> count))
    Assert.Equal(List.sum all, intervals |> List.sumBy (fun (_, sum, _, _, _) -> sum))
    let bounds = Array.ofList HistogramState.defaultBounds

    let expectedBuckets =
        all
        |> List.countBy (HistogramState.bucketIndex HistogramState.defaultBounds)
        |> Map.ofList
        |> fun counts ->
            [
                for b in 0 .. bounds.Length -> counts |> Map.tryFind b |> Option.defaultValue 0 |> int64
            ]

    let actualBuckets =
        intervals
        |> List.map (fun (_, _, buckets, _, _) -> buckets)
        |> List.reduce (List.map2 (+))

    Assert.Equal<int64 list>(expectedBuckets, actualBuckets)

    let recorded = Collections.Generic.HashSet<float> all

    // Each interval: its count is its buckets', its min and max are recorded values that bound the buckets holding
    // its measurements (the lowest and highest non-empty buckets contain them).
    for count, _, buckets, min, max in intervals do
        Assert.Equal(count, List.sum buckets)
        let min, max = min.Value, max.Value
        Assert.True(min <= max)
        Assert.Contains(min, recorded)
        Assert.Contains(max, recorded)
        let lowest = buckets |> List.findIndex (fun c -> c > 0L)
        let highest = buckets |> List.findIndexBack (fun c -> c > 0L)
        Assert.Equal(lowest, HistogramState.bucketIndex HistogramState.defaultBounds min)
        Assert.Equal(highest, HistogramState.bucketIndex HistogramState.defaultBounds max)

    Assert.Equal(List.min all, intervals |> List.map (fun (_, _, _, min, _) -> min.Value) |> List.min)
    Assert.Equal(List.max all, intervals |> List.map (fun (_, _, _, _, max) -> max.Value) |> List.max)
    Assert.Equal(0L, sdk.MetricDrops.AfterUnbind)

let ``one writer's intervals are exact: consecutive ranges with their own min, max, count and sum`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ reader ]
    use meter = new Meter(name)
    use bound = (meter.CreateHistogram<float> "h").Bind []
    let total = 200_000
    let finished = ref 0
    let collections = ref 0

    // The values grow by one each time: an interval holds the values a..b, so its min is a, its max b, its count
    // b - a + 1 and its sum the series' (exact: integers below 2^53).
    let join =
        runThreads 1 (fun _ ->
            for i in 1..total do
                if i = total / 2 then
                    SpinWait.SpinUntil(fun () -> Volatile.Read(&collections.contents) >= 3)

                bound.Record(float i)

            Volatile.Write(&finished.contents, 1))

    let intervals = ResizeArray<int64 * float * float * float>()

    let take () =
        match collectOne reader "h" with
        | Some { Histogram = Some(count, sum, _, min, max) } -> intervals.Add(count, sum, min.Value, max.Value)
        | _ -> ()

        Interlocked.Increment(&collections.contents) |> ignore

    while Volatile.Read(&finished.contents) = 0 do
        take ()

    join ()
    take ()
    let mutable next = 1.0

    for count, sum, min, max in intervals do
        Assert.Equal(next, min)
        Assert.Equal(float count, max - min + 1.0)
        Assert.Equal((min + max) * float count / 2.0, sum)
        next <- max + 1.0

    Assert.Equal(float total + 1.0, next)
    Assert.True(intervals.Count >= 2, $"{intervals.Count} intervals")

let ``measurements of a thread that ended are collected, and its slot's cells serve the next threads`` () =
    let name = uniqueMeter ()
    let cumulative = MetricPullReader()
    let delta = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ cumulative; delta ]
    use meter = new Meter(name)
    use counter = (meter.CreateCounter<float> "c").Bind []
    use histogram = (meter.CreateHistogram<int64> "h").Bind []
    let rounds = 12

    for round in 1..rounds do
        let thread =
            Thread(fun () ->
                counter.Add 1.5
                histogram.Record(int64 round))

        thread.Start()
        thread.Join()

        // The thread is gone: what it recorded is there.
        let metrics = List.ofSeq (delta.Collect())

        match pick metrics "h" with
        | Some { Histogram = Some(count, sum, _, min, max) } ->
            Assert.Equal(1L, count)
            Assert.Equal(float round, sum)
            Assert.Equal(Some(float round), min)
            Assert.Equal(Some(float round), max)
        | other -> failwithf "round %d: %A" round other

        Assert.Equal(Some 1.5, pick metrics "c" |> Option.map _.Sum)
        // Its slot returns once its thread-static lease is collected.
        GC.Collect()
        GC.WaitForPendingFinalizers()

    let metrics = List.ofSeq (cumulative.Collect())
    Assert.Equal(Some(1.5 * float rounds), pick metrics "c" |> Option.map _.Sum)

    match pick metrics "h" with
    | Some { Histogram = Some(count, sum, _, _, _) } ->
        Assert.Equal(int64 rounds, count)
        Assert.Equal(float (rounds * (rounds + 1) / 2), sum)
    | other -> failwithf "%A" other

    // Dead threads' slots were taken again: fewer cells than threads.
    let cells = (streamOf delta "h").ThreadCellCount
    Assert.True(cells < rounds, $"{cells} cells")

let ``a handle disposed while threads write: every measurement is recorded or counted as dropped`` () =
    let name = uniqueMeter ()
    let cumulative = MetricPullReader()
    let delta = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ cumulative; delta ]
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    let histogram = meter.CreateHistogram<float> "h"
    let boundCounter = counter.Bind []
    let boundHistogram = histogram.Bind []
    let threads = 3
    let perThread = 100_000
    let started = new CountdownEvent(threads)

    let join =
        runThreads threads (fun _ ->
            for i in 0 .. perThread - 1 do
                if i = 1000 then
                    started.Signal() |> ignore

                boundCounter.Add 1L
                boundHistogram.Record 2.0)

    // Disposed while every thread is writing; a delta collection in between.
    started.Wait()
    let deltaCounter = ResizeArray<float>()
    let deltaHistogram = ResizeArray<int64>()

    let collectDelta () =
        for m in delta.Collect() do
            match m.Name, m.Points with
            | "c", MetricPoints.Sum(_, _, points) -> points |> Seq.iter (fun p -> deltaCounter.Add(asFloat p.Value))
            | "h", MetricPoints.Histogram(_, points) -> points |> Seq.iter (fun p -> deltaHistogram.Add p.Count)
            | _ -> ()

    collectDelta ()
    boundCounter.Dispose()
    collectDelta ()
    boundHistogram.Dispose()
    join ()
    // Three more collections: the series' last values, then the two rounds a removed series is drained for.
    collectDelta ()
    collectDelta ()
    collectDelta ()
    // A measurement after Dispose is counted once per stream it would have gone to (two readers).
    let dropped = sdk.MetricDrops.AfterUnbind
    Assert.Equal(0L, dropped % 2L)
    let total = int64 (threads * perThread)
    let recordedCounter = int64 (Seq.sum deltaCounter)
    let recordedHistogram = Seq.sum deltaHistogram
    Assert.Equal(2L * total, recordedCounter + recordedHistogram + dropped / 2L)
    Assert.True(dropped > 0L, "some measurements came after Dispose")
    // The cumulative reader recorded the same measurements.
    let metrics = List.ofSeq (cumulative.Collect())
    Assert.Equal(Some(float recordedCounter), pick metrics "c" |> Option.map _.Sum)

    Assert.Equal(
        Some recordedHistogram,
        pick metrics "h"
        |> Option.bind _.Histogram
        |> Option.map (fun (count, _, _, _, _) -> count)
    )

[<Tests>]
let tests =
    testSequencedGroup
        "BoundThreadCellsTests"
        (testList
            "BoundThreadCellsTests"
            [
                test
                    "several threads on one bound counter and histogram, collected as delta while they write, lose nothing" {
                    ``several threads on one bound counter and histogram, collected as delta while they write, lose nothing`` ()
                }
                test "one writer's intervals are exact: consecutive ranges with their own min, max, count and sum" {
                    ``one writer's intervals are exact: consecutive ranges with their own min, max, count and sum`` ()
                }
                test "measurements of a thread that ended are collected, and its slot's cells serve the next threads" {
                    ``measurements of a thread that ended are collected, and its slot's cells serve the next threads`` ()
                }
                test "a handle disposed while threads write: every measurement is recorded or counted as dropped" {
                    ``a handle disposed while threads write: every measurement is recorded or counted as dropped`` ()
                }
            ])
