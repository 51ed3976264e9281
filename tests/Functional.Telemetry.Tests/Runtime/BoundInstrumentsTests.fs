module Functional.Telemetry.Tests.BoundInstrumentsTests

open Expecto
open System
open System.Collections.Generic
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Runtime.CompilerServices
open System.Threading
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// A unique meter name per test: listeners and bindings are process-wide and tests run in parallel.
let private uniqueMeter () = "BoundInstrumentsTests." + Guid.NewGuid().ToString("N")

/// An SDK over `meter` with these pull readers, after `configure` (views, limits, exemplars).
let private start (meter: string) (readers: MetricPullReader list) (configure: MetricsConfig -> MetricsConfig) =
    let addReaders config = readers |> List.fold (fun c reader -> Metrics.addReader reader c) config

    Telemetry.create "bound-instruments-tests"
    |> Telemetry.withEnvironment (Env.ofList [])
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withMetrics (Metrics.addMeter meter >> configure >> addReaders)
    |> Telemetry.start

let private tag (key: string) (value: obj) = KeyValuePair<string, obj>(key, value)

let private collect (reader: MetricPullReader) name = reader.Collect() |> Seq.tryFind (fun m -> m.Name = name)

/// A sum's points as (attributes, value) pairs, sorted by attributes.
let private sums (metric: MetricData option) =
    match metric with
    | None -> []
    | Some m ->
        match m.Points with
        | MetricPoints.Sum(_, _, points) ->
            points
            |> Seq.map (fun p ->
                ReadOnlyList.toList p.Attributes,
                match p.Value with
                | NumberValue.Long v -> float v
                | NumberValue.Double v -> v)
            |> List.ofSeq
            |> List.sortBy (fun (a, _) -> string a)
        | other -> failwithf "not a sum: %A" other

/// A histogram's points as (attributes, count, sum).
let private histograms (metric: MetricData option) =
    match metric with
    | None -> []
    | Some m ->
        match m.Points with
        | MetricPoints.Histogram(_, points) ->
            points
            |> Seq.map (fun p -> ReadOnlyList.toList p.Attributes, p.Count, p.Sum)
            |> List.ofSeq
        | other -> failwithf "not a histogram: %A" other

let private streamOf (reader: MetricPullReader) name = reader.Streams |> List.find (fun s -> s.Config.Name = name)

let private method value = [ KeyValue.string "method" value ]

let ``a bound counter records into the series its tags name, shared with unbound measurements`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()
    use sdk = start name [ reader ] id
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "requests"
    use bound = counter.Bind [ KeyValue.string "method" "GET"; KeyValue.int "status" 200L ]
    bound.Add 2L
    bound.Add 3L
    counter.Add(10L, tag "status" 200L, tag "method" "GET")

    Assert.Equal<(KeyValue list * float) list>(
        [ [ KeyValue.string "method" "GET"; KeyValue.int "status" 200L ], 15.0 ],
        sums (collect reader "requests")
    )

    Assert.Equal(1, (streamOf reader "requests").SeriesCount)

let ``a delta reader never reclaims a bound series, and reports it only when it was recorded`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ reader ] id
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "hits"
    use bound = counter.Bind(method "GET")
    counter.Add(1L, tag "method" "POST")
    bound.Add 4L
    Assert.Equal<(KeyValue list * float) list>([ method "GET", 4.0; method "POST", 1.0 ], sums (collect reader "hits"))

    // Idle for whole intervals: nothing to report, but the bound series stays (POST is reclaimed).
    Assert.Empty(sums (collect reader "hits"))
    Assert.Empty(sums (collect reader "hits"))
    Assert.Equal(1, (streamOf reader "hits").SeriesCount)

    bound.Add 6L
    Assert.Equal<(KeyValue list * float) list>([ method "GET", 6.0 ], sums (collect reader "hits"))
    Assert.Equal(1, (streamOf reader "hits").SeriesCount)

