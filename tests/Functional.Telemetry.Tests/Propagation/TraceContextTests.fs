module Functional.Telemetry.Tests.TraceContextTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private traceIdHex = "4bf92f3577b34da6a3ce929d0e0e4736"
let private spanIdHex = "00f067aa0ba902b7"
let private valid = $"00-{traceIdHex}-{spanIdHex}-01"

let private expectedTraceId = TraceId(0x4bf92f3577b34da6UL, 0xa3ce929d0e0e4736UL)
let private expectedSpanId = SpanId 0x00f067aa0ba902b7UL

let ``a version 00 traceparent parses into a remote context`` () =
    let context = TraceParent.tryParse valid |> Option.get
    Assert.Equal(expectedTraceId, context.TraceId)
    Assert.Equal(expectedSpanId, context.SpanId)
    Assert.Equal(1uy, context.TraceFlags.Value)
    Assert.True context.IsRemote
    Assert.Empty(ReadOnlyList.toList context.TraceState.Entries)

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

let ``format writes version 00 and round-trips`` () =
    let context = TraceParent.tryParse valid |> Option.get
    Assert.Equal(valid, TraceParent.format context)

    let unsampled = { context with TraceFlags = TraceFlags.None }

    Assert.Equal($"00-{traceIdHex}-{spanIdHex}-00", TraceParent.format unsampled)

let ``leading and trailing optional whitespace is allowed`` (ows: string) =
    Assert.True((TraceParent.tryParse (ows + valid + ows)).IsSome)

let ``a future version may be longer and keeps only the known flags`` () =
    let context =
        TraceParent.tryParse $"cc-{traceIdHex}-{spanIdHex}-ff-what-the-future-will-be-like"
        |> Option.get

    Assert.Equal(expectedTraceId, context.TraceId)
    Assert.Equal(expectedSpanId, context.SpanId)
    Assert.Equal(0x03uy, context.TraceFlags.Value)
    Assert.True((TraceParent.tryParse $"01-{traceIdHex}-{spanIdHex}-01").IsSome)

// version ff is forbidden
// version 00 must be exactly 55 characters
// a future version still needs a dash after the flags
// upper-case hex anywhere
// all-zero ids
// wrong lengths, separators and characters
let ``invalid traceparents are rejected`` (header: string) = Assert.Equal(None, TraceParent.tryParse header)

let ``null traceparent is rejected`` () = Assert.Equal(None, TraceParent.tryParse null)

// ---- tracestate ----

let ``tracestate parses members in order with optional whitespace and empty members`` () =
    let state = TraceState.tryParse " foo=1 ,\tbar=2,, ,baz=a b" |> Option.get
    Assert.Equal<(string * string) list>([ "foo", "1"; "bar", "2"; "baz", "a b" ], (ReadOnlyList.toList state.Entries))
    Assert.Equal("foo=1,bar=2,baz=a b", TraceState.format state)

let ``an empty tracestate is valid and empty`` () =
    Assert.Equal(Some TraceState.empty, TraceState.tryParse "")
    Assert.Equal(Some TraceState.empty, TraceState.tryParse " , ")

// Trace Context Level 2: `key = ( lcalpha / DIGIT ) 0*255 ( keychar )`, `@` one of the key characters.
// a digit first (Level 1 allowed it only before a tenant's `@`)
// Level 1's multi-tenant keys
// `@` anywhere after the first character, any number of times, and any system part (Level 1 refused these)
let ``valid keys`` (key: string) = Assert.True(TraceState.isValidKey key)

// the first character must be a lowercase letter or a digit
let ``invalid keys`` (key: string) = Assert.False(TraceState.isValidKey key)

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

let ``keys at the length limit parse as tracestate members`` () =
    let longest = "0" + String('@', 127) + String('z', 128)
    let state = TraceState.tryParse $"{longest}=v,b=1" |> Option.get
    Assert.Equal<(string * string) list>([ longest, "v"; "b", "1" ], ReadOnlyList.toList state.Entries)
    Assert.Equal(None, TraceState.tryParse $"{longest}z=v")

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

let ``invalid tracestate headers give None`` (header: string) = Assert.Equal(None, TraceState.tryParse header)

