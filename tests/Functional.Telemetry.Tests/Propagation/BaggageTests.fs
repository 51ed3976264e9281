module Functional.Telemetry.Tests.BaggageTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private entry value metadata = { Value = value; Metadata = metadata }

let ``parses members with whitespace, in order`` () =
    let baggage = Baggage.parse " userId = alice , serverNode=DF%2028,isProduction=false "

    Assert.Equal<(string * BaggageEntry) list>(
        [
            "userId", entry "alice" ""
            "serverNode", entry "DF 28" ""
            "isProduction", entry "false" ""
        ],
        (ReadOnlyList.toList baggage.Entries)
    )

let ``percent-decodes UTF-8 values and keeps invalid escapes`` () =
    let baggage = Baggage.parse "a=caf%C3%A9,b=%E2%9C%93%2C%3B,c=100%,d=%zz,e=%2"
    Assert.Equal(Some "café", Baggage.tryFind "a" baggage)
    Assert.Equal(Some "✓,;", Baggage.tryFind "b" baggage)
    Assert.Equal(Some "100%", Baggage.tryFind "c" baggage)
    Assert.Equal(Some "%zz", Baggage.tryFind "d" baggage)
    Assert.Equal(Some "%2", Baggage.tryFind "e" baggage)

let ``keeps properties as normalised metadata`` () =
    let baggage = Baggage.parse "key1=value1;property1;property2 = x, key2=v2 ; p=1;q"
    Assert.Equal(Some(entry "value1" "property1;property2=x"), Baggage.tryFindEntry "key1" baggage)
    Assert.Equal(Some(entry "v2" "p=1;q"), Baggage.tryFindEntry "key2" baggage)
    Assert.Equal("key1=value1;property1;property2=x,key2=v2;p=1;q", Baggage.format baggage)

let ``invalid members are skipped`` (bad: string) =
    let baggage = Baggage.parse ("first=1," + bad + ",last=2")
    Assert.Equal<string list>([ "first"; "last" ], (ReadOnlyList.toList baggage.Entries) |> List.map fst)
    Assert.Equal(None, Baggage.tryParse bad)

let ``an empty value is allowed`` () = Assert.Equal(Some "", Baggage.tryFind "k" (Baggage.parse "k="))

let ``null, empty and all-invalid headers`` () =
    Assert.Equal(None, Baggage.tryParse null)
    Assert.Equal(None, Baggage.tryParse "")
    Assert.Equal(Baggage.empty, Baggage.parse " , ,")

let ``a repeated key keeps the last value in the first position`` () =
    let baggage = Baggage.parse "a=1,b=2,a=3"
    Assert.Equal("a=3,b=2", Baggage.format baggage)

let ``parse keeps at most 64 members`` () =
    let header = [ for i in 1..70 -> $"k{i}=v" ] |> String.concat ","
    let baggage = Baggage.parse header
    Assert.Equal(64, (ReadOnlyList.toList baggage.Entries).Length)
    Assert.Equal("k64", fst (List.last (ReadOnlyList.toList baggage.Entries)))

let ``parse keeps at most 8192 bytes`` () =
    // Each member is 4000 bytes: two fit with their comma (8001), the third does not; a small one after still fits.
    let big i = $"k{i}=" + String('v', 4000 - 3)
    let header = String.Join(",", [ big 1; big 2; big 3; "s=1" ])
    let baggage = Baggage.parse header
    Assert.Equal<string list>([ "k1"; "k2"; "s" ], (ReadOnlyList.toList baggage.Entries) |> List.map fst)

let ``format percent-encodes what is not a baggage-octet, and percent itself`` () =
    let baggage =
        Baggage.empty
        |> Baggage.set "greeting" "hello world, \"you\"; 100% \\ ok"
        |> Baggage.set "word" "café"
        |> Baggage.set "plain" "a!#$&'()*+-./:<=>?@[]^_`{|}~"

    Assert.Equal(
        "greeting=hello%20world%2C%20%22you%22%3B%20100%25%20%5C%20ok,word=caf%C3%A9,plain=a!#$&'()*+-./:<=>?@[]^_`{|}~",
        Baggage.format baggage
    )

    Assert.Equal(baggage, Baggage.parse (Baggage.format baggage))

let ``format skips keys that are not tokens and drops invalid metadata`` () =
    let baggage =
        Baggage.empty
        |> Baggage.set "bad key" "1"
        |> Baggage.setEntry "good" (entry "2" "bad prop value")
        |> Baggage.setEntry "meta" (entry "3" "p1=x;p2")

    Assert.Equal("good=2,meta=3;p1=x;p2", Baggage.format baggage)

let ``format drops members beyond 64`` () =
    let baggage = [ 1..65 ] |> List.fold (fun b i -> Baggage.set $"k{i}" "v" b) Baggage.empty

    let formatted = Baggage.format baggage
    Assert.Equal(64, formatted.Split(',').Length)
    Assert.DoesNotContain("k65=", formatted)

