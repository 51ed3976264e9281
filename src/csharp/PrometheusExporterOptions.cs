using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>
/// Settings of the SDK's own Prometheus scrape endpoint. Every property left unset keeps what
/// <c>OTEL_EXPORTER_PROMETHEUS_HOST</c> / <c>OTEL_EXPORTER_PROMETHEUS_PORT</c> say, else the default
/// (<c>http://127.0.0.1:9464/metrics</c>). Options are checked when the SDK starts: an empty host, a port outside
/// 0 to 65535 or a path not starting with <c>/</c> is an <see cref="ArgumentException"/>.
/// </summary>
public sealed class PrometheusExporterOptions
{
    /// <summary>The interface to listen on: an IP address, <c>localhost</c>, a host name, or <c>*</c> for every
    /// IPv4 interface (<c>::</c> for every interface). Default <c>127.0.0.1</c>.</summary>
    public string? Host { get; set; }

    /// <summary>The TCP port; 0 takes a free one (read the bound URL from
    /// <see cref="TelemetrySdk.PrometheusEndpoints"/>). Default 9464.</summary>
    public int? Port { get; set; }

    /// <summary>The path scrapes use; other paths get 404. Default <c>/metrics</c>.</summary>
    public string? Path { get; set; }

    /// <summary>How long one collection answers later scrapes. Default zero: only scrapes arriving while a
    /// collection is in flight share it.</summary>
    public TimeSpan? ScrapeResponseCache { get; set; }

    /// <summary>How long a scrape waits for its collection before answering 503. Default 10 seconds
    /// (Prometheus' default <c>scrape_timeout</c>); it must be positive.</summary>
    public TimeSpan? ScrapeTimeout { get; set; }

    /// <summary>Append the unit (<c>_seconds</c>, <c>_bytes</c>, ...) to metric names. Default true.</summary>
    public bool UnitSuffixes { get; set; } = true;

    /// <summary>Append <c>_total</c> to counters. Default true.</summary>
    public bool TotalSuffix { get; set; } = true;

    /// <summary>Expose the resource as the <c>target_info</c> metric. Default true.</summary>
    public bool TargetInfo { get; set; } = true;

    /// <summary>Label every series with its instrumentation scope (<c>otel_scope_name</c>, ...). Default true.</summary>
    public bool ScopeLabels { get; set; } = true;

    /// <summary>A prefix for every metric name. Default none.</summary>
    public string? Namespace { get; set; }

    internal PrometheusOptions ToRendering() =>
        new(UnitSuffixes, TotalSuffix, TargetInfo, ScopeLabels, Namespace ?? "");

    /// <summary>A scrape handler with these rendering and cache settings (host, port and path do not apply).</summary>
    internal PrometheusScrapeHandler ToHandler() =>
        new(ToRendering(), ScrapeResponseCache ?? TimeSpan.Zero, ScrapeTimeout ?? PrometheusScrapeHandler.DefaultScrapeTimeout);

    internal FSharpFunc<PrometheusEndpointOptions, PrometheusEndpointOptions> ToConfigure() =>
        FuncConvert.FromFunc<PrometheusEndpointOptions, PrometheusEndpointOptions>(o => new PrometheusEndpointOptions(
            Host ?? o.Host,
            Port ?? o.Port,
            Path ?? o.Path,
            ToRendering(),
            ScrapeResponseCache ?? o.ScrapeResponseCache,
            ScrapeTimeout ?? o.ScrapeTimeout));
}
