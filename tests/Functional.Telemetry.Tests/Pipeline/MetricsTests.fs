module Functional.Telemetry.Tests.MetricsTests

open Expecto
open System
open System.Collections.Generic
open System.Diagnostics
open System.Diagnostics.Metrics
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// A unique meter name per test: listeners are process-wide and tests run in parallel.
let uniqueMeter () = "MeterTests." + Guid.NewGuid().ToString("N")

/// Starts an SDK with a pull reader over `meter` (cumulative unless said otherwise).
let startPull (meter: string) (preference: TemporalityPreference) (configure: MetricsConfig -> MetricsConfig) =
    let reader = MetricPullReader preference

    let sdk =
        Telemetry.create "metrics-tests"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withResourceDetection false
        |> Telemetry.withMetrics (Metrics.addMeter meter >> configure >> Metrics.addReader reader)
        |> Telemetry.start

    sdk, reader

let tag (key: string) (value: obj) = KeyValuePair<string, obj>(key, value)

let find name (metrics: MetricData list) = metrics |> List.find (fun m -> m.Name = name)

let sumPoints metric =
    match metric.Points with
    | MetricPoints.Sum(_, _, Items points) -> points
    | other -> failwithf "not a sum: %A" other

let attrs (pairs: (string * AnyValue) list) = pairs |> List.map (fun (k, v) -> KeyValue.create k v)

let ``counter sums per attribute set, order-insensitive, cumulative across collections`` () =
    let name = uniqueMeter ()
    let sdk, reader = startPull name TemporalityPreference.Cumulative id
    use _ = sdk
    use meter = new Meter(name, "1.2")
    let counter = meter.CreateCounter<int64>("requests", "{request}", "Requests served")
    counter.Add(1L, tag "method" "GET", tag "status" 200)
    counter.Add(2L, tag "status" 200, tag "method" "GET")
    counter.Add(5L, tag "method" "POST", tag "status" 201)
    let first = (reader.Collect() |> List.ofSeq) |> find "requests"
    counter.Add(10L, tag "method" "GET", tag "status" 200)
    let second = (reader.Collect() |> List.ofSeq) |> find "requests"

    Assert.Equal("{request}", first.Unit)
    Assert.Equal("Requests served", first.Description)
    Assert.Equal(name, first.Scope.Name)
    Assert.Equal("1.2", first.Scope.Version)

    match first.Points with
    | MetricPoints.Sum(Temporality.Cumulative, true, Items points) ->
        let valueOf attributes = (points |> List.find (fun p -> p.Attributes = attributes)).Value
        Assert.Equal(2, points.Length)

        Assert.Equal(
            NumberValue.Long 3L,
            valueOf (attrs [ "method", AnyValue.String "GET"; "status", AnyValue.Int 200L ])
        )

        Assert.Equal(
            NumberValue.Long 5L,
            valueOf (attrs [ "method", AnyValue.String "POST"; "status", AnyValue.Int 201L ])
        )
    | other -> failwithf "unexpected %A" other

    let get =
        sumPoints second
        |> List.find (fun p -> (ReadOnlyList.toList p.Attributes).Head.Value = AnyValue.String "GET")

    Assert.Equal(NumberValue.Long 13L, get.Value)

let ``delta temporality reports only the interval and reclaims idle series`` () =
    let name = uniqueMeter ()
    let sdk, reader = startPull name TemporalityPreference.Delta id
    use _ = sdk
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64>("hits")
    counter.Add(4L, tag "k" "a")
    counter.Add(1L, tag "k" "b")
    let first = (reader.Collect() |> List.ofSeq) |> find "hits"
    counter.Add(2L, tag "k" "a")
    let second = (reader.Collect() |> List.ofSeq) |> find "hits"
    let third = (reader.Collect() |> List.ofSeq) |> List.tryFind (fun m -> m.Name = "hits")

    match first.Points, second.Points with
    | MetricPoints.Sum(Temporality.Delta, true, Items p1), MetricPoints.Sum(Temporality.Delta, true, Items p2) ->
        Assert.Equal(2, p1.Length)
        let only = List.exactlyOne p2
        Assert.Equal(NumberValue.Long 2L, only.Value)
        Assert.True(only.StartTime > 0L && only.StartTime <= only.Time)
        Assert.Equal((List.head p1).Time, only.StartTime)
    | other -> failwithf "unexpected %A" other

    Assert.Equal(None, third)
    let stream = reader.Streams |> List.find (fun s -> s.Config.Name = "hits")
    Assert.Equal(0, stream.SeriesCount)

