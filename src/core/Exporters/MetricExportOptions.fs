namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System

[<RequireQualifiedAccess>]
type TemporalityPreference =
    | Cumulative
    | Delta
    | LowMemory


namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module TemporalityPreference =
    [<CompiledName("TemporalityOf")>]
    let temporalityOf (preference: TemporalityPreference) (kind: InstrumentKind) =
        match preference, kind with
        | TemporalityPreference.Cumulative, _ -> Temporality.Cumulative
        | _, InstrumentKind.UpDownCounter
        | _, InstrumentKind.ObservableUpDownCounter -> Temporality.Cumulative
        | TemporalityPreference.LowMemory, InstrumentKind.ObservableCounter
        | TemporalityPreference.LowMemory, InstrumentKind.ObservableGauge
        | TemporalityPreference.LowMemory, InstrumentKind.Gauge -> Temporality.Cumulative
        | _ -> Temporality.Delta

type PeriodicReaderOptions = { Interval: TimeSpan; Timeout: TimeSpan }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PeriodicReaderOptions =
    [<CompiledName("Default")>]
    let defaults =
        {
            Interval = TimeSpan.FromMilliseconds 60000.
            Timeout = TimeSpan.FromMilliseconds 30000.
        }

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        let positive v = v > 0
        let interval, w1 = Env.readInt lookup "OTEL_METRIC_EXPORT_INTERVAL" positive 60000
        let timeout, w2 = Env.readInt lookup "OTEL_METRIC_EXPORT_TIMEOUT" positive 30000

        {
            Interval = TimeSpan.FromMilliseconds(float interval)
            Timeout = TimeSpan.FromMilliseconds(float timeout)
        },
        w1 @ w2

    [<CompiledName("Validate")>]
    let validate (options: PeriodicReaderOptions) =
        [
            Validation.check
                (options.Interval > TimeSpan.Zero)
                (nameof options.Interval)
                $"the export interval must be positive, got {options.Interval}."
            Validation.check
                (options.Timeout > TimeSpan.Zero)
                (nameof options.Timeout)
                $"the export timeout must be positive, got {options.Timeout}."
        ]
        |> List.concat
        |> Validation.ofErrors options
