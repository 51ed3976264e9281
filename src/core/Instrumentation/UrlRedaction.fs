namespace Functional.Telemetry

open System
open System.Text

/// `url.full` as the HTTP semantic conventions want it, for when .NET left a URL whole (its
/// `System.Net.Http.DisableUriRedaction` switch set; by default HttpClient already writes `?*` for any query and
/// drops credentials): credentials become `REDACTED:REDACTED@` and every query value becomes `REDACTED` (the keys
/// stay). Pure and total: text that is not a URL comes back unchanged.
[<RequireQualifiedAccess>]
module internal UrlRedaction =
    /// What a credential or a query value is replaced with.
    [<Literal>]
    let Redacted = "REDACTED"

    // Where the authority (host and credentials) starts and ends: after `scheme://`, up to the path, query or
    // fragment. (-1, 0) when the text has no `://`.
    let private authority (url: string) =
        let start = url.IndexOf("://", StringComparison.Ordinal)

        if start < 0 then
            struct (-1, 0)
        else
            let from = start + 3
            let stop = url.IndexOfAny([| '/'; '?'; '#' |], from)
            struct (from, (if stop < 0 then url.Length else stop))

    let private redactQuery (query: string) (into: StringBuilder) =
        let mutable first = true

        for part in query.Split '&' do
            if not first then
                into.Append '&' |> ignore

            first <- false
            let equals = part.IndexOf '='

            if equals < 0 then
                into.Append part |> ignore
            else
                into.Append(part, 0, equals + 1).Append(Redacted) |> ignore

    /// The URL without credentials and query values.
    let redact (url: string) =
        if String.IsNullOrEmpty url then
            url
        else
            let struct (from, stop) = authority url

            let at =
                if from < 0 then
                    -1
                else
                    url.LastIndexOf('@', stop - 1, stop - from)

            let fragment = url.IndexOf('#', stop)
            // A `?` inside the fragment starts no query.
            let queryStart =
                match url.IndexOf('?', stop) with
                | question when fragment >= 0 && question > fragment -> -1
                | question -> question

            let queryEnd = if fragment < 0 then url.Length else fragment
            let hasQueryValue = queryStart >= 0 && url.IndexOf('=', queryStart, queryEnd - queryStart) >= 0

            if at < 0 && not hasQueryValue then
                url
            else
                let builder = StringBuilder(url.Length + 16)

                if at >= 0 then
                    builder.Append(url, 0, from).Append(Redacted).Append(':').Append(Redacted).Append('@')
                    |> ignore

                    builder.Append(url, at + 1, stop - at - 1) |> ignore
                else
                    builder.Append(url, 0, stop) |> ignore

                if queryStart < 0 then
                    builder.Append(url, stop, url.Length - stop) |> ignore
                else
                    builder.Append(url, stop, queryStart + 1 - stop) |> ignore
                    redactQuery (url.Substring(queryStart + 1, queryEnd - queryStart - 1)) builder
                    builder.Append(url, queryEnd, url.Length - queryEnd) |> ignore

                builder.ToString()
