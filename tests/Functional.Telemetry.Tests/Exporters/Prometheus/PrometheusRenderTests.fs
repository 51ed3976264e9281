/// Golden texts: one test per mapping rule of the Prometheus renderer, exact output in both formats.
module Functional.Telemetry.Tests.PrometheusRenderTests

open Expecto
open System
open System.Buffers
open System.Text
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private noResource: Resource = { Attributes = []; SchemaUrl = "" }

let private scope = InstrumentationScope.Named "lib"

let private point (attributes: KeyValue list) (value: NumberValue) : NumberPoint =
    {
        Attributes = attributes
        StartTime = 1_000_000_000L
        Time = 2_000_000_000L
        Value = value
        Exemplars = []
    }

let private metric name unit description points : MetricData =
    {
        Name = name
        Description = description
        Unit = unit
        Scope = scope
        Points = points
    }

let private counter name unit (value: int64) =
    metric name unit "" (MetricPoints.Sum(Temporality.Cumulative, true, Items [ point [] (NumberValue.Long value) ]))

let private gauge name unit (value: float) =
    metric name unit "" (MetricPoints.Gauge [ point [] (NumberValue.Double value) ])

let private histogramPoint attributes (bounds: float list) (counts: int64 list) (sum: float) : HistogramPoint =
    {
        Attributes = attributes
        StartTime = 1_000_000_000L
        Time = 2_000_000_000L
        Count = List.sum counts
        Sum = sum
        Min = Nullable()
        Max = Nullable()
        Bounds = bounds
        BucketCounts = counts
        Exemplars = []
    }

let private bare =
    { PrometheusOptions.defaults with
        TargetInfo = false
        ScopeLabels = false
    }

let private render options format resource metrics =
    PrometheusRenderer(options).RenderToString(format, resource, metrics)

let private text metrics = render bare PrometheusFormat.Text noResource metrics
let private openMetrics metrics = render bare PrometheusFormat.OpenMetrics noResource metrics

let private lines (items: string list) = String.concat "" (items |> List.map (fun l -> l + "\n"))

// ---- negotiation ----

let ``negotiate: OpenMetrics only when the Accept header names it acceptably`` () =
    Assert.Equal(PrometheusFormat.Text, PrometheusFormat.negotiate null)
    Assert.Equal(PrometheusFormat.Text, PrometheusFormat.negotiate "")
    Assert.Equal(PrometheusFormat.Text, PrometheusFormat.negotiate "text/plain;version=0.0.4")
    Assert.Equal(PrometheusFormat.Text, PrometheusFormat.negotiate "application/openmetrics-text;q=0,text/plain")

    Assert.Equal(
        PrometheusFormat.OpenMetrics,
        PrometheusFormat.negotiate
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
    )

    Assert.Equal(PrometheusFormat.OpenMetrics, PrometheusFormat.negotiate "Application/OpenMetrics-Text")
    Assert.Equal("text/plain; version=0.0.4; charset=utf-8", PrometheusFormat.contentType PrometheusFormat.Text)

    Assert.Equal(
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        PrometheusFormat.contentType PrometheusFormat.OpenMetrics
    )

// ---- names ----

let ``metric names: invalid characters become _, runs collapse, a leading digit gets a _ prefix`` () =
    Assert.Equal("http_server_duration", PrometheusNames.sanitizeMetricName "http.server.duration")
    Assert.Equal("a_b:c", PrometheusNames.sanitizeMetricName "a--b:c")
    Assert.Equal("a_b", PrometheusNames.sanitizeMetricName "a__b")
    Assert.Equal("_1st", PrometheusNames.sanitizeMetricName "1st")
    Assert.Equal("caf_", PrometheusNames.sanitizeMetricName "café")
    Assert.Equal("_", PrometheusNames.sanitizeMetricName "")
    Assert.Equal("a_b_c", PrometheusNames.sanitizeLabelName "a:b.c")

let ``unit suffixes follow the UCUM table, drop annotations and turn a slash into per`` () =
    let cases =
        [
            "s", "seconds"
            "ms", "milliseconds"
            "us", "microseconds"
            "By", "bytes"
            "KiBy", "kibibytes"
            "MiBy", "mebibytes"
            "1", "ratio"
            "%", "percent"
            "m", "meters"
            "Hz", "hertz"
            "V", "volts"
            "Cel", "celsius"
            "{requests}", ""
            "By/s", "bytes_per_second"
            "{request}/s", "per_second"
            "m/h", "meters_per_hour"
            "1/s", "per_second"
            "packets", "packets"
            "foo bar", "foo_bar"
            "", ""
        ]

    for unit, expected in cases do
        Assert.True((expected = PrometheusNames.unitSuffix unit), $"unit {unit}: {PrometheusNames.unitSuffix unit}")

