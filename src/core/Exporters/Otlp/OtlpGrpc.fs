namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Net.Http
open Grpc.Core
open Grpc.Net.Client
open Grpc.Net.Client.Balancer
open Grpc.Net.Client.Configuration

/// The request of an OTLP/gRPC call: an Export*ServiceRequest as the exporter's encoder wrote it (in the
/// exporter's buffer, read until the call has sent it). No message object is made: the marshaller copies these
/// bytes into the call's buffer.
[<Sealed; AllowNullLiteral>]
type internal OtlpGrpcRequest(body: ReadOnlyMemory<byte>) =
    member _.Body = body

/// The answer of an OTLP/gRPC call: only its partial success (rejected count and message), when it has one.
[<Sealed; AllowNullLiteral>]
type internal OtlpGrpcResponse(partialSuccess: OtlpPartialSuccess option) =
    static let empty = OtlpGrpcResponse None

    /// The answer without a partial success (an empty Export*ServiceResponse, the common one).
    static member Empty = empty

    member _.PartialSuccess = partialSuccess

/// Gives Grpc.Net.Client the resolvers of one channel (its only use of a service provider).
[<Sealed>]
type internal OtlpResolverServices(factories: ResolverFactory array) =
    interface IServiceProvider with
        member _.GetService(serviceType: Type) =
            if serviceType = typeof<seq<ResolverFactory>> then
                box (factories :> seq<ResolverFactory>)
            else
                null

/// OTLP/gRPC on Grpc.Net.Client: the Export methods with marshallers over our encoder and response reader, and
/// the channel of an exporter (its target, TLS, resolvers and load balancing).
/// Sends the SDK's User-Agent on every gRPC call: Grpc.Net.Client sets its own (`grpc-dotnet/...`) on each request,
/// and call metadata cannot replace it.
[<Sealed>]
type internal OtlpUserAgentHandler(userAgent: string, inner: HttpMessageHandler) =
    inherit DelegatingHandler(inner)

    override _.SendAsync(request: HttpRequestMessage, cancellationToken: Threading.CancellationToken) =
        request.Headers.Remove "User-Agent" |> ignore
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent) |> ignore
        base.SendAsync(request, cancellationToken)

