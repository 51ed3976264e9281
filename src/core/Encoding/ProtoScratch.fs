namespace Functional.Telemetry

open System

/// The buffer of `ProtoWriter`, kept per thread: encoding a batch is synchronous (write, then copy out, on one
/// thread), so reusing it makes a batch's encoding allocation-free once it has grown. A writer takes it for its
/// lifetime and hands it back, so a nested encoding on the same thread (none exists today) would get a fresh one
/// instead of overwriting a buffer in use.
type internal ProtoScratch() =
    // A buffer bigger than this is not kept for the next batch (as the OTLP exporter does with its own buffer).
    static let retainedCapacity = 4 * 1024 * 1024

    [<ThreadStatic; DefaultValue>]
    static val mutable private buffer: byte array

    static member TakeBuffer() =
        match ProtoScratch.buffer with
        | null -> GC.AllocateUninitializedArray<byte>(64 * 1024)
        | existing ->
            ProtoScratch.buffer <- null
            existing

    static member ReturnBuffer(buffer: byte array) =
        if buffer.Length <= retainedCapacity then
            ProtoScratch.buffer <- buffer