let ``family names: unit suffix once, _total on monotonic sums, namespace first`` () =
    let withNamespace = { PrometheusOptions.defaults with Namespace = "my app" }
    Assert.Equal("http_server_duration_seconds", PrometheusNames.familyName bare (gauge "http.server.duration" "s" 1.0))
    Assert.Equal("latency_seconds", PrometheusNames.familyName bare (gauge "latency_seconds" "s" 1.0))
    Assert.Equal("sent_bytes_total", PrometheusNames.familyName bare (counter "sent" "By" 1L))
    Assert.Equal("requests_total", PrometheusNames.familyName bare (counter "requests_total" "" 1L))
    Assert.Equal("my_app_requests_total", PrometheusNames.familyName withNamespace (counter "requests" "{request}" 1L))
    Assert.Equal("cpu_utilization_ratio", PrometheusNames.familyName bare (gauge "cpu.utilization" "1" 0.5))
    Assert.Equal("hits_total", PrometheusNames.familyName bare (counter "hits" "1" 1L))

// ---- counters ----

let ``counter: 0.0.4 family with _total, OpenMetrics family without it and _total samples`` () =
    let m =
        metric
            "http.requests"
            "{request}"
            "Requests served."
            (MetricPoints.Sum(
                Temporality.Cumulative,
                true,
                [ point [ KeyValue.string "method" "GET" ] (NumberValue.Long 42L) ]
            ))

    Assert.Equal(
        lines
            [
                "# HELP http_requests_total Requests served."
                "# TYPE http_requests_total counter"
                "http_requests_total{method=\"GET\"} 42"
            ],
        text [ m ]
    )

    Assert.Equal(
        lines
            [
                "# TYPE http_requests counter"
                "# HELP http_requests Requests served."
                "http_requests_total{method=\"GET\"} 42"
                "# EOF"
            ],
        openMetrics [ m ]
    )

let ``counter with a unit: UNIT line in OpenMetrics, suffix before _total`` () =
    let m = counter "cpu.time" "s" 3L

    Assert.Equal(lines [ "# TYPE cpu_time_seconds_total counter"; "cpu_time_seconds_total 3" ], text [ m ])

    Assert.Equal(
        lines
            [
                "# TYPE cpu_time_seconds counter"
                "# UNIT cpu_time_seconds seconds"
                "cpu_time_seconds_total 3"
                "# EOF"
            ],
        openMetrics [ m ]
    )

let ``non-monotonic sums are gauges`` () =
    let m =
        metric
            "queue.size"
            "{item}"
            ""
            (MetricPoints.Sum(Temporality.Cumulative, false, Items [ point [] (NumberValue.Long -3L) ]))

    Assert.Equal(lines [ "# TYPE queue_size gauge"; "queue_size -3" ], text [ m ])
    Assert.Equal(lines [ "# TYPE queue_size gauge"; "queue_size -3"; "# EOF" ], openMetrics [ m ])

let ``gauge with unit 1 gets _ratio and a UNIT line`` () =
    let m = gauge "cpu.utilization" "1" 0.25
    Assert.Equal(lines [ "# TYPE cpu_utilization_ratio gauge"; "cpu_utilization_ratio 0.25" ], text [ m ])

    Assert.Equal(
        lines
            [
                "# TYPE cpu_utilization_ratio gauge"
                "# UNIT cpu_utilization_ratio ratio"
                "cpu_utilization_ratio 0.25"
                "# EOF"
            ],
        openMetrics [ m ]
    )

// ---- numbers ----

let ``floats: integers without .0, shortest round trip, +Inf -Inf NaN`` () =
    let values =
        [
            5.0
            0.1
            -2.5
            1e21
            1.0 / 3.0
            infinity
            -infinity
            nan
            -0.0
            -7.0
            999999999999999.0
            1e15
            0.0
            1e17
        ]

    let m =
        metric
            "g"
            ""
            ""
            (MetricPoints.Gauge(
                values
                |> List.mapi (fun i v -> point [ KeyValue.int "i" (int64 i) ] (NumberValue.Double v))
            ))

    Assert.Equal(
        lines
            [
                "# TYPE g gauge"
                "g{i=\"0\"} 5"
                "g{i=\"1\"} 0.1"
                "g{i=\"2\"} -2.5"
                "g{i=\"3\"} 1E+21"
                "g{i=\"4\"} 0.3333333333333333"
                "g{i=\"5\"} +Inf"
                "g{i=\"6\"} -Inf"
                "g{i=\"7\"} NaN"
                "g{i=\"8\"} -0"
                "g{i=\"9\"} -7"
                "g{i=\"10\"} 999999999999999"
                "g{i=\"11\"} 1000000000000000"
                "g{i=\"12\"} 0"
                "g{i=\"13\"} 1E+17"
            ],
        text [ m ]
    )