[<RequireQualifiedAccess>]
module internal OtlpGrpc =
    /// The gRPC service of a signal.
    let serviceName signal =
        match signal with
        | OtlpSignal.Traces -> "opentelemetry.proto.collector.trace.v1.TraceService"
        | OtlpSignal.Metrics -> "opentelemetry.proto.collector.metrics.v1.MetricsService"
        | OtlpSignal.Logs -> "opentelemetry.proto.collector.logs.v1.LogsService"

    // The encoded request goes into the call's buffer with its length given first, so that Grpc.Net.Client
    // writes the frame's prefix and the message into one pooled array (or, compressing, gzips it from there).
    let private serializeRequest =
        Action<OtlpGrpcRequest, SerializationContext>(fun request context ->
            let body = request.Body.Span
            context.SetPayloadLength body.Length
            let writer = context.GetBufferWriter()
            writer.Write body
            context.Complete())

    // Only the partial success is read, with the reader HTTP responses use; an empty answer allocates nothing.
    let private deserializeResponse =
        Func<DeserializationContext, OtlpGrpcResponse>(fun context ->
            if context.PayloadLength = 0 then
                OtlpGrpcResponse.Empty
            else
                match OtlpResponse.tryReadPartialSuccessProtobuf (context.PayloadAsNewBuffer()) with
                | None -> OtlpGrpcResponse.Empty
                | partial -> OtlpGrpcResponse partial)

    // A client sends requests and reads responses; the other directions are never asked for.
    let private requestMarshaller =
        Marshaller<OtlpGrpcRequest>(
            serializeRequest,
            Func<DeserializationContext, OtlpGrpcRequest>(fun _ -> raise (NotSupportedException "client only"))
        )

    let private responseMarshaller =
        Marshaller<OtlpGrpcResponse>(
            Action<OtlpGrpcResponse, SerializationContext>(fun _ _ -> raise (NotSupportedException "client only")),
            deserializeResponse
        )

    /// The Export method of a signal's service. A path in an http/https endpoint (`http://host:4317/prefix`)
    /// stays in front of the service's path, as a proxy routing on it expects.
    let exportMethod signal (endpoint: Uri) =
        let prefix =
            if endpoint.Scheme = Uri.UriSchemeHttp || endpoint.Scheme = Uri.UriSchemeHttps then
                endpoint.AbsolutePath.Trim('/')
            else
                ""

        let service =
            if prefix = "" then
                serviceName signal
            else
                prefix + "/" + serviceName signal

        Method<OtlpGrpcRequest, OtlpGrpcResponse>(
            MethodType.Unary,
            service,
            "Export",
            requestMarshaller,
            responseMarshaller
        )

    /// The metadata every call sends: the configured headers (their names lower-cased, as gRPC metadata keys
    /// are) and, compressing, Grpc.Net.Client's request-compression key (sent as `grpc-encoding: gzip` or
    /// `grpc-encoding: zstd`; the channel has zstd's provider, see `createChannel`). A header
    /// that cannot be a gRPC metadata key (a character outside `a-z 0-9 - _ .`, or a `-bin` name, which gRPC
    /// reserves for base64 values) is not sent and gives one warning naming it. Null when there is nothing to
    /// send.
    let callHeaders (options: OtlpOptions) =
        let metadata = Metadata()

        for name, value in options.Headers |> List.filter (fst >> OtlpHttp.isUserAgent >> not) do
            try
                metadata.Add(name, value)
            with :? ArgumentException ->
                SelfDiagnostics.warning
                    "otlp"
                    $"header '{name}' is not a valid gRPC metadata key (a-z, 0-9, '-', '_', '.', not ending in -bin); not sent"

        match options.Compression with
        | OtlpCompression.Gzip -> metadata.Add("grpc-internal-encoding-request", "gzip")
        | OtlpCompression.Zstd -> metadata.Add("grpc-internal-encoding-request", "zstd")
        | OtlpCompression.None -> ()

        if metadata.Count = 0 then null else metadata

    /// Where a channel connects: the endpoint (http/https: one address; `dns:///host:port`: every address of the
    /// name), or `static:///host:port,...` for the static addresses.
    let target (options: OtlpOptions) (endpoint: Uri) =
        match options.Grpc.Addresses with
        | [] -> endpoint
        | addresses ->
            let authorities = addresses |> List.map (fun a -> a.Authority) |> String.concat ","
            Uri $"static:///{authorities}"

    /// How often the addresses of a `dns:///` target are resolved again (they also are when a connection fails).
    let dnsRefreshInterval = TimeSpan.FromSeconds 30.

    /// The channel of one exporter over `handler` (which it disposes): the target's resolver and TLS (the
    /// scheme of an http/https endpoint or of the static addresses; `Insecure` for a `dns:///` target), the
    /// load balancing policy, no size limit on sent messages (the exporter splits requests by MaxRequestBytes),
    /// no retries of its own (the runner retries), and, when the exporter sends zstd, zstd's compression provider
    /// beside the library's gzip one.
    let createChannel (options: OtlpOptions) (target: Uri) (handler: HttpMessageHandler) =
        let channelOptions =
            GrpcChannelOptions(
                HttpHandler = new OtlpUserAgentHandler(OtlpHttp.userAgent options, handler),
                DisposeHttpClient = true,
                MaxSendMessageSize = Nullable()
            )

        let secure (secure: bool) =
            if secure then
                ChannelCredentials.SecureSsl
            else
                ChannelCredentials.Insecure

        match options.Grpc.Addresses with
        | first :: _ as addresses ->
            let balancerAddresses =
                addresses
                |> List.map (fun a -> BalancerAddress(a.IdnHost, a.Port))
                |> Array.ofList

            channelOptions.Credentials <- secure (first.Scheme = Uri.UriSchemeHttps)

            channelOptions.ServiceProvider <-
                OtlpResolverServices [| StaticResolverFactory(fun _ -> balancerAddresses) |]
        | [] when target.Scheme = "dns" ->
            channelOptions.Credentials <- secure (not options.Insecure)
            channelOptions.ServiceProvider <- OtlpResolverServices [| DnsResolverFactory dnsRefreshInterval |]
        | [] -> ()

        if options.Compression = OtlpCompression.Zstd then
            channelOptions.CompressionProviders <-
                ResizeArray<Grpc.Net.Compression.ICompressionProvider>(
                    [
                        Grpc.Net.Compression.GzipCompressionProvider(IO.Compression.CompressionLevel.Fastest)
                        :> Grpc.Net.Compression.ICompressionProvider
                        OtlpZstdCompressionProvider()
                    ]
                )

        match options.Grpc.LoadBalancing with
        | OtlpLoadBalancing.RoundRobin ->
            let config = ServiceConfig()
            config.LoadBalancingConfigs.Add(RoundRobinConfig())
            channelOptions.ServiceConfig <- config
        | OtlpLoadBalancing.PickFirst -> ()

        GrpcChannel.ForAddress(target, channelOptions)
