namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Buffers

/// The buffer of one request body, owned by an exporter and reused for its requests: an `IBufferWriter<byte>`
/// whose written bytes are one segment of one array, sent from there. `ProtoWriter` writes into this array in
/// place (it needs to go back and patch lengths, which a general `IBufferWriter` does not allow), so a protobuf
/// request is encoded without being copied; other encoders (OTLP/JSON) use it as any `IBufferWriter`.
/// Not thread-safe: one request at a time (the exporter encodes, sends, awaits, then encodes the next).
[<Sealed>]
type internal RequestBuffer(initialCapacity: int) =
    let mutable array = GC.AllocateUninitializedArray<byte>(max 256 initialCapacity)
    let mutable written = 0

    let ensure (sizeHint: int) =
        let wanted = max 1 sizeHint

        if array.Length - written < wanted then
            let bigger = GC.AllocateUninitializedArray<byte>(max (2 * array.Length) (written + wanted))

            Buffer.BlockCopy(array, 0, bigger, 0, written)
            array <- bigger

    /// The bytes written so far.
    member _.WrittenMemory = ReadOnlyMemory<byte>(array, 0, written)

    /// The number of bytes written so far.
    member _.WrittenCount = written

    /// The size of the array.
    member _.Capacity = array.Length

    /// Forgets the written bytes (keeps the array).
    member _.Clear() = written <- 0

    /// The array; its first `WrittenCount` bytes are the written ones. For `ProtoWriter`, which appends in place
    /// and hands the (possibly grown) array back with `Adopt`.
    member _.Array = array

    /// Takes `grown` (the array or a bigger copy of it) with its first `count` bytes written.
    member _.Adopt(grown: byte array, count: int) =
        array <- grown
        written <- count

    interface IBufferWriter<byte> with
        member _.Advance(count: int) =
            if count < 0 || written + count > array.Length then
                raise (ArgumentOutOfRangeException(nameof count))

            written <- written + count

        member _.GetMemory(sizeHint: int) =
            ensure sizeHint
            Memory<byte>(array, written, array.Length - written)

        member _.GetSpan(sizeHint: int) =
            ensure sizeHint
            Span<byte>(array, written, array.Length - written)
