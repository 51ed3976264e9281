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

    /// Uses this retry policy for every exporter (`RetryPolicy.disabled` turns retries off).
    /// An invalid policy (see `RetryPolicy.validate`) is an ArgumentException naming the bad setting.
    [<CompiledName("WithRetry")>]
    val withRetry: policy: RetryPolicy -> config: TelemetryConfig -> TelemetryConfig

    /// Enables metrics, configured by `configure` applied to an empty metrics configuration.
    [<CompiledName("WithMetrics")>]
    val withMetrics: configure: (MetricsConfig -> MetricsConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Enables logs, configured by `configure` applied to an empty logging configuration.
    [<CompiledName("WithLogging")>]
    val withLogging: configure: (LoggingConfig -> LoggingConfig) -> config: TelemetryConfig -> TelemetryConfig

    /// Enables tracing, configured by `configure` applied to an empty tracing configuration.
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

    /// Validates the configuration and starts it: listeners, runners, propagator. When the environment lookup sets
    /// `OTEL_CONFIG_FILE` (or its deprecated name `OTEL_EXPERIMENTAL_CONFIG_FILE`), that file is applied first, as
    /// `withConfigFile` does (an invalid file throws ArgumentException). Invalid settings in code
    /// throw ArgumentException here (a pull reader already serving a running SDK: InvalidOperationException), after
    /// the parts already started are shut down and the propagator restored; invalid environment values are reported
    /// and replaced by defaults.
    [<CompiledName("Start")>]
    val start: config: TelemetryConfig -> TelemetrySdk
