namespace Functional.Telemetry.FSharp

[<RequireQualifiedAccess>]
type ExportMode =
    | Simple
    | Batched of BatchOptions