let ``OpenMetrics canonical numbers are Go's %g with .0 added`` () =
    let cases =
        [
            0.0, "0.0"
            0.001, "0.001"
            0.95, "0.95"
            1.0, "1.0"
            1.7, "1.7"
            10.0, "10.0"
            1e-10, "1e-10"
            1e-5, "1e-05"
            0.0001, "0.0001"
            100000.0, "100000.0"
            1e6, "1e+06"
            1234567.0, "1.234567e+06"
            1e10, "1e+10"
            -5.0, "-5.0"
            infinity, "+Inf"
        ]

    let bounds =
        cases
        |> List.map fst
        |> List.filter (fun b -> b <> infinity)
        |> List.sort
        |> List.distinct

    let m =
        metric
            "h"
            ""
            ""
            (MetricPoints.Histogram(
                Temporality.Cumulative,
                [ histogramPoint [] bounds (List.replicate (bounds.Length + 1) 0L) 0.0 ]
            ))

    let output = openMetrics [ m ]

    for _, expected in cases do
        Assert.Contains($"h_bucket{{le=\"{expected}\"}} 0\n", output)

// ---- histograms ----

let private latency =
    metric
        "http.server.duration"
        "ms"
        "Duration of requests."
        (MetricPoints.Histogram(
            Temporality.Cumulative,
            [
                histogramPoint [ KeyValue.string "route" "/a" ] [ 5.0; 10.0; 2.5e3 ] [ 1L; 2L; 0L; 3L ] 12345.5
            ]
        ))

let ``histogram: cumulative buckets with le, +Inf, _sum and _count (0.0.4)`` () =
    Assert.Equal(
        lines
            [
                "# HELP http_server_duration_milliseconds Duration of requests."
                "# TYPE http_server_duration_milliseconds histogram"
                "http_server_duration_milliseconds_bucket{route=\"/a\",le=\"5\"} 1"
                "http_server_duration_milliseconds_bucket{route=\"/a\",le=\"10\"} 3"
                "http_server_duration_milliseconds_bucket{route=\"/a\",le=\"2500\"} 3"
                "http_server_duration_milliseconds_bucket{route=\"/a\",le=\"+Inf\"} 6"
                "http_server_duration_milliseconds_sum{route=\"/a\"} 12345.5"
                "http_server_duration_milliseconds_count{route=\"/a\"} 6"
            ],
        text [ latency ]
    )

let ``histogram: canonical le values and UNIT in OpenMetrics`` () =
    Assert.Equal(
        lines
            [
                "# TYPE http_server_duration_milliseconds histogram"
                "# UNIT http_server_duration_milliseconds milliseconds"
                "# HELP http_server_duration_milliseconds Duration of requests."
                "http_server_duration_milliseconds_bucket{route=\"/a\",le=\"5.0\"} 1"
                "http_server_duration_milliseconds_bucket{route=\"/a\",le=\"10.0\"} 3"
                "http_server_duration_milliseconds_bucket{route=\"/a\",le=\"2500.0\"} 3"
                "http_server_duration_milliseconds_bucket{route=\"/a\",le=\"+Inf\"} 6"
                "http_server_duration_milliseconds_sum{route=\"/a\"} 12345.5"
                "http_server_duration_milliseconds_count{route=\"/a\"} 6"
                "# EOF"
            ],
        openMetrics [ latency ]
    )

let ``histogram with negative buckets: no _sum; OpenMetrics then has no _count either`` () =
    let m =
        metric
            "temp"
            ""
            ""
            (MetricPoints.Histogram(
                Temporality.Cumulative,
                Items [ histogramPoint [] [ -10.0; 0.0 ] [ 1L; 1L; 1L ] -3.0 ]
            ))

    Assert.Equal(
        lines
            [
                "# TYPE temp histogram"
                "temp_bucket{le=\"-10\"} 1"
                "temp_bucket{le=\"0\"} 2"
                "temp_bucket{le=\"+Inf\"} 3"
                "temp_count 3"
            ],
        text [ m ]
    )

    Assert.Equal(
        lines
            [
                "# TYPE temp histogram"
                "temp_bucket{le=\"-10.0\"} 1"
                "temp_bucket{le=\"0.0\"} 2"
                "temp_bucket{le=\"+Inf\"} 3"
                "# EOF"
            ],
        openMetrics [ m ]
    )

