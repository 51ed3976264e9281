module Functional.Telemetry.Tests.PropagatorBridgeTests

open Expecto
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

type GlobalPropagatorTests() =

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

                // Sampled, and random: a trace started here has .NET's random trace id (Level 2's random flag).
                let expected = $"00-{activity.TraceId.ToHexString()}-{activity.SpanId.ToHexString()}-03"

                Assert.Equal(expected, headers["traceparent"])
                Assert.Equal("vendor=x", headers["tracestate"])
                Assert.Equal("user=al%20ice", headers["baggage"]))
        finally
            installed.Dispose()

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

    // ---- W3C Trace Context Level 2: the random-trace-id flag ----

    /// Extracts `traceparent` through the installed bridge and starts the server activity from it, as ASP.NET Core
    /// does (ExtractTraceIdAndState, then ActivityContext.TryParse).
    static member private ServerActivity(source: ActivitySource, traceparent: string) =
        let headers = Dictionary<string, string>()
        headers["traceparent"] <- traceparent
        headers["tracestate"] <- "vendor=1"
        let mutable traceId: string = null
        let mutable traceState: string = null
        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, getter, &traceId, &traceState)
        let parsed, context = ActivityContext.TryParse(traceId, traceState, true)
        Assert.True parsed
        source.StartActivity("server", ActivityKind.Server, context)

    static member private Injected(activity: Activity) =
        let headers = Dictionary<string, string>()
        DistributedContextPropagator.Current.Inject(activity, headers, setter)
        headers["traceparent"]

    member _.``the random flag of an incoming traceparent leaves on calls made in grandchildren, and its absence too``
        (incoming: string, outgoing: string)
        =
        let installed = Propagation.install Propagators.defaults

        try
            withListener (fun source ->
                // The listener records everything; the outgoing sampled bit here is the incoming one because the
                // test's own sampler is not ParentBased: only its random bit is under test, so take the sampled bit
                // from each activity.
                let traceIdHex = "4bf92f3577b34da6a3ce929d0e0e4736"

                use server =
                    GlobalPropagatorTests.ServerActivity(source, $"00-{traceIdHex}-00f067aa0ba902b7-{incoming}")

                use handler = source.StartActivity "handler"
                use client = source.StartActivity("client", ActivityKind.Client)
                Assert.Same(handler, client.Parent)
                Assert.Same(server, handler.Parent)

                // .NET drops the random bit on the children: the bridge must restore it from the trace's local root.
                Assert.Equal(ActivityTraceFlags.Recorded, client.ActivityTraceFlags)

                let sampled = if client.Recorded then 1uy else 0uy
                let random = Convert.ToByte(outgoing, 16) &&& 2uy
                let expected = $"00-{traceIdHex}-{client.SpanId.ToHexString()}-{(sampled ||| random):x2}"
                Assert.Equal(expected, GlobalPropagatorTests.Injected client)

                // The server activity itself, and a span of the native API, propagate the same.
                Assert.EndsWith(
                    $"-{((if server.Recorded then 1uy else 0uy) ||| random):x2}",
                    GlobalPropagatorTests.Injected server
                )

                Assert.Same(client, Activity.Current)
                let expectRandom = (random = 2uy)
                Assert.Equal(expectRandom, (ActiveSpan.current ()).Context.TraceFlags.IsRandom))
        finally
            installed.Dispose()

    member _.``the random flag survives extract, child activity, inject through HttpClient's propagator calls``() =
        // The full path with a second hop: the outgoing header of the first service is the incoming one of the second.
        let installed = Propagation.install Propagators.defaults

        try
            withListener (fun source ->
                use first =
                    GlobalPropagatorTests.ServerActivity(
                        source,
                        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02"
                    )

                use call = source.StartActivity("call", ActivityKind.Client)
                let hop = GlobalPropagatorTests.Injected call
                Assert.EndsWith("-03", hop)
                call.Stop()
                first.Stop()
                Activity.Current <- null

                use second = GlobalPropagatorTests.ServerActivity(source, hop)
                use inner = source.StartActivity "inner"
                use innerCall = source.StartActivity("inner-call", ActivityKind.Client)
                let next = GlobalPropagatorTests.Injected innerCall
                Assert.StartsWith("00-0af7651916cd43dd8448eb211c80319c-", next)
                Assert.EndsWith("-03", next))
        finally
            Activity.Current <- null
            installed.Dispose()

    member _.``a trace started here sets the random flag; a parent context that does not say leaves it clear``() =
        let installed = Propagation.install Propagators.defaults

        try
            withListener (fun source ->
                use root = source.StartActivity "root"
                use child = source.StartActivity "child"
                Assert.EndsWith("-03", GlobalPropagatorTests.Injected root)
                Assert.EndsWith("-03", GlobalPropagatorTests.Injected child)
                child.Stop()
                root.Stop()

                // A local parent context without the flag (passed by value, not the Activity): unknown origin, so
                // the flag stays clear rather than claim a randomness nobody promised.
                let parent =
                    ActivityContext(
                        ActivityTraceId.CreateRandom(),
                        ActivitySpanId.CreateRandom(),
                        ActivityTraceFlags.Recorded
                    )

                use fromContext = source.StartActivity("from-context", ActivityKind.Internal, parent)
                Assert.EndsWith("-01", GlobalPropagatorTests.Injected fromContext))
        finally
            Activity.Current <- null
            installed.Dispose()