let ``histograms use default bounds, advice, min, max and sum`` () =
    let name = uniqueMeter ()
    let sdk, reader = startPull name TemporalityPreference.Cumulative id
    use _ = sdk
    use meter = new Meter(name)
    let latency = meter.CreateHistogram<float>("latency", "ms")

    let advised =
        meter.CreateHistogram<int>(
            "size",
            "By",
            null,
            null,
            InstrumentAdvice<int>(HistogramBucketBoundaries = [| 10; 100 |])
        )

    for v in [ 0.0; 5.0; 7.5; 10_000.0; 20_000.0 ] do
        latency.Record v

    advised.Record 10
    advised.Record 11
    advised.Record 1000
    let metrics = (reader.Collect() |> List.ofSeq)

    match (find "latency" metrics).Points with
    | MetricPoints.Histogram(Temporality.Cumulative, Items [ p ]) ->
        Assert.Equal<float list>(
            [
                0.
                5.
                10.
                25.
                50.
                75.
                100.
                250.
                500.
                750.
                1000.
                2500.
                5000.
                7500.
                10000.
            ],
            (ReadOnlyList.toList p.Bounds)
        )

        Assert.Equal<int64 list>(
            [ 1L; 1L; 1L; 0L; 0L; 0L; 0L; 0L; 0L; 0L; 0L; 0L; 0L; 0L; 1L; 1L ],
            (ReadOnlyList.toList p.BucketCounts)
        )

        Assert.Equal(5L, p.Count)
        Assert.Equal(30_012.5, p.Sum)
        Assert.Equal(Nullable 0.0, p.Min)
        Assert.Equal(Nullable 20_000.0, p.Max)
    | other -> failwithf "unexpected %A" other

    match (find "size" metrics).Points with
    | MetricPoints.Histogram(_, Items [ p ]) ->
        Assert.Equal<float list>([ 10.; 100. ], (ReadOnlyList.toList p.Bounds))
        Assert.Equal<int64 list>([ 1L; 1L; 1L ], (ReadOnlyList.toList p.BucketCounts))
    | other -> failwithf "unexpected %A" other

let ``observable instruments are observed at collection; only observed sets are reported`` () =
    let name = uniqueMeter ()
    let sdk, reader = startPull name TemporalityPreference.Delta id
    use _ = sdk
    use meter = new Meter(name)
    let mutable total = 10L
    let mutable report = true

    meter.CreateObservableCounter<int64>("bytes", (fun () -> Measurement<int64>(total, tag "dir" "in")))
    |> ignore

    meter.CreateObservableGauge<float>(
        "temperature",
        (fun () ->
            if report then
                [ Measurement<float>(21.5, tag "room" "a") ] :> seq<_>
            else
                Seq.empty)
    )
    |> ignore

    meter.CreateObservableUpDownCounter<int>("queue", (fun () -> 3)) |> ignore

    let first = (reader.Collect() |> List.ofSeq)
    total <- 25L
    report <- false
    let second = (reader.Collect() |> List.ofSeq)

    Assert.Equal(NumberValue.Long 10L, (sumPoints (find "bytes" first) |> List.exactlyOne).Value)
    // Delta of an observable counter: this observation minus the previous one.
    Assert.Equal(NumberValue.Long 15L, (sumPoints (find "bytes" second) |> List.exactlyOne).Value)

    match (find "temperature" first).Points with
    | MetricPoints.Gauge(Items [ p ]) -> Assert.Equal(NumberValue.Double 21.5, p.Value)
    | other -> failwithf "unexpected %A" other

    Assert.False(second |> List.exists (fun m -> m.Name = "temperature"))

    match (find "queue" second).Points with
    | MetricPoints.Sum(Temporality.Cumulative, false, Items [ p ]) -> Assert.Equal(NumberValue.Long 3L, p.Value)
    | other -> failwithf "unexpected %A" other

