namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.IO
open System.IO.Compression
open System.Net.Http
open System.Net.Http.Headers
open System.Net.Security
open System.Security.Cryptography.X509Certificates

/// The HTTP plumbing of both transports: gzip, the handler (certificates, keepalive pings), reading response headers.
module internal OtlpHttp =
    /// True for the `User-Agent` header name (any case).
    let isUserAgent (name: string) = String.Equals(name, "User-Agent", StringComparison.OrdinalIgnoreCase)

    /// The User-Agent of every OTLP request (the SDK, its language and its version), after a product identifier
    /// given as a `User-Agent` header (RFC 9110: the most significant product first).
    let userAgent (options: OtlpOptions) =
        let own = $"Functional.Telemetry-dotnet/{Resource.sdkVersion}"

        match options.Headers |> List.tryFind (fst >> isUserAgent) with
        | Some(_, product) when not (String.IsNullOrWhiteSpace product) -> product.Trim() + " " + own
        | _ -> own

    let gzip (data: ReadOnlySpan<byte>) =
        use output = new MemoryStream()

        do
            use compressor = new GZipStream(output, CompressionLevel.Fastest, true)
            compressor.Write data

        output.ToArray()

    let private loadCertificates (options: OtlpOptions) (handler: SocketsHttpHandler) =
        match options.CertificatePath with
        | None -> ()
        | Some path ->
            try
                let trusted = X509Certificate2Collection()
                trusted.ImportFromPemFile path

                // Trust exactly the configured CA; name mismatches and missing certificates still fail.
                handler.SslOptions.RemoteCertificateValidationCallback <-
                    RemoteCertificateValidationCallback(fun _ certificate _ errors ->
                        if isNull certificate then
                            false
                        elif errors.HasFlag SslPolicyErrors.RemoteCertificateNameMismatch then
                            false
                        else
                            use chain = new X509Chain()
                            chain.ChainPolicy.TrustMode <- X509ChainTrustMode.CustomRootTrust
                            chain.ChainPolicy.RevocationMode <- X509RevocationMode.NoCheck
                            chain.ChainPolicy.CustomTrustStore.AddRange trusted

                            let leaf =
                                match certificate with
                                | :? X509Certificate2 as c -> c
                                | c -> X509CertificateLoader.LoadCertificate(c.GetRawCertData())

                            chain.Build leaf)
            with e ->
                SelfDiagnostics.error "otlp" $"could not load the CA certificate file {path}: {e.GetType().Name}"

        match options.ClientCertificatePath, options.ClientKeyPath with
        | Some certificatePath, keyPath ->
            try
                let certificate =
                    match keyPath with
                    | Some key -> X509Certificate2.CreateFromPemFile(certificatePath, key)
                    | None -> X509Certificate2.CreateFromPemFile certificatePath

                handler.SslOptions.ClientCertificates <- X509CertificateCollection([| certificate :> X509Certificate |])
            with e ->
                SelfDiagnostics.error
                    "otlp"
                    $"could not load the client certificate {certificatePath}: {e.GetType().Name}"
        | None, Some _ ->
            SelfDiagnostics.warning "otlp" "a client key is configured without a client certificate; ignored"
        | None, None -> ()

    /// The handler of one exporter: its CA and client certificates and, for gRPC, its keepalive pings.
    let createHandler (options: OtlpOptions) =
        let handler =
            new SocketsHttpHandler(
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes 1.,
                AutomaticDecompression = Net.DecompressionMethods.None
            )

        match options.Protocol, options.Grpc.KeepAlivePingDelay with
        | OtlpProtocol.Grpc, Some delay ->
            handler.KeepAlivePingDelay <- delay
            handler.KeepAlivePingTimeout <- options.Grpc.KeepAlivePingTimeout
            handler.KeepAlivePingPolicy <- options.Grpc.KeepAlivePingPolicy
        | _ -> ()

        loadCertificates options handler
        handler

    /// How a request that got no answer is reported: `request failed (ConnectionError, ConnectionRefused)`. The
    /// socket's error says which connection failure it was (ConnectionRefused: nothing listens).
    let requestFailed (e: HttpRequestException) =
        let cause =
            match e.InnerException with
            | :? Net.Sockets.SocketException as socket -> $", {socket.SocketErrorCode}"
            | _ -> ""

        let reason = $"request failed ({e.HttpRequestError}{cause})"

        // No connection at all (refused, no route, no such name): the runner does not retry it at shutdown, and
        // its export store takes the request at once.
        match e.HttpRequestError with
        | HttpRequestError.ConnectionError
        | HttpRequestError.NameResolutionError -> ExportReasons.unreachable reason
        | _ -> reason

    /// The first value of a header, as received (no parsing; no enumerator for a header that has one value).
    let firstHeader (headers: HttpHeaders) (name: string) =
        if isNull headers then
            None
        else
            match headers.NonValidated.TryGetValues name with
            | true, values when values.Count > 0 ->
                let mutable enumerator = values.GetEnumerator()

                if enumerator.MoveNext() then
                    Some enumerator.Current
                else
                    None
            | _ -> None
