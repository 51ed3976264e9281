module Functional.Telemetry.Tests.PropagatorsTests

open Expecto
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private traceIdHex = "4bf92f3577b34da6a3ce929d0e0e4736"
let private spanIdHex = "00f067aa0ba902b7"
let private traceId = TraceId(0x4bf92f3577b34da6UL, 0xa3ce929d0e0e4736UL)
let private spanId = SpanId 0x00f067aa0ba902b7UL

let private spanContext sampled =
    {
        TraceId = traceId
        SpanId = spanId
        TraceFlags = (if sampled then TraceFlags.Sampled else TraceFlags.None)
        TraceState = TraceState.empty
        IsRemote = false
    }

let private remote sampled = { spanContext sampled with IsRemote = true }

let private withSpan context = { PropagationContext.empty with SpanContext = Some context }

let private extract (propagator: TextMapPropagator) headers =
    propagator.Extract (Propagators.getterOf headers) PropagationContext.empty

let ``trace context injects traceparent and tracestate`` () =
    let state = TraceState.tryParse "vendor=x,other=y" |> Option.get
    let context = withSpan { spanContext true with TraceState = state }

    Assert.Equal<(string * string) list>(
        [
            "traceparent", $"00-{traceIdHex}-{spanIdHex}-01"
            "tracestate", "vendor=x,other=y"
        ],
        Propagators.traceContext.Inject context
    )

    Assert.Equal<(string * string) list>(
        [ "traceparent", $"00-{traceIdHex}-{spanIdHex}-00" ],
        Propagators.traceContext.Inject(withSpan (spanContext false))
    )

let ``trace context injects nothing for an invalid or missing context`` () =
    Assert.Empty(Propagators.traceContext.Inject PropagationContext.empty)
    Assert.Empty(Propagators.traceContext.Inject(withSpan SpanContext.Invalid))

let ``trace context extracts case-insensitively with combined tracestate`` () =
    let context =
        extract
            Propagators.traceContext
            [
                "TraceParent", $"00-{traceIdHex}-{spanIdHex}-01"
                "tracestate", "a=1"
                "TRACESTATE", "b=2"
            ]

    let expected =
        { remote true with
            TraceState = { Entries = [ "a", "1"; "b", "2" ] }
        }

    Assert.Equal(Some expected, context.SpanContext)

let ``trace context ignores an invalid tracestate but keeps the parent`` () =
    let context =
        extract Propagators.traceContext [ "traceparent", $"00-{traceIdHex}-{spanIdHex}-01"; "tracestate", "A=1" ]

    Assert.Equal(Some(remote true), context.SpanContext)

let ``trace context leaves the context unchanged on invalid or repeated traceparent`` () =
    let before = withSpan (spanContext false)
    let getter = Propagators.getterOf [ "traceparent", "00-bad" ]
    Assert.Equal(before, Propagators.traceContext.Extract getter before)

    let twice =
        Propagators.getterOf
            [
                "traceparent", $"00-{traceIdHex}-{spanIdHex}-01"
                "traceparent", $"00-{traceIdHex}-{spanIdHex}-00"
            ]

    Assert.Equal(before, Propagators.traceContext.Extract twice before)

let ``baggage injects and extracts`` () =
    let baggage = Baggage.empty |> Baggage.set "user" "al ice" |> Baggage.set "n" "1"
    let headers = Propagators.baggage.Inject { PropagationContext.empty with Baggage = baggage }
    Assert.Equal<(string * string) list>([ "baggage", "user=al%20ice,n=1" ], headers)
    Assert.Equal(baggage, (extract Propagators.baggage headers).Baggage)
    Assert.Empty(Propagators.baggage.Inject PropagationContext.empty)
    Assert.Equal(PropagationContext.empty, extract Propagators.baggage [ "baggage", "not valid" ])

