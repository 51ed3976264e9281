using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>The OTLP wire protocol.</summary>
public enum OtlpExportProtocol
{
    /// <summary>OTLP/HTTP with protobuf bodies (the default), port 4318.</summary>
    HttpProtobuf,

    /// <summary>OTLP/HTTP with JSON bodies, port 4318.</summary>
    HttpJson,

    /// <summary>OTLP/gRPC over HTTP/2, port 4317.</summary>
    Grpc,
}

/// <summary>How OTLP request bodies are compressed (<c>OTEL_EXPORTER_OTLP_COMPRESSION</c>).</summary>
public enum OtlpExportCompression
{
    /// <summary>Bodies are sent as they are (the default).</summary>
    None,

    /// <summary>gzip: <c>Content-Encoding: gzip</c> over HTTP, <c>grpc-encoding: gzip</c> over gRPC.</summary>
    Gzip,

    /// <summary>zstd (level 1): <c>Content-Encoding: zstd</c> over HTTP, <c>grpc-encoding: zstd</c> over gRPC; smaller
    /// than gzip and faster to compress. The receiver must accept zstd (the OpenTelemetry Collector does).</summary>
    Zstd,
}

/// <summary>How OTLP/gRPC spreads requests over the addresses of a collector fleet (gRPC's client-side load
/// balancing).</summary>
public enum OtlpLoadBalancingPolicy
{
    /// <summary>gRPC's <c>pick_first</c>: every request goes to the first address that answers (the default).</summary>
    PickFirst,

    /// <summary>gRPC's <c>round_robin</c>: requests go to each address that answers in turn.</summary>
    RoundRobin,
}

/// <summary>
/// Settings of an OTLP exporter. Every property left unset keeps what the <c>OTEL_EXPORTER_OTLP_*</c>
/// environment variables say (per signal first, then general), else the specification's default.
/// Options are checked when the SDK starts: an endpoint that is not an absolute http/https URL (or a gRPC
/// <c>dns:///</c> target), bad gRPC addresses or keepalive settings, or a header HttpClient cannot send (see
/// <see cref="Headers"/>), are an <see cref="ArgumentException"/>. Header values never appear in any diagnostic.
/// </summary>
public sealed class OtlpExporterOptions
{
    /// <summary>The full URL requests go to, used as it is. Default <c>http://localhost:4318/v1/&lt;signal&gt;</c>
    /// (HTTP) or <c>http://localhost:4317</c> (gRPC). For gRPC it may also be <c>dns:///host:port</c>: every address
    /// the name resolves to (re-resolved every 30 s and when a connection fails), over TLS unless
    /// <see cref="Insecure"/>; see <see cref="LoadBalancing"/>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The protocol. Default http/protobuf.</summary>
    public OtlpExportProtocol? Protocol { get; set; }

    /// <summary>Extra request headers (for example an API key); added to those from the environment. A header the
    /// exporter or HttpClient owns (<c>content-type</c>, <c>content-length</c>, <c>content-encoding</c>,
    /// <c>transfer-encoding</c>, <c>host</c>, <c>connection</c>, <c>keep-alive</c>, <c>proxy-connection</c>,
    /// <c>upgrade</c>, <c>te</c>, <c>trailer</c>, <c>expect</c>, <c>grpc-*</c>) or a value with anything but
    /// printable ASCII, space and tab is an <see cref="ArgumentException"/> at start naming the header, never its
    /// value. A <c>User-Agent</c> is put before the SDK's own (<c>Functional.Telemetry-dotnet/&lt;version&gt;</c>).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

    /// <summary>Deadline of one request. Default 10 s.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Request body compression: none, gzip or zstd. Default none (or what
    /// <c>OTEL_EXPORTER_OTLP_COMPRESSION</c> says: <c>none</c>, <c>gzip</c>, <c>zstd</c>). Wins over
    /// <see cref="Gzip"/> when both are set.</summary>
    public OtlpExportCompression? Compression { get; set; }

    /// <summary>Gzip request bodies (true), or send them uncompressed (false); the older spelling of
    /// <see cref="Compression"/>, which wins when both are set. Default false.</summary>
    public bool? Gzip { get; set; }

    /// <summary>A PEM file of CA certificates to trust for the server's certificate.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>A PEM file with the client certificate, for mutual TLS (with <see cref="ClientKeyPath"/>).</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>A PEM file with the client certificate's private key.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>The largest request body; bigger batches are split. Default 64 MiB.</summary>
    public long? MaxRequestBytes { get; set; }

    /// <summary>For metrics: the temporality asked of the reader. Default cumulative.</summary>
    public Temporalities? Temporality { get; set; }

    /// <summary>For metrics: aggregate histograms that no view configures as base-2 exponential histograms.
    /// Default false (explicit buckets).</summary>
    public bool? ExponentialHistograms { get; set; }

