namespace Functional.Telemetry;

/// <summary>
/// The names of the hosted SDK's named options, one per signal, and the configuration section they bind from:
/// <c>services.Configure&lt;OtlpExporterOptions&gt;(TelemetryOptionNames.Traces, o =&gt; o.Gzip = true)</c>, or in
/// appsettings.json <c>"FunctionalTelemetry": { "Otlp": { ... }, "Traces": { "Otlp": { ... }, "Batch": { ... },
/// "Limits": { ... }, "Zipkin": { ... } }, "Metrics": { "Otlp": { ... }, "Prometheus": { ... } }, "Logs": { "Otlp": { ... },
/// "Batch": { ... }, "Limits": { ... } } }</c>.
/// <list type="table">
/// <item><term><see cref="OtlpExporterOptions"/></term><description><c>traces</c>, <c>metrics</c>, <c>logs</c>:
/// sections <c>FunctionalTelemetry:Otlp</c> (every signal), then <c>FunctionalTelemetry:{Signal}:Otlp</c>; over
/// <c>OTEL_EXPORTER_OTLP_*</c>.</description></item>
/// <item><term><see cref="BatchExportOptions"/></term><description><c>traces</c>, <c>logs</c>: section
/// <c>FunctionalTelemetry:{Signal}:Batch</c>, over <c>OTEL_BSP_*</c> / <c>OTEL_BLRP_*</c>.</description></item>
/// <item><term><see cref="SpanLimitsOptions"/></term><description><c>traces</c>: section
/// <c>FunctionalTelemetry:Traces:Limits</c>, over <c>OTEL_SPAN_*</c>.</description></item>
/// <item><term><see cref="LogRecordLimitsOptions"/></term><description><c>logs</c>: section
/// <c>FunctionalTelemetry:Logs:Limits</c>, over <c>OTEL_LOGRECORD_*</c>.</description></item>
/// <item><term><see cref="PrometheusExporterOptions"/></term><description><c>metrics</c>: section
/// <c>FunctionalTelemetry:Metrics:Prometheus</c>, over <c>OTEL_EXPORTER_PROMETHEUS_*</c>.</description></item>
/// <item><term><see cref="ZipkinExporterOptions"/></term><description><c>traces</c>: section
/// <c>FunctionalTelemetry:Traces:Zipkin</c>, over <c>OTEL_EXPORTER_ZIPKIN_*</c>.</description></item>
/// </list>
/// They apply to what code adds (an OTLP or Zipkin exporter, a Prometheus reader, an exporter batched by default); a delegate
/// given in code (<c>t.AddOtlpExporter(o =&gt; ...)</c>) receives them and has the last word.
/// </summary>
public static class TelemetryOptionNames
{
    /// <summary>The options of the traces signal: <c>traces</c>.</summary>
    public const string Traces = Signals.Traces;

    /// <summary>The options of the metrics signal: <c>metrics</c>.</summary>
    public const string Metrics = Signals.Metrics;

    /// <summary>The options of the logs signal: <c>logs</c>.</summary>
    public const string Logs = Signals.Logs;

    /// <summary>The configuration section the named options bind from: <c>FunctionalTelemetry</c>.</summary>
    public const string ConfigurationSection = "FunctionalTelemetry";

    /// <summary>True for the names above (the options the SDK reads).</summary>
    internal static bool IsSignal(string? name) => name is Traces or Metrics or Logs;

    /// <summary>The section of a signal: <c>FunctionalTelemetry:Traces</c>.</summary>
    internal static string SectionOf(string signal) =>
        $"{ConfigurationSection}:{char.ToUpperInvariant(signal[0])}{signal[1..]}";
}
