module Functional.Telemetry.Tests.PropagatorBridgeTests

open System
open System.Collections.Generic
open System.Diagnostics
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private setter =
    DistributedContextPropagator.PropagatorSetterCallback(fun carrier name value ->
        (carrier :?> Dictionary<string, string>)[name] <- value)

let private getter =
    DistributedContextPropagator.PropagatorGetterCallback(fun carrier name value values ->
        let headers = carrier :?> Dictionary<string, string>

        match headers.TryGetValue name with
        | true, found -> value <- found
        | _ -> value <- null

        values <- null)

let private withListener (body: ActivitySource -> unit) =
    use source = new ActivitySource("Functional.Telemetry.Tests.PropagatorBridge")

    use listener =
        new ActivityListener(
            ShouldListenTo = (fun s -> Object.ReferenceEquals(s, source)),
            Sample = (fun _ -> ActivitySamplingResult.AllDataAndRecorded)
        )

    ActivitySource.AddActivityListener listener
    body source

[<Fact>]
let ``activity ids convert both ways`` () =
    let traceId = TraceId(0x4bf92f3577b34da6UL, 0xa3ce929d0e0e4736UL)
    let spanId = SpanId 0x00f067aa0ba902b7UL
    let activityTraceId = ActivityConversion.ofTraceId traceId
    let activitySpanId = ActivityConversion.ofSpanId spanId
    Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", activityTraceId.ToHexString())
    Assert.Equal("00f067aa0ba902b7", activitySpanId.ToHexString())
    Assert.Equal(traceId, ActivityConversion.toTraceId activityTraceId)
    Assert.Equal(spanId, ActivityConversion.toSpanId activitySpanId)
    Assert.Equal(TraceId.Empty, ActivityConversion.toTraceId (ActivityTraceId()))

[<Collection("global-propagator")>]
type GlobalPropagatorTests() =

    [<Fact>]
    member _.``install sets the current propagator and dispose restores it``() =
        let previous = DistributedContextPropagator.Current
        let installed = Propagation.install Propagators.defaults

        try
            Assert.IsType<PropagatorBridge>(DistributedContextPropagator.Current) |> ignore

            Assert.Equal<string>(
                [ "traceparent"; "tracestate"; "baggage" ],
                DistributedContextPropagator.Current.Fields
            )
        finally
            installed.Dispose()

        Assert.Same(previous, DistributedContextPropagator.Current)

    [<Fact>]
    member _.``inject writes the activity's traceparent, tracestate and baggage``() =
        let installed = Propagation.install Propagators.defaults

        try
            withListener (fun source ->
                use activity = source.StartActivity "outgoing"
                Assert.NotNull activity
                activity.TraceStateString <- "vendor=x"
                activity.AddBaggage("user", "al ice") |> ignore
                let headers = Dictionary<string, string>()
                DistributedContextPropagator.Current.Inject(activity, headers, setter)

                let expected = $"00-{activity.TraceId.ToHexString()}-{activity.SpanId.ToHexString()}-01"

                Assert.Equal(expected, headers["traceparent"])
                Assert.Equal("vendor=x", headers["tracestate"])
                Assert.Equal("user=al%20ice", headers["baggage"]))
        finally
            installed.Dispose()

    [<Fact>]
    member _.``extract returns the traceparent, a valid tracestate and the baggage``() =
        let installed = Propagation.install Propagators.defaults

        try
            let headers = Dictionary<string, string>()
            headers["traceparent"] <- " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 "
            headers["tracestate"] <- "a=1, b=2"
            headers["baggage"] <- "k=v%2C1,bad key=2"

            let mutable traceId: string = null
            let mutable traceState: string = null
            DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, getter, &traceId, &traceState)
            Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceId)
            Assert.Equal("a=1,b=2", traceState)

            let baggage =
                DistributedContextPropagator.Current.ExtractBaggage(headers, getter)
                |> List.ofSeq

            Assert.Equal<KeyValuePair<string, string>>([ KeyValuePair("k", "v,1") ], baggage)

            headers["tracestate"] <- "Invalid=1"
            DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, getter, &traceId, &traceState)
            Assert.NotNull traceId
            Assert.Null traceState

            let empty = Dictionary<string, string>()
            DistributedContextPropagator.Current.ExtractTraceIdAndState(empty, getter, &traceId, &traceState)
            Assert.Null traceId
            Assert.Null(DistributedContextPropagator.Current.ExtractBaggage(empty, getter))
        finally
            installed.Dispose()

    [<Fact>]
    member _.``inject then extract continues the trace in a child activity``() =
        let installed = Propagation.install (Propagators.composite [ Propagators.b3Multi; Propagators.baggage ])

        try
            withListener (fun source ->
                let headers = Dictionary<string, string>()

                let parentTraceId, parentSpanId =
                    use parent = source.StartActivity "client"
                    parent.AddBaggage("tenant", "t1") |> ignore
                    DistributedContextPropagator.Current.Inject(parent, headers, setter)
                    parent.TraceId, parent.SpanId

                Assert.Equal(parentTraceId.ToHexString(), headers["X-B3-TraceId"])

                let mutable traceId: string = null
                let mutable traceState: string = null
                DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, getter, &traceId, &traceState)
                let parsed, context = ActivityContext.TryParse(traceId, traceState, true)
                Assert.True parsed

                use child = source.StartActivity("server", ActivityKind.Server, context)
                Assert.Equal(parentTraceId, child.TraceId)
                Assert.Equal(parentSpanId, child.ParentSpanId)
                Assert.True child.HasRemoteParent

                let baggage =
                    DistributedContextPropagator.Current.ExtractBaggage(headers, getter)
                    |> List.ofSeq

                Assert.Equal<KeyValuePair<string, string>>([ KeyValuePair("tenant", "t1") ], baggage))
        finally
            installed.Dispose()