let ``after unbinding, an idle series is reclaimed by the delta reader`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ reader ] id
    use meter = new Meter(name)
    let histogram = meter.CreateHistogram<float> "latency"
    let bound = histogram.Bind(method "GET")
    bound.Record 5.0
    Assert.Equal<(KeyValue list * int64 * float) list>([ method "GET", 1L, 5.0 ], histograms (collect reader "latency"))
    Assert.Equal(1, (streamOf reader "latency").SeriesCount)
    bound.Dispose()
    // Unbound, but not reclaimed before a collection finds it idle.
    Assert.Equal(1, (streamOf reader "latency").SeriesCount)
    Assert.Empty(histograms (collect reader "latency"))
    Assert.Equal(0, (streamOf reader "latency").SeriesCount)
    Assert.Equal(0, BoundInstruments.liveBindings histogram)

let ``a series recorded in its last interval is reported once more after unbinding, then reclaimed`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ reader ] id
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "hits"
    let bound = counter.Bind(method "GET")
    bound.Add 3L
    bound.Dispose()
    Assert.Equal<(KeyValue list * float) list>([ method "GET", 3.0 ], sums (collect reader "hits"))
    Assert.Empty(sums (collect reader "hits"))
    Assert.Equal(0, (streamOf reader "hits").SeriesCount)

let ``a bound series counts toward the cardinality limit`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()
    // Three attribute sets, the overflow series included: two real series.
    use sdk = start name [ reader ] (Metrics.withCardinalityLimit 3)
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    use bound = counter.Bind [ KeyValue.int "id" 1L ]
    bound.Add 1L
    counter.Add(1L, tag "id" 2L)
    counter.Add(1L, tag "id" 3L)
    counter.Add(1L, tag "id" 4L)

    Assert.Equal<(KeyValue list * float) list>(
        [
            [ KeyValue.int "id" 1L ], 1.0
            [ KeyValue.int "id" 2L ], 1.0
            [ KeyValue.bool "otel.metric.overflow" true ], 2.0
        ]
        |> List.sortBy (fun (a, _) -> string a),
        sums (collect reader "c")
    )

let ``binding past the cardinality limit records into the overflow series, as unbound would`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()
    use sdk = start name [ reader ] (Metrics.withCardinalityLimit 2)
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    counter.Add(1L, tag "id" 1L)
    use bound = counter.Bind [ KeyValue.int "id" 2L ]
    bound.Add 5L
    counter.Add(7L, tag "id" 3L)

    Assert.Equal<(KeyValue list * float) list>(
        [
            [ KeyValue.int "id" 1L ], 1.0
            [ KeyValue.bool "otel.metric.overflow" true ], 12.0
        ]
        |> List.sortBy (fun (a, _) -> string a),
        sums (collect reader "c")
    )

let ``once an overflowing delta stream reclaims idle series, a new binding gets a series of its own`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ reader ] (Metrics.withCardinalityLimit 2)
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    counter.Add(1L, tag "id" 1L)
    collect reader "c" |> ignore
    // Still full: id=1 has not been idle for a whole interval yet.
    use early = counter.Bind [ KeyValue.int "id" 2L ]
    early.Add 1L

    Assert.Equal<(KeyValue list * float) list>(
        [ [ KeyValue.bool "otel.metric.overflow" true ], 1.0 ],
        sums (collect reader "c")
    )

    // id=1 was idle for that interval and is gone: a binding made now has its own series.
    use late = counter.Bind [ KeyValue.int "id" 3L ]
    late.Add 2L
    Assert.Equal<(KeyValue list * float) list>([ [ KeyValue.int "id" 3L ], 2.0 ], sums (collect reader "c"))

let ``after disposal, measurements are dropped and counted, never thrown`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()
    use sdk = start name [ reader ] id
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    let histogram = meter.CreateHistogram<float> "h"
    let boundCounter = counter.Bind(method "GET")
    let boundHistogram = histogram.Bind(method "GET")
    boundCounter.Add 1L
    boundHistogram.Record 1.0
    boundCounter.Dispose()
    boundHistogram.Dispose()
    // A second Dispose (and IDisposable's) does nothing.
    boundCounter.Dispose()
    (boundHistogram :> IDisposable).Dispose()
    boundCounter.Add 5L
    boundCounter.Add -5L
    boundHistogram.Record 2.0
    boundHistogram.Record nan

    Assert.Equal<(KeyValue list * float) list>([ method "GET", 1.0 ], sums (collect reader "c"))
    Assert.Equal<(KeyValue list * int64 * float) list>([ method "GET", 1L, 1.0 ], histograms (collect reader "h"))
    Assert.Equal(4L, sdk.MetricDrops.AfterUnbind)
    Assert.Equal(0L, sdk.MetricDrops.NegativeIncrements)
    Assert.Equal(0L, sdk.MetricDrops.NotFinite)

