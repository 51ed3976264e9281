namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// Building the logging part.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Logging =
    /// An empty logging configuration: no exporters, no processors, scopes off, the formatted message as body.
    [<CompiledName("Empty")>]
    val empty: LoggingConfig

    /// Uses these log record limits. Invalid limits (see `LogRecordLimits.validate`) are an ArgumentException naming
    /// the bad setting.
    [<CompiledName("WithLimits")>]
    val withLimits: limits: LogRecordLimits -> config: LoggingConfig -> LoggingConfig

    /// Turns scope capture on or off (off by default).
    [<CompiledName("WithScopes")>]
    val withScopes: includeScopes: bool -> config: LoggingConfig -> LoggingConfig

    /// Uses the message template as the body (true) or the formatted message (false, the default).
    [<CompiledName("WithTemplateAsBody")>]
    val withTemplateAsBody: templateAsBody: bool -> config: LoggingConfig -> LoggingConfig

    /// Appends a processor (filter, enrich, redact).
    [<CompiledName("AddProcessor")>]
    val addProcessor: processor: Processor<LogRecord> -> config: LoggingConfig -> LoggingConfig

    /// Adds an exporter fed in batches (`OTEL_BLRP_*`: 1000 ms delay, queue 2048, batch 512, timeout 30000 ms).
    [<CompiledName("AddBatchExporter")>]
    val addBatchExporter: exporter: IExporter<LogRecord> -> config: LoggingConfig -> LoggingConfig

    /// Adds an exporter fed one record at a time, off the application's thread.
    [<CompiledName("AddSimpleExporter")>]
    val addSimpleExporter: exporter: IExporter<LogRecord> -> config: LoggingConfig -> LoggingConfig

    /// Adds an exporter with an explicit mode.
    [<CompiledName("AddExporter")>]
    val addExporter: mode: ExportMode -> exporter: IExporter<LogRecord> -> config: LoggingConfig -> LoggingConfig

    /// Prints each record to standard output as one line (batched).
    [<CompiledName("AddConsoleExporter")>]
    val addConsoleExporter: config: LoggingConfig -> LoggingConfig

    /// Adds a batched OTLP exporter: `OTEL_EXPORTER_OTLP_*` (logs) read at start, then `configure` applied on top.
    [<CompiledName("AddOtlpExporter")>]
    val addOtlpExporter: configure: (OtlpOptions -> OtlpOptions) -> config: LoggingConfig -> LoggingConfig

    /// Adds a batched OTLP file exporter (the specification's OTLP File Exporter): each batch of log records becomes one
    /// line of OTLP/JSON, written to standard output or to a file rotated by size, as `configure` sets over
    /// `OtlpFileOptions.defaults` (see docs/otlp-file.md). `OTEL_LOGS_EXPORTER=otlp/stdout` names it. Options given in code
    /// are checked here (ArgumentException naming the bad setting).
    [<CompiledName("AddOtlpFileExporter")>]
    val addOtlpFileExporter: configure: (OtlpFileOptions -> OtlpFileOptions) -> config: LoggingConfig -> LoggingConfig

    /// Adds a batched OTLP exporter configured by a vendor preset (`OtlpPreset.jaeger`, `datadogAgent`, `datadog`,
    /// `dynatrace`, `googleCloud`): `OTEL_EXPORTER_OTLP_*` (logs) read at start, then the preset's endpoint,
    /// protocol, headers on top (see docs/vendors.md). ArgumentException (naming `preset`) when the vendor
    /// does not receive logs.
    [<CompiledName("AddOtlpPreset")>]
    val addOtlpPreset: preset: OtlpPreset -> config: LoggingConfig -> LoggingConfig

    /// Writes each record as an ETW event named `Log` to the EventSource `providerName` (simple mode: one
    /// record at a time, on the runner's thread). The name is checked here: letters, digits, `_` and `-`
    /// (ArgumentException).
    [<CompiledName("AddEtwExporter")>]
    val addEtwExporter: providerName: string -> config: LoggingConfig -> LoggingConfig

    /// Writes each record as an ETW event with these options (`EtwOptions.create name` and changes); checked here.
    [<CompiledName("AddEtwExporterWith")>]
    val addEtwExporterWith: options: EtwOptions -> config: LoggingConfig -> LoggingConfig

    /// The exporter `OTEL_LOGS_EXPORTER` adds for a kind code did not add (with the environment's settings).
    val internal exporterOfKind: kind: ExporterKind -> LogExporterConfig option

    /// The batch options of log pipelines: `OTEL_BLRP_*` over the defaults with a 1000 ms schedule delay.
    [<CompiledName("BatchOptionsFromEnvironment")>]
    val batchOptionsFromEnvironment: lookup: EnvLookup -> BatchOptions * ConfigWarning list