let ``every numeric type is recorded; NaN, infinities and negative counter increments are dropped and counted`` () =
    let name = uniqueMeter ()
    let sdk, reader = startPull name TemporalityPreference.Cumulative id
    use _ = sdk
    use meter = new Meter(name)
    meter.CreateCounter<byte>("b").Add 1uy
    meter.CreateCounter<int16>("s").Add 2s
    meter.CreateCounter<int>("i").Add 3
    meter.CreateCounter<float32>("f").Add 1.5f
    meter.CreateCounter<decimal>("m").Add 2.5m
    let d = meter.CreateCounter<float>("d")
    d.Add 1.0
    d.Add nan
    d.Add infinity
    d.Add -1.0
    let l = meter.CreateCounter<int64>("l")
    l.Add -5L
    let updown = meter.CreateUpDownCounter<int64>("ud")
    updown.Add -5L
    let metrics = (reader.Collect() |> List.ofSeq)
    let value n = (sumPoints (find n metrics) |> List.exactlyOne).Value
    Assert.Equal(NumberValue.Long 1L, value "b")
    Assert.Equal(NumberValue.Long 2L, value "s")
    Assert.Equal(NumberValue.Long 3L, value "i")
    Assert.Equal(NumberValue.Double 1.5, value "f")
    Assert.Equal(NumberValue.Double 2.5, value "m")
    Assert.Equal(NumberValue.Double 1.0, value "d")
    Assert.Equal(NumberValue.Long -5L, value "ud")
    Assert.False(metrics |> List.exists (fun m -> m.Name = "l"))
    Assert.Equal(2L, sdk.MetricDrops.NotFinite)
    Assert.Equal(2L, sdk.MetricDrops.NegativeIncrements)

let ``the cardinality limit sends new attribute sets to the overflow series`` () =
    let name = uniqueMeter ()
    let sdk, reader = startPull name TemporalityPreference.Cumulative (Metrics.withCardinalityLimit 3)
    use _ = sdk
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64>("c")

    for i in 1..5 do
        counter.Add(1L, tag "id" i)

    let points = (reader.Collect() |> List.ofSeq) |> find "c" |> sumPoints
    Assert.Equal(3, points.Length)

    let overflow =
        points
        |> List.find (fun p -> p.Attributes = [ KeyValue.bool "otel.metric.overflow" true ])

    Assert.Equal(NumberValue.Long 3L, overflow.Value)

    Assert.Equal(
        5L,
        points
        |> List.sumBy (fun p ->
            match p.Value with
            | NumberValue.Long v -> v
            | _ -> 0L)
    )