let ``an attribute named le on a histogram is renamed le_`` () =
    let m =
        metric
            "h"
            ""
            ""
            (MetricPoints.Histogram(
                Temporality.Cumulative,
                [ histogramPoint [ KeyValue.string "le" "x" ] [] [ 2L ] 1.0 ]
            ))

    Assert.Equal(
        lines
            [
                "# TYPE h histogram"
                "h_bucket{le_=\"x\",le=\"+Inf\"} 2"
                "h_sum{le_=\"x\"} 1"
                "h_count{le_=\"x\"} 2"
            ],
        text [ m ]
    )

// ---- exemplars ----

let private traceId = TraceId(0x0102030405060708UL, 0x090a0b0c0d0e0f10UL)

let private exemplar (value: NumberValue) (time: int64) filtered : Exemplar =
    {
        FilteredAttributes = filtered
        Time = time
        Value = value
        TraceId = traceId
        SpanId = SpanId 0x1112131415161718UL
    }

let ``exemplars: on counter _total samples in OpenMetrics only, timestamp in seconds`` () =
    let p =
        { point [] (NumberValue.Long 7L) with
            Exemplars =
                [
                    exemplar (NumberValue.Long 1L) 1_600_000_000_123_000_000L [ KeyValue.string "user" "u1" ]
                ]
        }

    let m = metric "jobs" "" "" (MetricPoints.Sum(Temporality.Cumulative, true, Items [ p ]))
    Assert.Equal(lines [ "# TYPE jobs_total counter"; "jobs_total 7" ], text [ m ])

    Assert.Equal(
        lines
            [
                "# TYPE jobs counter"
                "jobs_total 7 # {trace_id=\"0102030405060708090a0b0c0d0e0f10\",span_id=\"1112131415161718\",user=\"u1\"} 1 1600000000.123"
                "# EOF"
            ],
        openMetrics [ m ]
    )

let ``exemplars: never on gauges`` () =
    let p =
        { point [] (NumberValue.Long 7L) with
            Exemplars = [ exemplar (NumberValue.Long 1L) 1_000_000_000L [] ]
        }

    let m = metric "g" "" "" (MetricPoints.Gauge [ p ])
    Assert.Equal(lines [ "# TYPE g gauge"; "g 7"; "# EOF" ], openMetrics [ m ])

let ``exemplars: filtered attributes left out when the label set would pass 128 characters`` () =
    let p =
        { point [] (NumberValue.Long 7L) with
            Exemplars =
                [
                    exemplar (NumberValue.Double 0.5) 2_000_000_000L [ KeyValue.string "k" (String.replicate 70 "x") ]
                ]
        }

    let m = metric "jobs" "" "" (MetricPoints.Sum(Temporality.Cumulative, true, Items [ p ]))

    Assert.Equal(
        lines
            [
                "# TYPE jobs counter"
                "jobs_total 7 # {trace_id=\"0102030405060708090a0b0c0d0e0f10\",span_id=\"1112131415161718\"} 0.5 2"
                "# EOF"
            ],
        openMetrics [ m ]
    )

let ``exemplars: each on the bucket whose range holds its value, the largest per bucket`` () =
    let p =
        { histogramPoint [] [ 1.0; 10.0 ] [ 1L; 2L; 1L ] 30.0 with
            Exemplars =
                [
                    exemplar (NumberValue.Double 0.5) 1_000_000_000L []
                    exemplar (NumberValue.Double 4.0) 1_000_000_000L []
                    exemplar (NumberValue.Double 10.0) 1_000_000_000L []
                    exemplar (NumberValue.Double 20.0) 1_500_000_000L []
                ]
        }

    let m = metric "h" "" "" (MetricPoints.Histogram(Temporality.Cumulative, Items [ p ]))
    let ids = "trace_id=\"0102030405060708090a0b0c0d0e0f10\",span_id=\"1112131415161718\""

    Assert.Equal(
        lines
            [
                "# TYPE h histogram"
                "h_bucket{le=\"1.0\"} 1 # {" + ids + "} 0.5 1"
                "h_bucket{le=\"10.0\"} 3 # {" + ids + "} 10 1"
                "h_bucket{le=\"+Inf\"} 4 # {" + ids + "} 20 1.5"
                "h_sum 30"
                "h_count 4"
                "# EOF"
            ],
        openMetrics [ m ]
    )

    Assert.DoesNotContain("#  {", text [ m ])
    Assert.DoesNotContain("trace_id", text [ m ])

