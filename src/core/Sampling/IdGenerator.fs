namespace Functional.Telemetry.FSharp

open Functional.Telemetry

[<RequireQualifiedAccess>]
type IdGenerator =
    | Random
    | AwsXRay

[<RequireQualifiedAccess>]
module internal IdGenerator =
    [<CompiledName("XRayTraceId")>]
    let xrayTraceId (unixSeconds: int64) (random: TraceId) =
        let seconds = uint64 (uint32 unixSeconds)
        TraceId((seconds <<< 32) ||| (random.High &&& 0xFFFFFFFFUL), random.Low)

    [<CompiledName("XRayEpochSeconds")>]
    let xrayEpochSeconds (traceId: TraceId) = int64 (traceId.High >>> 32)
