namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// The signal an OTLP exporter sends (selects the per-signal environment variables, the HTTP path and the gRPC service).
[<RequireQualifiedAccess>]
type OtlpSignal =
    /// Spans: `/v1/traces`, `opentelemetry.proto.collector.trace.v1.TraceService`.
    | Traces
    /// Metrics: `/v1/metrics`, `opentelemetry.proto.collector.metrics.v1.MetricsService`.
    | Metrics
    /// Log records: `/v1/logs`, `opentelemetry.proto.collector.logs.v1.LogsService`.
    | Logs

/// The OTLP transport protocol (`OTEL_EXPORTER_OTLP_PROTOCOL`).
[<RequireQualifiedAccess>]
type OtlpProtocol =
    /// OTLP/gRPC over HTTP/2 (`grpc`); default port 4317.
    | Grpc
    /// OTLP/HTTP with protobuf bodies (`http/protobuf`, the default); default port 4318.
    | HttpProtobuf
    /// OTLP/HTTP with JSON bodies (`http/json`); default port 4318.
    | HttpJson

/// Request body compression (`OTEL_EXPORTER_OTLP_COMPRESSION`).
[<RequireQualifiedAccess>]
type OtlpCompression =
    /// Bodies are sent as they are (the default).
    | None
    /// Bodies are gzip-compressed (`Content-Encoding: gzip`, or `grpc-encoding: gzip` for gRPC).
    | Gzip
    /// Bodies are zstd-compressed (`Content-Encoding: zstd`, or `grpc-encoding: zstd` for gRPC), at zstd's level 1:
    /// smaller than gzip and faster to compress. The receiver must accept zstd (the OpenTelemetry Collector's OTLP
    /// receiver does; a receiver that does not answers 415 or UNIMPLEMENTED, counted as failed).
    | Zstd

/// How OTLP/gRPC spreads requests over the addresses of a collector fleet (gRPC's client-side load balancing).
[<RequireQualifiedAccess>]
type OtlpLoadBalancing =
    /// gRPC's `pick_first`: every request goes to the first address that answers (the default).
    | PickFirst
    /// gRPC's `round_robin`: requests go to each address that answers in turn.
    | RoundRobin

/// Settings that only OTLP/gRPC reads: where a collector fleet is and how requests spread over it, and HTTP/2
/// keepalive pings. The HTTP protocols ignore them.
type OtlpGrpcOptions =
    {
        /// A static list of collector addresses (`http://host:port`, or `https://` for TLS; one scheme for all, no
        /// path) to send to instead of the endpoint; requests spread over them by `LoadBalancing`. Empty (the
        /// default): the endpoint.
        Addresses: Uri list
        /// How requests spread over the addresses: those of `Addresses`, or those a `dns:///host:port` endpoint
        /// resolves to. Default PickFirst.
        LoadBalancing: OtlpLoadBalancing
        /// How often an HTTP/2 PING frame checks that a connection is alive (SocketsHttpHandler's
        /// KeepAlivePingDelay); at least 1 s. None (the default): no pings.
        KeepAlivePingDelay: TimeSpan option
        /// How long a ping may go unanswered before the connection is closed; at least 1 s. Default 20 s.
        KeepAlivePingTimeout: TimeSpan
        /// Whether pings are sent on a connection with no request in flight (`Always`) or only while requests
        /// are (`WithActiveRequests`, the default).
        KeepAlivePingPolicy: System.Net.Http.HttpKeepAlivePingPolicy
    }

