module Functional.Telemetry.Tests.ViewsTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private instrument name kind =
    {
        Name = name
        Description = "the description"
        Unit = "ms"
        Kind = kind
        NumberKind = NumberKind.Double
        Scope =
            { InstrumentationScope.Named "My.Meter" with
                Version = "1.0"
            }
        AdvisedBoundaries = null
    }

let private requests = instrument "http.server.requests" InstrumentKind.Counter
let private duration = instrument "http.server.duration" InstrumentKind.Histogram

let ``wildcards: star is any run, question mark one character, names case-insensitive`` () =
    let matchesName pattern = View.matches { View.anyInstrument with Name = Some pattern } requests

    Assert.True(matchesName "http.server.requests")
    Assert.True(matchesName "HTTP.Server.Requests")
    Assert.True(matchesName "http.*")
    Assert.True(matchesName "*")
    Assert.True(matchesName "*requests")
    Assert.True(matchesName "http.*.req*s")
    Assert.True(matchesName "http.server.request?")
    Assert.True(matchesName "h**p.server.requests")
    Assert.False(matchesName "http.server.request")
    Assert.False(matchesName "http.server.requests?")
    Assert.False(matchesName "?http.server.requests")
    Assert.False(matchesName "db.*")
    Assert.True(View.matches View.anyInstrument requests)

let ``every given criterion must match: kind, meter name, version and unit`` () =
    let selector = View.anyInstrument
    Assert.True(View.matches { selector with Kind = Some InstrumentKind.Counter } requests)
    Assert.False(View.matches { selector with Kind = Some InstrumentKind.Histogram } requests)
    Assert.True(View.matches { selector with MeterName = Some "My.Meter" } requests)
    Assert.False(View.matches { selector with MeterName = Some "my.meter" } requests)
    Assert.True(View.matches { selector with MeterVersion = Some "1.0" } requests)
    Assert.False(View.matches { selector with MeterVersion = Some "2.0" } requests)
    Assert.True(View.matches { selector with Unit = Some "ms" } requests)
    Assert.False(View.matches { selector with Unit = Some "s" } requests)

    Assert.False(
        View.matches
            { selector with
                Name = Some "http.*"
                Kind = Some InstrumentKind.Histogram
            }
            requests
    )

let ``no matching view gives the default stream`` () =
    let streams = View.streams [ View.forInstrument "db.*" ] 2000 requests

    Assert.Equal<StreamConfig list>(
        [
            {
                Instrument = requests
                Name = "http.server.requests"
                Description = "the description"
                Aggregation = Aggregation.Sum
                Attributes = AttributeFilter.All
                CardinalityLimit = 2000
            }
        ],
        streams
    )

    Assert.Equal(2000, View.defaultCardinalityLimit)

let ``default aggregations by kind`` () =
    let aggregationOf kind = View.defaultAggregation (instrument "x" kind)

    for kind in
        [
            InstrumentKind.Counter
            InstrumentKind.UpDownCounter
            InstrumentKind.ObservableCounter
            InstrumentKind.ObservableUpDownCounter
        ] do
        Assert.Equal(Aggregation.Sum, aggregationOf kind)

    Assert.Equal(Aggregation.LastValue, aggregationOf InstrumentKind.Gauge)
    Assert.Equal(Aggregation.LastValue, aggregationOf InstrumentKind.ObservableGauge)

    Assert.Equal(
        Aggregation.ExplicitBucketHistogram(HistogramState.defaultBounds, true),
        aggregationOf InstrumentKind.Histogram
    )

let ``advised boundaries are used when valid and ignored when not`` () =
    let advised bounds = View.defaultAggregation { duration with AdvisedBoundaries = bounds }

    Assert.Equal(Aggregation.ExplicitBucketHistogram([ 0.1; 0.5; 1.0 ], true), advised [ 0.1; 0.5; 1.0 ])
    Assert.Equal(Aggregation.ExplicitBucketHistogram(HistogramState.defaultBounds, true), advised [ 1.0; 0.5 ])
    Assert.Equal(Aggregation.ExplicitBucketHistogram(HistogramState.defaultBounds, true), advised [ 1.0; nan ])