let ``b3 single header`` () =
    Assert.Equal<(string * string) list>(
        [ "b3", $"{traceIdHex}-{spanIdHex}-1" ],
        Propagators.b3.Inject(withSpan (spanContext true))
    )

    Assert.Equal<(string * string) list>(
        [ "b3", $"{traceIdHex}-{spanIdHex}-0" ],
        Propagators.b3.Inject(withSpan (spanContext false))
    )

    let parse header = (extract Propagators.b3 [ "b3", header ]).SpanContext

    Assert.Equal(Some(remote true), parse $"{traceIdHex}-{spanIdHex}-1")
    Assert.Equal(Some(remote true), parse $"{traceIdHex}-{spanIdHex}-d")
    Assert.Equal(Some(remote false), parse $"{traceIdHex}-{spanIdHex}-0")
    Assert.Equal(Some(remote false), parse $"{traceIdHex}-{spanIdHex}")
    Assert.Equal(Some(remote true), parse $"{traceIdHex}-{spanIdHex}-1-0000000000000001")

    let short = parse $"a3ce929d0e0e4736-{spanIdHex}-1"
    Assert.Equal(Some(TraceId(0UL, 0xa3ce929d0e0e4736UL)), short |> Option.map (fun c -> c.TraceId))

    for bad in
        [
            "0"
            "1"
            "d"
            $"{traceIdHex}-{spanIdHex}-x"
            $"{traceIdHex}"
            $"{traceIdHex}-123"
            ""
        ] do
        Assert.Equal(None, parse bad)

let ``b3 multi headers`` () =
    Assert.Equal<(string * string) list>(
        [ "X-B3-TraceId", traceIdHex; "X-B3-SpanId", spanIdHex; "X-B3-Sampled", "1" ],
        Propagators.b3Multi.Inject(withSpan (spanContext true))
    )

    let parse headers = (extract Propagators.b3Multi headers).SpanContext

    Assert.Equal(Some(remote true), parse [ "x-b3-traceid", traceIdHex; "x-b3-spanid", spanIdHex; "x-b3-sampled", "1" ])
    Assert.Equal(Some(remote false), parse [ "X-B3-TraceId", traceIdHex; "X-B3-SpanId", spanIdHex ])
    Assert.Equal(Some(remote true), parse [ "X-B3-TraceId", traceIdHex; "X-B3-SpanId", spanIdHex; "X-B3-Flags", "1" ])

    let padded =
        parse
            [
                "X-B3-TraceId", "a3ce929d0e0e4736"
                "X-B3-SpanId", spanIdHex
                "X-B3-Sampled", "0"
            ]

    Assert.Equal(
        Some
            { remote false with
                TraceId = TraceId(0UL, 0xa3ce929d0e0e4736UL)
            },
        padded
    )

    Assert.Equal(None, parse [ "X-B3-TraceId", traceIdHex ])

    Assert.Equal(
        None,
        parse
            [
                "X-B3-TraceId", traceIdHex
                "X-B3-SpanId", spanIdHex
                "X-B3-Sampled", "maybe"
            ]
    )
    // the single header is understood too, and preferred
    Assert.Equal(Some(remote true), parse [ "b3", $"{traceIdHex}-{spanIdHex}-1"; "X-B3-TraceId", "1111111111111111" ])

let ``jaeger`` () =
    Assert.Equal<(string * string) list>(
        [ "uber-trace-id", $"{traceIdHex}:{spanIdHex}:0:1" ],
        Propagators.jaeger.Inject(withSpan (spanContext true))
    )

    let parse header = (extract Propagators.jaeger [ "Uber-Trace-Id", header ]).SpanContext

    Assert.Equal(Some(remote true), parse $"{traceIdHex}:{spanIdHex}:0:1")
    Assert.Equal(Some(remote true), parse (traceIdHex + "%3A" + spanIdHex + "%3A0%3A3"))
    Assert.Equal(Some(remote false), parse $"{traceIdHex}:{spanIdHex}:0:0")

    Assert.Equal(
        Some
            { remote true with
                TraceId = TraceId(0UL, 0xabcUL)
                SpanId = SpanId 0x1fUL
            },
        parse "abc:1f:0:1"
    )

    for bad in
        [
            "abc:1f:0"
            "0:1f:0:1"
            "abc:0:0:1"
            "xyz:1f:0:1"
            "abc:1f:0:100"
            "abc:1f::1"
            ""
        ] do
        Assert.Equal(None, parse bad)

