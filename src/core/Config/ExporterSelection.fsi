namespace Functional.Telemetry.FSharp

/// The exporters the selection variables `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER` and `OTEL_LOGS_EXPORTER`
/// can name. An exporter added in code records its kind (`Tracing.addOtlpExporter` is `Otlp`,
/// `Tracing.addConsoleExporter` is `Console`, `Tracing.addZipkinExporter` is `Zipkin`, `Metrics.addPrometheusEndpoint` is
/// `Prometheus`, the `addOtlpFileExporter` functions are `OtlpFile`); exporters the variables cannot name (an exporter
/// object given in code, in-memory, ETW, pull readers) have no kind.
[<RequireQualifiedAccess>]
type ExporterKind =
    /// `otlp`: the OTLP exporter, configured by the `OTEL_EXPORTER_OTLP_*` variables.
    | Otlp
    /// `console`: the console exporter, writing to standard output.
    | Console
    /// `prometheus` (metrics only): the SDK's own Prometheus scrape endpoint, configured by the
    /// `OTEL_EXPORTER_PROMETHEUS_*` variables.
    | Prometheus
    /// `zipkin` (traces only): the Zipkin exporter, configured by the `OTEL_EXPORTER_ZIPKIN_*` variables.
    | Zipkin
    /// `otlp/stdout`: the OTLP file exporter (JSON lines of OTLP/JSON). The variable adds one writing to standard
    /// output; one added in code keeps its output (standard output or a file).
    | OtlpFile

/// What a signal's selection variable says.
[<RequireQualifiedAccess>]
type internal ExporterSelection =
    /// Unset, blank, or no value the SDK knows: the exporters added in code, or, when code added none, the
    /// specification's default (`otlp`).
    | FromCode
    /// These kinds, in order and without repeats (`none`: no kind). Exporters of these kinds added in code keep
    /// their options; a kind code did not add is added with the environment's settings; exporters of other kinds
    /// added in code are left out. Exporters without a kind always apply.
    | Kinds of ExporterKind list

/// Reading the selection variables (pure: an environment lookup in, a selection and warnings out) and applying a
/// selection to a signal's exporters.
[<RequireQualifiedAccess>]
module internal ExporterSelection =
    /// `OTEL_TRACES_EXPORTER`: `otlp`, `zipkin`, `console`, `otlp/stdout`, `none`.
    val tracesVariable: string

    /// `OTEL_METRICS_EXPORTER`: `otlp`, `console`, `prometheus`, `otlp/stdout`, `none`.
    val metricsVariable: string

    /// `OTEL_LOGS_EXPORTER`: `otlp`, `console`, `otlp/stdout`, `none`.
    val logsVariable: string

    /// The value of a kind in the variables: `otlp`, `console`, `prometheus`, `zipkin`, `otlp/stdout`.
    val name: kind: ExporterKind -> string

    /// Reads a selection variable: a comma-separated list, each value trimmed and compared ignoring case. A value
    /// outside `allowed` (and `none`) is left out with a warning naming it and the variable; `none` beside other
    /// values is left out with a warning; repeats are ignored. When no value is left, the variable is ignored
    /// (`FromCode`), as the specification says of an unrecognised enum value.
    val read:
        variable: string -> allowed: ExporterKind list -> lookup: EnvLookup -> ExporterSelection * ConfigWarning list

    /// Applies a selection to the exporters added in code (`kindOf` tells each one's kind), making the exporter of
    /// a kind the selection adds with `make` (None: the signal has no exporter of that kind): `FromCode` keeps the
    /// list, or gives the OTLP exporter when it is empty; `Kinds` keeps the exporters without a kind and those of
    /// a selected kind, then adds, in the variable's order, each selected kind code did not add.
    val apply:
        selection: ExporterSelection ->
        kindOf: ('T -> ExporterKind option) ->
        make: (ExporterKind -> 'T option) ->
        exporters: 'T list ->
            'T list