let ``bound measurements are checked as unbound ones are`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()
    use sdk = start name [ reader ] id
    use meter = new Meter(name)
    use counter = (meter.CreateCounter<float> "c").Bind []
    use upDown = (meter.CreateUpDownCounter<int64> "u").Bind []
    use histogram = (meter.CreateHistogram<float> "h").Bind []
    counter.Add -1.0
    counter.Add nan
    counter.Add 2.5
    upDown.Add -3L
    histogram.Record infinity
    histogram.Record -4.0

    Assert.Equal<(KeyValue list * float) list>([ [], 2.5 ], sums (collect reader "c"))
    Assert.Equal<(KeyValue list * float) list>([ [], -3.0 ], sums (collect reader "u"))
    Assert.Equal<(KeyValue list * int64 * float) list>([ [], 1L, -4.0 ], histograms (collect reader "h"))
    Assert.Equal(1L, sdk.MetricDrops.NegativeIncrements)
    Assert.Equal(2L, sdk.MetricDrops.NotFinite)

let ``every numeric type converts as the MeterListener callbacks do`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()
    use sdk = start name [ reader ] id
    use meter = new Meter(name)
    use b = (meter.CreateCounter<byte> "b").Bind []
    use s = (meter.CreateCounter<int16> "s").Bind []
    use i = (meter.CreateCounter<int> "i").Bind []
    use f = (meter.CreateCounter<float32> "f").Bind []
    use d = (meter.CreateCounter<decimal> "d").Bind []
    use h = (meter.CreateHistogram<int> "h").Bind []
    b.Add 3uy
    s.Add 4s
    i.Add 5
    f.Add 1.5f
    d.Add 2.25m
    h.Record 7
    let metrics = reader.Collect() |> List.ofSeq

    let value metric =
        match (metrics |> List.find (fun m -> m.Name = metric)).Points with
        | MetricPoints.Sum(_, _, points) -> (Seq.exactlyOne points).Value
        | other -> failwithf "not a sum: %A" other

    Assert.Equal(NumberValue.Long 3L, value "b")
    Assert.Equal(NumberValue.Long 4L, value "s")
    Assert.Equal(NumberValue.Long 5L, value "i")
    Assert.Equal(NumberValue.Double 1.5, value "f")
    Assert.Equal(NumberValue.Double 2.25, value "d")

    Assert.Equal<(KeyValue list * int64 * float) list>(
        [ [], 1L, 7.0 ],
        histograms (metrics |> List.tryFind (fun m -> m.Name = "h"))
    )

let ``views and attribute filters apply to the bound tags`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()

    let views =
        Metrics.addView
            { View.forInstrument "requests" with
                Attributes = AttributeFilter.Allow [ "method" ]
            }
        >> Metrics.addView
            { View.forInstrument "requests" with
                Name = Some "requests.by.user"
                Attributes = AttributeFilter.Deny [ "method" ]
            }

    use sdk = start name [ reader ] views
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "requests"
    use bound = counter.Bind [ KeyValue.string "method" "GET"; KeyValue.string "user" "ann" ]
    bound.Add 2L
    counter.Add(3L, tag "method" "GET", tag "user" "bob")
    let metrics = reader.Collect() |> List.ofSeq

    Assert.Equal<(KeyValue list * float) list>(
        [ method "GET", 5.0 ],
        sums (metrics |> List.tryFind (fun m -> m.Name = "requests"))
    )

    Assert.Equal<(KeyValue list * float) list>(
        [ [ KeyValue.string "user" "ann" ], 2.0; [ KeyValue.string "user" "bob" ], 3.0 ],
        sums (metrics |> List.tryFind (fun m -> m.Name = "requests.by.user"))
    )

let ``a bound measurement is offered as an exemplar with the attributes a view filtered out`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()

    let configure =
        Metrics.withExemplarFilter ExemplarFilter.AlwaysOn
        >> Metrics.addView
            { View.forInstrument "c" with
                Attributes = AttributeFilter.Allow [ "method" ]
            }

    use sdk = start name [ reader ] configure
    use meter = new Meter(name)

    use bound =
        (meter.CreateCounter<int64> "c").Bind [ KeyValue.string "method" "GET"; KeyValue.string "user" "ann" ]

    bound.Add 9L

    match (collect reader "c").Value.Points with
    | MetricPoints.Sum(_, _, points) ->
        let exemplar = (Seq.exactlyOne points).Exemplars |> Seq.exactlyOne
        Assert.Equal(NumberValue.Long 9L, exemplar.Value)
        Assert.Equal<KeyValue list>([ KeyValue.string "user" "ann" ], ReadOnlyList.toList exemplar.FilteredAttributes)
    | other -> failwithf "not a sum: %A" other

