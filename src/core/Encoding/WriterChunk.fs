namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Buffers
open System.Runtime.InteropServices

/// Writing straight into the memory an `IBufferWriter` hands out, as an array (no Memory-to-Span conversion per
/// write), for the Prometheus renderer (the protobuf writer keeps its own buffer; see `ProtoWriter`).
module internal WriterChunk =
    /// At least `count` bytes of `output`'s memory, as (array, start, length, target): the writer's own array when
    /// its memory is one (target empty); otherwise `scratch` (a new array when it is null or too small), whose
    /// bytes `commit` copies into `target`.
    let acquire (output: IBufferWriter<byte>) (count: int) (scratch: byte array) =
        let memory = output.GetMemory count

        match MemoryMarshal.TryGetArray(Memory<byte>.op_Implicit memory: ReadOnlyMemory<byte>) with
        | true, segment -> struct (segment.Array, segment.Offset, memory.Length, Memory<byte>.Empty)
        | _ ->
            let array =
                if not (isNull scratch) && scratch.Length >= memory.Length then
                    scratch
                else
                    Array.zeroCreate memory.Length

            struct (array, 0, memory.Length, memory)

    /// Hands the `written` bytes at `array[start..]` to `output` (copied into `target` first when it is not empty).
    let commit (output: IBufferWriter<byte>) (array: byte array) (start: int) (target: Memory<byte>) (written: int) =
        if written > 0 then
            if not target.IsEmpty then
                ReadOnlySpan<byte>(array, start, written).CopyTo(target.Span)

            output.Advance written
