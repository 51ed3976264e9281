namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// The F# pipeline: `Telemetry.create "svc" |> Telemetry.withTracing (Tracing.addSource "App.*" >> Tracing.addConsoleExporter) |> Telemetry.start`.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Telemetry =
    /// A configuration for the named service, with nothing enabled yet.
    [<CompiledName("Create")>]
    val create: serviceName: string -> TelemetryConfig

    /// Adds resource attributes set in code (they win over every other source).
    [<CompiledName("WithResourceAttributes")>]
    val withResourceAttributes: attributes: KeyValue list -> config: TelemetryConfig -> TelemetryConfig

    /// Turns the process/host/OS resource detector on or off.
    [<CompiledName("WithResourceDetection")>]
    val withResourceDetection: enabled: bool -> config: TelemetryConfig -> TelemetryConfig

    /// Reads configuration from this lookup instead of the process environment (tests, embedded config).
    [<CompiledName("WithEnvironment")>]
    val withEnvironment: lookup: EnvLookup -> config: TelemetryConfig -> TelemetryConfig

    /// Uses this propagator instead of `OTEL_PROPAGATORS`.
    [<CompiledName("WithPropagator")>]
    val withPropagator: propagator: TextMapPropagator -> config: TelemetryConfig -> TelemetryConfig

    /// Whether to install the propagator process-wide (default true).
    [<CompiledName("WithPropagatorInstalled")>]
    val withPropagatorInstalled: install: bool -> config: TelemetryConfig -> TelemetryConfig

    /// Keeps what the OTLP exporters cannot send (backend unreachable or answering retryably) in this store until
    /// the backend answers, then sends it in order (see docs/reliability.md): `ExportStore.disk "/var/lib/app/otlp"`
    /// survives the process, `ExportStore.Off` turns it off. Beats `OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY`. An
    /// invalid store (see `ExportStore.validate`) is an ArgumentException naming the bad setting.
    [<CompiledName("WithExportStore")>]
    val withExportStore: store: ExportStore -> config: TelemetryConfig -> TelemetryConfig

    /// Uses this retry policy for every exporter (`RetryPolicy.disabled` turns retries off).
    /// An invalid policy (see `RetryPolicy.validate`) is an ArgumentException naming the bad setting.
    [<CompiledName("WithRetry")>]
    val withRetry: policy: RetryPolicy -> config: TelemetryConfig -> TelemetryConfig

    /// Sends the SDK's own diagnostics (export failures, drops, configuration warnings) to `sink` instead of standard
    /// error: each with its level, once `OTEL_LOG_LEVEL` (default `warn`) admits it, the same kind of message at
    /// most once per 30 seconds (the next one says how many were suppressed). `sink` is called off the
    /// application's threads, one message at a time; what it throws is ignored, and telemetry it makes (a log call
    /// to an ILogger this SDK exports) is not recorded, so diagnostics never feed the SDK's own pipelines. Diagnostics are process-wide, like
    /// the `Functional-Telemetry` event source: while this SDK runs, `sink` also receives those of the other SDKs
    /// of the process.
    [<CompiledName("WithDiagnostics")>]
    val withDiagnostics: sink: (DiagnosticLevel -> string -> unit) -> config: TelemetryConfig -> TelemetryConfig

    /// Enables metrics, configured by `configure` applied to an empty metrics configuration. `OTEL_METRICS_EXPORTER`
    /// (`otlp`, `console`, `prometheus`, `none`), when set, decides which OTLP, console and Prometheus endpoint
    /// readers run (those added in code keep their options; other readers always run); with no reader added and the
    /// variable unset, metrics are exported over OTLP, the specification's default.
    [<CompiledName("WithMetrics")>]
    val withMetrics: configure: (MetricsConfig -> MetricsConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Enables logs, configured by `configure` applied to an empty logging configuration. `OTEL_LOGS_EXPORTER`
    /// (`otlp`, `console`, `none`), when set, decides which OTLP and console exporters run (those added in code keep
    /// their options; other exporters always run); with no exporter added and the variable unset, records are
    /// exported over OTLP, the specification's default.
    [<CompiledName("WithLogging")>]
    val withLogging: configure: (LoggingConfig -> LoggingConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Enables tracing, configured by `configure` applied to an empty tracing configuration. `OTEL_TRACES_EXPORTER`
    /// (`otlp`, `console`, `none`), when set, decides which OTLP and console exporters run (those added in code keep
    /// their options; other exporters always run); with no exporter added and the variable unset, spans are exported
    /// over OTLP, the specification's default.
    [<CompiledName("WithTracing")>]
    val withTracing: configure: (TracingConfig -> TracingConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Applies a declarative configuration file (OpenTelemetry configuration, `file_format` 1.0 or 1.1, YAML) over
    /// this configuration. What the file sets wins (resource, propagator, sampler, limits, exemplar filter,
    /// cardinality limit); its exporters, readers, views, sources and meters come before those already added, which
    /// are kept; the `OTEL_*` variables are then no longer read, except in the file's `${VAR}` substitutions, which
    /// read this configuration's environment lookup. A file's `tracer_provider` records every ActivitySource and its
    /// `meter_provider` listens to every Meter unless its `*_configurator/development` narrows them. Unknown keys and
    /// unsupported nodes are reported as configuration warnings; errors (wrong types or values, with their path and
    /// line, YAML syntax, an unsupported `file_format`, a file that cannot be read) throw one ArgumentException
    /// listing them all.
    [<CompiledName("WithConfigFile")>]
    val withConfigFile: path: string -> config: TelemetryConfig -> TelemetryConfig

    /// Validates the configuration and starts it: listeners, runners, propagator, and the diagnostics sink
    /// (`OTEL_LOG_LEVEL`). When the environment lookup sets `OTEL_CONFIG_FILE` (or its deprecated name
    /// `OTEL_EXPERIMENTAL_CONFIG_FILE`), that file is applied first, as `withConfigFile` does (an invalid file throws
    /// ArgumentException). With `OTEL_SDK_DISABLED=true` it starts nothing but the propagator and returns an SDK on
    /// which every member works and does nothing (its Prometheus scrape handlers answer with no series). Invalid
    /// settings in code throw ArgumentException here (a pull reader already serving a running SDK:
    /// InvalidOperationException), after the parts already started are shut down and the propagator restored;
    /// invalid environment values are reported and replaced by defaults.
    [<CompiledName("Start")>]
    val start: config: TelemetryConfig -> TelemetrySdk