let ``a handle records in every SDK and reader listening, including SDKs started after binding`` () =
    let name = uniqueMeter ()
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    use bound = counter.Bind(method "GET")
    // No SDK listens yet: nothing is recorded anywhere, nothing is counted.
    bound.Add 100L

    let cumulative1 = MetricPullReader()
    let delta1 = MetricPullReader TemporalityPreference.Delta
    use first = start name [ cumulative1; delta1 ] id
    bound.Add 1L
    let cumulative2 = MetricPullReader()
    use second = start name [ cumulative2 ] id
    bound.Add 2L

    Assert.Equal<(KeyValue list * float) list>([ method "GET", 3.0 ], sums (collect cumulative1 "c"))
    Assert.Equal<(KeyValue list * float) list>([ method "GET", 3.0 ], sums (collect delta1 "c"))
    Assert.Equal<(KeyValue list * float) list>([ method "GET", 2.0 ], sums (collect cumulative2 "c"))

    // The first SDK stops: the handle keeps recording in the second only, and never throws.
    Assert.True(first.Shutdown(TimeSpan.FromSeconds 5.0).Result)
    bound.Add 4L
    Assert.Equal<(KeyValue list * float) list>([ method "GET", 6.0 ], sums (collect cumulative2 "c"))
    Assert.Equal(0L, first.MetricDrops.AfterUnbind)

let ``a handle stops recording when the meter is disposed`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()
    use sdk = start name [ reader ] id
    let meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    use bound = counter.Bind []
    bound.Add 1L
    let stream = streamOf reader "c"
    meter.Dispose()
    bound.Add 1L

    match stream.CellStates 0L with
    | [ _, CellState.Sum sum ] -> Assert.Equal(NumberValue.Long 1L, sum.Total)
    | other -> failwithf "unexpected %A" other

    Assert.Equal(0L, sdk.MetricDrops.AfterUnbind)

[<MethodImpl(MethodImplOptions.NoInlining)>]
let private bindAndForget (counter: Counter<int64>) =
    let bound = counter.Bind(method "GET")
    bound.Add 1L

let ``a handle collected without Dispose releases its series`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ reader ] id
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    bindAndForget counter
    Assert.Equal<(KeyValue list * float) list>([ method "GET", 1.0 ], sums (collect reader "c"))

    let mutable rounds = 0

    while BoundInstruments.liveBindings counter > 0 && rounds < 10 do
        GC.Collect()
        GC.WaitForPendingFinalizers()
        rounds <- rounds + 1

    Assert.Equal(0, BoundInstruments.liveBindings counter)
    collect reader "c" |> ignore
    Assert.Equal(0, (streamOf reader "c").SeriesCount)

