namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Threading.Tasks

/// Settings of the SDK's own Prometheus scrape endpoint.
type PrometheusEndpointOptions =
    {
        /// The interface to listen on: an IP address (IPv6 with or without brackets), `localhost`, a host name, or
        /// `*`/`+`/`0.0.0.0` for every IPv4 interface (`::` for every interface); not a URL and without a port.
        /// Default `127.0.0.1` (`OTEL_EXPORTER_PROMETHEUS_HOST`).
        Host: string
        /// The TCP port; 0 takes a free one (see `PrometheusServer.Url`). Default 9464
        /// (`OTEL_EXPORTER_PROMETHEUS_PORT`).
        Port: int
        /// The path scrapes use; any other path is a 404. Default `/metrics`.
        Path: string
        /// How metrics are named and labelled. Default `PrometheusOptions.defaults`.
        Rendering: PrometheusOptions
        /// How long one collection answers later scrapes (zero: only scrapes arriving while a collection is in
        /// flight share it). Default zero.
        ScrapeResponseCache: TimeSpan
        /// How long a scrape waits for its collection before answering 503 (a collection older than this is not
        /// joined by later scrapes). Default 10 s, Prometheus' default `scrape_timeout`.
        ScrapeTimeout: TimeSpan
    }

/// Prometheus endpoint settings: defaults, environment variables, checks.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PrometheusEndpointOptions =
    /// `http://127.0.0.1:9464/metrics`, default rendering, no response cache.
    [<CompiledName("Default")>]
    val defaults: PrometheusEndpointOptions

    /// Reads `OTEL_EXPORTER_PROMETHEUS_HOST` and `OTEL_EXPORTER_PROMETHEUS_PORT` (0 to 65535) over the
    /// defaults; an invalid host (not a host name or IP address) or port keeps the default with a warning.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> PrometheusEndpointOptions * ConfigWarning list

    /// Checks options given in code: an empty or malformed host, a port outside 0 to 65535, a path not starting
    /// with `/`, a negative cache duration, a scrape timeout that is not positive. Error with one message per bad
    /// setting (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: options: PrometheusEndpointOptions -> Result<PrometheusEndpointOptions, string list>
