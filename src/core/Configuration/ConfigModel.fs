namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// An exporter a configuration file names.
[<RequireQualifiedAccess>]
type internal FileExporter =
    | Otlp of OtlpOptions
    | Console
    /// Spans only: the mapping gives it for the tracer provider's processors alone.
    | Zipkin of ZipkinOptions
    /// `otlp_file/development`: JSON lines of OTLP/JSON to standard output or a file.
    | OtlpFile of OtlpFileOptions

/// A span or log record processor of a file: how items reach its exporter.
type internal FileProcessor = { Mode: ExportMode; Exporter: FileExporter }

/// A push metric exporter of a file, with the temporality and default histogram aggregation it asks for.
type internal FileMetricExporter =
    {
        Exporter: FileExporter
        Preference: TemporalityPreference
        /// None: each instrument's default (explicit buckets for histograms).
        Histograms: Aggregation option
    }

/// A metric reader of a file.
[<RequireQualifiedAccess>]
type internal FileReader =
    | Periodic of options: PeriodicReaderOptions * exporter: FileMetricExporter
    | Prometheus of options: PrometheusEndpointOptions

/// `resource.detection/development`: which detectors run and which of their attributes are kept.
type internal FileDetection =
    {
        Process: bool
        Host: bool
        /// The `service` detector: `service.instance.id` and, when set, `OTEL_SERVICE_NAME`.
        Service: bool
        /// `OTEL_SERVICE_NAME` as the substitution lookup saw it (the service detector's source).
        ServiceName: string option
        /// Whether a detected attribute key is kept (`detection/development.attributes`).
        Keep: string -> bool
    }

/// `tracer_provider`.
type internal FileTracing =
    {
        /// ActivitySource names to record (`*` unless `tracer_configurator/development` narrows it).
        Sources: string list
        /// None when the file names no sampler.
        Sampler: Sampler option
        /// None when the file sets neither `tracer_provider.limits` nor `attribute_limits`.
        Limits: SpanLimits option
        Processors: FileProcessor list
        /// None when the file names no `id_generator` (file_format 1.1).
        IdGenerator: IdGenerator option
    }

/// `meter_provider`.
type internal FileMetrics =
    {
        /// Meter names to listen to (`*` unless `meter_configurator/development` narrows it).
        Meters: string list
        Views: View list
        ExemplarFilter: ExemplarFilter option
        /// The readers' `cardinality_limits.default`, when set.
        CardinalityLimit: int option
        Readers: FileReader list
    }

/// `logger_provider`.
type internal FileLogging =
    {
        Limits: LogRecordLimits option
        /// `logger_configurator/development` as a filter run before every other processor.
        Filter: Processor<LogRecord> option
        Processors: FileProcessor list
    }

/// What a configuration file says, in the SDK's own types: everything `Telemetry.withConfigFile` applies.
type internal ConfigFileModel =
    {
        FileFormat: string
        Disabled: bool
        /// `resource.attributes` over `resource.attributes_list`, with `schema_url`.
        Resource: Resource
        /// None: no detector runs (the specification's default for a file).
        Detection: FileDetection option
        /// None when the file has no `propagator` (the specification then asks for no propagation).
        Propagator: TextMapPropagator option
        Tracing: FileTracing option
        Metrics: FileMetrics option
        Logging: FileLogging option
    }
