namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics

/// The process's trace-id generator (`Activity.TraceIdGenerator`, which .NET calls for every new trace) while an SDK
/// configured with `IdGenerator.AwsXRay` runs: set when the first such SDK starts, the previous one put back when
/// the last stops (unless someone replaced it meanwhile).
module internal TraceIdGeneration =
    let private xrayNext () =
        let random = ActivityTraceId.CreateRandom()
        let bytes = Span<byte>(Array.zeroCreate<byte> 16)
        random.CopyTo bytes

        let id =
            IdGenerator.xrayTraceId
                (DateTimeOffset.UtcNow.ToUnixTimeSeconds())
                (TraceId.FromBytes(Span.op_Implicit bytes))

        id.WriteBytes bytes
        ActivityTraceId.CreateFromBytes(Span.op_Implicit bytes)

    /// The X-Ray generator (one delegate, so it can be recognised).
    let xray = Func<ActivityTraceId>(xrayNext)

    /// True when trace ids the generator makes have random low 7 bytes (W3C Trace Context level 2's random flag):
    /// .NET's own (no generator set) and the X-Ray one. Another generator's may not.
    let lowBytesRandom (generator: Func<ActivityTraceId>) = isNull generator || Object.ReferenceEquals(generator, xray)

    let private gate = obj ()
    let mutable private users = 0
    let mutable private previous: Func<ActivityTraceId> = null

    /// Sets the X-Ray generator for the process; disposing the result takes this use back.
    let useXRay () : IDisposable =
        lock gate (fun () ->
            if users = 0 then
                previous <- Activity.TraceIdGenerator
                Activity.TraceIdGenerator <- xray

            users <- users + 1)

        let mutable released = 0

        { new IDisposable with
            member _.Dispose() =
                if Threading.Interlocked.Exchange(&released, 1) = 0 then
                    lock gate (fun () ->
                        users <- users - 1

                        if users = 0 then
                            if Object.ReferenceEquals(Activity.TraceIdGenerator, xray) then
                                Activity.TraceIdGenerator <- previous

                            previous <- null)
        }