let ``xray`` () =
    let root = $"1-{traceIdHex.Substring(0, 8)}-{traceIdHex.Substring 8}"

    Assert.Equal<(string * string) list>(
        [ "X-Amzn-Trace-Id", $"Root={root};Parent={spanIdHex};Sampled=1" ],
        Propagators.xray.Inject(withSpan (spanContext true))
    )

    Assert.Equal<(string * string) list>(
        [ "X-Amzn-Trace-Id", $"Root={root};Parent={spanIdHex};Sampled=0" ],
        Propagators.xray.Inject(withSpan (spanContext false))
    )

    Assert.Empty(Propagators.xray.Inject PropagationContext.empty)

    let parse header = (extract Propagators.xray [ "x-amzn-trace-id", header ]).SpanContext

    Assert.Equal(Some(remote true), parse $"Root={root};Parent={spanIdHex};Sampled=1")
    // keys in any order, spaces around parts, unknown keys ignored
    Assert.Equal(Some(remote true), parse $" Self=1-abc ; Sampled=1;Parent={spanIdHex}; Root={root};Lineage=a87bd80c:0")
    // Sampled missing, 0, ? or d: not sampled
    Assert.Equal(Some(remote false), parse $"Root={root};Parent={spanIdHex}")
    Assert.Equal(Some(remote false), parse $"Root={root};Parent={spanIdHex};Sampled=0")
    Assert.Equal(Some(remote false), parse $"Root={root};Parent={spanIdHex};Sampled=?")

    for bad in
        [
            $"Root={root};Sampled=1" // no parent
            $"Parent={spanIdHex};Sampled=1" // no root
            $"Root=2-{traceIdHex.Substring(0, 8)}-{traceIdHex.Substring 8};Parent={spanIdHex}" // version
            $"Root=1-{traceIdHex};Parent={spanIdHex}" // no dash
            $"Root=1-00000000-000000000000000000000000;Parent={spanIdHex}" // zero trace id
            $"Root={root};Parent=0000000000000000" // zero span id
            $"Root={root};Parent={spanIdHex}0" // long parent
            $"Root={root};Parent={spanIdHex};Sampled=yes"
            $"Root={root};Parent;{spanIdHex}"
            ""
        ] do
        Assert.Equal(None, parse bad)

let ``none propagates nothing`` () =
    Assert.Empty(Propagators.none.Inject(withSpan (spanContext true)))
    let before = withSpan (spanContext true)

    Assert.Equal(
        before,
        Propagators.none.Extract (Propagators.getterOf [ "traceparent", $"00-{traceIdHex}-{spanIdHex}-00" ]) before
    )

let ``composite concatenates inject and folds extract left to right`` () =
    let propagator = Propagators.composite [ Propagators.traceContext; Propagators.baggage; Propagators.b3 ]
    Assert.Equal("tracecontext,baggage,b3", propagator.Name)
    Assert.Equal<string list>([ "traceparent"; "tracestate"; "baggage"; "b3" ], propagator.Fields)

    let context =
        { withSpan (spanContext true) with
            Baggage = Baggage.empty |> Baggage.set "k" "v"
        }

    let headers = propagator.Inject context

    Assert.Equal<string list>([ "traceparent"; "baggage"; "b3" ], headers |> List.map fst)

    let extracted = extract propagator headers
    Assert.Equal(Some(remote true), extracted.SpanContext)
    Assert.Equal(context.Baggage, extracted.Baggage)

    // later propagators win: b3 says "not sampled", after traceparent said sampled
    let mixed =
        extract
            propagator
            [
                "traceparent", $"00-{traceIdHex}-{spanIdHex}-01"
                "b3", $"{traceIdHex}-{spanIdHex}-0"
            ]

    Assert.Equal(Some(remote false), mixed.SpanContext)

let ``environment: unset gives tracecontext and baggage`` () =
    let propagator, warnings = Propagators.fromEnvironment (Env.ofList [])
    Assert.Equal("tracecontext,baggage", propagator.Name)
    Assert.Empty warnings