let ``a view renames, redescribes, filters attributes, changes aggregation and limit`` () =
    let view =
        { View.forInstrument "http.server.duration" with
            Name = Some "latency"
            Description = Some "how long"
            Attributes = AttributeFilter.Allow [ "route" ]
            Aggregation = Some(Aggregation.Base2ExponentialHistogram(160, 20, true))
            CardinalityLimit = Some 10
        }
        |> View.validate
        |> Validation.orThrow "view"

    Assert.Equal<StreamConfig list>(
        [
            {
                Instrument = duration
                Name = "latency"
                Description = "how long"
                Aggregation = Aggregation.Base2ExponentialHistogram(160, 20, true)
                Attributes = AttributeFilter.Allow [ "route" ]
                CardinalityLimit = 10
            }
        ],
        View.streams [ view ] 2000 duration
    )

let ``each matching view gives a stream; drop gives none; default aggregation resolves`` () =
    let drop =
        { View.forInstrument "http.*" with
            Aggregation = Some Aggregation.Drop
        }

    let keep =
        { View.forInstrument "*.requests" with
            Aggregation = Some Aggregation.Default
        }

    let last =
        { View.forInstrument "*" with
            Aggregation = Some Aggregation.LastValue
        }

    Assert.Empty(View.streams [ drop ] 2000 requests)

    let streams = View.streams [ drop; keep; last ] 500 requests
    let aggregations = streams |> List.map (fun s -> s.Aggregation)
    Assert.Equal<Aggregation list>([ Aggregation.Sum; Aggregation.LastValue ], aggregations)

    Assert.True(
        streams
        |> List.forall (fun s -> s.Name = "http.server.requests" && s.CardinalityLimit = 500)
    )

let ``histogram aggregations on observable instruments fall back to the default`` () =
    let gauge = instrument "cpu" InstrumentKind.ObservableGauge

    let view =
        { View.forInstrument "cpu" with
            Aggregation = Some(Aggregation.ExplicitBucketHistogram([ 1.0 ], true))
        }

    let aggregationsWith views = View.streams views 2000 gauge |> List.map (fun s -> s.Aggregation)

    Assert.Equal<Aggregation list>([ Aggregation.LastValue ], aggregationsWith [ view ])

    let sumView =
        { View.forInstrument "cpu" with
            Aggregation = Some Aggregation.Sum
        }

    Assert.Equal<Aggregation list>([ Aggregation.Sum ], aggregationsWith [ sumView ])

let ``attribute filters: all, allow and deny`` () =
    let attributes =
        [
            KeyValue.string "route" "/"
            KeyValue.string "method" "GET"
            KeyValue.int "status" 200L
        ]

    Assert.Equal<KeyValue list * KeyValue list>((attributes, []), View.filterAttributes AttributeFilter.All attributes)

    Assert.Equal<KeyValue list * KeyValue list>(
        ([ KeyValue.string "route" "/"; KeyValue.int "status" 200L ], [ KeyValue.string "method" "GET" ]),
        View.filterAttributes (AttributeFilter.Allow [ "status"; "route" ]) attributes
    )

    Assert.Equal<KeyValue list * KeyValue list>(
        ([ KeyValue.string "method" "GET" ], [ KeyValue.string "route" "/"; KeyValue.int "status" 200L ]),
        View.filterAttributes (AttributeFilter.Deny [ "status"; "route" ]) attributes
    )

let private rejected (view: View) (fragment: string) =
    let error =
        Assert.Throws<ArgumentException>(fun () -> Validation.orThrow "view" (View.validate view) |> ignore)

    Assert.Contains(fragment, error.Message)

