namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Threading
open System.Threading.Tasks

[<Sealed>]
type OtlpExporter<'T>
    (
        transport: OtlpTransport,
        encode: Resource -> 'T array -> IBufferWriter<byte> -> unit,
        maxRequestBytes: int64,
        views: obj
    ) =
    // Buffers bigger than this are not kept between exports.
    let retainedCapacity = 4 * 1024 * 1024
    // The request body: the protobuf encoder writes into it in place and the transport sends from it (over HTTP
    // as it is; over gRPC the call's marshaller copies it once into the call's pooled buffer). The size is known
    // before any request starts, so a batch over MaxRequestBytes is split without opening a call. It is the
    // exporter's own (not a per-thread buffer): the send is awaited and may resume on
    // another thread. The runner exports one batch at a time, but it stops waiting for an export at its deadline
    // (ExportTimeout, or a shutdown's) and goes on while that export may still be sending: an export that finds
    // the buffer taken encodes into one of its own, so a body being sent is never overwritten.
    // Made on first use: of the exporters of records and of views over one transport, only one ever exports.
    let mutable shared = Unchecked.defaultof<RequestBuffer>
    let mutable taken = 0

    let takeBuffer () =
        if Interlocked.Exchange(&taken, 1) = 0 then
            if isNull (box shared) then
                shared <- RequestBuffer(64 * 1024)

            shared
        else
            RequestBuffer(64 * 1024)

    let giveBack (buffer: RequestBuffer) =
        if Object.ReferenceEquals(buffer, shared) then
            if buffer.Capacity > retainedCapacity then
                shared <- RequestBuffer(64 * 1024)

            Volatile.Write(&taken, 0)

    let fits (buffer: RequestBuffer) = int64 buffer.WrittenCount <= maxRequestBytes

    // Encodes and sends `items`; a request over the limit is split in halves (each encoded again) until every
    // part fits. Returns the first non-success result and how many single items could never fit. A retry (the
    // runner calls Export again) sends everything again: OTLP receivers accept duplicates, and nothing here
    // depends on the identity of the batch's array.
    let rec sendParts (buffer: RequestBuffer) resource (items: 'T array) (token: CancellationToken) =
        buffer.Clear()
        encode resource items buffer

        if fits buffer then
            task {
                let! sent = transport.Send(buffer.WrittenMemory, token)
                return struct (sent, 0)
            }
        else
            sendSplit buffer resource items token

    // Sends `items`, whose request is over the limit, in two halves (one item alone is never sent).
    and sendSplit (buffer: RequestBuffer) resource (items: 'T array) (token: CancellationToken) =
        if items.Length = 1 then
            Task.FromResult(struct (ExportResult.Success, 1))
        else
            task {
                let half = items.Length / 2
                let! struct (first, firstOversize) = sendParts buffer resource items.[.. half - 1] token

                match first with
                | ExportResult.Success ->
                    let! struct (second, secondOversize) = sendParts buffer resource items.[half..] token
                    return struct (second, firstOversize + secondOversize)
                | failed -> return struct (failed, firstOversize)
            }

    // The same encoding and splitting, each request handed to the runner's `deliver` (which sends it or keeps a
    // copy) with the position of its items in the batch.
    let rec deliverParts
        (buffer: RequestBuffer)
        resource
        (items: 'T array)
        (first: int)
        (total: int)
        (deliver: RequestDelivery)
        (token: CancellationToken)
        =
        buffer.Clear()
        encode resource items buffer

        if fits buffer then
            task {
                let! result = deliver.Invoke(buffer.WrittenMemory, first, items.Length, total, token)
                return struct (result, 0)
            }
        else
            deliverSplit buffer resource items first total deliver token

    and deliverSplit buffer resource (items: 'T array) first total deliver token =
        if items.Length = 1 then
            Task.FromResult(struct (ExportResult.Success, 1))
        else
            task {
                let half = items.Length / 2

                let! struct (firstResult, firstOversize) =
                    deliverParts buffer resource items.[.. half - 1] first total deliver token

                match firstResult with
                | ExportResult.Success ->
                    let! struct (second, secondOversize) =
                        deliverParts buffer resource items.[half..] (first + half) total deliver token

                    return struct (second, firstOversize + secondOversize)
                | failed -> return struct (failed, firstOversize)
            }

    let withOversize (items: 'T array) result oversize =
        match result with
        | ExportResult.Success when oversize > 0 ->
            ExportResult.Failure $"{oversize} of {items.Length} items exceed MaxRequestBytes alone and were not sent"
        | other -> other

    new(transport, encode, maxRequestBytes) = new OtlpExporter<'T>(transport, encode, maxRequestBytes, null)

    member _.Transport = transport

    interface IExporter<'T> with
        member _.Name = transport.Name

        member _.Export(batch, cancellationToken) =
            task {
                let buffer = takeBuffer ()

                try
                    try
                        buffer.Clear()
                        encode batch.Resource batch.Items buffer

                        // The common batch: one request, sent from the buffer it was encoded into (the whole
                        // export is this one state machine and the transport's).
                        if fits buffer then
                            return! transport.Send(buffer.WrittenMemory, cancellationToken)
                        else
                            let! struct (result, oversize) =
                                sendSplit buffer batch.Resource batch.Items cancellationToken

                            return withOversize batch.Items result oversize
                    finally
                        giveBack buffer
                with e ->
                    return ExportResult.Failure $"OTLP export threw {e.GetType().Name}"
            }

        member _.Shutdown _ =
            (transport :> IDisposable).Dispose()
            Task.CompletedTask

    interface IRequestExporter<'T> with
        member _.EncodesRequests = true

        member _.ExportRequests(batch, deliver, cancellationToken) =
            task {
                let buffer = takeBuffer ()

                try
                    try
                        let! struct (result, oversize) =
                            deliverParts
                                buffer
                                batch.Resource
                                batch.Items
                                0
                                batch.Items.Length
                                deliver
                                cancellationToken

                        return withOversize batch.Items result oversize
                    finally
                        giveBack buffer
                with e ->
                    return ExportResult.Failure $"OTLP export threw {e.GetType().Name}"
            }

        member _.SendRequest(body, cancellationToken) =
            task {
                try
                    return! transport.Send(body, cancellationToken)
                with e ->
                    return ExportResult.Failure $"OTLP export threw {e.GetType().Name}"
            }

        member _.RequestKind = transport.RequestKind

    interface IExportDestination with
        member _.Destination = transport.Destination

    interface IViewExporter with
        member _.Views = views

    interface IDisposable with
        member _.Dispose() = (transport :> IDisposable).Dispose()

[<RequireQualifiedAccess>]
module OtlpExporter =
    let private transportOf signal (options: OtlpOptions) =
        let options = Validation.orThrow (nameof options) (OtlpOptions.validate options)
        options, new OtlpTransport(signal, options)

    let private encoding (options: OtlpOptions) protobuf json =
        match options.Protocol with
        | OtlpProtocol.HttpJson -> json
        | _ -> protobuf

    // An exporter of records with the exporter of their views over the same transport (the export stages use it).
    let private withViews signal options protobuf json viewProtobuf viewJson =
        let options, transport = transportOf signal options

        let views =
            new OtlpExporter<'View>(transport, encoding options viewProtobuf viewJson, options.MaxRequestBytes, null)

        new OtlpExporter<'T>(transport, encoding options protobuf json, options.MaxRequestBytes, box views)

    [<CompiledName("Traces")>]
    let traces options : OtlpExporter<Span> =
        withViews
            OtlpSignal.Traces
            options
            OtlpProtobuf.writeTraces
            OtlpJson.writeTraces
            OtlpProtobuf.writeSpanViews
            OtlpJson.writeSpanViews

    [<CompiledName("Metrics")>]
    let metrics options =
        let options, transport = transportOf OtlpSignal.Metrics options

        new OtlpExporter<MetricData>(
            transport,
            encoding options OtlpProtobuf.writeMetrics OtlpJson.writeMetrics,
            options.MaxRequestBytes,
            null
        )

    [<CompiledName("Logs")>]
    let logs options : OtlpExporter<LogRecord> =
        withViews
            OtlpSignal.Logs
            options
            OtlpProtobuf.writeLogs
            OtlpJson.writeLogs
            OtlpProtobuf.writeLogViews
            OtlpJson.writeLogViews
