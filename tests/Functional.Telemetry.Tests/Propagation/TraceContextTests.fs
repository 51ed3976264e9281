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
let ``version 00 keeps the sampled and random flags and clears the reserved ones (Level 2)`` () =
    let context = TraceParent.tryParse $"00-{traceIdHex}-{spanIdHex}-ff" |> Option.get
    Assert.Equal(0x03uy, context.TraceFlags.Value)
    Assert.Equal($"00-{traceIdHex}-{spanIdHex}-03", TraceParent.format context)
    let reservedOnly = TraceParent.tryParse $"00-{traceIdHex}-{spanIdHex}-fc" |> Option.get
    Assert.Equal(0uy, reservedOnly.TraceFlags.Value)
    let random = TraceParent.tryParse $"00-{traceIdHex}-{spanIdHex}-02" |> Option.get
    Assert.True random.TraceFlags.IsRandom
    Assert.False random.TraceFlags.IsSampled
    Assert.Equal($"00-{traceIdHex}-{spanIdHex}-02", TraceParent.format random)

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

// Trace Context Level 2: `key = ( lcalpha / DIGIT ) 0*255 ( keychar )`, `@` one of the key characters.
[<Theory>]
[<InlineData("foo")>]
[<InlineData("f")>]
[<InlineData("foo_bar-baz*qux/9")>]
// a digit first (Level 1 allowed it only before a tenant's `@`)
[<InlineData("1foo")>]
[<InlineData("7")>]
[<InlineData("0/_-*@")>]
// Level 1's multi-tenant keys
[<InlineData("t1@sys")>]
[<InlineData("0tenant@vendor")>]
[<InlineData("tenant@a_b-c*d/e")>]
// `@` anywhere after the first character, any number of times, and any system part (Level 1 refused these)
[<InlineData("tenant@")>]
[<InlineData("tenant@1vendor")>]
[<InlineData("a@b@c")>]
[<InlineData("a@@")>]
[<InlineData("tenant@abcdefghijklmno")>]
let ``valid keys`` (key: string) = Assert.True(TraceState.isValidKey key)

[<Theory>]
[<InlineData("")>]
[<InlineData("Foo")>]
[<InlineData("fOo")>]
[<InlineData("foo bar")>]
[<InlineData(" foo")>]
[<InlineData("foo.bar")>]
[<InlineData("foo=bar")>]
[<InlineData("foo,bar")>]
[<InlineData("tenant@Vendor")>]
[<InlineData("é")>]
// the first character must be a lowercase letter or a digit
[<InlineData("@vendor")>]
[<InlineData("_foo")>]
[<InlineData("-foo")>]
[<InlineData("*foo")>]
[<InlineData("/foo")>]
let ``invalid keys`` (key: string) = Assert.False(TraceState.isValidKey key)

[<Fact>]
let ``key length limits: 256 characters, whatever the first character and the at signs`` () =
    Assert.True(TraceState.isValidKey ("a" + String('b', 255)))
    Assert.False(TraceState.isValidKey ("a" + String('b', 256)))
    Assert.True(TraceState.isValidKey ("9" + String('b', 255)))
    Assert.False(TraceState.isValidKey ("9" + String('b', 256)))
    Assert.True(TraceState.isValidKey ("a" + String('@', 255)))
    Assert.False(TraceState.isValidKey ("a" + String('@', 256)))
    // Level 1's tenant (241) and system (14) limits are gone; only the total counts.
    Assert.True(TraceState.isValidKey (String('t', 241) + "@" + String('s', 14)))
    Assert.True(TraceState.isValidKey (String('t', 242) + "@s"))
    Assert.True(TraceState.isValidKey ("t@" + String('s', 254)))
    Assert.False(TraceState.isValidKey ("t@" + String('s', 255)))
    Assert.False(TraceState.isValidKey null)

[<Fact>]
let ``keys at the length limit parse as tracestate members`` () =
    let longest = "0" + String('@', 127) + String('z', 128)
    let state = TraceState.tryParse $"{longest}=v,b=1" |> Option.get
    Assert.Equal<(string * string) list>([ longest, "v"; "b", "1" ], ReadOnlyList.toList state.Entries)
    Assert.Equal(None, TraceState.tryParse $"{longest}z=v")

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
[<InlineData("foo=1,Bar=2")>]
[<InlineData("@foo=1")>]
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

[<Theory>]
[<InlineData("foo=1,foo=2", "foo=1")>]
[<InlineData("foo=1,bar=2,foo=3", "foo=1,bar=2")>]
[<InlineData("foo=1,bar=2,bar=3,foo=4,baz=5", "foo=1,bar=2,baz=5")>]
[<InlineData("foo=1, foo=1", "foo=1")>]
[<InlineData("t@sys=1,t@sys=2,t=3", "t@sys=1,t=3")>]
let ``a repeated key keeps its leftmost entry, the most recent position`` (header: string, expected: string) =
    Assert.Equal(expected, TraceState.format (TraceState.tryParse header |> Option.get))

[<Fact>]
let ``a repeated key with an invalid member is still invalid; duplicates count toward the 32 members`` () =
    Assert.Equal(None, TraceState.tryParse "foo=1,foo=2,Bad=3")
    Assert.Equal(None, TraceState.tryParse (members 32 + ",k1=again"))
    Assert.Equal(31, (TraceState.tryParse (members 31 + ",k1=again") |> Option.get).Entries.Count)

[<Fact>]
let ``several headers are combined; a repeated key keeps the first header's entry; an invalid combination is empty``
    ()
    =
    let state = TraceState.parseHeaders [ "a=1,b=2"; "c=3" ]
    Assert.Equal<(string * string) list>([ "a", "1"; "b", "2"; "c", "3" ], (ReadOnlyList.toList state.Entries))

    Assert.Equal<(string * string) list>(
        [ "a", "1" ],
        ReadOnlyList.toList (TraceState.parseHeaders [ "a=1"; "a=2" ]).Entries
    )

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
