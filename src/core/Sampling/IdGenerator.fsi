namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// How the trace ids of traces started in this process are made. .NET makes them (an `Activity` of no parent gets
/// a new trace id from `Activity.TraceIdGenerator`), so a generator other than `Random` is process-wide while the
/// SDK that set it runs; span ids are always .NET's random ones.
[<RequireQualifiedAccess>]
type IdGenerator =
    /// The process's generator as it is: .NET's random trace ids unless something else set
    /// `Activity.TraceIdGenerator` (the default).
    | Random
    /// AWS X-Ray trace ids: the first 4 bytes are the trace's start time in Unix seconds (big-endian), the other 12
    /// are random, so the X-Ray propagator's `Root=1-<8 hex seconds>-<24 hex>` carries the time X-Ray expects.
    | AwsXRay

/// The trace-id layouts, as pure functions (internal: the runtime and the tests use them).
[<RequireQualifiedAccess>]
module internal IdGenerator =
    /// The X-Ray trace id of a trace started at `unixSeconds` (its low 32 bits, big-endian, as the first 4 bytes)
    /// with the 12 random bytes `random` gives (its last 12 of 16; the first 4 are replaced).
    [<CompiledName("XRayTraceId")>]
    val xrayTraceId: unixSeconds: int64 -> random: TraceId -> TraceId

    /// The Unix seconds in the first 4 bytes of an X-Ray trace id.
    [<CompiledName("XRayEpochSeconds")>]
    val xrayEpochSeconds: traceId: TraceId -> int64