let ``environment: a list, case-insensitive, repeats ignored`` () =
    let propagator, warnings =
        Propagators.fromEnvironment (Env.ofList [ "OTEL_PROPAGATORS", " B3Multi , jaeger,b3multi" ])

    Assert.Equal("b3multi,jaeger", propagator.Name)
    Assert.Empty warnings

    let single, _ = Propagators.fromEnvironment (Env.ofList [ "OTEL_PROPAGATORS", "b3" ])
    Assert.Equal("b3", single.Name)

    Assert.Equal<(string * string) list>(
        [ "b3", $"{traceIdHex}-{spanIdHex}-1" ],
        single.Inject(withSpan (spanContext true))
    )

    let xray, warnings =
        Propagators.fromEnvironment (Env.ofList [ "OTEL_PROPAGATORS", "tracecontext,XRay" ])

    Assert.Equal("tracecontext,xray", xray.Name)
    Assert.Empty warnings

let ``environment: unknown names are skipped with a warning`` () =
    let propagator, warnings =
        Propagators.fromEnvironment (Env.ofList [ "OTEL_PROPAGATORS", "tracecontext,ottrace,baggage" ])

    Assert.Equal("tracecontext,baggage", propagator.Name)
    let warning = Assert.Single warnings
    Assert.Equal("OTEL_PROPAGATORS", warning.Source)
    Assert.Contains("'ottrace'", warning.Message)

let ``environment: none alone propagates nothing`` () =
    let propagator, warnings = Propagators.fromEnvironment (Env.ofList [ "OTEL_PROPAGATORS", "none" ])
    Assert.Equal("none", propagator.Name)
    Assert.Empty warnings
    Assert.Empty(propagator.Inject(withSpan (spanContext true)))

let ``environment: none with others is ignored with a warning`` () =
    let propagator, warnings =
        Propagators.fromEnvironment (Env.ofList [ "OTEL_PROPAGATORS", "none,tracecontext" ])

    Assert.Equal("tracecontext", propagator.Name)
    Assert.Contains("'none'", (Assert.Single warnings).Message)

let ``environment: nothing known falls back to the default with warnings`` () =
    let propagator, warnings = Propagators.fromEnvironment (Env.ofList [ "OTEL_PROPAGATORS", "foo,bar" ])
    Assert.Equal("tracecontext,baggage", propagator.Name)
    Assert.Equal(3, warnings.Length)

[<Tests>]
let tests =
    testList
        "PropagatorsTests"
        [
            test "trace context injects traceparent and tracestate" {
                ``trace context injects traceparent and tracestate`` ()
            }
            test "trace context injects nothing for an invalid or missing context" {
                ``trace context injects nothing for an invalid or missing context`` ()
            }
            test "trace context extracts case-insensitively with combined tracestate" {
                ``trace context extracts case-insensitively with combined tracestate`` ()
            }
            test "trace context ignores an invalid tracestate but keeps the parent" {
                ``trace context ignores an invalid tracestate but keeps the parent`` ()
            }
            test "trace context leaves the context unchanged on invalid or repeated traceparent" {
                ``trace context leaves the context unchanged on invalid or repeated traceparent`` ()
            }
            test "baggage injects and extracts" { ``baggage injects and extracts`` () }
            test "b3 single header" { ``b3 single header`` () }
            test "b3 multi headers" { ``b3 multi headers`` () }
            test "jaeger" { ``jaeger`` () }
            test "xray" { ``xray`` () }
            test "none propagates nothing" { ``none propagates nothing`` () }
            test "composite concatenates inject and folds extract left to right" {
                ``composite concatenates inject and folds extract left to right`` ()
            }
            test "environment: unset gives tracecontext and baggage" {
                ``environment: unset gives tracecontext and baggage`` ()
            }
            test "environment: a list, case-insensitive, repeats ignored" {
                ``environment: a list, case-insensitive, repeats ignored`` ()
            }
            test "environment: unknown names are skipped with a warning" {
                ``environment: unknown names are skipped with a warning`` ()
            }
            test "environment: none alone propagates nothing" { ``environment: none alone propagates nothing`` () }
            test "environment: none with others is ignored with a warning" {
                ``environment: none with others is ignored with a warning`` ()
            }
            test "environment: nothing known falls back to the default with warnings" {
                ``environment: nothing known falls back to the default with warnings`` ()
            }
        ]
