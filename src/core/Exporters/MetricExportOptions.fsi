namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System

/// An exporter's temporality preference (`OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`).
[<RequireQualifiedAccess>]
type TemporalityPreference =
    /// Everything cumulative (the default; Prometheus needs it).
    | Cumulative
    /// Counters, observable counters, histograms and gauges as delta; up-down counters cumulative.
    | Delta
    /// Synchronous counters and histograms as delta; the rest cumulative.
    | LowMemory


namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// Temporality preferences.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module TemporalityPreference =
    /// The temporality an instrument kind gets under a preference (the OTLP exporter spec's table).
    [<CompiledName("TemporalityOf")>]
    val temporalityOf: preference: TemporalityPreference -> kind: InstrumentKind -> Temporality

/// Periodic reading settings (`OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_METRIC_EXPORT_TIMEOUT`).
type PeriodicReaderOptions =
    {
        /// Time between collections. Default 60 s.
        Interval: TimeSpan
        /// Deadline of one export. Default 30 s.
        Timeout: TimeSpan
    }

/// Periodic reader settings.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PeriodicReaderOptions =
    /// 60 s interval, 30 s timeout.
    [<CompiledName("Default")>]
    val defaults: PeriodicReaderOptions

    /// Reads `OTEL_METRIC_EXPORT_INTERVAL` and `OTEL_METRIC_EXPORT_TIMEOUT` (milliseconds) over the defaults.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> PeriodicReaderOptions * ConfigWarning list

    /// Checks options given in code: Interval and Timeout positive. Error with one message per bad setting
    /// (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: options: PeriodicReaderOptions -> Result<PeriodicReaderOptions, string list>