// ---- labels ----

let ``labels: keys sanitised and sorted; keys that collide are joined with ; in key order`` () =
    let m =
        metric
            "g"
            ""
            ""
            (MetricPoints.Gauge
                [
                    point
                        [
                            KeyValue.string "b" "2"
                            KeyValue.string "a_b" "y"
                            KeyValue.string "a.b" "x"
                            KeyValue.int "1x" 3L
                            KeyValue.bool "ok" true
                        ]
                        (NumberValue.Long 1L)
                ])

    Assert.Equal(lines [ "# TYPE g gauge"; "g{_1x=\"3\",a_b=\"x;y\",b=\"2\",ok=\"true\"} 1" ], text [ m ])

let ``labels: values escape backslash, quote and newline; non-string values as the attribute spec says`` () =
    let m =
        metric
            "g"
            ""
            ""
            (MetricPoints.Gauge
                [
                    point
                        [
                            KeyValue.string "v" "a\\b\"c\nd é"
                            KeyValue.create "arr" (AnyValue.Array [ AnyValue.Int 1L; AnyValue.String "x" ])
                            KeyValue.double "d" 1.5
                        ]
                        (NumberValue.Long 1L)
                ])

    Assert.Equal(
        lines
            [
                "# TYPE g gauge"
                "g{arr=\"[1,\\\"x\\\"]\",d=\"1.5\",v=\"a\\\\b\\\"c\\nd é\"} 1"
            ],
        text [ m ]
    )

let ``HELP escapes backslash and newline in 0.0.4, and quotes too in OpenMetrics`` () =
    let m = { gauge "g" "" 1.0 with Description = "a \\ b\nc \"q\"" }
    Assert.Equal(lines [ "# HELP g a \\\\ b\\nc \"q\""; "# TYPE g gauge"; "g 1" ], text [ m ])
    Assert.Equal(lines [ "# TYPE g gauge"; "# HELP g a \\\\ b\\nc \\\"q\\\""; "g 1"; "# EOF" ], openMetrics [ m ])

let ``scope labels on every series: name, version, schema url (omitted when empty) and attributes`` () =
    let scoped =
        { gauge "g" "" 1.0 with
            Scope =
                {
                    Name = "my.lib"
                    Version = "1.2"
                    SchemaUrl = ""
                    Attributes = [ KeyValue.string "team.name" "core" ]
                }
        }

    let options = { bare with ScopeLabels = true }

    Assert.Equal(
        lines
            [
                "# TYPE g gauge"
                "g{otel_scope_name=\"my.lib\",otel_scope_team_name=\"core\",otel_scope_version=\"1.2\"} 1"
            ],
        render options PrometheusFormat.Text noResource [ scoped ]
    )

let ``the same family from two scopes is merged under one TYPE and HELP`` () =
    let a = { counter "requests" "" 1L with Description = "first" }

    let b =
        { counter "requests" "" 2L with
            Description = "second"
            Scope = InstrumentationScope.Named "other"
        }

    let options = { bare with ScopeLabels = true }

    Assert.Equal(
        lines
            [
                "# HELP requests_total first"
                "# TYPE requests_total counter"
                "requests_total{otel_scope_name=\"lib\"} 1"
                "requests_total{otel_scope_name=\"other\"} 2"
            ],
        render options PrometheusFormat.Text noResource [ a; b ]
    )

let ``a family name with a different type is left out and counted, in both formats`` () =
    let first = counter "jobs" "" 1L
    let clash = gauge "jobs_total" "" 2.0
    let clash2 = gauge "jobs" "" 3.0
    let renderer = PrometheusRenderer bare

    for format in [ PrometheusFormat.Text; PrometheusFormat.OpenMetrics ] do
        let buffer = ArrayBufferWriter<byte>()
        let dropped = renderer.Render(format, noResource, [ first; clash; clash2 ], buffer)
        Assert.Equal(2, dropped)
        let output = Encoding.UTF8.GetString buffer.WrittenSpan
        Assert.DoesNotContain(" 2\n", output)
        Assert.DoesNotContain(" 3\n", output)