let ``views rename, filter attributes, change aggregation and drop`` () =
    let name = uniqueMeter ()

    let configure =
        Metrics.addView
            { View.forInstrument "requests" with
                Name = Some "http.requests"
                Attributes = AttributeFilter.Allow [ "method" ]
            }
        >> Metrics.addView
            { View.forInstrument "noise*" with
                Aggregation = Some Aggregation.Drop
            }
        >> Metrics.addView
            { View.forInstrument "latency" with
                Aggregation = Some(Aggregation.ExplicitBucketHistogram([ 1.0; 2.0 ], false))
            }
        >> Metrics.addView
            { View.forInstrument "payload" with
                Aggregation = Some(Aggregation.Base2ExponentialHistogram(160, 20, true))
            }

    let sdk, reader = startPull name TemporalityPreference.Cumulative configure
    use _ = sdk
    use meter = new Meter(name)
    meter.CreateCounter<int64>("requests").Add(1L, tag "method" "GET", tag "user" "u1")
    meter.CreateCounter<int64>("requests").Add(1L, tag "method" "GET", tag "user" "u2")
    meter.CreateCounter<int64>("noise.a").Add 1L
    meter.CreateHistogram<float>("latency").Record 1.5
    meter.CreateHistogram<float>("payload").Record 3.0
    let metrics = (reader.Collect() |> List.ofSeq)

    let renamed = find "http.requests" metrics |> sumPoints |> List.exactlyOne
    Assert.Equal<KeyValue list>([ KeyValue.string "method" "GET" ], (ReadOnlyList.toList renamed.Attributes))
    Assert.Equal(NumberValue.Long 2L, renamed.Value)
    Assert.False(metrics |> List.exists (fun m -> m.Name.StartsWith "noise"))

    match (find "latency" metrics).Points with
    | MetricPoints.Histogram(_, Items [ p ]) ->
        Assert.Equal<int64 list>([ 0L; 1L; 0L ], (ReadOnlyList.toList p.BucketCounts))
        Assert.Equal(Nullable(), p.Min)
    | other -> failwithf "unexpected %A" other

    match (find "payload" metrics).Points with
    | MetricPoints.ExponentialHistogram(_, Items [ p ]) ->
        Assert.Equal(1L, p.Count)
        Assert.Equal(20, p.Scale)
        Assert.Equal(1L, List.sum (ReadOnlyList.toList p.Positive.Counts))
    | other -> failwithf "unexpected %A" other

let ``an exponential histogram of max size 2 holds values across the whole double range as the pure model does`` () =
    // At scale -10 each sign spans three buckets, more than a max size of 2: the runtime still keeps them apart.
    let name = uniqueMeter ()

    let configure =
        Metrics.addView
            { View.forInstrument "wide" with
                Aggregation = Some(Aggregation.Base2ExponentialHistogram(2, 20, true))
            }

    let sdk, reader = startPull name TemporalityPreference.Cumulative configure
    use _ = sdk
    use meter = new Meter(name)
    let histogram = meter.CreateHistogram<float>("wide")

    let values =
        [
            1.0
            Double.Epsilon
            Double.MaxValue
            3.0
            -Double.Epsilon
            -1e300
            -0.5
            0.0
            1e-300
        ]

    for v in values do
        histogram.Record v

    let expected =
        values
        |> List.fold ExponentialHistogramState.record (ExponentialHistogramState.empty 2 20)
        |> ExponentialHistogramState.toPoint [] 0L 0L []

    match (find "wide" ((reader.Collect() |> List.ofSeq))).Points with
    | MetricPoints.ExponentialHistogram(_, Items [ p ]) ->
        Assert.Equal(-10, p.Scale)
        Assert.Equal(expected.Scale, p.Scale)
        Assert.Equal(expected.ZeroCount, p.ZeroCount)
        Assert.Equal(expected.Count, p.Count)
        Assert.Equal(expected.Positive, p.Positive)
        Assert.Equal(expected.Negative, p.Negative)
        Assert.Equal(5L, List.sum (ReadOnlyList.toList p.Positive.Counts))
        Assert.Equal(3L, List.sum (ReadOnlyList.toList p.Negative.Counts))
    | other -> failwithf "unexpected %A" other

