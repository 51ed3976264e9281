module Functional.Telemetry.Tests.UrlRedactionTests

open Expecto
open Xunit
open Functional.Telemetry

// What .NET writes by default: nothing to redact.
// Query values, keys kept.
// Credentials.
// Not URLs: unchanged, never an exception.
let ``url.full loses its credentials and query values`` (url: string, expected: string) =
    Assert.Equal(expected, UrlRedaction.redact url)

let ``a URL with nothing to redact is returned as it is`` () =
    let url = "http://127.0.0.1/ok?*"
    Assert.Same(url, UrlRedaction.redact url)

let ``redaction is idempotent`` () =
    for url in [ "https://u:p@h/a?x=1&y"; "http://h/?a=b=c#f"; "h?x=1" ] do
        let once = UrlRedaction.redact url
        Assert.Equal(once, UrlRedaction.redact once)

[<Tests>]
let tests =
    testList
        "UrlRedactionTests"
        [
            test
                "url.full loses its credentials and query values(url: \"http://127.0.0.1:8080/search?*\", expected: \"http://127.0.0.1:8080/search?*\")" {
                ``url.full loses its credentials and query values`` (
                    "http://127.0.0.1:8080/search?*",
                    "http://127.0.0.1:8080/search?*"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://example.com/a/b\", expected: \"https://example.com/a/b\")" {
                ``url.full loses its credentials and query values`` (
                    "https://example.com/a/b",
                    "https://example.com/a/b"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://example.com/a?\", expected: \"https://example.com/a?\")" {
                ``url.full loses its credentials and query values`` ("https://example.com/a?", "https://example.com/a?")
            }
            test
                "url.full loses its credentials and query values(url: \"https://example.com/a?flag\", expected: \"https://example.com/a?flag\")" {
                ``url.full loses its credentials and query values`` (
                    "https://example.com/a?flag",
                    "https://example.com/a?flag"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://example.com/a?token=s3cret\", expected: \"https://example.com/a?token=REDACTED\")" {
                ``url.full loses its credentials and query values`` (
                    "https://example.com/a?token=s3cret",
                    "https://example.com/a?token=REDACTED"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://example.com/a?q=1&flag&sig=x=y\", expected: \"https://example.com/a?q=REDACTED&flag&sig=REDACTED\")" {
                ``url.full loses its credentials and query values`` (
                    "https://example.com/a?q=1&flag&sig=x=y",
                    "https://example.com/a?q=REDACTED&flag&sig=REDACTED"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://example.com/a?q=1#frag\", expected: \"https://example.com/a?q=REDACTED#frag\")" {
                ``url.full loses its credentials and query values`` (
                    "https://example.com/a?q=1#frag",
                    "https://example.com/a?q=REDACTED#frag"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://example.com?q=1\", expected: \"https://example.com?q=REDACTED\")" {
                ``url.full loses its credentials and query values`` (
                    "https://example.com?q=1",
                    "https://example.com?q=REDACTED"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://example.com/a#x?y=1\", expected: \"https://example.com/a#x?y=1\")" {
                ``url.full loses its credentials and query values`` (
                    "https://example.com/a#x?y=1",
                    "https://example.com/a#x?y=1"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://user:pass@example.com/a\", expected: \"https://REDACTED:REDACTED@example.com/a\")" {
                ``url.full loses its credentials and query values`` (
                    "https://user:pass@example.com/a",
                    "https://REDACTED:REDACTED@example.com/a"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://user@example.com:8443/a?k=v\", expected: \"https://REDACTED:REDACTED@example.com:8443/a?k=REDACTED\")" {
                ``url.full loses its credentials and query values`` (
                    "https://user@example.com:8443/a?k=v",
                    "https://REDACTED:REDACTED@example.com:8443/a?k=REDACTED"
                )
            }
            test
                "url.full loses its credentials and query values(url: \"https://example.com/a@b\", expected: \"https://example.com/a@b\")" {
                ``url.full loses its credentials and query values`` (
                    "https://example.com/a@b",
                    "https://example.com/a@b"
                )
            }
            test "url.full loses its credentials and query values(url: \"\", expected: \"\")" {
                ``url.full loses its credentials and query values`` ("", "")
            }
            test "url.full loses its credentials and query values(url: \"*\", expected: \"*\")" {
                ``url.full loses its credentials and query values`` ("*", "*")
            }
            test
                "url.full loses its credentials and query values(url: \"no scheme?a=1\", expected: \"no scheme?a=REDACTED\")" {
                ``url.full loses its credentials and query values`` ("no scheme?a=1", "no scheme?a=REDACTED")
            }
            test "url.full loses its credentials and query values(url: \"http://\", expected: \"http://\")" {
                ``url.full loses its credentials and query values`` ("http://", "http://")
            }
            test
                "url.full loses its credentials and query values(url: \"http://@\", expected: \"http://REDACTED:REDACTED@\")" {
                ``url.full loses its credentials and query values`` ("http://@", "http://REDACTED:REDACTED@")
            }
            test "a URL with nothing to redact is returned as it is" {
                ``a URL with nothing to redact is returned as it is`` ()
            }
            test "redaction is idempotent" { ``redaction is idempotent`` () }
        ]