let ``delta temporality and exponential histograms are left out and counted`` () =
    let delta =
        metric "d" "" "" (MetricPoints.Sum(Temporality.Delta, true, Items [ point [] (NumberValue.Long 1L) ]))

    let deltaHistogram =
        metric "dh" "" "" (MetricPoints.Histogram(Temporality.Delta, Items [ histogramPoint [] [] [ 1L ] 1.0 ]))

    let exponential = metric "e" "" "" (MetricPoints.ExponentialHistogram(Temporality.Cumulative, Items []))
    let buffer = ArrayBufferWriter<byte>()

    let dropped =
        PrometheusRenderer(bare)
            .Render(PrometheusFormat.Text, noResource, [ delta; deltaHistogram; exponential; gauge "g" "" 1.0 ], buffer)

    Assert.Equal(3, dropped)
    Assert.Equal(lines [ "# TYPE g gauge"; "g 1" ], Encoding.UTF8.GetString buffer.WrittenSpan)

// ---- target_info ----

let private resource: Resource =
    {
        Attributes =
            [
                KeyValue.string "service.name" "svc"
                KeyValue.string "service.instance.id" "i-1"
            ]
        SchemaUrl = ""
    }

let ``target_info: a gauge of 1 in 0.0.4 with the resource as labels, first`` () =
    let options = { bare with TargetInfo = true }

    Assert.Equal(
        lines
            [
                "# HELP target_info Target metadata"
                "# TYPE target_info gauge"
                "target_info{service_instance_id=\"i-1\",service_name=\"svc\"} 1"
                "# TYPE g gauge"
                "g 1"
            ],
        render options PrometheusFormat.Text resource [ gauge "g" "" 1.0 ]
    )

let ``target_info: an info family named target in OpenMetrics`` () =
    let options = { bare with TargetInfo = true }

    Assert.Equal(
        lines
            [
                "# TYPE target info"
                "# HELP target Target metadata"
                "target_info{service_instance_id=\"i-1\",service_name=\"svc\"} 1"
                "# EOF"
            ],
        render options PrometheusFormat.OpenMetrics resource []
    )

let ``target_info: none for an empty resource or when turned off`` () =
    Assert.Equal("", render { bare with TargetInfo = true } PrometheusFormat.Text noResource [])
    Assert.Equal("# EOF\n", render bare PrometheusFormat.OpenMetrics resource [])

// ---- options ----

let ``options: without unit suffixes`` () =
    let options = { bare with UnitSuffixes = false }
    let m = counter "cpu.time" "s" 3L

    Assert.Equal(
        lines [ "# TYPE cpu_time_total counter"; "cpu_time_total 3" ],
        render options PrometheusFormat.Text noResource [ m ]
    )

    Assert.Equal(
        lines [ "# TYPE cpu_time counter"; "cpu_time_total 3"; "# EOF" ],
        render options PrometheusFormat.OpenMetrics noResource [ m ]
    )

let ``options: without _total a counter keeps its name; in OpenMetrics it is unknown unless it ends in _total`` () =
    let options = { bare with TotalSuffix = false }
    let plain = counter "jobs" "" 3L
    let named = counter "done_total" "" 4L

    Assert.Equal(
        lines [ "# TYPE jobs counter"; "jobs 3"; "# TYPE done_total counter"; "done_total 4" ],
        render options PrometheusFormat.Text noResource [ plain; named ]
    )

    Assert.Equal(
        lines
            [
                "# TYPE jobs unknown"
                "jobs 3"
                "# TYPE done counter"
                "done_total 4"
                "# EOF"
            ],
        render options PrometheusFormat.OpenMetrics noResource [ plain; named ]
    )

let ``options: a namespace prefixes every family but not target_info`` () =
    let options = { bare with Namespace = "shop"; TargetInfo = true }

    Assert.Equal(
        lines
            [
                "# HELP target_info Target metadata"
                "# TYPE target_info gauge"
                "target_info{service_instance_id=\"i-1\",service_name=\"svc\"} 1"
                "# TYPE shop_orders_total counter"
                "shop_orders_total 3"
            ],
        render options PrometheusFormat.Text resource [ counter "orders" "" 3L ]
    )

let ``defaults: scope labels and target_info on`` () =
    let output = render PrometheusOptions.defaults PrometheusFormat.Text resource [ counter "orders" "" 3L ]

    Assert.Equal(
        lines
            [
                "# HELP target_info Target metadata"
                "# TYPE target_info gauge"
                "target_info{service_instance_id=\"i-1\",service_name=\"svc\"} 1"
                "# TYPE orders_total counter"
                "orders_total{otel_scope_name=\"lib\"} 3"
            ],
        output
    )

