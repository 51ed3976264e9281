namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// A vendor's OTLP settings: where its endpoint is and how its paths are shaped, the headers it requires, the
/// protocol it accepts and, for metrics, the temporality and histograms it wants. Add it to a signal with
/// `Tracing.addOtlpPreset`, `Metrics.addOtlpPreset` or `Logging.addOtlpPreset` (or turn it into options with
/// `OtlpPreset.options`). The settings a preset leaves alone (timeout, compression, certificates, the other
/// headers) come from `OTEL_EXPORTER_OTLP_*` as for any OTLP exporter. Immutable: the `with*` functions return a
/// changed copy. Header values (API keys, tokens) are never shown: `ToString` names the headers only. See
/// docs/vendors.md.
[<Sealed>]
type OtlpPreset =
    /// `jaeger`, `datadog-agent`, `datadog`, `dynatrace` or `google-cloud`.
    member Name: string

    /// The signals the vendor's endpoint receives (Jaeger: traces only).
    member Signals: OtlpSignal list

    /// The protocols the vendor's endpoint accepts.
    member Protocols: OtlpProtocol list

    /// The protocol requests use.
    member Protocol: OtlpProtocol

    /// The base URL: over HTTP each signal posts to `<BaseUrl>/v1/<signal>`; over gRPC it is the address (its path,
    /// if any, goes in front of the service's).
    member BaseUrl: Uri

    /// The names of the headers the preset sends, in order (never their values).
    member HeaderNames: string list

    /// The temporality the vendor wants for metrics; None leaves the exporter's own (the environment's, else
    /// cumulative).
    member TemporalityPreference: TemporalityPreference option

    /// Whether histograms no view configures are base-2 exponential; None leaves the exporter's own.
    member ExponentialHistograms: bool option

    /// `dynatrace: http/protobuf to https://abc12345.live.dynatrace.com/api/v2/otlp/v1/<signal>, headers
    /// Authorization, metrics delta`: never a header's value.
    override ToString: unit -> string

/// The vendor presets and the changes a deployment makes to them.
[<RequireQualifiedAccess>]
module OtlpPreset =
    /// Jaeger (v1.35 and later; Jaeger v2) receiving OTLP natively: http/protobuf to `http://localhost:4318/v1/traces`,
    /// or with `withProtocol OtlpProtocol.Grpc` gRPC to `http://localhost:4317`. Jaeger stores traces only: the
    /// preset is for the tracing signal. No headers; `withBaseUrl` points it at another host.
    [<CompiledName("Jaeger")>]
    val jaeger: OtlpPreset

    /// The Datadog Agent's OTLP intake (Agent 7.32+ for traces and metrics, 7.48+ for logs, with `otlp_config`
    /// receivers enabled): http/protobuf to `http://localhost:4318/v1/<signal>`, or gRPC to `http://localhost:4317`;
    /// metrics in delta temporality, as Datadog recommends. No API key: the Agent holds it.
    [<CompiledName("DatadogAgent")>]
    val datadogAgent: OtlpPreset

    /// Datadog's direct (agentless) OTLP intake: http/protobuf to `https://otlp.<site>/v1/<signal>` with the headers
    /// `dd-api-key: <apiKey>` and `dd-protocol: otlp`; metrics in delta temporality (the intake takes delta only).
    /// `site` is the Datadog site's domain (`datadoghq.com`, `datadoghq.eu`, `us3.datadoghq.com`,
    /// `us5.datadoghq.com`, `ap1.datadoghq.com`, ...). The traces intake is in Preview at Datadog and may want
    /// `dd-otlp-source` (`withHeader`). ArgumentException (naming `site` or `apiKey`) for a blank key or a site
    /// that is not a domain name.
    [<CompiledName("Datadog")>]
    val datadog: site: string -> apiKey: string -> OtlpPreset

    /// Dynatrace SaaS: http/protobuf (the only protocol Dynatrace accepts) to
    /// `https://<environmentId>.live.dynatrace.com/api/v2/otlp/v1/<signal>` with `Authorization: Api-Token <apiToken>`
    /// (a token with the `openTelemetryTrace.ingest`, `metrics.ingest` and `logs.ingest` scopes); metrics in delta
    /// temporality (Dynatrace refuses cumulative sums). Managed or ActiveGate:
    /// `withBaseUrl (Uri "https://<host>/e/<environmentId>/api/v2/otlp")`. ArgumentException (naming
    /// `environmentId` or `apiToken`) for a blank token or an environment id that is not letters and digits.
    [<CompiledName("Dynatrace")>]
    val dynatrace: environmentId: string -> apiToken: string -> OtlpPreset

    /// Google Cloud's Telemetry (OTLP) API: http/protobuf to `https://telemetry.googleapis.com/v1/<signal>` (or gRPC
    /// to `https://telemetry.googleapis.com`) with `x-goog-user-project: <projectId>`. The API wants an OAuth 2.0
    /// access token (`Authorization: Bearer ...`), which this SDK cannot obtain or refresh: give one with
    /// `withHeader "Authorization" ("Bearer " + token)` (it expires, typically within an hour), or send to a
    /// Collector that authenticates (googleclientauth). The resource needs a `gcp.project_id` attribute (add it to
    /// the resource). ArgumentException (naming `projectId`) for a blank project.
    [<CompiledName("GoogleCloud")>]
    val googleCloud: projectId: string -> OtlpPreset

    /// The preset sending to another base URL (another host, a proxy, a Managed Dynatrace or ActiveGate path, a
    /// test receiver): an absolute http or https URL; over HTTP the signal's `/v1/<signal>` is appended.
    /// ArgumentException (naming `baseUrl`) otherwise.
    [<CompiledName("WithBaseUrl")>]
    val withBaseUrl: baseUrl: Uri -> preset: OtlpPreset -> OtlpPreset

    /// The preset over another protocol the vendor accepts; when no base URL was given, the default one follows the
    /// protocol (Jaeger and the Datadog Agent: 4317 for gRPC, 4318 for HTTP). ArgumentException (naming
    /// `protocol`) for a protocol the vendor does not accept.
    [<CompiledName("WithProtocol")>]
    val withProtocol: protocol: OtlpProtocol -> preset: OtlpPreset -> OtlpPreset

    /// The preset with one more header (replacing one of the same name, compared ignoring case). The value is a
    /// secret: it appears in no diagnostic. Checked as `OtlpOptions.Headers` are, when the exporter is built.
    [<CompiledName("WithHeader")>]
    val withHeader: name: string -> value: string -> preset: OtlpPreset -> OtlpPreset

    /// The preset with histograms no view configures aggregated as base-2 exponential histograms (true) or explicit
    /// buckets (false).
    [<CompiledName("WithExponentialHistograms")>]
    val withExponentialHistograms: enabled: bool -> preset: OtlpPreset -> OtlpPreset

    /// The OTLP options of a signal under the preset, over `options` (what the environment gave): the endpoint
    /// (`<BaseUrl>/v1/<signal>` over HTTP, the base URL over gRPC), the protocol, the preset's headers (replacing
    /// those of the same names), and the temporality and histograms it sets. ArgumentException (naming `preset`)
    /// when the vendor does not receive the signal.
    [<CompiledName("Options")>]
    val options: signal: OtlpSignal -> preset: OtlpPreset -> options: OtlpOptions -> OtlpOptions

    /// An error naming `preset` when the vendor does not receive the signal.
    val internal checkSignal: signal: OtlpSignal -> preset: OtlpPreset -> Result<OtlpPreset, string list>
