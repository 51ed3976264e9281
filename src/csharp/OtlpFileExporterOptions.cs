using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>
/// Settings of an OTLP file exporter (the specification's OTLP File Exporter): every export is one line of OTLP/JSON
/// (JSON Lines), written to standard output or to a file rotated by size. Every property left unset keeps its
/// default; for metrics, the temporality and the default histogram aggregation also follow
/// <c>OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE</c> and <c>OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION</c>.
/// Options are checked where the exporter is added: a blank path, a non-positive <see cref="MaxFileBytes"/> or a
/// negative <see cref="MaxRotatedFiles"/> is an <see cref="ArgumentException"/>. See docs/otlp-file.md.
/// </summary>
public sealed class OtlpFileExporterOptions
{
    /// <summary>The file to append lines to (created with its directory when missing), or null for standard output.
    /// Default null (standard output).</summary>
    public string? Path { get; set; }

    /// <summary>A file is rotated before a line would take it past this size: it becomes <c>&lt;name&gt;.1&lt;ext&gt;</c>
    /// (the one before becomes <c>.2</c>, and so on) and a new file is started under <see cref="Path"/>. A single
    /// larger line goes into a file of its own. Default 64 MiB.</summary>
    public long? MaxFileBytes { get; set; }

    /// <summary>How many rotated files are kept beside the current one; older ones are deleted. 0 keeps none.
    /// Default 4.</summary>
    public int? MaxRotatedFiles { get; set; }

    /// <summary>For metrics: the temporality asked of the reader. Default cumulative.</summary>
    public Temporalities? Temporality { get; set; }

    /// <summary>For metrics: histograms that no view configures as base-2 exponential histograms. Default false.</summary>
    public bool? ExponentialHistograms { get; set; }

    /// <summary>The core's options with what is set here applied; checked now (an <see cref="ArgumentException"/>
    /// naming the setting).</summary>
    internal FSharpFunc<OtlpFileOptions, OtlpFileOptions> ToConfigure() =>
        FuncConvert.FromFunc<OtlpFileOptions, OtlpFileOptions>(Apply);

    private OtlpFileOptions Apply(OtlpFileOptions o) =>
        new(
            Path is { } path ? OtlpFileOutput.NewFile(path) : o.Output,
            MaxFileBytes ?? o.MaxFileBytes,
            MaxRotatedFiles ?? o.MaxRotatedFiles,
            Temporality switch
            {
                Temporalities.Delta => TemporalityPreference.Delta,
                Temporalities.LowMemory => TemporalityPreference.LowMemory,
                Temporalities.Cumulative => TemporalityPreference.Cumulative,
                _ => o.TemporalityPreference,
            },
            ExponentialHistograms ?? o.ExponentialHistograms);
}