let ``a renderer reused across renders gives the same text`` () =
    let renderer = PrometheusRenderer PrometheusOptions.defaults

    let once =
        renderer.RenderToString(PrometheusFormat.OpenMetrics, resource, [ latency; counter "orders" "" 3L ])

    let twice =
        renderer.RenderToString(PrometheusFormat.OpenMetrics, resource, [ latency; counter "orders" "" 3L ])

    Assert.Equal(once, twice)
    Assert.EndsWith("# EOF\n", once)

let ``label sets kept between renders follow the series: new values, same lists, new lists, histograms`` () =
    let renderer = PrometheusRenderer bare
    let shared = [ KeyValue.string "k" "v" ]

    let sum (attributes: KeyValue list) (value: int64) =
        metric
            "c"
            ""
            ""
            (MetricPoints.Sum(Temporality.Cumulative, true, Items [ point attributes (NumberValue.Long value) ]))

    let histogram (attributes: KeyValue list) =
        metric
            "h"
            ""
            ""
            (MetricPoints.Histogram(Temporality.Cumulative, Items [ histogramPoint attributes [ 1.0 ] [ 1L; 0L ] 0.5 ]))

    let render metrics = renderer.RenderToString(PrometheusFormat.Text, noResource, metrics)

    Assert.Equal(lines [ "# TYPE c_total counter"; "c_total{k=\"v\"} 1" ], render [ sum shared 1L ])
    // The same attribute list with a new value.
    Assert.Equal(lines [ "# TYPE c_total counter"; "c_total{k=\"v\"} 2" ], render [ sum shared 2L ])
    // A new list with other labels, then the first list again after a render without it.
    Assert.Equal(
        lines [ "# TYPE c_total counter"; "c_total{k=\"w\"} 3" ],
        render [ sum [ KeyValue.string "k" "w" ] 3L ]
    )

    Assert.Equal(lines [ "# TYPE c_total counter"; "c_total{k=\"v\"} 4" ], render [ sum shared 4L ])
    // The same list on a histogram, where an `le` key is renamed: its own label set.
    let withLe = [ KeyValue.string "le" "x" ]

    Assert.Equal(
        lines
            [
                "# TYPE c_total counter"
                "c_total{le=\"x\"} 5"
                "# TYPE h histogram"
                "h_bucket{le_=\"x\",le=\"1\"} 1"
                "h_bucket{le_=\"x\",le=\"+Inf\"} 1"
                "h_sum{le_=\"x\"} 0.5"
                "h_count{le_=\"x\"} 1"
            ],
        render [ sum withLe 5L; histogram withLe ]
    )

let ``rendering into small pieces of non-array memory writes the same text`` () =
    let series =
        [
            for i in 0..299 ->
                metric
                    $"m{i % 7}"
                    "s"
                    "help"
                    (MetricPoints.Histogram(
                        Temporality.Cumulative,
                        [
                            histogramPoint
                                [ KeyValue.string "route" (System.String('r', i)) ]
                                [ 1.0; 2.0 ]
                                [ 1L; 2L; 3L ]
                                4.5
                        ]
                    ))
        ]

    let renderer = PrometheusRenderer PrometheusOptions.defaults

    for format in [ PrometheusFormat.Text; PrometheusFormat.OpenMetrics ] do
        let expected = renderer.RenderToString(format, noResource, series)
        let pieces = TestUtil.PieceWriter 64
        renderer.Render(format, noResource, series, pieces) |> ignore
        Assert.True(expected.Length > 100_000)
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString pieces.Bytes)

