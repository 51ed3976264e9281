namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Threading.Tasks

[<Sealed>]
type OtlpFileExporter<'T> internal (writer: OtlpFileWriter, encode: Resource -> 'T array -> IBufferWriter<byte> -> unit)
    =
    // One line's buffer, reused; exports that overlap (the runner gave up waiting on one) take turns on it.
    let buffer = RequestBuffer(64 * 1024)
    let sync = obj ()
    let newline = [| byte '\n' |]

    let export (batch: Batch<'T>) =
        lock sync (fun () ->
            buffer.Clear()
            encode batch.Resource batch.Items buffer
            (buffer :> IBufferWriter<byte>).Write(ReadOnlySpan newline)

            match writer.Write buffer.WrittenMemory.Span with
            | Ok() -> ExportResult.Success
            | Error reason -> ExportResult.Failure $"could not write to {writer.Destination}: {reason}")

    interface IExporter<'T> with
        member _.Name = "otlp-file"

        member _.Export(batch, _) =
            try
                Task.FromResult(export batch)
            with e ->
                Task.FromResult(ExportResult.Failure $"OTLP file export threw {e.GetType().Name}")

        member _.Shutdown _ =
            (writer :> IDisposable).Dispose()
            Task.CompletedTask

    interface IExportDestination with
        member _.Destination = writer.Destination

    interface IDisposable with
        member _.Dispose() = (writer :> IDisposable).Dispose()

[<RequireQualifiedAccess>]
module OtlpFileExporter =
    let private create (options: OtlpFileOptions) encode =
        let options = Validation.orThrow (nameof options) (OtlpFileOptions.validate options)

        new OtlpFileExporter<'T>(
            new OtlpFileWriter(options.Output, options.MaxFileBytes, options.MaxRotatedFiles),
            encode
        )

    [<CompiledName("Traces")>]
    let traces options = create options OtlpJson.writeTraces

    [<CompiledName("Metrics")>]
    let metrics options = create options OtlpJson.writeMetrics

    [<CompiledName("Logs")>]
    let logs options = create options OtlpJson.writeLogs

    let toStream (stream: IO.Stream) encode =
        new OtlpFileExporter<'T>(new OtlpFileWriter(OtlpFileOutput.Stdout, 1L, 0, stream), encode)