let ``with trace ids that are not random (a custom Activity.TraceIdGenerator) a trace started here leaves the flag clear``
    ()
    =
    // The decision with the generator's answer passed in: setting Activity.TraceIdGenerator would change the trace
    // ids of every test running at the same time.
    withListener (fun source ->
        use root = source.StartActivity "root"
        use child = source.StartActivity "child"
        Assert.False((ActivityConversion.propagatedTraceFlagsWith false child).IsRandom)
        Assert.True((ActivityConversion.propagatedTraceFlagsWith true child).IsRandom)
        Assert.True((ActivityConversion.propagatedTraceFlagsWith false child).IsSampled))

[<Tests>]
let tests =
    testList
        "PropagatorBridgeTests"
        [
            test "activity ids convert both ways" { ``activity ids convert both ways`` () }
            testSequencedGroup
                "global-propagator"
                (testList
                    "GlobalPropagatorTests"
                    [
                        test "install sets the current propagator and dispose restores it" {
                            let instance = GlobalPropagatorTests()
                            instance.``install sets the current propagator and dispose restores it`` ()
                        }
                        test "inject writes the activity's traceparent, tracestate and baggage" {
                            let instance = GlobalPropagatorTests()
                            instance.``inject writes the activity's traceparent, tracestate and baggage`` ()
                        }
                        test "extract returns the traceparent, a valid tracestate and the baggage" {
                            let instance = GlobalPropagatorTests()
                            instance.``extract returns the traceparent, a valid tracestate and the baggage`` ()
                        }
                        test "inject then extract continues the trace in a child activity" {
                            let instance = GlobalPropagatorTests()
                            instance.``inject then extract continues the trace in a child activity`` ()
                        }
                        test
                            "the random flag of an incoming traceparent leaves on calls made in grandchildren, and its absence too(incoming: \"03\", outgoing: \"03\")" {
                            let instance = GlobalPropagatorTests()

                            instance
                                .``the random flag of an incoming traceparent leaves on calls made in grandchildren, and its absence too`` (
                                    "03",
                                    "03"
                                )
                        }
                        test
                            "the random flag of an incoming traceparent leaves on calls made in grandchildren, and its absence too(incoming: \"02\", outgoing: \"02\")" {
                            let instance = GlobalPropagatorTests()

                            instance
                                .``the random flag of an incoming traceparent leaves on calls made in grandchildren, and its absence too`` (
                                    "02",
                                    "02"
                                )
                        }
                        test
                            "the random flag of an incoming traceparent leaves on calls made in grandchildren, and its absence too(incoming: \"01\", outgoing: \"01\")" {
                            let instance = GlobalPropagatorTests()

                            instance
                                .``the random flag of an incoming traceparent leaves on calls made in grandchildren, and its absence too`` (
                                    "01",
                                    "01"
                                )
                        }
                        test
                            "the random flag of an incoming traceparent leaves on calls made in grandchildren, and its absence too(incoming: \"00\", outgoing: \"00\")" {
                            let instance = GlobalPropagatorTests()

                            instance
                                .``the random flag of an incoming traceparent leaves on calls made in grandchildren, and its absence too`` (
                                    "00",
                                    "00"
                                )
                        }
                        test
                            "the random flag survives extract, child activity, inject through HttpClient's propagator calls" {
                            let instance = GlobalPropagatorTests()

                            instance
                                .``the random flag survives extract, child activity, inject through HttpClient's propagator calls`` ()
                        }
                        test
                            "a trace started here sets the random flag; a parent context that does not say leaves it clear" {
                            let instance = GlobalPropagatorTests()

                            instance
                                .``a trace started here sets the random flag; a parent context that does not say leaves it clear`` ()
                        }
                    ])
            test
                "with trace ids that are not random (a custom Activity.TraceIdGenerator) a trace started here leaves the flag clear" {
                ``with trace ids that are not random (a custom Activity.TraceIdGenerator) a trace started here leaves the flag clear`` ()
            }
        ]
