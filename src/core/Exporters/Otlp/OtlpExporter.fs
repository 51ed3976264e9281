namespace Functional.Telemetry

open System
open System.Buffers
open System.Threading
open System.Threading.Tasks

[<Sealed>]
type OtlpExporter<'T>
    (
        transport: OtlpTransport,
        encode: Resource -> 'T array -> IBufferWriter<byte> -> unit,
        maxRequestBytes: int64
    ) =
    // Buffers bigger than this are not kept between exports.
    let retainedCapacity = 4 * 1024 * 1024
    let mutable buffer = ArrayBufferWriter<byte>(64 * 1024)

    let release () =
        if buffer.Capacity > retainedCapacity then
            buffer <- ArrayBufferWriter<byte>(64 * 1024)

    // Encodes and sends `items`; a request over the limit is split in halves (each encoded again) until every
    // part fits. The common batch is encoded once. Returns the first non-success result and how many single
    // items could never fit. A retry (the runner calls Export again) sends everything again: OTLP receivers
    // accept duplicates, and nothing here depends on the identity of the batch's array.
    let rec sendParts resource (items: 'T array) (token: CancellationToken) =
        task {
            buffer.ResetWrittenCount()
            encode resource items buffer

            if int64 buffer.WrittenCount <= maxRequestBytes then
                let! sent = transport.Send(buffer.WrittenMemory, token)
                return sent, 0
            elif items.Length = 1 then
                return ExportResult.Success, 1
            else
                let half = items.Length / 2
                let! first, firstOversize = sendParts resource items.[.. half - 1] token

                match first with
                | ExportResult.Success ->
                    let! second, secondOversize = sendParts resource items.[half..] token
                    return second, firstOversize + secondOversize
                | failed -> return failed, firstOversize
        }

    let exportBatch (batch: Batch<'T>) (token: CancellationToken) =
        task {
            let! result, oversize = sendParts batch.Resource batch.Items token
            release ()

            return
                match result with
                | ExportResult.Success when oversize > 0 ->
                    ExportResult.Failure $"{oversize} of {batch.Items.Length} items exceed MaxRequestBytes alone and were not sent"
                | other -> other
        }

    member _.Transport = transport

    interface IExporter<'T> with
        member _.Name = transport.Name

        member _.Export(batch, cancellationToken) =
            task {
                try
                    return! exportBatch batch cancellationToken
                with e ->
                    return ExportResult.Failure $"OTLP export threw {e.GetType().Name}"
            }

        member _.Shutdown _ =
            (transport :> IDisposable).Dispose()
            Task.CompletedTask

    interface IDisposable with
        member _.Dispose() = (transport :> IDisposable).Dispose()

[<RequireQualifiedAccess>]
module OtlpExporter =
    let private create signal (options: OtlpOptions) protobuf json =
        let options = OtlpOptions.validate options
        let transport = new OtlpTransport(signal, options)

        match options.Protocol with
        | OtlpProtocol.HttpJson -> new OtlpExporter<'T>(transport, json, options.MaxRequestBytes)
        | _ -> new OtlpExporter<'T>(transport, protobuf, options.MaxRequestBytes)

    [<CompiledName("Traces")>]
    let traces options =
        create OtlpSignal.Traces options OtlpProtobuf.writeTraces OtlpJson.writeTraces

    [<CompiledName("Metrics")>]
    let metrics options =
        create OtlpSignal.Metrics options OtlpProtobuf.writeMetrics OtlpJson.writeMetrics

    [<CompiledName("Logs")>]
    let logs options =
        create OtlpSignal.Logs options OtlpProtobuf.writeLogs OtlpJson.writeLogs