let ``exemplars carry the current sampled span's ids (trace_based)`` () =
    let name = uniqueMeter ()
    let sdk, reader = startPull name TemporalityPreference.Cumulative id
    use _ = sdk
    use meter = new Meter(name)
    let counter = meter.CreateCounter<int64>("c")
    let histogram = meter.CreateHistogram<float>("h")
    counter.Add(1L, tag "k" "outside")

    use listener =
        new ActivityListener(
            ShouldListenTo = (fun s -> s.Name = name),
            Sample = (fun _ -> ActivitySamplingResult.AllDataAndRecorded)
        )

    ActivitySource.AddActivityListener listener
    use source = new ActivitySource(name)

    let traceId, spanId =
        use activity = source.StartActivity "work"
        counter.Add(7L, tag "k" "inside")
        histogram.Record(3.0)
        ActivityConversion.toTraceId activity.TraceId, ActivityConversion.toSpanId activity.SpanId

    let metrics = (reader.Collect() |> List.ofSeq)
    let points = find "c" metrics |> sumPoints
    let inside = points |> List.find (fun p -> p.Attributes = [ KeyValue.string "k" "inside" ])
    let outside = points |> List.find (fun p -> p.Attributes = [ KeyValue.string "k" "outside" ])
    Assert.Empty(ReadOnlyList.toList outside.Exemplars)
    let exemplar = List.exactlyOne (ReadOnlyList.toList inside.Exemplars)
    Assert.Equal(traceId, exemplar.TraceId)
    Assert.Equal(spanId, exemplar.SpanId)
    Assert.Equal(NumberValue.Long 7L, exemplar.Value)

    match (find "h" metrics).Points with
    | MetricPoints.Histogram(_, Items [ p ]) ->
        Assert.Equal(spanId, (List.exactlyOne (ReadOnlyList.toList p.Exemplars)).SpanId)
    | other -> failwithf "unexpected %A" other

let ``a periodic reader exports to an in-memory exporter on flush and at shutdown`` () =
    task {
        let name = uniqueMeter ()
        let exporter = InMemoryExporter<MetricData>()

        let sdk =
            Telemetry.create "metrics-tests"
            |> Telemetry.withEnvironment (Env.ofList [])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withMetrics (
                Metrics.addMeter name
                >> Metrics.addExporter TemporalityPreference.Delta exporter
            )
            |> Telemetry.start

        use meter = new Meter(name)
        let counter = meter.CreateCounter<int64>("c")
        counter.Add 2L
        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True flushed
        counter.Add 3L
        let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True stopped

        let values =
            exporter.ItemList
            |> List.filter (fun m -> m.Name = "c")
            |> List.collect sumPoints
            |> List.map (fun p -> p.Value)

        Assert.Equal<NumberValue list>([ NumberValue.Long 2L; NumberValue.Long 3L ], values)
        Assert.Equal(1, exporter.ShutdownCount)
    }

let ``invalid instrument names are ignored`` () =
    let name = uniqueMeter ()
    let sdk, reader = startPull name TemporalityPreference.Cumulative id
    use _ = sdk
    use meter = new Meter(name)
    meter.CreateCounter<int64>("9starts-with-digit").Add 1L
    meter.CreateCounter<int64>("ok").Add 1L
    Assert.Equal<string list>([ "ok" ], (reader.Collect() |> List.ofSeq) |> List.map (fun m -> m.Name))

let ``the console metric format shows name, unit, attributes and values`` () =
    let metric =
        {
            Name = "http.duration"
            Description = ""
            Unit = "ms"
            Scope = InstrumentationScope.Named "App"
            Points =
                MetricPoints.Histogram(
                    Temporality.Cumulative,
                    [
                        {
                            Attributes = [ KeyValue.string "method" "GET" ]
                            StartTime = 0L
                            Time = 1L
                            Count = 3L
                            Sum = 12.5
                            Min = Nullable 1.0
                            Max = Nullable 8.0
                            Bounds = [ 5.0; 10.0 ]
                            BucketCounts = [ 2L; 1L; 0L ]
                            Exemplars = []
                        }
                    ]
                )
        }

    let text = ConsoleMetricFormat.render [ metric ]
    Assert.Contains("http.duration [ms] (histogram, cumulative) from App", text)
    Assert.Contains("method=GET", text)
    Assert.Contains("count 3 sum 12.5 min 1 max 8  ≤5:2 ≤10:1", text)

