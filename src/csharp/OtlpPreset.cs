using Microsoft.FSharp.Core;
using Core = Functional.Telemetry.FSharp;

namespace Functional.Telemetry;

/// <summary>
/// A vendor's OTLP settings: where its endpoint is and how its paths are shaped, the headers it requires, the
/// protocol it accepts and, for metrics, the temporality and histograms it wants. Give it to
/// <c>AddOtlpExporter(preset)</c> in <c>WithTracing</c>, <c>WithMetrics</c> or <c>WithLogging</c>, or to
/// <c>UseOtlpExporter(preset)</c> for every signal the vendor receives. The settings a preset leaves alone (timeout,
/// compression, certificates, the other headers) come from <c>OTEL_EXPORTER_OTLP_*</c> as for any OTLP exporter, and
/// what <c>AddOtlpExporter(preset, o =&gt; ...)</c> sets wins over the preset. Immutable: the <c>With...</c> methods
/// return a changed copy. Header values (API keys, tokens) are never shown: <see cref="ToString"/> names the headers
/// only. See docs/vendors.md.
/// </summary>
public sealed class OtlpPreset
{
    private OtlpPreset(Core.OtlpPreset preset) => Preset = preset;

    /// <summary>The core's preset.</summary>
    internal Core.OtlpPreset Preset { get; }

    /// <summary>Jaeger (v1.35 and later; Jaeger v2) receiving OTLP natively: http/protobuf to
    /// <c>http://localhost:4318/v1/traces</c>, or after <c>WithProtocol(OtlpExportProtocol.Grpc)</c> gRPC to
    /// <c>http://localhost:4317</c>. Jaeger stores traces only: the preset is for the tracing signal. No headers;
    /// <see cref="WithBaseUrl"/> points it at another host.</summary>
    public static OtlpPreset Jaeger() => new(Core.OtlpPresetModule.Jaeger);

    /// <summary>The Datadog Agent's OTLP intake (Agent 7.32+ for traces and metrics, 7.48+ for logs, with
    /// <c>otlp_config</c> receivers enabled): http/protobuf to <c>http://localhost:4318/v1/&lt;signal&gt;</c>, or gRPC to
    /// <c>http://localhost:4317</c>; metrics in delta temporality, as Datadog recommends. No API key: the Agent holds
    /// it.</summary>
    public static OtlpPreset DatadogAgent() => new(Core.OtlpPresetModule.DatadogAgent);

    /// <summary>Datadog's direct (agentless) OTLP intake: http/protobuf to <c>https://otlp.&lt;site&gt;/v1/&lt;signal&gt;</c>
    /// with the headers <c>dd-api-key</c> and <c>dd-protocol: otlp</c>; metrics in delta temporality (the intake takes
    /// delta only). The traces intake is in Preview at Datadog and may want <c>dd-otlp-source</c>
    /// (<see cref="WithHeader"/>).</summary>
    /// <param name="site">The Datadog site's domain: <c>datadoghq.com</c>, <c>datadoghq.eu</c>,
    /// <c>us3.datadoghq.com</c>, <c>us5.datadoghq.com</c>, <c>ap1.datadoghq.com</c>, ...</param>
    /// <param name="apiKey">A Datadog API key (not an application key).</param>
    /// <exception cref="ArgumentException">The key is empty or the site is not a domain name.</exception>
    public static OtlpPreset Datadog(string site, string apiKey) =>
        new(Core.OtlpPresetModule.Datadog(Guard.NotNull(site, nameof(site)), Guard.NotNull(apiKey, nameof(apiKey))));

    /// <summary>Dynatrace SaaS: http/protobuf (the only protocol Dynatrace accepts) to
    /// <c>https://&lt;environmentId&gt;.live.dynatrace.com/api/v2/otlp/v1/&lt;signal&gt;</c> with
    /// <c>Authorization: Api-Token &lt;apiToken&gt;</c>; metrics in delta temporality (Dynatrace refuses cumulative
    /// sums). Managed or ActiveGate: <c>WithBaseUrl(new Uri("https://&lt;host&gt;/e/&lt;environmentId&gt;/api/v2/otlp"))</c>.</summary>
    /// <param name="environmentId">The environment id, as in <c>abc12345.live.dynatrace.com</c>.</param>
    /// <param name="apiToken">An access token with the <c>openTelemetryTrace.ingest</c>, <c>metrics.ingest</c> and
    /// <c>logs.ingest</c> scopes.</param>
    /// <exception cref="ArgumentException">The token is empty or the id is not letters and digits.</exception>
    public static OtlpPreset Dynatrace(string environmentId, string apiToken) =>
        new(Core.OtlpPresetModule.Dynatrace(
            Guard.NotNull(environmentId, nameof(environmentId)),
            Guard.NotNull(apiToken, nameof(apiToken))));

    /// <summary>Google Cloud's Telemetry (OTLP) API: http/protobuf to <c>https://telemetry.googleapis.com/v1/&lt;signal&gt;</c>
    /// (or gRPC to <c>https://telemetry.googleapis.com</c>) with <c>x-goog-user-project: &lt;projectId&gt;</c>. The API
    /// wants an OAuth 2.0 access token, which this SDK cannot obtain or refresh: give one with
    /// <c>WithHeader("Authorization", "Bearer " + token)</c> (it expires, typically within an hour), or send to a
    /// Collector that authenticates. The resource needs a <c>gcp.project_id</c> attribute
    /// (<c>AddResourceAttribute("gcp.project_id", projectId)</c>).</summary>
    /// <exception cref="ArgumentException">The project is empty.</exception>
    public static OtlpPreset GoogleCloud(string projectId) =>
        new(Core.OtlpPresetModule.GoogleCloud(Guard.NotNull(projectId, nameof(projectId))));

