namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Net.Http
open System.Threading
open System.Threading.Tasks

[<Sealed>]
type ZipkinExporter internal (options: ZipkinOptions, handler: HttpMessageHandler, fallbackServiceName: string) =
    let options = Validation.orThrow (nameof options) (ZipkinOptions.validate options)
    let sender = new ZipkinSender(options, handler)
    let destination = SelfDiagnostics.displayUrl options.Endpoint

    // Buffers bigger than this are not kept between exports.
    let retainedCapacity = 4 * 1024 * 1024

    // The request body, reused between exports. The runner exports one batch at a time but stops waiting at its
    // deadline while that export may still be sending: an export that finds the buffer taken encodes into one of its
    // own, so a body being sent is never overwritten (as the OTLP exporter does).
    let mutable shared = RequestBuffer(64 * 1024)
    let mutable taken = 0

    let takeBuffer () =
        if Interlocked.Exchange(&taken, 1) = 0 then
            shared
        else
            RequestBuffer(64 * 1024)

    let giveBack (buffer: RequestBuffer) =
        if Object.ReferenceEquals(buffer, shared) then
            if buffer.Capacity > retainedCapacity then
                shared <- RequestBuffer(64 * 1024)

            Volatile.Write(&taken, 0)

    // Encodes the batch and hands the body to `send`; the buffer is the export's until `send`'s task completes.
    let encoded (batch: Batch<Span>) (send: ReadOnlyMemory<byte> -> Task<ExportResult>) =
        task {
            let buffer = takeBuffer ()

            try
                try
                    buffer.Clear()
                    ZipkinJson.writeSpans fallbackServiceName batch.Resource batch.Items buffer
                    return! send buffer.WrittenMemory
                finally
                    giveBack buffer
            with e ->
                return ExportResult.Failure $"Zipkin export threw {e.GetType().Name}"
        }

    static member internal RequestKind = "zipkin;application/json"

    member _.Options = options

    interface IExporter<Span> with
        member _.Name = "zipkin"

        member _.Export(batch, cancellationToken) = encoded batch (fun body -> sender.Send(body, cancellationToken))

        member _.Shutdown _ =
            (sender :> IDisposable).Dispose()
            Task.CompletedTask

    interface IRequestExporter<Span> with
        member _.EncodesRequests = true

        member _.ExportRequests(batch, deliver, cancellationToken) =
            encoded batch (fun body ->
                deliver.Invoke(body, 0, batch.Items.Length, batch.Items.Length, cancellationToken))

        member _.SendRequest(body, cancellationToken) =
            task {
                try
                    return! sender.Send(body, cancellationToken)
                with e ->
                    return ExportResult.Failure $"Zipkin export threw {e.GetType().Name}"
            }

        member _.RequestKind = ZipkinExporter.RequestKind

    interface IExportDestination with
        member _.Destination = destination

    interface IDisposable with
        member _.Dispose() = (sender :> IDisposable).Dispose()

[<RequireQualifiedAccess>]
module ZipkinExporter =
    let requestKind = ZipkinExporter.RequestKind

    // The handler of one exporter: pooled connections recycled after a minute idle, no automatic decompression.
    let private createHandler () =
        new SocketsHttpHandler(
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes 1.,
            AutomaticDecompression = Net.DecompressionMethods.None
        )

    [<CompiledName("Create")>]
    let create (options: ZipkinOptions) =
        let options = Validation.orThrow (nameof options) (ZipkinOptions.validate options)
        let fallback = "unknown_service:" + ResourceDetectors.processName ()
        new ZipkinExporter(options, createHandler (), fallback)