let ``the native F# instruments API records through the same pipeline`` () =
    let name = uniqueMeter ()
    let sdk, reader = startPull name TemporalityPreference.Cumulative id
    use _ = sdk
    use meter = Instruments.meter name (Some "3.0")
    let orders = Instruments.counter meter "orders" "{order}" "Orders placed"
    let duration = Instruments.histogram meter "duration" "ms" "" (Some [ 10.0; 100.0 ])
    let queue = Instruments.upDownCounter meter "queue" "" ""
    let temperature = Instruments.gauge meter "temperature" "Cel" ""

    Instruments.observableGauge meter "threads" "" "" (fun () -> [ 4.0, [ KeyValue.string "pool" "io" ] ])
    |> ignore

    orders |> Instruments.add [ KeyValue.string "kind" "book" ] 2L
    orders |> Instruments.add [ KeyValue.string "kind" "book" ] 1L
    queue |> Instruments.addUpDown [] 5L
    queue |> Instruments.addUpDown [] -2L
    temperature |> Instruments.set [] 21.5
    let result = Instruments.time [] duration (fun () -> 42)
    duration |> Instruments.record [ KeyValue.bool "cached" true ] 50.0
    Assert.Equal(42, result)

    let metrics = (reader.Collect() |> List.ofSeq)
    let orderPoint = find "orders" metrics |> sumPoints |> List.exactlyOne
    Assert.Equal(NumberValue.Long 3L, orderPoint.Value)
    Assert.Equal<KeyValue list>([ KeyValue.string "kind" "book" ], (ReadOnlyList.toList orderPoint.Attributes))
    Assert.Equal(NumberValue.Long 3L, (find "queue" metrics |> sumPoints |> List.exactlyOne).Value)

    match (find "duration" metrics).Points with
    | MetricPoints.Histogram(_, Items points) ->
        Assert.Equal(2, points.Length)
        Assert.True(points |> List.forall (fun p -> p.Bounds = [ 10.0; 100.0 ]))
    | other -> failwithf "unexpected %A" other

    match (find "temperature" metrics).Points, (find "threads" metrics).Points with
    | MetricPoints.Gauge(Items [ t ]), MetricPoints.Gauge(Items [ th ]) ->
        Assert.Equal(NumberValue.Double 21.5, t.Value)
        Assert.Equal(NumberValue.Double 4.0, th.Value)
        Assert.Equal<KeyValue list>([ KeyValue.string "pool" "io" ], (ReadOnlyList.toList th.Attributes))
    | other -> failwithf "unexpected %A" other

[<Tests>]
let tests =
    testList
        "MetricsTests"
        [
            test "counter sums per attribute set, order-insensitive, cumulative across collections" {
                ``counter sums per attribute set, order-insensitive, cumulative across collections`` ()
            }
            test "delta temporality reports only the interval and reclaims idle series" {
                ``delta temporality reports only the interval and reclaims idle series`` ()
            }
            test "histograms use default bounds, advice, min, max and sum" {
                ``histograms use default bounds, advice, min, max and sum`` ()
            }
            test "observable instruments are observed at collection; only observed sets are reported" {
                ``observable instruments are observed at collection; only observed sets are reported`` ()
            }
            test
                "every numeric type is recorded; NaN, infinities and negative counter increments are dropped and counted" {
                ``every numeric type is recorded; NaN, infinities and negative counter increments are dropped and counted`` ()
            }
            test "the cardinality limit sends new attribute sets to the overflow series" {
                ``the cardinality limit sends new attribute sets to the overflow series`` ()
            }
            test "views rename, filter attributes, change aggregation and drop" {
                ``views rename, filter attributes, change aggregation and drop`` ()
            }
            test
                "an exponential histogram of max size 2 holds values across the whole double range as the pure model does" {
                ``an exponential histogram of max size 2 holds values across the whole double range as the pure model does`` ()
            }
            test "exemplars carry the current sampled span's ids (trace_based)" {
                ``exemplars carry the current sampled span's ids (trace_based)`` ()
            }
            testTask "a periodic reader exports to an in-memory exporter on flush and at shutdown" {
                do! ``a periodic reader exports to an in-memory exporter on flush and at shutdown`` ()
            }
            test "invalid instrument names are ignored" { ``invalid instrument names are ignored`` () }
            test "the console metric format shows name, unit, attributes and values" {
                ``the console metric format shows name, unit, attributes and values`` ()
            }
            test "the native F# instruments API records through the same pipeline" {
                ``the native F# instruments API records through the same pipeline`` ()
            }
        ]