let private members n = [ for i in 1..n -> $"k{i}=v{i}" ] |> String.concat ","

let ``at most 32 members`` () =
    Assert.Equal(32, (TraceState.tryParse (members 32) |> Option.get).Entries.Count)
    Assert.Equal(None, TraceState.tryParse (members 33))
    // empty members do not count
    Assert.True((TraceState.tryParse (members 32 + ",,,")).IsSome)

let ``a repeated key keeps its leftmost entry, the most recent position`` (header: string, expected: string) =
    Assert.Equal(expected, TraceState.format (TraceState.tryParse header |> Option.get))

let ``a repeated key with an invalid member is still invalid; duplicates count toward the 32 members`` () =
    Assert.Equal(None, TraceState.tryParse "foo=1,foo=2,Bad=3")
    Assert.Equal(None, TraceState.tryParse (members 32 + ",k1=again"))
    Assert.Equal(31, (TraceState.tryParse (members 31 + ",k1=again") |> Option.get).Entries.Count)

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

let ``tryAdd puts the key leftmost, replacing its old entry`` () =
    let state = TraceState.tryParse "a=1,b=2,c=3" |> Option.get
    let updated = TraceState.tryAdd "b" "9" state |> Option.get
    Assert.Equal("b=9,a=1,c=3", TraceState.format updated)
    let added = TraceState.tryAdd "vendor@sys" "x" state |> Option.get
    Assert.Equal("vendor@sys=x,a=1,b=2,c=3", TraceState.format added)

let ``tryAdd validates and drops the rightmost entry over 32`` () =
    Assert.Equal(None, TraceState.tryAdd "Bad" "1" TraceState.empty)
    Assert.Equal(None, TraceState.tryAdd "good" "bad,value" TraceState.empty)
    let full = TraceState.tryParse (members 32) |> Option.get
    let added = TraceState.tryAdd "new" "x" full |> Option.get
    Assert.Equal(32, (ReadOnlyList.toList added.Entries).Length)
    Assert.Equal(("new", "x"), List.head (ReadOnlyList.toList added.Entries))
    Assert.Equal(("k31", "v31"), List.last (ReadOnlyList.toList added.Entries))

let ``remove and tryFind`` () =
    let state = TraceState.tryParse "a=1,b=2" |> Option.get
    Assert.Equal(Some "2", TraceState.tryFind "b" state)
    Assert.Equal(None, TraceState.tryFind "z" state)
    Assert.Equal("a=1", TraceState.format (TraceState.remove "b" state))
    Assert.Equal(state, TraceState.remove "z" state)