    /// <summary><c>jaeger</c>, <c>datadog-agent</c>, <c>datadog</c>, <c>dynatrace</c> or <c>google-cloud</c>.</summary>
    public string Name => Preset.Name;

    /// <summary>The protocol requests use.</summary>
    public OtlpExportProtocol Protocol => ToProtocol(Preset.Protocol);

    /// <summary>The base URL: over HTTP each signal posts to <c>&lt;BaseUrl&gt;/v1/&lt;signal&gt;</c>; over gRPC it is the
    /// address.</summary>
    public Uri BaseUrl => Preset.BaseUrl;

    /// <summary>The names of the headers the preset sends (never their values).</summary>
    public IReadOnlyList<string> HeaderNames => [.. Preset.HeaderNames];

    /// <summary>The preset sending to another base URL (another host, a proxy, a Managed Dynatrace or ActiveGate
    /// path, a test receiver); over HTTP the signal's <c>/v1/&lt;signal&gt;</c> is appended.</summary>
    /// <exception cref="ArgumentException"><paramref name="baseUrl"/> is not an absolute http or https URL.</exception>
    public OtlpPreset WithBaseUrl(Uri baseUrl) =>
        new(Core.OtlpPresetModule.WithBaseUrl(Guard.NotNull(baseUrl, nameof(baseUrl)), Preset));

    /// <summary>The preset over another protocol the vendor accepts; with no base URL given, the default follows the
    /// protocol (Jaeger and the Datadog Agent: 4317 for gRPC, 4318 for HTTP).</summary>
    /// <exception cref="ArgumentException">The vendor does not accept <paramref name="protocol"/>.</exception>
    public OtlpPreset WithProtocol(OtlpExportProtocol protocol) =>
        new(Core.OtlpPresetModule.WithProtocol(
            protocol switch
            {
                OtlpExportProtocol.Grpc => OtlpProtocol.Grpc,
                OtlpExportProtocol.HttpJson => OtlpProtocol.HttpJson,
                OtlpExportProtocol.HttpProtobuf => OtlpProtocol.HttpProtobuf,
                _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown OTLP protocol."),
            },
            Preset));

    /// <summary>The preset with one more header (replacing one of the same name, compared ignoring case). The value is
    /// a secret: it appears in no diagnostic. Checked as <see cref="OtlpExporterOptions.Headers"/> are, at start.</summary>
    public OtlpPreset WithHeader(string name, string value) =>
        new(Core.OtlpPresetModule.WithHeader(
            Guard.NotBlank(name, nameof(name)),
            Guard.NotNull(value, nameof(value)),
            Preset));

    /// <summary>The preset with histograms no view configures aggregated as base-2 exponential histograms (true) or
    /// with explicit buckets (false).</summary>
    public OtlpPreset WithExponentialHistograms(bool enabled) =>
        new(Core.OtlpPresetModule.WithExponentialHistograms(enabled, Preset));

    /// <summary><c>dynatrace: http/protobuf to https://abc12345.live.dynatrace.com/api/v2/otlp/v1/&lt;signal&gt;, headers
    /// Authorization, metrics delta</c>: never a header's value.</summary>
    public override string ToString() => Preset.ToString();

    /// <summary>Whether the vendor receives the signal (<c>traces</c>, <c>metrics</c>, <c>logs</c>).</summary>
    internal bool Receives(string signal) => Preset.Signals.Contains(CoreSignal(signal));

    /// <summary>Throws an <see cref="ArgumentException"/> naming <c>preset</c> when the vendor does not receive the
    /// signal.</summary>
    internal void CheckReceives(string signal)
    {
        var checkedPreset = Core.OtlpPresetModule.checkSignal(CoreSignal(signal), Preset);
        if (checkedPreset.IsError)
        {
            throw new ArgumentException(string.Join(" ", checkedPreset.ErrorValue), "preset");
        }
    }

    /// <summary>The signal's options under the preset, then what <paramref name="then"/> (the options set in code or
    /// configuration) changes.</summary>
    internal FSharpFunc<OtlpOptions, OtlpOptions> Configure(string signal, FSharpFunc<OtlpOptions, OtlpOptions> then)
    {
        var coreSignal = CoreSignal(signal);
        var preset = Preset;
        return FuncConvert.FromFunc<OtlpOptions, OtlpOptions>(
            options => then.Invoke(Core.OtlpPresetModule.Options(coreSignal, preset, options)));
    }

    private static OtlpSignal CoreSignal(string signal) => signal switch
    {
        Signals.Traces => OtlpSignal.Traces,
        Signals.Metrics => OtlpSignal.Metrics,
        _ => OtlpSignal.Logs,
    };

    private static OtlpExportProtocol ToProtocol(OtlpProtocol protocol) =>
        protocol.IsGrpc ? OtlpExportProtocol.Grpc
        : protocol.IsHttpJson ? OtlpExportProtocol.HttpJson
        : OtlpExportProtocol.HttpProtobuf;
}
