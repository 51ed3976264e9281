module Functional.Telemetry.Tests.ConsoleTraceFormatTests

open Expecto
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private traceId = TraceId(1UL, 2UL)

let private span id parent name start finish =
    {
        Context =
            { SpanContext.Invalid with
                TraceId = traceId
                SpanId = SpanId id
                TraceFlags = TraceFlags.Sampled
            }
        ParentSpanId = SpanId parent
        ParentIsRemote = false
        Name = name
        Kind = SpanKind.Internal
        StartTime = start
        EndTime = finish
        Attributes = []
        Events = []
        Links = []
        Status = Status.Unset
        DroppedAttributes = 0
        DroppedEvents = 0
        DroppedLinks = 0
        Scope = InstrumentationScope.Named "test"
    }

let ``durations carry a unit`` () =
    Assert.Equal("850 ns", ConsoleTraceFormat.formatDuration 850L)
    Assert.Equal("12.3 µs", ConsoleTraceFormat.formatDuration 12_300L)
    Assert.Equal("4.56 ms", ConsoleTraceFormat.formatDuration 4_560_000L)
    Assert.Equal("1.234 s", ConsoleTraceFormat.formatDuration 1_234_000_000L)

let ``a trace renders as an indented tree with kind, duration, status and attributes`` () =
    let root =
        { span 1UL 0UL "GET /orders" 0L 10_000_000L with
            Kind = SpanKind.Server
            Attributes = [ KeyValue.string "http.request.method" "GET" ]
        }

    let child =
        { span 2UL 1UL "SELECT orders" 2_000_000L 6_000_000L with
            Kind = SpanKind.Client
            Status = Status.Error "timeout"
        }

    let grandchild = span 3UL 2UL "parse" 3_000_000L 4_000_000L
    let text = ConsoleTraceFormat.render [ grandchild; child; root ]
    let lines = text.Split('\n') |> Array.map (fun l -> l.TrimEnd '\r')

    Assert.StartsWith($"trace {traceId.ToHex()}  3 span(s)  10.00 ms", lines[0])
    Assert.Equal("└─ GET /orders [server] 10.00 ms", lines[1])
    Assert.Equal("      http.request.method=GET", lines[3])
    Assert.Equal("   └─ SELECT orders [client] 4.00 ms  ERROR: timeout", lines[4])
    Assert.Equal("      └─ parse [internal] 1.00 ms", lines[6])
    // The waterfall bar (24 columns) places the child from 20% to 60% of the trace.
    Assert.Contains(
        "|"
        + String.replicate 4 " "
        + String.replicate 10 "█"
        + String.replicate 10 " "
        + "|",
        lines[5]
    )

let ``a span whose parent is elsewhere is shown as a root with the parent id`` () =
    let orphan =
        { span 5UL 9UL "handler" 0L 1_000L with
            ParentIsRemote = true
        }

    let text = ConsoleTraceFormat.render [ orphan ]
    Assert.Contains($"└─ handler [internal] 1.0 µs (remote parent {SpanId(9UL).ToHex()})", text)

let ``traces are rendered separately, events and dropped counts shown`` () =
    let other =
        { span 7UL 0UL "other" 0L 5L with
            Context =
                { SpanContext.Invalid with
                    TraceId = TraceId(3UL, 4UL)
                    SpanId = SpanId 7UL
                }
            Events =
                [
                    {
                        Name = "retry"
                        Timestamp = 2L
                        Attributes = [ KeyValue.int "attempt" 2L ]
                        DroppedAttributes = 0
                    }
                ]
            DroppedAttributes = 2
        }

    let text = ConsoleTraceFormat.render [ span 1UL 0UL "first" 0L 5L; other ]
    Assert.Equal(2, text.Split("trace ").Length - 1)
    Assert.Contains("event +2 ns retry  attempt=2", text)
    Assert.Contains("dropped: 2 attribute(s), 0 event(s), 0 link(s)", text)

[<Tests>]
let tests =
    testList
        "ConsoleTraceFormatTests"
        [
            test "durations carry a unit" { ``durations carry a unit`` () }
            test "a trace renders as an indented tree with kind, duration, status and attributes" {
                ``a trace renders as an indented tree with kind, duration, status and attributes`` ()
            }
            test "a span whose parent is elsewhere is shown as a root with the parent id" {
                ``a span whose parent is elsewhere is shown as a root with the parent id`` ()
            }
            test "traces are rendered separately, events and dropped counts shown" {
                ``traces are rendered separately, events and dropped counts shown`` ()
            }
        ]