/// Settings of one OTLP exporter. Its text (`string options`, and `%A`) shows the headers' names, never their values
/// (they are secrets: API keys, tokens), and the endpoint without user info or query.
[<StructuredFormatDisplay("{Display}")>]
type OtlpOptions =
    {
        /// The full URL requests go to; None uses the protocol's default
        /// (`http://localhost:4318/v1/<signal>` for HTTP, `http://localhost:4317` for gRPC).
        /// Set in code, it is used as it is (no path is appended). For gRPC it may also be `dns:///host:port`:
        /// every address the name resolves to, re-resolved every 30 s and when a connection fails (TLS unless
        /// `Insecure`; see `OtlpGrpcOptions.LoadBalancing`).
        Endpoint: Uri option
        /// The transport protocol. Default `HttpProtobuf`.
        Protocol: OtlpProtocol
        /// Extra request headers (for example an API key). Their values never appear in diagnostics. Headers the
        /// exporter or HttpClient owns and values HttpClient cannot send are refused (see `OtlpOptions.validate`);
        /// a `User-Agent` is put before the SDK's own (`Functional.Telemetry-dotnet/<version>`).
        Headers: (string * string) list
        /// Deadline of one request. Default 10 s.
        Timeout: TimeSpan
        /// Body compression. Default None.
        Compression: OtlpCompression
        /// A PEM file of CA certificates to trust for the server's certificate (instead of the system store).
        CertificatePath: string option
        /// A PEM file with the client certificate for mutual TLS (needs ClientKeyPath).
        ClientCertificatePath: string option
        /// A PEM file with the client certificate's private key.
        ClientKeyPath: string option
        /// For gRPC endpoints given without a scheme or as `dns:///host:port`: true uses plain-text h2c, false
        /// TLS. Default false.
        Insecure: bool
        /// The largest request body sent; bigger batches are split into several requests. Default 64 MiB.
        MaxRequestBytes: int64
        /// Temporality asked of the metric reader (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`). Default Cumulative.
        TemporalityPreference: TemporalityPreference
        /// Aggregate histograms without a view as base-2 exponential histograms (160 buckets, max scale 20)
        /// instead of explicit buckets (`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION` =
        /// `base2_exponential_bucket_histogram`). Default false.
        ExponentialHistograms: bool
        /// gRPC only: a collector fleet (static addresses, load balancing) and keepalive pings.
        Grpc: OtlpGrpcOptions
    }

    /// The settings as text, each header's value replaced by `[redacted]`, the endpoint without user info or query.
    override ToString: unit -> string

    /// What `%A` shows: `ToString ()`.
    member internal Display: string

/// OTLP exporter settings: defaults, environment variables and validation.
[<RequireQualifiedAccess>]
module OtlpOptions =
    /// No endpoint (the protocol's default), http/protobuf, no headers, 10 s, no compression, no certificates,
    /// secure, 64 MiB, cumulative, `OtlpGrpcOptions.defaults`.
    [<CompiledName("Default")>]
    val defaults: OtlpOptions

    /// No static addresses, pick-first, no keepalive pings (20 s ping timeout, with active requests).
    [<CompiledName("DefaultGrpc")>]
    val grpcDefaults: OtlpGrpcOptions

    /// The path segment of a signal: `traces`, `metrics` or `logs`.
    [<CompiledName("SignalPath")>]
    val internal signalPath: signal: OtlpSignal -> string

    /// The URL requests go to: the configured endpoint, or the protocol's default for the signal.
    [<CompiledName("ResolveEndpoint")>]
    val internal resolveEndpoint: signal: OtlpSignal -> options: OtlpOptions -> Uri

    /// Parses a W3C-baggage-like header list `k1=v1,k2=v2` with percent-encoded keys and values (trimmed).
    /// Malformed entries and headers HttpClient cannot send (see `validate`) are skipped; the second value holds
    /// one message per skipped entry, naming its position and, when it is a valid token, the header's name, but
    /// never its value (header values are secrets).
    [<CompiledName("ParseHeaders")>]
    val internal parseHeaders: text: string -> (string * string) list * string list

    /// Reads `OTEL_EXPORTER_OTLP_[TRACES_|METRICS_|LOGS_]{ENDPOINT, PROTOCOL, HEADERS, TIMEOUT, COMPRESSION,
    /// CERTIFICATE, CLIENT_CERTIFICATE, CLIENT_KEY, INSECURE}` (the per-signal variable beats the general one;
    /// a gRPC endpoint may be `dns:///host:port`; compression is `none`, `gzip` or `zstd`)
    /// and, for metrics, `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`.
    /// The general endpoint gets `/v1/<signal>` appended for the HTTP protocols; a per-signal endpoint is used as
    /// it is. Invalid values keep the default and give a warning. Pure given the lookup; never throws.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: signal: OtlpSignal -> lookup: EnvLookup -> OtlpOptions * ConfigWarning list

    /// Checks options given in code: an error naming the bad setting when the endpoint is not an absolute
    /// http/https URL (or, for gRPC, a `dns:///host:port` target), the gRPC addresses are given for another
    /// protocol, are not absolute http/https URLs with a host and no path, or mix schemes, a keepalive ping
    /// delay or timeout is under 1 s (or over Int32.MaxValue milliseconds), the timeout is not positive or exceeds
    /// Int32.MaxValue milliseconds, MaxRequestBytes is not positive, a header name is empty or not a token, a header
    /// is one the exporter or HttpClient owns (`content-type`, `content-length`, `content-encoding`,
    /// `transfer-encoding`, `host`, `connection`, `keep-alive`, `proxy-connection`, `upgrade`, `te`, `trailer`,
    /// `expect`, or a `grpc-` name), or a header value holds anything but printable ASCII, space and tab (the
    /// message names the header, never its value). A `User-Agent` header is allowed: it is put before the SDK's
    /// own. Error with one message per problem (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: options: OtlpOptions -> Result<OtlpOptions, string list>
