namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Where an OTLP file exporter writes.
[<RequireQualifiedAccess>]
type OtlpFileOutput =
    /// Standard output (the default, and what `OTEL_*_EXPORTER=otlp/stdout` adds).
    | Stdout
    /// A file, appended to (created with its directory when missing) and rotated by size.
    | File of path: string

/// Settings of an OTLP file exporter (the specification's OTLP File Exporter): every export request is one line of
/// OTLP/JSON (a `TracesData`, `MetricsData` or `LogsData` object) followed by `\n`, in UTF-8: JSON Lines, which the
/// OpenTelemetry Collector's `otlpjsonfile` receiver and `jq` read.
type OtlpFileOptions =
    {
        /// Standard output or a file. Default Stdout.
        Output: OtlpFileOutput
        /// A file is rotated before a line would take it past this size: it is renamed `<name>.1<ext>` (the one
        /// before that becomes `<name>.2<ext>`, and so on) and a new `<name><ext>` is started, so the configured
        /// path always holds the newest lines. A single line larger than this goes into a file of its own. Default
        /// 64 MiB; ignored for standard output.
        MaxFileBytes: int64
        /// How many rotated files are kept beside the current one (`<name>.1<ext>` newest to `<name>.<n><ext>`
        /// oldest); older ones are deleted. 0 keeps none (the file is started again). Default 4.
        MaxRotatedFiles: int
        /// Metrics only: the temporality asked of the reader
        /// (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`). Default Cumulative.
        TemporalityPreference: TemporalityPreference
        /// Metrics only: histograms no view configures as base-2 exponential histograms
        /// (`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`). Default false.
        ExponentialHistograms: bool
    }

/// OTLP file exporter settings: defaults, the environment, `output_stream` values, validation.
[<RequireQualifiedAccess>]
module OtlpFileOptions =
    /// Standard output, 64 MiB files, 4 rotated files kept, cumulative, explicit-bucket histograms.
    [<CompiledName("Default")>]
    val defaults: OtlpFileOptions

    /// The defaults with the metrics variables the specification has the file exporter read:
    /// `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` and `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`
    /// (a bad value keeps the default and gives a warning). Pure given the lookup.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> OtlpFileOptions * ConfigWarning list

    /// A configuration file's `output_stream`: `stdout`, or a `file:` URI (`file:///var/log/app/traces.jsonl`).
    /// Error with the reason otherwise.
    val internal parseOutputStream: text: string -> Result<OtlpFileOutput, string>

    /// Checks options given in code: a blank file path, a non-positive MaxFileBytes or a negative MaxRotatedFiles
    /// is an error naming the setting.
    [<CompiledName("Validate")>]
    val validate: options: OtlpFileOptions -> Result<OtlpFileOptions, string list>