let ``validate rejects bad views with a message naming the problem`` () =
    rejected { View.forInstrument "http.*" with Name = Some "renamed" } "exact name"

    rejected
        { (View.forInstrument "x") with
            Selector = View.anyInstrument
            Name = Some "renamed"
        }
        "exact name"

    rejected
        { View.forInstrument "x" with
            Aggregation = Some(Aggregation.ExplicitBucketHistogram([ 1.0; 1.0 ], true))
        }
        "ascending and distinct"

    rejected
        { View.forInstrument "x" with
            Aggregation = Some(Aggregation.ExplicitBucketHistogram([ 2.0; 1.0 ], true))
        }
        "ascending and distinct"

    rejected
        { View.forInstrument "x" with
            Aggregation = Some(Aggregation.ExplicitBucketHistogram([ 1.0; infinity ], true))
        }
        "finite"

    rejected
        { View.forInstrument "x" with
            Aggregation = Some(Aggregation.Base2ExponentialHistogram(1, 20, true))
        }
        "max size"

    rejected
        { View.forInstrument "x" with
            Aggregation = Some(Aggregation.Base2ExponentialHistogram(160, 21, true))
        }
        "max scale"

    rejected
        { View.forInstrument "x" with
            Aggregation = Some(Aggregation.Base2ExponentialHistogram(160, -11, true))
        }
        "max scale"

    rejected { View.forInstrument "x" with CardinalityLimit = Some 0 } "cardinality limit"

let ``validate accepts good views unchanged`` () =
    let view =
        { View.forInstrument "x" with
            Name = Some "y"
            Aggregation = Some(Aggregation.ExplicitBucketHistogram([ -1.0; 0.0; 2.5 ], false))
            CardinalityLimit = Some 1
        }

    Assert.Equal(Ok view, View.validate view)

    let exponential =
        { View.forInstrument "x*" with
            Aggregation = Some(Aggregation.Base2ExponentialHistogram(2, -10, true))
        }

    Assert.Equal(Ok exponential, View.validate exponential)

let ``instrument name validity`` () =
    for name in [ "a"; "http.server.duration"; "A_b-c/d.e9"; String('x', 255) ] do
        Assert.True(InstrumentName.isValid name, name)

    for name in [ ""; null; "1abc"; "_abc"; "a b"; "a*"; "é"; "a\u00e9"; String('x', 256) ] do
        Assert.False(InstrumentName.isValid name, string name)

[<Tests>]
let tests =
    testList
        "ViewsTests"
        [
            test "wildcards: star is any run, question mark one character, names case-insensitive" {
                ``wildcards: star is any run, question mark one character, names case-insensitive`` ()
            }
            test "every given criterion must match: kind, meter name, version and unit" {
                ``every given criterion must match: kind, meter name, version and unit`` ()
            }
            test "no matching view gives the default stream" { ``no matching view gives the default stream`` () }
            test "default aggregations by kind" { ``default aggregations by kind`` () }
            test "advised boundaries are used when valid and ignored when not" {
                ``advised boundaries are used when valid and ignored when not`` ()
            }
            test "a view renames, redescribes, filters attributes, changes aggregation and limit" {
                ``a view renames, redescribes, filters attributes, changes aggregation and limit`` ()
            }
            test "each matching view gives a stream; drop gives none; default aggregation resolves" {
                ``each matching view gives a stream; drop gives none; default aggregation resolves`` ()
            }
            test "histogram aggregations on observable instruments fall back to the default" {
                ``histogram aggregations on observable instruments fall back to the default`` ()
            }
            test "attribute filters: all, allow and deny" { ``attribute filters: all, allow and deny`` () }
            test "validate rejects bad views with a message naming the problem" {
                ``validate rejects bad views with a message naming the problem`` ()
            }
            test "validate accepts good views unchanged" { ``validate accepts good views unchanged`` () }
            test "instrument name validity" { ``instrument name validity`` () }
        ]
