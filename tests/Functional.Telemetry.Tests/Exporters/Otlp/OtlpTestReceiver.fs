/// A Kestrel OTLP receiver on 127.0.0.1 (port 0) for the zstd and vendor preset tests: HTTP/1.1 for OTLP/HTTP, h2c
/// for OTLP/gRPC. It keeps every request as it arrived (path, protocol, headers, raw body) and answers success: an
/// empty 200, or for gRPC an empty message with `grpc-status: 0`.
module Functional.Telemetry.Tests.OtlpTestReceiver

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Net
open System.Threading.Tasks
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Hosting.Server
open Microsoft.AspNetCore.Hosting.Server.Features
open Microsoft.AspNetCore.Http
open Microsoft.AspNetCore.Server.Kestrel.Core
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Logging

/// One request as the receiver saw it; header names lower-cased.
type ReceivedRequest =
    {
        Path: string
        Protocol: string
        Headers: Map<string, string>
        Body: byte array
    }

    /// A header's value, or "" when the request had none.
    member this.Header(name: string) = this.Headers |> Map.tryFind name |> Option.defaultValue ""

/// A running receiver; disposing stops it.
type Receiver(app: WebApplication, address: string, received: ConcurrentQueue<ReceivedRequest>) =
    /// `http://127.0.0.1:<port>`.
    member _.Address = address

    /// The base URL, for settings that take one.
    member _.Uri = Uri address

    /// Every request received so far, in order.
    member _.Requests = List.ofSeq received

    interface IAsyncDisposable with
        member _.DisposeAsync() = (app :> IAsyncDisposable).DisposeAsync()

let private answer (context: HttpContext) =
    task {
        if context.Request.ContentType = "application/grpc" then
            context.Response.ContentType <- "application/grpc"
            let empty = TestUtil.GrpcFrame.frame false ReadOnlySpan.Empty
            do! context.Response.Body.WriteAsync(empty, 0, empty.Length)
            context.Response.AppendTrailer("grpc-status", "0")
        else
            context.Response.StatusCode <- 200
    }
    :> Task

/// Starts a receiver: HTTP/2 without TLS (h2c, for gRPC) when `http2`, else HTTP/1.1.
let start (http2: bool) =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore

        builder.WebHost.ConfigureKestrel(fun (kestrel: KestrelServerOptions) ->
            kestrel.Limits.MaxRequestBodySize <- Nullable()

            kestrel.Listen(
                IPAddress.Loopback,
                0,
                fun listen -> listen.Protocols <- (if http2 then HttpProtocols.Http2 else HttpProtocols.Http1)
            ))
        |> ignore

        let app = builder.Build()
        let received = ConcurrentQueue<ReceivedRequest>()

        app.Run(
            RequestDelegate(fun context ->
                task {
                    use body = new MemoryStream()
                    do! context.Request.Body.CopyToAsync body

                    received.Enqueue
                        {
                            Path = context.Request.Path.Value
                            Protocol = context.Request.Protocol
                            Headers =
                                context.Request.Headers
                                |> Seq.map (fun h -> h.Key.ToLowerInvariant(), h.Value.ToString())
                                |> Map.ofSeq
                            Body = body.ToArray()
                        }

                    do! answer context
                }
                :> Task)
        )

        do! app.StartAsync()

        let address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
            |> Seq.head

        return new Receiver(app, address.Replace("localhost", "127.0.0.1"), received)
    }

/// Decompresses zstd frames with an implementation nobody here wrote: Debian's python3-zstandard (the reference C
/// library's binding), run as `/usr/bin/python3` (test.sh installs it). One process for all the bodies given.
let zstdDecompress (frames: byte array list) : byte array list =
    let script =
        """
import sys, struct, zstandard
data = sys.stdin.buffer.read()
out = sys.stdout.buffer
offset = 0
while offset < len(data):
    (length,) = struct.unpack_from('>I', data, offset)
    frame = data[offset + 4: offset + 4 + length]
    offset += 4 + length
    plain = zstandard.ZstdDecompressor().decompressobj().decompress(frame)
    out.write(struct.pack('>I', len(plain)))
    out.write(plain)
"""

    let info =
        ProcessStartInfo(
            "/usr/bin/python3",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false
        )

    info.ArgumentList.Add "-c"
    info.ArgumentList.Add script

    use python =
        try
            Process.Start info
        with e ->
            failwith $"could not start /usr/bin/python3 ({e.Message}): run ./test.sh, which installs python3-zstandard"

    let errors = python.StandardError.ReadToEndAsync()
    let output = new MemoryStream()
    let reading = python.StandardOutput.BaseStream.CopyToAsync output

    do
        use input = python.StandardInput.BaseStream
        let length = Array.zeroCreate<byte> 4

        for frame in frames do
            Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(Span length, uint32 frame.Length)
            input.Write(length, 0, 4)
            input.Write(frame, 0, frame.Length)

    reading.Wait(TimeSpan.FromSeconds 60.) |> ignore

    if not (python.WaitForExit 60000) || python.ExitCode <> 0 then
        failwith $"python3-zstandard could not decompress the bodies: {errors.Result}"

    let bytes = output.ToArray()

    let rec split offset acc =
        if offset >= bytes.Length then
            List.rev acc
        else
            let length =
                Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ReadOnlySpan(bytes, offset, 4))
                |> int

            split (offset + 4 + length) (bytes.[offset + 4 .. offset + 3 + length] :: acc)

    split 0 []

/// True when the bytes start with a zstd frame's magic number (28 B5 2F FD).
let isZstdFrame (bytes: byte array) =
    bytes.Length >= 4
    && bytes.[0] = 0x28uy
    && bytes.[1] = 0xB5uy
    && bytes.[2] = 0x2Fuy
    && bytes.[3] = 0xFDuy