[<Tests>]
let tests =
    testList
        "PrometheusRenderTests"
        [
            test "negotiate: OpenMetrics only when the Accept header names it acceptably" {
                ``negotiate: OpenMetrics only when the Accept header names it acceptably`` ()
            }
            test "metric names: invalid characters become _, runs collapse, a leading digit gets a _ prefix" {
                ``metric names: invalid characters become _, runs collapse, a leading digit gets a _ prefix`` ()
            }
            test "unit suffixes follow the UCUM table, drop annotations and turn a slash into per" {
                ``unit suffixes follow the UCUM table, drop annotations and turn a slash into per`` ()
            }
            test "family names: unit suffix once, _total on monotonic sums, namespace first" {
                ``family names: unit suffix once, _total on monotonic sums, namespace first`` ()
            }
            test "counter: 0.0.4 family with _total, OpenMetrics family without it and _total samples" {
                ``counter: 0.0.4 family with _total, OpenMetrics family without it and _total samples`` ()
            }
            test "counter with a unit: UNIT line in OpenMetrics, suffix before _total" {
                ``counter with a unit: UNIT line in OpenMetrics, suffix before _total`` ()
            }
            test "non-monotonic sums are gauges" { ``non-monotonic sums are gauges`` () }
            test "gauge with unit 1 gets _ratio and a UNIT line" {
                ``gauge with unit 1 gets _ratio and a UNIT line`` ()
            }
            test "floats: integers without .0, shortest round trip, +Inf -Inf NaN" {
                ``floats: integers without .0, shortest round trip, +Inf -Inf NaN`` ()
            }
            test "OpenMetrics canonical numbers are Go's %g with .0 added" {
                ``OpenMetrics canonical numbers are Go's %g with .0 added`` ()
            }
            test "histogram: cumulative buckets with le, +Inf, _sum and _count (0.0.4)" {
                ``histogram: cumulative buckets with le, +Inf, _sum and _count (0.0.4)`` ()
            }
            test "histogram: canonical le values and UNIT in OpenMetrics" {
                ``histogram: canonical le values and UNIT in OpenMetrics`` ()
            }
            test "histogram with negative buckets: no _sum; OpenMetrics then has no _count either" {
                ``histogram with negative buckets: no _sum; OpenMetrics then has no _count either`` ()
            }
            test "an attribute named le on a histogram is renamed le_" {
                ``an attribute named le on a histogram is renamed le_`` ()
            }
            test "exemplars: on counter _total samples in OpenMetrics only, timestamp in seconds" {
                ``exemplars: on counter _total samples in OpenMetrics only, timestamp in seconds`` ()
            }
            test "exemplars: never on gauges" { ``exemplars: never on gauges`` () }
            test "exemplars: filtered attributes left out when the label set would pass 128 characters" {
                ``exemplars: filtered attributes left out when the label set would pass 128 characters`` ()
            }
            test "exemplars: each on the bucket whose range holds its value, the largest per bucket" {
                ``exemplars: each on the bucket whose range holds its value, the largest per bucket`` ()
            }
            test "labels: keys sanitised and sorted; keys that collide are joined with ; in key order" {
                ``labels: keys sanitised and sorted; keys that collide are joined with ; in key order`` ()
            }
            test "labels: values escape backslash, quote and newline; non-string values as the attribute spec says" {
                ``labels: values escape backslash, quote and newline; non-string values as the attribute spec says`` ()
            }
            test "HELP escapes backslash and newline in 0.0.4, and quotes too in OpenMetrics" {
                ``HELP escapes backslash and newline in 0.0.4, and quotes too in OpenMetrics`` ()
            }
            test "scope labels on every series: name, version, schema url (omitted when empty) and attributes" {
                ``scope labels on every series: name, version, schema url (omitted when empty) and attributes`` ()
            }
            test "the same family from two scopes is merged under one TYPE and HELP" {
                ``the same family from two scopes is merged under one TYPE and HELP`` ()
            }
            test "a family name with a different type is left out and counted, in both formats" {
                ``a family name with a different type is left out and counted, in both formats`` ()
            }
            test "delta temporality and exponential histograms are left out and counted" {
                ``delta temporality and exponential histograms are left out and counted`` ()
            }
            test "target_info: a gauge of 1 in 0.0.4 with the resource as labels, first" {
                ``target_info: a gauge of 1 in 0.0.4 with the resource as labels, first`` ()
            }
            test "target_info: an info family named target in OpenMetrics" {
                ``target_info: an info family named target in OpenMetrics`` ()
            }
            test "target_info: none for an empty resource or when turned off" {
                ``target_info: none for an empty resource or when turned off`` ()
            }
            test "options: without unit suffixes" { ``options: without unit suffixes`` () }
            test
                "options: without _total a counter keeps its name; in OpenMetrics it is unknown unless it ends in _total" {
                ``options: without _total a counter keeps its name; in OpenMetrics it is unknown unless it ends in _total`` ()
            }
            test "options: a namespace prefixes every family but not target_info" {
                ``options: a namespace prefixes every family but not target_info`` ()
            }
            test "defaults: scope labels and target_info on" { ``defaults: scope labels and target_info on`` () }
            test "a renderer reused across renders gives the same text" {
                ``a renderer reused across renders gives the same text`` ()
            }
            test "label sets kept between renders follow the series: new values, same lists, new lists, histograms" {
                ``label sets kept between renders follow the series: new values, same lists, new lists, histograms`` ()
            }
            test "rendering into small pieces of non-array memory writes the same text" {
                ``rendering into small pieces of non-array memory writes the same text`` ()
            }
        ]
