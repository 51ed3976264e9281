namespace Functional.Telemetry.FSharp

open System
open System.Buffers
open System.Collections.Concurrent
open System.IO
open System.IO.Compression
open Grpc.Net.Compression
open ZstdSharp

/// zstd for both transports (ZstdSharp, a managed port of the reference library): one-shot frames for OTLP/HTTP
/// bodies, and a gRPC compression provider (`grpc-encoding: zstd`) registered on the channel.
[<RequireQualifiedAccess>]
module internal OtlpZstd =
    /// zstd's level 1: its fastest standard level, as gzip is written at CompressionLevel.Fastest.
    let level = 1

    // A compression context holds its tables and window (about a megabyte at level 1): contexts are reused across
    // requests and exporters, at most a few kept while idle.
    let private idle = ConcurrentQueue<Compressor>()
    let private keptIdle = 4

    let rent () =
        match idle.TryDequeue() with
        | true, compressor -> compressor
        | _ -> new Compressor(level)

    /// Gives a context back (reset for the next frame, its level kept), or disposes it when enough are kept.
    let giveBack (compressor: Compressor) =
        if idle.Count < keptIdle then
            compressor.ResetStream()
            idle.Enqueue compressor
        else
            compressor.Dispose()

    /// One zstd frame (with its content size) of `data`, in an array of its own size: the frame is written into a
    /// pooled buffer of the worst-case size, then copied out (a fraction of the request, usually below the large
    /// object heap's threshold where the worst case is not).
    let compress (data: ReadOnlySpan<byte>) : byte array =
        let compressor = rent ()
        let scratch = ArrayPool<byte>.Shared.Rent(Compressor.GetCompressBound data.Length)

        try
            let written = compressor.Wrap(data, Span scratch)
            scratch.AsSpan(0, written).ToArray()
        finally
            ArrayPool<byte>.Shared.Return scratch
            giveBack compressor

/// What Grpc.Net.Client writes a message into when a call compresses it: a zstd stream over the call's buffer on a
/// reused context, which goes back when the library disposes the stream (after the message).
[<Sealed>]
type internal OtlpZstdWriteStream(output: Stream) =
    inherit Stream()

    let compressor = OtlpZstd.rent ()
    let inner = new CompressionStream(output, compressor, 0, true, true)
    let mutable disposed = false

    override _.CanRead = false
    override _.CanSeek = false
    override _.CanWrite = true
    override _.Length = raise (NotSupportedException())

    override _.Position
        with get () = raise (NotSupportedException())
        and set _ = raise (NotSupportedException())

    override _.Flush() = inner.Flush()
    override _.Read(_: byte array, _: int, _: int) : int = raise (NotSupportedException())
    override _.Seek(_: int64, _: SeekOrigin) : int64 = raise (NotSupportedException())
    override _.SetLength(_: int64) = raise (NotSupportedException())
    override _.Write(buffer: byte array, offset: int, count: int) = inner.Write(buffer, offset, count)
    override _.Write(buffer: ReadOnlySpan<byte>) = inner.Write buffer

    override _.Dispose(disposing: bool) =
        if disposing && not disposed then
            disposed <- true
            // Ends the frame into `output`, then the context is free for the next message.
            inner.Dispose()
            OtlpZstd.giveBack compressor

        base.Dispose disposing

/// gRPC's `zstd` message encoding for Grpc.Net.Client (the channel lists it, beside gzip, when an exporter sends
/// zstd). The level the library passes is ignored: messages are written at `OtlpZstd.level`.
[<Sealed>]
type internal OtlpZstdCompressionProvider() =
    interface ICompressionProvider with
        member _.EncodingName = "zstd"

        member _.CreateCompressionStream(stream: Stream, _: Nullable<CompressionLevel>) =
            new OtlpZstdWriteStream(stream) :> Stream

        member _.CreateDecompressionStream(stream: Stream) = new DecompressionStream(stream, 0, true, true) :> Stream