let ``bound and unbound writers racing delta collections lose nothing`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader TemporalityPreference.Delta
    use sdk = start name [ reader ] id
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64> "c"
    use bound = counter.Bind(method "GET")
    let perThread = 20_000
    let mutable total = 0.0
    let running = ref 2

    let writer (record: unit -> unit) =
        Thread(fun () ->
            for _ in 1..perThread do
                record ()

            Interlocked.Decrement(&running.contents) |> ignore)

    let threads =
        [
            writer (fun () -> bound.Add 1L)
            writer (fun () -> counter.Add(1L, tag "method" "GET"))
        ]

    threads |> List.iter _.Start()

    while Volatile.Read(&running.contents) > 0 do
        total <- total + (sums (collect reader "c") |> List.sumBy snd)

    threads |> List.iter _.Join()
    total <- total + (sums (collect reader "c") |> List.sumBy snd)
    Assert.Equal(float (2 * perThread), total)

let ``with the trace-based filter, a bound measurement becomes an exemplar only inside a sampled span`` () =
    let name = uniqueMeter ()
    let reader = MetricPullReader()
    use sdk = start name [ reader ] (Metrics.withExemplarFilter ExemplarFilter.TraceBased)
    use meter = new Meter(name)
    use bound = (meter.CreateHistogram<float> "h").Bind []
    use source = new ActivitySource(name)

    use listener =
        new ActivityListener(
            ShouldListenTo = (fun s -> s.Name = name),
            Sample = (fun _ -> ActivitySamplingResult.AllDataAndRecorded)
        )

    ActivitySource.AddActivityListener listener
    bound.Record 1.0

    let traceId =
        using (source.StartActivity "sampled") (fun activity ->
            bound.Record 2.0
            activity.TraceId.ToHexString())

    match (collect reader "h").Value.Points with
    | MetricPoints.Histogram(_, points) ->
        let point = Seq.exactlyOne points
        Assert.Equal(2L, point.Count)
        let exemplar = Seq.exactlyOne point.Exemplars
        Assert.Equal(NumberValue.Double 2.0, exemplar.Value)
        Assert.Equal(traceId, exemplar.TraceId.ToString())
    | other -> failwithf "not a histogram: %A" other

[<Tests>]
let tests =
    testSequencedGroup
        "BoundInstrumentsTests"
        (testList
            "BoundInstrumentsTests"
            [
                test "a bound counter records into the series its tags name, shared with unbound measurements" {
                    ``a bound counter records into the series its tags name, shared with unbound measurements`` ()
                }
                test "a delta reader never reclaims a bound series, and reports it only when it was recorded" {
                    ``a delta reader never reclaims a bound series, and reports it only when it was recorded`` ()
                }
                test "after unbinding, an idle series is reclaimed by the delta reader" {
                    ``after unbinding, an idle series is reclaimed by the delta reader`` ()
                }
                test "a series recorded in its last interval is reported once more after unbinding, then reclaimed" {
                    ``a series recorded in its last interval is reported once more after unbinding, then reclaimed`` ()
                }
                test "a bound series counts toward the cardinality limit" {
                    ``a bound series counts toward the cardinality limit`` ()
                }
                test "binding past the cardinality limit records into the overflow series, as unbound would" {
                    ``binding past the cardinality limit records into the overflow series, as unbound would`` ()
                }
                test "once an overflowing delta stream reclaims idle series, a new binding gets a series of its own" {
                    ``once an overflowing delta stream reclaims idle series, a new binding gets a series of its own`` ()
                }
                test "after disposal, measurements are dropped and counted, never thrown" {
                    ``after disposal, measurements are dropped and counted, never thrown`` ()
                }
                test "bound measurements are checked as unbound ones are" {
                    ``bound measurements are checked as unbound ones are`` ()
                }
                test "every numeric type converts as the MeterListener callbacks do" {
                    ``every numeric type converts as the MeterListener callbacks do`` ()
                }
                test "views and attribute filters apply to the bound tags" {
                    ``views and attribute filters apply to the bound tags`` ()
                }
                test "a bound measurement is offered as an exemplar with the attributes a view filtered out" {
                    ``a bound measurement is offered as an exemplar with the attributes a view filtered out`` ()
                }
                test "a handle records in every SDK and reader listening, including SDKs started after binding" {
                    ``a handle records in every SDK and reader listening, including SDKs started after binding`` ()
                }
                test "a handle stops recording when the meter is disposed" {
                    ``a handle stops recording when the meter is disposed`` ()
                }
                test "a handle collected without Dispose releases its series" {
                    ``a handle collected without Dispose releases its series`` ()
                }
                test "bound and unbound writers racing delta collections lose nothing" {
                    ``bound and unbound writers racing delta collections lose nothing`` ()
                }
                test "with the trace-based filter, a bound measurement becomes an exemplar only inside a sampled span" {
                    ``with the trace-based filter, a bound measurement becomes an exemplar only inside a sampled span`` ()
                }
            ])
