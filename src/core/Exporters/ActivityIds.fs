namespace Functional.Telemetry

open System
open System.Buffers
open System.Diagnostics
open System.Runtime.InteropServices

/// System.Diagnostics ids as the model's: what the span and log views read from what a call captured.
[<RequireQualifiedAccess>]
module internal ActivityIds =
    // ActivityTraceId keeps its hex string, so ToHexString does not allocate; Convert.FromHexString decodes it
    // with vector instructions into a stack buffer.
    /// Our trace id of an ActivityTraceId.
    let toTraceId (id: ActivityTraceId) =
        let mutable buffer = struct (0UL, 0UL)
        let bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(&buffer, 1))
        let mutable consumed = 0
        let mutable written = 0

        match Convert.FromHexString(id.ToHexString().AsSpan(), bytes, &consumed, &written) with
        | OperationStatus.Done when written = 16 -> TraceId.FromBytes(Span<byte>.op_Implicit bytes)
        | _ -> TraceId.Empty

    /// Our span id of an ActivitySpanId.
    let toSpanId (id: ActivitySpanId) =
        let mutable buffer = 0UL
        let bytes = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(&buffer, 1))
        let mutable consumed = 0
        let mutable written = 0

        match Convert.FromHexString(id.ToHexString().AsSpan(), bytes, &consumed, &written) with
        | OperationStatus.Done when written = 8 -> SpanId.FromBytes(Span<byte>.op_Implicit bytes)
        | _ -> SpanId.Empty
