/// Bound handles written from several threads at once while a delta reader collects (per-thread cells, see
/// ThreadCells.fs): the delta intervals add up to the measurements (counter totals, histogram counts, buckets,
/// sums), each interval's count, buckets, min and max agree, the extremes of the intervals are those of the
/// measurements, and a cumulative reader's final histogram equals the pure fold of all of them.
module Functional.Telemetry.PropertyTests.BoundThreadCellsProperties

open Expecto
open System
open System.Diagnostics.Metrics
open System.Threading
open Xunit
open FsCheck
open FsCheck.FSharp
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.PropertyTests.Arbs

/// Per thread (2-4 of them), up to 300 measurements: a counter increment and a histogram value each.
let private perThreadMeasurements: Gen<(int64 * float) list list> =
    gen {
        let! threads = Gen.choose (2, 4)

        return!
            Gen.listOfLength
                threads
                (Gen.listOf (Gen.zip counterLongValue (histogramValue HistogramState.defaultBounds))
                 |> Gen.map (List.truncate 300))
    }

let private histogramOf (metrics: MetricData list) =
    metrics
    |> List.tryFind (fun m -> m.Name = "h")
    |> Option.bind (fun m ->
        match m.Points with
        | MetricPoints.Histogram(_, points) -> Seq.tryExactlyOne points
        | _ -> None)

let private counterOf (metrics: MetricData list) =
    metrics
    |> List.tryFind (fun m -> m.Name = "c")
    |> Option.map (fun m ->
        match m.Points with
        | MetricPoints.Sum(_, _, points) ->
            points
            |> Seq.sumBy (fun p ->
                match p.Value with
                | NumberValue.Long v -> v
                | NumberValue.Double v -> int64 v)
        | _ -> 0L)
    |> Option.defaultValue 0L

let private check (measurements: (int64 * float) list list) =
    let name = "BoundThreadCells." + Guid.NewGuid().ToString("N")
    let delta = MetricPullReader TemporalityPreference.Delta
    let cumulative = MetricPullReader()

    use sdk =
        Telemetry.create "bound-thread-cells-properties"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withResourceDetection false
        |> Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addReader delta >> Metrics.addReader cumulative)
        |> Telemetry.start

    use meter = new Meter(name)
    use counter = (meter.CreateCounter<int64> "c").Bind []
    use histogram = (meter.CreateHistogram<float> "h").Bind []
    let running = ref measurements.Length
    use go = new ManualResetEventSlim(false)

    let threads =
        measurements
        |> List.map (fun own ->
            Thread(fun () ->
                go.Wait()

                for increment, value in own do
                    counter.Add increment
                    histogram.Record value

                Interlocked.Decrement(&running.contents) |> ignore))

    threads |> List.iter _.Start()
    let intervals = ResizeArray<HistogramPoint>()
    let mutable counted = 0L

    let collect () =
        let metrics = List.ofSeq (delta.Collect())
        histogramOf metrics |> Option.iter intervals.Add
        counted <- counted + counterOf metrics

    go.Set()

    while Volatile.Read(&running.contents) > 0 do
        collect ()

    threads |> List.iter _.Join()
    collect ()
    let all = List.concat measurements
    let values = all |> List.map snd

    let expected =
        values
        |> List.fold HistogramState.record (HistogramState.empty HistogramState.defaultBounds)

    Assert.Equal(all |> List.sumBy fst, counted)
    Assert.Equal(expected.Count, intervals |> Seq.sumBy _.Count)
    Assert.Equal(expected.Sum, intervals |> Seq.sumBy _.Sum)

    let buckets =
        intervals
        |> Seq.map (fun p -> ReadOnlyList.toList p.BucketCounts)
        |> Seq.fold (List.map2 (+)) (List.replicate (HistogramState.defaultBounds.Length + 1) 0L)

    Assert.Equal<int64 list>(ReadOnlyList.toList expected.Counts, buckets)

    for p in intervals do
        let counts = ReadOnlyList.toList p.BucketCounts
        Assert.Equal(p.Count, List.sum counts)
        Assert.True(p.Min.Value <= p.Max.Value)
        Assert.Contains(p.Min.Value, values)
        Assert.Contains(p.Max.Value, values)

        Assert.Equal(
            counts |> List.findIndex (fun c -> c > 0L),
            HistogramState.bucketIndex HistogramState.defaultBounds p.Min.Value
        )

        Assert.Equal(
            counts |> List.findIndexBack (fun c -> c > 0L),
            HistogramState.bucketIndex HistogramState.defaultBounds p.Max.Value
        )

    if not values.IsEmpty then
        Assert.Equal(List.min values, intervals |> Seq.map _.Min.Value |> Seq.min)
        Assert.Equal(List.max values, intervals |> Seq.map _.Max.Value |> Seq.max)

    // The cumulative reader, collected once at the end, holds exactly the pure fold.
    let final = List.ofSeq (cumulative.Collect())
    Assert.Equal(all |> List.sumBy fst, counterOf final)

    match histogramOf final with
    | Some p ->
        Assert.Equal(expected.Count, p.Count)
        Assert.Equal(expected.Sum, p.Sum)
        Assert.Equal<int64 list>(ReadOnlyList.toList expected.Counts, ReadOnlyList.toList p.BucketCounts)
        Assert.Equal(expected.Min, Option.ofNullable p.Min)
        Assert.Equal(expected.Max, Option.ofNullable p.Max)
    | None -> Assert.True(values.IsEmpty)

let ``Bound: several threads on one handle, collected as delta while they write, add up to the measurements`` () =
    Prop.forAll (Arb.fromGen perThreadMeasurements) check

[<Tests>]
let tests =
    testList
        "BoundThreadCellsProperties"
        [
            testPropertyWithConfig
                (Check.configWith 60)
                "Bound: several threads on one handle, collected as delta while they write, add up to the measurements"
                (``Bound: several threads on one handle, collected as delta while they write, add up to the measurements`` ()
                : FsCheck.Property)
        ]
