/// Helpers shared by the unit and integration tests.
module Functional.Telemetry.Tests.TestUtil

open System
open System.Buffers
open System.Threading.Tasks
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// Awaits a task, failing the test if it has not completed within the timeout (no sleeping).
let within (timeout: TimeSpan) (task: Task<'T>) : Task<'T> = task.WaitAsync timeout

/// Memory that is not array-backed (`MemoryMarshal.TryGetArray` fails on it), over a slice of an array.
type SliceMemory(array: byte[], offset: int, length: int) =
    inherit MemoryManager<byte>()
    override _.GetSpan() = Span<byte>(array, offset, length)
    override _.Pin _ = Unchecked.defaultof<MemoryHandle>
    override _.Unpin() = ()
    override _.Dispose _ = ()

/// A buffer writer that hands out small pieces of non-array memory, as pipes and native buffers can.
type PieceWriter(piece: int) =
    let written = ResizeArray<byte>()
    let mutable current: byte[] = [||]

    member _.Bytes = written.ToArray()

    interface IBufferWriter<byte> with
        member _.GetMemory sizeHint =
            current <- Array.zeroCreate (max sizeHint piece + 3)
            (new SliceMemory(current, 3, max sizeHint piece)).Memory

        member _.GetSpan sizeHint =
            current <- Array.zeroCreate (max sizeHint piece + 3)
            Span<byte>(current, 3, max sizeHint piece)

        member _.Advance count = written.AddRange(ArraySegment<byte>(current, 3, count))

/// Answers Retryable (retry at once) to its first `failures` calls, then Success; keeps a copy of every call's items.
type FlakyExporter<'T>(failures: int) =
    let calls = System.Collections.Concurrent.ConcurrentQueue<'T array>()

    member _.Calls = List.ofSeq calls

    interface IExporter<'T> with
        member _.Name = "flaky"

        member _.Export(batch, _) =
            calls.Enqueue(Array.copy batch.Items)

            Task.FromResult(
                if calls.Count <= failures then
                    ExportResult.Retryable("not yet", Nullable TimeSpan.Zero)
                else
                    ExportResult.Success
            )

        member _.Shutdown _ = Task.CompletedTask

/// A value whose ToString throws (a tag or log value the SDK must survive).
type ThrowingToString() =
    override _.ToString() = raise (InvalidOperationException "no text")

/// Retries with 1 ms backoffs.
let quickRetry =
    { RetryPolicy.defaults with
        InitialBackoff = TimeSpan.FromMilliseconds 1.
        MaxBackoff = TimeSpan.FromMilliseconds 1.
    }

/// Asserts that `configure` throws an ArgumentException naming `setting` (as its ParamName and in its message).
let throwsNaming (setting: string) (configure: unit -> 'T) =
    let error = Xunit.Assert.Throws<ArgumentException>(fun () -> configure () |> ignore)
    Xunit.Assert.Equal(setting, error.ParamName)
    Xunit.Assert.Contains(setting, error.Message)

/// Asserts that a `validate` result is an Error whose first message names `setting`.
let rejects (setting: string) (result: Result<'T, string list>) =
    match result with
    | Ok _ -> Xunit.Assert.Fail $"expected an error naming {setting}"
    | Error errors -> Xunit.Assert.Equal(Some setting, Validation.settingOf (List.head errors))

/// The gRPC message framing the tests' hand-written gRPC receivers read and write (the SDK's own gRPC rides
/// Grpc.Net.Client): a compressed-flag byte, a big-endian length, the message.
module GrpcFrame =
    /// Frames a message.
    let frame (compressed: bool) (message: ReadOnlySpan<byte>) =
        let framed = Array.zeroCreate (5 + message.Length)
        framed.[0] <- if compressed then 1uy else 0uy
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1, 4), uint32 message.Length)
        message.CopyTo(framed.AsSpan 5)
        framed

    /// The first message of a body: (compressed flag, message); None when truncated.
    let tryUnframe (body: byte array) =
        if isNull body || body.Length < 5 then
            None
        else
            let length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ReadOnlySpan(body, 1, 4))

            if uint64 length > uint64 (body.Length - 5) then
                None
            else
                Some(body.[0] = 1uy, body.AsSpan(5, int length).ToArray())
