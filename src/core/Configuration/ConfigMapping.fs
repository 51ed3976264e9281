namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// A checked configuration tree to a `ConfigFileModel`, with the findings the schema cannot express (a value that
/// does not match its `type`, an endpoint that is not a URL, a view the SDK refuses). Pure given the lookup.
[<RequireQualifiedAccess>]
module internal ConfigMapping =
    /// The model of a document whose `file_format` is `format` (already checked).
    let map (format: string) (lookup: EnvLookup) (root: ConfigNode) : Mapped<ConfigFileModel> =
        mapped {
            let! resource = ResourceMapping.resource root
            let! propagator = PropagatorMapping.propagator root
            let! tracing = TracingMapping.tracing root
            let! metrics = MetricsMapping.metrics format root
            let! logging = LoggingMapping.logging root

            return
                {
                    FileFormat = format
                    Disabled = Read.tryBool "disabled" root |> Option.defaultValue false
                    Resource = resource
                    Detection = ResourceMapping.detection lookup root
                    Propagator = propagator
                    Tracing = tracing
                    Metrics = metrics
                    Logging = logging
                }
        }