    /// <summary>For a gRPC endpoint given without a scheme or as <c>dns:///host:port</c>: true uses plain-text h2c,
    /// false TLS. Default false.</summary>
    public bool? Insecure { get; set; }

    /// <summary>gRPC only: a static list of collector addresses (<c>http://host:port</c>, or <c>https://</c> for TLS;
    /// one scheme for all, no path) to send to instead of <see cref="Endpoint"/>; requests spread over them by
    /// <see cref="LoadBalancing"/>. Default empty (the endpoint).</summary>
    public IList<Uri> GrpcAddresses { get; } = new List<Uri>();

    /// <summary>gRPC only: how requests spread over <see cref="GrpcAddresses"/> or over the addresses of a
    /// <c>dns:///</c> endpoint. Default <see cref="OtlpLoadBalancingPolicy.PickFirst"/>.</summary>
    public OtlpLoadBalancingPolicy? LoadBalancing { get; set; }

    /// <summary>gRPC only: how often an HTTP/2 PING frame checks that a connection is alive; at least 1 s.
    /// Default none (no pings).</summary>
    public TimeSpan? KeepAlivePingDelay { get; set; }

    /// <summary>gRPC only: how long a ping may go unanswered before the connection is closed; at least 1 s.
    /// Default 20 s.</summary>
    public TimeSpan? KeepAlivePingTimeout { get; set; }

    /// <summary>gRPC only: ping on connections with no request in flight too
    /// (<see cref="System.Net.Http.HttpKeepAlivePingPolicy.Always"/>), or only while requests are
    /// (<see cref="System.Net.Http.HttpKeepAlivePingPolicy.WithActiveRequests"/>, the default).</summary>
    public System.Net.Http.HttpKeepAlivePingPolicy? KeepAlivePingPolicy { get; set; }

    internal FSharpFunc<OtlpOptions, OtlpOptions> ToConfigure() =>
        FuncConvert.FromFunc<OtlpOptions, OtlpOptions>(Apply);

    private OtlpOptions Apply(OtlpOptions o)
    {
        static FSharpOption<T> Keep<T>(T? value, FSharpOption<T> current) where T : class =>
            value is null ? current : FSharpOption<T>.Some(value);

        var headers = ListModule.OfSeq(o.Headers.Concat(Headers.Select(h => Tuple.Create(h.Key, h.Value))));
        var grpc = new OtlpGrpcOptions(
            GrpcAddresses.Count > 0 ? ListModule.OfSeq(GrpcAddresses) : o.Grpc.Addresses,
            LoadBalancing switch
            {
                OtlpLoadBalancingPolicy.RoundRobin => OtlpLoadBalancing.RoundRobin,
                OtlpLoadBalancingPolicy.PickFirst => OtlpLoadBalancing.PickFirst,
                _ => o.Grpc.LoadBalancing,
            },
            KeepAlivePingDelay is { } delay ? FSharpOption<TimeSpan>.Some(delay) : o.Grpc.KeepAlivePingDelay,
            KeepAlivePingTimeout ?? o.Grpc.KeepAlivePingTimeout,
            KeepAlivePingPolicy ?? o.Grpc.KeepAlivePingPolicy);
        return new OtlpOptions(
            Keep(Endpoint, o.Endpoint),
            Protocol switch
            {
                OtlpExportProtocol.Grpc => OtlpProtocol.Grpc,
                OtlpExportProtocol.HttpJson => OtlpProtocol.HttpJson,
                OtlpExportProtocol.HttpProtobuf => OtlpProtocol.HttpProtobuf,
                _ => o.Protocol,
            },
            headers,
            Timeout ?? o.Timeout,
            (Compression, Gzip) switch
            {
                (OtlpExportCompression.Zstd, _) => OtlpCompression.Zstd,
                (OtlpExportCompression.Gzip, _) => OtlpCompression.Gzip,
                (OtlpExportCompression.None, _) => OtlpCompression.None,
                (_, true) => OtlpCompression.Gzip,
                (_, false) => OtlpCompression.None,
                _ => o.Compression,
            },
            Keep(CertificatePath, o.CertificatePath),
            Keep(ClientCertificatePath, o.ClientCertificatePath),
            Keep(ClientKeyPath, o.ClientKeyPath),
            Insecure ?? o.Insecure,
            MaxRequestBytes ?? o.MaxRequestBytes,
            Temporality switch
            {
                Temporalities.Delta => TemporalityPreference.Delta,
                Temporalities.LowMemory => TemporalityPreference.LowMemory,
                Temporalities.Cumulative => TemporalityPreference.Cumulative,
                _ => o.TemporalityPreference,
            },
            ExponentialHistograms ?? o.ExponentialHistograms,
            grpc);
    }
}
