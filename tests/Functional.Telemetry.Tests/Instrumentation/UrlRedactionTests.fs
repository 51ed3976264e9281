module Functional.Telemetry.Tests.UrlRedactionTests

open Xunit
open Functional.Telemetry

[<Theory>]
// What .NET writes by default: nothing to redact.
[<InlineData("http://127.0.0.1:8080/search?*", "http://127.0.0.1:8080/search?*")>]
[<InlineData("https://example.com/a/b", "https://example.com/a/b")>]
[<InlineData("https://example.com/a?", "https://example.com/a?")>]
[<InlineData("https://example.com/a?flag", "https://example.com/a?flag")>]
// Query values, keys kept.
[<InlineData("https://example.com/a?token=s3cret", "https://example.com/a?token=REDACTED")>]
[<InlineData("https://example.com/a?q=1&flag&sig=x=y", "https://example.com/a?q=REDACTED&flag&sig=REDACTED")>]
[<InlineData("https://example.com/a?q=1#frag", "https://example.com/a?q=REDACTED#frag")>]
[<InlineData("https://example.com?q=1", "https://example.com?q=REDACTED")>]
[<InlineData("https://example.com/a#x?y=1", "https://example.com/a#x?y=1")>]
// Credentials.
[<InlineData("https://user:pass@example.com/a", "https://REDACTED:REDACTED@example.com/a")>]
[<InlineData("https://user@example.com:8443/a?k=v", "https://REDACTED:REDACTED@example.com:8443/a?k=REDACTED")>]
[<InlineData("https://example.com/a@b", "https://example.com/a@b")>]
// Not URLs: unchanged, never an exception.
[<InlineData("", "")>]
[<InlineData("*", "*")>]
[<InlineData("no scheme?a=1", "no scheme?a=REDACTED")>]
[<InlineData("http://", "http://")>]
[<InlineData("http://@", "http://REDACTED:REDACTED@")>]
let ``url.full loses its credentials and query values`` (url: string, expected: string) =
    Assert.Equal(expected, UrlRedaction.redact url)

[<Fact>]
let ``a URL with nothing to redact is returned as it is`` () =
    let url = "http://127.0.0.1/ok?*"
    Assert.Same(url, UrlRedaction.redact url)

[<Fact>]
let ``redaction is idempotent`` () =
    for url in [ "https://u:p@h/a?x=1&y"; "http://h/?a=b=c#f"; "h?x=1" ] do
        let once = UrlRedaction.redact url
        Assert.Equal(once, UrlRedaction.redact once)
