namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

type ZipkinOptions = { Endpoint: Uri; Timeout: TimeSpan }

[<RequireQualifiedAccess>]
module ZipkinOptions =
    [<CompiledName("Default")>]
    let defaults =
        {
            Endpoint = Uri "http://localhost:9411/api/v2/spans"
            Timeout = TimeSpan.FromSeconds 10.
        }

    let endpointVariable = "OTEL_EXPORTER_ZIPKIN_ENDPOINT"
    let timeoutVariable = "OTEL_EXPORTER_ZIPKIN_TIMEOUT"

    let private isHttpUri (uri: Uri) =
        not (isNull uri)
        && uri.IsAbsoluteUri
        && (uri.Scheme = Uri.UriSchemeHttp || uri.Scheme = Uri.UriSchemeHttps)
        && uri.Host <> ""

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        let endpoint, endpointWarnings =
            match lookup endpointVariable with
            | None -> defaults.Endpoint, []
            | Some text ->
                match Uri.TryCreate(text.Trim(), UriKind.Absolute) with
                | true, uri when isHttpUri uri -> uri, []
                | _ ->
                    defaults.Endpoint,
                    [
                        {
                            Source = endpointVariable
                            Message = "not an absolute http or https URL; using the default endpoint"
                        }
                    ]

        let millis, timeoutWarnings =
            Env.readInt lookup timeoutVariable (fun v -> v > 0) (int defaults.Timeout.TotalMilliseconds)

        {
            Endpoint = endpoint
            Timeout = TimeSpan.FromMilliseconds(float millis)
        },
        endpointWarnings @ timeoutWarnings

    [<CompiledName("Validate")>]
    let validate (options: ZipkinOptions) =
        [
            yield!
                Validation.check
                    (isHttpUri options.Endpoint)
                    (nameof options.Endpoint)
                    "must be an absolute http or https URL."
            yield!
                Validation.check
                    (options.Timeout > TimeSpan.Zero
                     && options.Timeout.TotalMilliseconds <= float Int32.MaxValue)
                    (nameof options.Timeout)
                    $"must be positive and at most Int32.MaxValue milliseconds, got {options.Timeout}."
        ]
        |> Validation.ofErrors options