[<Tests>]
let tests =
    testList
        "TraceContextTests"
        [
            test "a version 00 traceparent parses into a remote context" {
                ``a version 00 traceparent parses into a remote context`` ()
            }
            test "version 00 keeps the sampled and random flags and clears the reserved ones (Level 2)" {
                ``version 00 keeps the sampled and random flags and clears the reserved ones (Level 2)`` ()
            }
            test "format writes version 00 and round-trips" { ``format writes version 00 and round-trips`` () }
            test "leading and trailing optional whitespace is allowed(ows: \" \")" {
                ``leading and trailing optional whitespace is allowed`` (" ")
            }
            test "leading and trailing optional whitespace is allowed(ows: \"\\t\")" {
                ``leading and trailing optional whitespace is allowed`` ("\t")
            }
            test "leading and trailing optional whitespace is allowed(ows: \" \\t \")" {
                ``leading and trailing optional whitespace is allowed`` (" \t ")
            }
            test "a future version may be longer and keeps only the known flags" {
                ``a future version may be longer and keeps only the known flags`` ()
            }
            test
                "invalid traceparents are rejected(header: \"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\")" {
                ``invalid traceparents are rejected`` ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            }
            test
                "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-")
            }
            test
                "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like\")" {
                ``invalid traceparents are rejected`` (
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like"
                )
            }
            test "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1")
            }
            test
                "invalid traceparents are rejected(header: \"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-the-future-will-be-like\")" {
                ``invalid traceparents are rejected`` (
                    "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-the-future-will-be-like"
                )
            }
            test
                "invalid traceparents are rejected(header: \"0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\")" {
                ``invalid traceparents are rejected`` ("0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            }
            test
                "invalid traceparents are rejected(header: \"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01\")" {
                ``invalid traceparents are rejected`` ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")
            }
            test
                "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01")
            }
            test
                "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A")
            }
            test
                "invalid traceparents are rejected(header: \"00-00000000000000000000000000000000-00f067aa0ba902b7-01\")" {
                ``invalid traceparents are rejected`` ("00-00000000000000000000000000000000-00f067aa0ba902b7-01")
            }
            test
                "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")
            }
            test "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01")
            }
            test
                "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01")
            }
            test "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01")
            }
            test
                "invalid traceparents are rejected(header: \"00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\")" {
                ``invalid traceparents are rejected`` ("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            }
            test
                "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01")
            }
            test
                "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01")
            }
            test
                "invalid traceparents are rejected(header: \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-.1\")" {
                ``invalid traceparents are rejected`` ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-.1")
            }
            test
                "invalid traceparents are rejected(header: \"0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\")" {
                ``invalid traceparents are rejected`` ("0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            }
            test "invalid traceparents are rejected(header: \"\")" { ``invalid traceparents are rejected`` ("") }
            test "invalid traceparents are rejected(header: \"   \")" { ``invalid traceparents are rejected`` ("   ") }
            test "invalid traceparents are rejected(header: \"00\")" { ``invalid traceparents are rejected`` ("00") }
            test "null traceparent is rejected" { ``null traceparent is rejected`` () }
            test "tracestate parses members in order with optional whitespace and empty members" {
                ``tracestate parses members in order with optional whitespace and empty members`` ()
            }
            test "an empty tracestate is valid and empty" { ``an empty tracestate is valid and empty`` () }
            test "valid keys(key: \"foo\")" { ``valid keys`` ("foo") }
            test "valid keys(key: \"f\")" { ``valid keys`` ("f") }
            test "valid keys(key: \"foo_bar-baz*qux/9\")" { ``valid keys`` ("foo_bar-baz*qux/9") }
            test "valid keys(key: \"1foo\")" { ``valid keys`` ("1foo") }
            test "valid keys(key: \"7\")" { ``valid keys`` ("7") }
            test "valid keys(key: \"0/_-*@\")" { ``valid keys`` ("0/_-*@") }
            test "valid keys(key: \"t1@sys\")" { ``valid keys`` ("t1@sys") }
            test "valid keys(key: \"0tenant@vendor\")" { ``valid keys`` ("0tenant@vendor") }
            test "valid keys(key: \"tenant@a_b-c*d/e\")" { ``valid keys`` ("tenant@a_b-c*d/e") }
            test "valid keys(key: \"tenant@\")" { ``valid keys`` ("tenant@") }
            test "valid keys(key: \"tenant@1vendor\")" { ``valid keys`` ("tenant@1vendor") }
            test "valid keys(key: \"a@b@c\")" { ``valid keys`` ("a@b@c") }
            test "valid keys(key: \"a@@\")" { ``valid keys`` ("a@@") }
            test "valid keys(key: \"tenant@abcdefghijklmno\")" { ``valid keys`` ("tenant@abcdefghijklmno") }
            test "invalid keys(key: \"\")" { ``invalid keys`` ("") }
            test "invalid keys(key: \"Foo\")" { ``invalid keys`` ("Foo") }
            test "invalid keys(key: \"fOo\")" { ``invalid keys`` ("fOo") }
            test "invalid keys(key: \"foo bar\")" { ``invalid keys`` ("foo bar") }
            test "invalid keys(key: \" foo\")" { ``invalid keys`` (" foo") }
            test "invalid keys(key: \"foo.bar\")" { ``invalid keys`` ("foo.bar") }
            test "invalid keys(key: \"foo=bar\")" { ``invalid keys`` ("foo=bar") }
            test "invalid keys(key: \"foo,bar\")" { ``invalid keys`` ("foo,bar") }
            test "invalid keys(key: \"tenant@Vendor\")" { ``invalid keys`` ("tenant@Vendor") }
            test "invalid keys(key: \"é\")" { ``invalid keys`` ("é") }
            test "invalid keys(key: \"@vendor\")" { ``invalid keys`` ("@vendor") }
            test "invalid keys(key: \"_foo\")" { ``invalid keys`` ("_foo") }
            test "invalid keys(key: \"-foo\")" { ``invalid keys`` ("-foo") }
            test "invalid keys(key: \"*foo\")" { ``invalid keys`` ("*foo") }
            test "invalid keys(key: \"/foo\")" { ``invalid keys`` ("/foo") }
            test "key length limits: 256 characters, whatever the first character and the at signs" {
                ``key length limits: 256 characters, whatever the first character and the at signs`` ()
            }
            test "keys at the length limit parse as tracestate members" {
                ``keys at the length limit parse as tracestate members`` ()
            }
            test "value rules" { ``value rules`` () }
            test "invalid tracestate headers give None(header: \"foo=1,Bar=2\")" {
                ``invalid tracestate headers give None`` ("foo=1,Bar=2")
            }
            test "invalid tracestate headers give None(header: \"@foo=1\")" {
                ``invalid tracestate headers give None`` ("@foo=1")
            }
            test "invalid tracestate headers give None(header: \"foo\")" {
                ``invalid tracestate headers give None`` ("foo")
            }
            test "invalid tracestate headers give None(header: \"=1\")" {
                ``invalid tracestate headers give None`` ("=1")
            }
            test "invalid tracestate headers give None(header: \"foo =1\")" {
                ``invalid tracestate headers give None`` ("foo =1")
            }
            test "invalid tracestate headers give None(header: \"foo=1=2\")" {
                ``invalid tracestate headers give None`` ("foo=1=2")
            }
            test "invalid tracestate headers give None(header: \"foo=\")" {
                ``invalid tracestate headers give None`` ("foo=")
            }
            test "at most 32 members" { ``at most 32 members`` () }
            test
                "a repeated key keeps its leftmost entry, the most recent position(header: \"foo=1,foo=2\", expected: \"foo=1\")" {
                ``a repeated key keeps its leftmost entry, the most recent position`` ("foo=1,foo=2", "foo=1")
            }
            test
                "a repeated key keeps its leftmost entry, the most recent position(header: \"foo=1,bar=2,foo=3\", expected: \"foo=1,bar=2\")" {
                ``a repeated key keeps its leftmost entry, the most recent position`` (
                    "foo=1,bar=2,foo=3",
                    "foo=1,bar=2"
                )
            }
            test
                "a repeated key keeps its leftmost entry, the most recent position(header: \"foo=1,bar=2,bar=3,foo=4,baz=5\", expected: \"foo=1,bar=2,baz=5\")" {
                ``a repeated key keeps its leftmost entry, the most recent position`` (
                    "foo=1,bar=2,bar=3,foo=4,baz=5",
                    "foo=1,bar=2,baz=5"
                )
            }
            test
                "a repeated key keeps its leftmost entry, the most recent position(header: \"foo=1, foo=1\", expected: \"foo=1\")" {
                ``a repeated key keeps its leftmost entry, the most recent position`` ("foo=1, foo=1", "foo=1")
            }
            test
                "a repeated key keeps its leftmost entry, the most recent position(header: \"t@sys=1,t@sys=2,t=3\", expected: \"t@sys=1,t=3\")" {
                ``a repeated key keeps its leftmost entry, the most recent position`` (
                    "t@sys=1,t@sys=2,t=3",
                    "t@sys=1,t=3"
                )
            }
            test "a repeated key with an invalid member is still invalid; duplicates count toward the 32 members" {
                ``a repeated key with an invalid member is still invalid; duplicates count toward the 32 members`` ()
            }
            test
                "several headers are combined; a repeated key keeps the first header's entry; an invalid combination is empty" {
                ``several headers are combined; a repeated key keeps the first header's entry; an invalid combination is empty`` ()
            }
            test "tryAdd puts the key leftmost, replacing its old entry" {
                ``tryAdd puts the key leftmost, replacing its old entry`` ()
            }
            test "tryAdd validates and drops the rightmost entry over 32" {
                ``tryAdd validates and drops the rightmost entry over 32`` ()
            }
            test "remove and tryFind" { ``remove and tryFind`` () }
        ]
