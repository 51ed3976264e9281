namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess>]
type OtlpSignal =
    | Traces
    | Metrics
    | Logs

[<RequireQualifiedAccess>]
type OtlpProtocol =
    | Grpc
    | HttpProtobuf
    | HttpJson

[<RequireQualifiedAccess>]
type OtlpCompression =
    | None
    | Gzip
    | Zstd

[<RequireQualifiedAccess>]
type OtlpLoadBalancing =
    | PickFirst
    | RoundRobin

type OtlpGrpcOptions =
    {
        Addresses: Uri list
        LoadBalancing: OtlpLoadBalancing
        KeepAlivePingDelay: TimeSpan option
        KeepAlivePingTimeout: TimeSpan
        KeepAlivePingPolicy: System.Net.Http.HttpKeepAlivePingPolicy
    }

[<StructuredFormatDisplay("{Display}")>]
type OtlpOptions =
    {
        Endpoint: Uri option
        Protocol: OtlpProtocol
        Headers: (string * string) list
        Timeout: TimeSpan
        Compression: OtlpCompression
        CertificatePath: string option
        ClientCertificatePath: string option
        ClientKeyPath: string option
        Insecure: bool
        MaxRequestBytes: int64
        TemporalityPreference: TemporalityPreference
        ExponentialHistograms: bool
        Grpc: OtlpGrpcOptions
    }

    override this.ToString() =
        let headers =
            this.Headers
            |> List.map (fun (name, _) -> $"{name}=[redacted]")
            |> String.concat "; "

        let show (value: 'T option) =
            match value with
            | Some v -> string v
            | None -> "None"

        // An endpoint is shown without its user info and query, which may hold secrets too.
        let endpoint = this.Endpoint |> Option.map SelfDiagnostics.displayUrl

        $"OtlpOptions(Endpoint = {show endpoint}, Protocol = {this.Protocol}, Headers = [{headers}], "
        + $"Timeout = {this.Timeout}, Compression = {this.Compression}, CertificatePath = {show this.CertificatePath}, "
        + $"ClientCertificatePath = {show this.ClientCertificatePath}, ClientKeyPath = {show this.ClientKeyPath}, "
        + $"Insecure = {this.Insecure}, MaxRequestBytes = {this.MaxRequestBytes}, "
        + $"TemporalityPreference = {this.TemporalityPreference}, ExponentialHistograms = {this.ExponentialHistograms}, "
        + $"Grpc = %A{this.Grpc})"

    member internal this.Display = this.ToString()

[<RequireQualifiedAccess>]
module OtlpOptions =
    [<CompiledName("DefaultGrpc")>]
    let grpcDefaults =
        {
            Addresses = []
            LoadBalancing = OtlpLoadBalancing.PickFirst
            KeepAlivePingDelay = None
            KeepAlivePingTimeout = TimeSpan.FromSeconds 20.
            KeepAlivePingPolicy = System.Net.Http.HttpKeepAlivePingPolicy.WithActiveRequests
        }

    [<CompiledName("Default")>]
    let defaults =
        {
            Endpoint = None
            Protocol = OtlpProtocol.HttpProtobuf
            Headers = []
            Timeout = TimeSpan.FromSeconds 10.
            Compression = OtlpCompression.None
            CertificatePath = None
            ClientCertificatePath = None
            ClientKeyPath = None
            Insecure = false
            MaxRequestBytes = 64L * 1024L * 1024L
            TemporalityPreference = TemporalityPreference.Cumulative
            ExponentialHistograms = false
            Grpc = grpcDefaults
        }

    [<CompiledName("SignalPath")>]
    let signalPath signal =
        match signal with
        | OtlpSignal.Traces -> "traces"
        | OtlpSignal.Metrics -> "metrics"
        | OtlpSignal.Logs -> "logs"

    [<CompiledName("ResolveEndpoint")>]
    let resolveEndpoint signal options =
        match options.Endpoint, options.Protocol with
        | Some uri, _ -> uri
        | None, OtlpProtocol.Grpc -> Uri "http://localhost:4317"
        | None, _ -> Uri $"http://localhost:4318/v1/{signalPath signal}"

    let private isHttpUri (uri: Uri) =
        uri.IsAbsoluteUri
        && (uri.Scheme = Uri.UriSchemeHttp || uri.Scheme = Uri.UriSchemeHttps)

    // A gRPC target resolved by DNS: `dns:///host:port` (or `dns://authority/host:port`); the name is the path.
    let private isDnsTarget (uri: Uri) =
        uri.IsAbsoluteUri && uri.Scheme = "dns" && uri.AbsolutePath.Trim('/').Length > 0

    // RFC 9110 token characters: what a header name may hold.
    let private isToken (name: string) =
        name.Length > 0
        && name
           |> Seq.forall (fun c -> c < '\u007f' && (Char.IsLetterOrDigit c || "!#$%&'*+-.^_`|~".IndexOf c >= 0))

    // Headers the exporter sets itself (content type, length and encoding) or that HttpClient and HTTP/2 own
    // (framing, the connection, the host); gRPC reserves the `grpc-` prefix. A configured one is merged with the
    // transport's or breaks the request: `content-type` became `application/x-protobuf, application/json`, which a
    // collector refuses with 400, on every export.
    let private ownedHeaders =
        set
            [
                "content-type"
                "content-length"
                "content-encoding"
                "transfer-encoding"
                "host"
                "connection"
                "keep-alive"
                "proxy-connection"
                "upgrade"
                "te"
                "trailer"
                "expect"
            ]

    let private isOwned (name: string) =
        let lower = name.ToLowerInvariant()

        ownedHeaders.Contains lower
        || lower.StartsWith("grpc-", StringComparison.Ordinal)

    // What SocketsHttpHandler sends (it has no header encoding set): printable ASCII, space and tab. Anything else
    // made every request fail before it left ("request failed (Unknown)").
    let private isSendable (value: string) = value |> Seq.forall (fun c -> c = '\t' || (c >= ' ' && c <= '~'))

    /// What is wrong with a header whose name is a token, naming the header but never its value (it may be a
    /// secret); None when it can be sent.
    let private headerProblem (name: string) (value: string) =
        if isOwned name then
            Some $"header '{name}' is set by the exporter or its HTTP stack and cannot be configured"
        elif isNull value then
            Some $"the value of header '{name}' is null"
        elif not (isSendable value) then
            Some
                $"the value of header '{name}' holds a character HttpClient cannot send (only printable ASCII, space and tab)"
        else
            None

    let private tryUnescape (text: string) =
        try
            Some(Uri.UnescapeDataString(text).Trim())
        with _ ->
            None

    [<CompiledName("ParseHeaders")>]
    let parseHeaders (text: string) =
        let entries =
            text.Split(',')
            |> Array.mapi (fun index entry -> index + 1, entry)
            |> Array.filter (fun (_, entry) -> not (String.IsNullOrWhiteSpace entry))

        let parsed =
            entries
            |> Array.map (fun (position, entry) ->
                let separator = entry.IndexOf '='

                if separator <= 0 then
                    Error $"header entry {position} is not of the form key=value; skipped"
                else
                    match
                        tryUnescape (entry.Substring(0, separator)), tryUnescape (entry.Substring(separator + 1))
                    with
                    | Some key, Some value when isToken key ->
                        match headerProblem key value with
                        | None -> Ok(key, value)
                        | Some problem -> Error $"{problem} (entry {position}); skipped"
                    | Some key, None when isToken key ->
                        Error $"the value of header '{key}' (entry {position}) is not valid percent-encoding; skipped"
                    | _ -> Error $"header entry {position} has an invalid name; skipped")

        let headers =
            parsed
            |> Array.choose (function
                | Ok h -> Some h
                | Error _ -> None)
            |> List.ofArray

        let problems =
            parsed
            |> Array.choose (function
                | Error e -> Some e
                | Ok _ -> None)
            |> List.ofArray

        headers, problems

    let private signalPrefix signal =
        match signal with
        | OtlpSignal.Traces -> "OTEL_EXPORTER_OTLP_TRACES_"
        | OtlpSignal.Metrics -> "OTEL_EXPORTER_OTLP_METRICS_"
        | OtlpSignal.Logs -> "OTEL_EXPORTER_OTLP_LOGS_"

    // The per-signal variable when set, else the general one: (name it came from, value).
    let private lookupEither (lookup: EnvLookup) signal suffix =
        let specific = signalPrefix signal + suffix
        let general = "OTEL_EXPORTER_OTLP_" + suffix

        match lookup specific with
        | Some value -> Some(specific, value, true)
        | None -> lookup general |> Option.map (fun value -> general, value, false)

    // Reads a setting through the per-signal/general precedence with one of Env's typed readers.
    let private readEither
        lookup
        signal
        suffix
        (reader: EnvLookup -> string -> 'T * ConfigWarning list)
        (fallback: 'T)
        =
        match lookupEither lookup signal suffix with
        | None -> fallback, []
        | Some(name, value, _) -> reader (fun n -> if n = name then Some value else None) name

    let private protocolChoices =
        [
            "grpc", OtlpProtocol.Grpc
            "http/protobuf", OtlpProtocol.HttpProtobuf
            "http/json", OtlpProtocol.HttpJson
        ]

    let private temporalityChoices =
        [
            "cumulative", TemporalityPreference.Cumulative
            "delta", TemporalityPreference.Delta
            "lowmemory", TemporalityPreference.LowMemory
        ]

    let private warning source message = { Source = source; Message = message }

    let private readEndpoint lookup signal protocol insecure =
        match lookupEither lookup signal "ENDPOINT" with
        | None -> None, []
        | Some(name, raw, isSpecific) ->
            let text = raw.Trim()
            // gRPC endpoints may be given as host:port; Insecure picks the scheme.
            let text =
                if protocol = OtlpProtocol.Grpc && not (text.Contains "://") then
                    (if insecure then "http://" else "https://") + text
                else
                    text

            match Uri.TryCreate(text, UriKind.Absolute) with
            | true, uri when protocol = OtlpProtocol.Grpc && isDnsTarget uri -> Some uri, []
            | true, uri when isHttpUri uri ->
                match protocol with
                | OtlpProtocol.Grpc -> Some uri, []
                | _ when isSpecific -> Some uri, []
                | _ ->
                    let builder = UriBuilder uri
                    builder.Path <- builder.Path.TrimEnd('/') + "/v1/" + signalPath signal
                    Some builder.Uri, []
            | _ when protocol = OtlpProtocol.Grpc ->
                None,
                [
                    warning
                        name
                        "not an absolute http or https URL, nor a dns:///host:port target; using the default endpoint"
                ]
            | _ -> None, [ warning name "not an absolute http or https URL; using the default endpoint" ]

    let private readBool lookup signal suffix =
        match lookupEither lookup signal suffix with
        | None -> false, []
        | Some(name, value, _) ->
            match value.Trim().ToLowerInvariant() with
            | "true" -> true, []
            | "false" -> false, []
            | _ -> false, [ warning name "expected true or false; using false" ]

    let private readPath lookup signal suffix =
        lookupEither lookup signal suffix
        |> Option.map (fun (_, value, _) -> value.Trim())

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment signal (lookup: EnvLookup) =
        let protocol, protocolWarnings =
            readEither
                lookup
                signal
                "PROTOCOL"
                (fun l n -> Env.readChoice l n protocolChoices defaults.Protocol)
                defaults.Protocol

        let insecure, insecureWarnings = readBool lookup signal "INSECURE"
        let endpoint, endpointWarnings = readEndpoint lookup signal protocol insecure

        let headers, headerWarnings =
            match lookupEither lookup signal "HEADERS" with
            | None -> [], []
            | Some(name, value, _) ->
                let headers, problems = parseHeaders value
                headers, problems |> List.map (warning name)

        let timeout, timeoutWarnings =
            readEither
                lookup
                signal
                "TIMEOUT"
                (fun l n ->
                    let millis, warnings = Env.readInt l n (fun v -> v > 0) (int defaults.Timeout.TotalMilliseconds)
                    TimeSpan.FromMilliseconds(float millis), warnings)
                defaults.Timeout

        let compression, compressionWarnings =
            readEither
                lookup
                signal
                "COMPRESSION"
                (fun l n ->
                    Env.readChoice
                        l
                        n
                        [
                            "none", OtlpCompression.None
                            "gzip", OtlpCompression.Gzip
                            "zstd", OtlpCompression.Zstd
                        ]
                        defaults.Compression)
                defaults.Compression

        let temporality, temporalityWarnings =
            match signal with
            | OtlpSignal.Metrics ->
                Env.readChoice
                    lookup
                    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"
                    temporalityChoices
                    defaults.TemporalityPreference
            | _ -> defaults.TemporalityPreference, []

        let exponential, histogramWarnings =
            match signal with
            | OtlpSignal.Metrics ->
                Env.readChoice
                    lookup
                    "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION"
                    [
                        "explicit_bucket_histogram", false
                        "base2_exponential_bucket_histogram", true
                    ]
                    defaults.ExponentialHistograms
            | _ -> defaults.ExponentialHistograms, []

        let options =
            { defaults with
                Endpoint = endpoint
                Protocol = protocol
                Headers = headers
                Timeout = timeout
                Compression = compression
                CertificatePath = readPath lookup signal "CERTIFICATE"
                ClientCertificatePath = readPath lookup signal "CLIENT_CERTIFICATE"
                ClientKeyPath = readPath lookup signal "CLIENT_KEY"
                Insecure = insecure
                TemporalityPreference = temporality
                ExponentialHistograms = exponential
            }

        options,
        protocolWarnings
        @ insecureWarnings
        @ endpointWarnings
        @ headerWarnings
        @ timeoutWarnings
        @ compressionWarnings
        @ temporalityWarnings
        @ histogramWarnings

    // A keepalive setting SocketsHttpHandler takes: at least 1 s, at most Int32.MaxValue milliseconds.
    let private checkPing (value: TimeSpan) name =
        Validation.check
            (value >= TimeSpan.FromSeconds 1.
             && value.TotalMilliseconds <= float Int32.MaxValue)
            name
            $"must be at least 1 second and at most Int32.MaxValue milliseconds, got {value}."

    let private validateGrpc (options: OtlpOptions) =
        let grpc = options.Grpc
        let name = $"{nameof options.Grpc}.{nameof grpc.Addresses}"

        [
            if not grpc.Addresses.IsEmpty && options.Protocol <> OtlpProtocol.Grpc then
                yield Validation.error name "is for the gRPC protocol only."

            // An address is shown without its user info (which may hold a secret).
            let shown (address: Uri) =
                if address.IsAbsoluteUri then
                    address.GetComponents(UriComponents.SchemeAndServer ||| UriComponents.Path, UriFormat.UriEscaped)
                else
                    string address

            for address in grpc.Addresses do
                if isNull address then
                    yield Validation.error name "holds a null address."
                elif not (isHttpUri address) || String.IsNullOrEmpty address.Host then
                    yield
                        Validation.error
                            name
                            $"must hold absolute http or https URLs with a host, got '{shown address}'."
                elif address.AbsolutePath <> "/" || address.Query <> "" then
                    yield Validation.error name $"must hold addresses without a path or query, got '{shown address}'."

            match
                grpc.Addresses
                |> List.filter (isNull >> not)
                |> List.map (fun a -> a.Scheme)
                |> List.distinct
            with
            | _ :: _ :: _ -> yield Validation.error name "must all have the same scheme (http or https)."
            | _ -> ()

            match grpc.KeepAlivePingDelay with
            | Some delay -> yield! checkPing delay $"{nameof options.Grpc}.{nameof grpc.KeepAlivePingDelay}"
            | None -> ()

            yield! checkPing grpc.KeepAlivePingTimeout $"{nameof options.Grpc}.{nameof grpc.KeepAlivePingTimeout}"
        ]

    [<CompiledName("Validate")>]
    let validate (options: OtlpOptions) =
        [
            match options.Endpoint with
            | Some uri when options.Protocol = OtlpProtocol.Grpc && not (isHttpUri uri || isDnsTarget uri) ->
                [
                    Validation.error
                        (nameof options.Endpoint)
                        "must be an absolute http or https URL, or a dns:///host:port target."
                ]
            | Some uri when options.Protocol <> OtlpProtocol.Grpc && not (isHttpUri uri) ->
                [
                    Validation.error (nameof options.Endpoint) "must be an absolute http or https URL."
                ]
            | _ -> []
            validateGrpc options
            Validation.check
                (options.Timeout > TimeSpan.Zero
                 && options.Timeout.TotalMilliseconds <= float Int32.MaxValue)
                (nameof options.Timeout)
                $"must be positive and at most Int32.MaxValue milliseconds, got {options.Timeout}."
            Validation.check
                (options.MaxRequestBytes > 0L)
                (nameof options.MaxRequestBytes)
                $"must be positive, got {options.MaxRequestBytes}."
            // The message names a bad header, never its value (it may hold a secret).
            for name, value in options.Headers do
                if isNull name || not (isToken name) then
                    [
                        Validation.error (nameof options.Headers) "a header name is empty or not a valid token."
                    ]
                else
                    match headerProblem name value with
                    | Some problem -> [ Validation.error (nameof options.Headers) (problem + ".") ]
                    | None -> []
        ]
        |> List.concat
        |> Validation.ofErrors options
