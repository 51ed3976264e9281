module Functional.Telemetry.Tests.TraceContextTests

open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private traceIdHex = "4bf92f3577b34da6a3ce929d0e0e4736"
let private spanIdHex = "00f067aa0ba902b7"
let private valid = $"00-{traceIdHex}-{spanIdHex}-01"

let private expectedTraceId = TraceId(0x4bf92f3577b34da6UL, 0xa3ce929d0e0e4736UL)
let private expectedSpanId = SpanId 0x00f067aa0ba902b7UL

[<Fact>]
let ``a version 00 traceparent parses into a remote context`` () =
    let context = TraceParent.tryParse valid |> Option.get
    Assert.Equal(expectedTraceId, context.TraceId)
    Assert.Equal(expectedSpanId, context.SpanId)
    Assert.Equal(1uy, context.TraceFlags.Value)
    Assert.True context.IsRemote
    Assert.Empty(ReadOnlyList.toList context.TraceState.Entries)

[<Fact>]
let ``version 00 keeps the flags byte as it is`` () =
    let context = TraceParent.tryParse $"00-{traceIdHex}-{spanIdHex}-ff" |> Option.get
    Assert.Equal(0xFFuy, context.TraceFlags.Value)
    let random = TraceParent.tryParse $"00-{traceIdHex}-{spanIdHex}-02" |> Option.get
    Assert.True random.TraceFlags.IsRandom
    Assert.False random.TraceFlags.IsSampled

[<Fact>]
let ``format writes version 00 and round-trips`` () =
    let context = TraceParent.tryParse valid |> Option.get
    Assert.Equal(valid, TraceParent.format context)

    let unsampled = { context with TraceFlags = TraceFlags.None }

    Assert.Equal($"00-{traceIdHex}-{spanIdHex}-00", TraceParent.format unsampled)

[<Theory>]
[<InlineData(" ")>]
[<InlineData("\t")>]
[<InlineData(" \t ")>]
let ``leading and trailing optional whitespace is allowed`` (ows: string) =
    Assert.True((TraceParent.tryParse (ows + valid + ows)).IsSome)

[<Fact>]
let ``a future version may be longer and keeps only the known flags`` () =
    let context =
        TraceParent.tryParse $"cc-{traceIdHex}-{spanIdHex}-ff-what-the-future-will-be-like"
        |> Option.get

    Assert.Equal(expectedTraceId, context.TraceId)
    Assert.Equal(expectedSpanId, context.SpanId)
    Assert.Equal(0x03uy, context.TraceFlags.Value)
    Assert.True((TraceParent.tryParse $"01-{traceIdHex}-{spanIdHex}-01").IsSome)