let ``format drops members that would pass 8192 bytes`` () =
    let baggage =
        Baggage.empty
        |> Baggage.set "a" (String('x', 5000))
        |> Baggage.set "b" (String('y', 5000))
        |> Baggage.set "c" "small"

    let formatted = Baggage.format baggage
    Assert.Equal("a=" + String('x', 5000) + ",c=small", formatted)

let ``set replaces in place, remove and tryFind`` () =
    let baggage =
        Baggage.empty
        |> Baggage.set "a" "1"
        |> Baggage.set "b" "2"
        |> Baggage.set "a" "3"

    Assert.Equal<string list>([ "a"; "b" ], (ReadOnlyList.toList baggage.Entries) |> List.map fst)
    Assert.Equal(Some "3", Baggage.tryFind "a" baggage)
    Assert.Equal(None, Baggage.tryFind "a" (Baggage.remove "a" baggage))
    Assert.Equal(baggage, Baggage.set null "x" baggage)

let ``several headers combine`` () =
    let baggage = Baggage.parseHeaders [ "a=1"; "b=2,c=3" ]
    Assert.Equal("a=1,b=2,c=3", Baggage.format baggage)
    Assert.Equal(Baggage.empty, Baggage.parseHeaders [])

let ``token keys`` (key: string) = Assert.True(Baggage.isValidKey key)

let ``non-token keys`` (key: string) = Assert.False(Baggage.isValidKey key)

[<Tests>]
let tests =
    testList
        "BaggageTests"
        [
            test "parses members with whitespace, in order" { ``parses members with whitespace, in order`` () }
            test "percent-decodes UTF-8 values and keeps invalid escapes" {
                ``percent-decodes UTF-8 values and keeps invalid escapes`` ()
            }
            test "keeps properties as normalised metadata" { ``keeps properties as normalised metadata`` () }
            test "invalid members are skipped(bad: \"noequals\")" { ``invalid members are skipped`` ("noequals") }
            test "invalid members are skipped(bad: \"=novalue\")" { ``invalid members are skipped`` ("=novalue") }
            test "invalid members are skipped(bad: \"bad key=1\")" { ``invalid members are skipped`` ("bad key=1") }
            test "invalid members are skipped(bad: \"key=bad value\")" {
                ``invalid members are skipped`` ("key=bad value")
            }
            test "invalid members are skipped(bad: \"key=\\\"quoted\\\"\")" {
                ``invalid members are skipped`` ("key=\"quoted\"")
            }
            test "invalid members are skipped(bad: \"key=back\\\\slash\")" {
                ``invalid members are skipped`` ("key=back\\slash")
            }
            test "invalid members are skipped(bad: \"key=v;bad prop\")" {
                ``invalid members are skipped`` ("key=v;bad prop")
            }
            test "invalid members are skipped(bad: \"ke(y=v\")" { ``invalid members are skipped`` ("ke(y=v") }
            test "an empty value is allowed" { ``an empty value is allowed`` () }
            test "null, empty and all-invalid headers" { ``null, empty and all-invalid headers`` () }
            test "a repeated key keeps the last value in the first position" {
                ``a repeated key keeps the last value in the first position`` ()
            }
            test "parse keeps at most 64 members" { ``parse keeps at most 64 members`` () }
            test "parse keeps at most 8192 bytes" { ``parse keeps at most 8192 bytes`` () }
            test "format percent-encodes what is not a baggage-octet, and percent itself" {
                ``format percent-encodes what is not a baggage-octet, and percent itself`` ()
            }
            test "format skips keys that are not tokens and drops invalid metadata" {
                ``format skips keys that are not tokens and drops invalid metadata`` ()
            }
            test "format drops members beyond 64" { ``format drops members beyond 64`` () }
            test "format drops members that would pass 8192 bytes" {
                ``format drops members that would pass 8192 bytes`` ()
            }
            test "set replaces in place, remove and tryFind" { ``set replaces in place, remove and tryFind`` () }
            test "several headers combine" { ``several headers combine`` () }
            test "token keys(key: \"abc\")" { ``token keys`` ("abc") }
            test "token keys(key: \"A-Z_0.9!#$%&'*+^`|~\")" { ``token keys`` ("A-Z_0.9!#$%&'*+^`|~") }
            test "non-token keys(key: \"\")" { ``non-token keys`` ("") }
            test "non-token keys(key: \"a b\")" { ``non-token keys`` ("a b") }
            test "non-token keys(key: \"a=b\")" { ``non-token keys`` ("a=b") }
            test "non-token keys(key: \"a,b\")" { ``non-token keys`` ("a,b") }
            test "non-token keys(key: \"a;b\")" { ``non-token keys`` ("a;b") }
            test "non-token keys(key: \"é\")" { ``non-token keys`` ("é") }
        ]
