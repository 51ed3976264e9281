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
        measure: Resource -> 'T array -> int64,
        maxRequestBytes: int64
    ) =
    // Buffers bigger than this are not kept between exports.
    let retainedCapacity = 4 * 1024 * 1024
    let mutable buffer = ArrayBufferWriter<byte>(64 * 1024)
    // Retry bookkeeping: the runner retries with the same batch, so requests already accepted are skipped.
    let mutable lastItems: obj = null
    let mutable acceptedRequests = 0

    let encodeInto resource (items: 'T array) =
        buffer.ResetWrittenCount()
        encode resource items buffer
        buffer.WrittenMemory

    // Splits in halves until every part fits; single items that never fit are returned apart.
    let rec plan resource (items: 'T array) (fits: 'T array list) (oversize: int) =
        if measure resource items <= maxRequestBytes then
            items :: fits, oversize
        elif items.Length = 1 then
            fits, oversize + 1
        else
            let half = items.Length / 2
            let fits, oversize = plan resource items.[.. half - 1] fits oversize
            plan resource items.[half..] fits oversize

    let release () =
        if buffer.Capacity > retainedCapacity then
            buffer <- ArrayBufferWriter<byte>(64 * 1024)

    let exportBatch (batch: Batch<'T>) (token: CancellationToken) =
        task {
            if not (Object.ReferenceEquals(lastItems, batch.Items)) then
                lastItems <- batch.Items
                acceptedRequests <- 0

            let requests, oversize =
                let fits, oversize = plan batch.Resource batch.Items [] 0
                List.rev fits, oversize

            let mutable result = ExportResult.Success
            let mutable index = 0

            for items in requests do
                match result with
                | ExportResult.Success when index >= acceptedRequests ->
                    let! sent = transport.Send(encodeInto batch.Resource items, token)
                    result <- sent

                    if sent = ExportResult.Success then
                        acceptedRequests <- index + 1
                | _ -> ()

                index <- index + 1

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
    // OTLP/JSON has no size function: the size is that of an encoding into a scratch buffer.
    let private measureByEncoding (encode: Resource -> 'T array -> IBufferWriter<byte> -> unit) =
        let scratch = ArrayBufferWriter<byte>()

        fun resource items ->
            scratch.ResetWrittenCount()
            encode resource items scratch
            int64 scratch.WrittenCount

    let private create signal (options: OtlpOptions) protobuf size json =
        let options = OtlpOptions.validate options
        let transport = new OtlpTransport(signal, options)

        match options.Protocol with
        | OtlpProtocol.HttpJson -> new OtlpExporter<'T>(transport, json, measureByEncoding json, options.MaxRequestBytes)
        | _ -> new OtlpExporter<'T>(transport, protobuf, size, options.MaxRequestBytes)

    [<CompiledName("Traces")>]
    let traces options =
        create OtlpSignal.Traces options OtlpProtobuf.writeTraces OtlpProtobuf.tracesSize OtlpJson.writeTraces

    [<CompiledName("Metrics")>]
    let metrics options =
        create OtlpSignal.Metrics options OtlpProtobuf.writeMetrics OtlpProtobuf.metricsSize OtlpJson.writeMetrics

    [<CompiledName("Logs")>]
    let logs options =
        create OtlpSignal.Logs options OtlpProtobuf.writeLogs OtlpProtobuf.logsSize OtlpJson.writeLogs