[<Theory>]
// version ff is forbidden
[<InlineData("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")>]
// version 00 must be exactly 55 characters
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")>]
// a future version still needs a dash after the flags
[<InlineData("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-the-future-will-be-like")>]
// upper-case hex anywhere
[<InlineData("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")>]
[<InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A")>]
// all-zero ids
[<InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")>]
// wrong lengths, separators and characters
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01")>]
[<InlineData("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01")>]
[<InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-.1")>]
[<InlineData("0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")>]
[<InlineData("")>]
[<InlineData("   ")>]
[<InlineData("00")>]
let ``invalid traceparents are rejected`` (header: string) = Assert.Equal(None, TraceParent.tryParse header)

[<Fact>]
let ``null traceparent is rejected`` () = Assert.Equal(None, TraceParent.tryParse null)

// ---- tracestate ----

[<Fact>]
let ``tracestate parses members in order with optional whitespace and empty members`` () =
    let state = TraceState.tryParse " foo=1 ,\tbar=2,, ,baz=a b" |> Option.get
    Assert.Equal<(string * string) list>([ "foo", "1"; "bar", "2"; "baz", "a b" ], (ReadOnlyList.toList state.Entries))
    Assert.Equal("foo=1,bar=2,baz=a b", TraceState.format state)

[<Fact>]
let ``an empty tracestate is valid and empty`` () =
    Assert.Equal(Some TraceState.empty, TraceState.tryParse "")
    Assert.Equal(Some TraceState.empty, TraceState.tryParse " , ")

[<Theory>]
[<InlineData("foo")>]
[<InlineData("foo_bar-baz*qux/9")>]
[<InlineData("t1@sys")>]
[<InlineData("0tenant@vendor")>]
[<InlineData("tenant@a_b-c*d/e")>]
let ``valid keys`` (key: string) = Assert.True(TraceState.isValidKey key)

[<Theory>]
[<InlineData("")>]
[<InlineData("Foo")>]
[<InlineData("1foo")>]
[<InlineData("foo bar")>]
[<InlineData("foo.bar")>]
[<InlineData("@vendor")>]
[<InlineData("tenant@")>]
[<InlineData("tenant@1vendor")>]
[<InlineData("tenant@Vendor")>]
[<InlineData("a@b@c")>]
[<InlineData("tenant@abcdefghijklmno")>]
let ``invalid keys`` (key: string) = Assert.False(TraceState.isValidKey key)

[<Fact>]
let ``key length limits`` () =
    Assert.True(TraceState.isValidKey ("a" + String('b', 255)))
    Assert.False(TraceState.isValidKey ("a" + String('b', 256)))
    Assert.True(TraceState.isValidKey (String('t', 241) + "@" + String('s', 14)))
    Assert.False(TraceState.isValidKey (String('t', 242) + "@s"))
    Assert.False(TraceState.isValidKey ("t@" + String('s', 15)))
    Assert.False(TraceState.isValidKey null)

[<Fact>]
let ``value rules`` () =
    Assert.True(TraceState.isValidValue "a")
    Assert.True(TraceState.isValidValue " leading space ok")
    Assert.True(TraceState.isValidValue (String('v', 256)))
    Assert.False(TraceState.isValidValue (String('v', 257)))
    Assert.False(TraceState.isValidValue "")
    Assert.False(TraceState.isValidValue "trailing ")
    Assert.False(TraceState.isValidValue "a,b")
    Assert.False(TraceState.isValidValue "a=b")
    Assert.False(TraceState.isValidValue "tab\there")
    Assert.False(TraceState.isValidValue "é")
    Assert.False(TraceState.isValidValue null)

[<Theory>]
[<InlineData("foo=1,foo=2")>]
[<InlineData("foo=1,Bar=2")>]
[<InlineData("foo")>]
[<InlineData("=1")>]
[<InlineData("foo =1")>]
[<InlineData("foo=1=2")>]
[<InlineData("foo=")>]
let ``invalid tracestate headers give None`` (header: string) = Assert.Equal(None, TraceState.tryParse header)

let private members n = [ for i in 1..n -> $"k{i}=v{i}" ] |> String.concat ","

[<Fact>]
let ``at most 32 members`` () =
    Assert.Equal(32, (TraceState.tryParse (members 32) |> Option.get).Entries.Count)
    Assert.Equal(None, TraceState.tryParse (members 33))
    // empty members do not count
    Assert.True((TraceState.tryParse (members 32 + ",,,")).IsSome)

[<Fact>]
let ``several headers are combined; an invalid combination is empty`` () =
    let state = TraceState.parseHeaders [ "a=1,b=2"; "c=3" ]
    Assert.Equal<(string * string) list>([ "a", "1"; "b", "2"; "c", "3" ], (ReadOnlyList.toList state.Entries))
    Assert.Equal(TraceState.empty, TraceState.parseHeaders [ "a=1"; "a=2" ])
    Assert.Equal(TraceState.empty, TraceState.parseHeaders [])
    Assert.Equal(TraceState.empty, TraceState.parseHeaders [ members 20; members 13 |> fun s -> s.Replace("k", "x") ])

[<Fact>]
let ``tryAdd puts the key leftmost, replacing its old entry`` () =
    let state = TraceState.tryParse "a=1,b=2,c=3" |> Option.get
    let updated = TraceState.tryAdd "b" "9" state |> Option.get
    Assert.Equal("b=9,a=1,c=3", TraceState.format updated)
    let added = TraceState.tryAdd "vendor@sys" "x" state |> Option.get
    Assert.Equal("vendor@sys=x,a=1,b=2,c=3", TraceState.format added)

[<Fact>]
let ``tryAdd validates and drops the rightmost entry over 32`` () =
    Assert.Equal(None, TraceState.tryAdd "Bad" "1" TraceState.empty)
    Assert.Equal(None, TraceState.tryAdd "good" "bad,value" TraceState.empty)
    let full = TraceState.tryParse (members 32) |> Option.get
    let added = TraceState.tryAdd "new" "x" full |> Option.get
    Assert.Equal(32, (ReadOnlyList.toList added.Entries).Length)
    Assert.Equal(("new", "x"), List.head (ReadOnlyList.toList added.Entries))
    Assert.Equal(("k31", "v31"), List.last (ReadOnlyList.toList added.Entries))

[<Fact>]
let ``remove and tryFind`` () =
    let state = TraceState.tryParse "a=1,b=2" |> Option.get
    Assert.Equal(Some "2", TraceState.tryFind "b" state)
    Assert.Equal(None, TraceState.tryFind "z" state)
    Assert.Equal("a=1", TraceState.format (TraceState.remove "b" state))
    Assert.Equal(state, TraceState.remove "z" state)
