namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics.Tracing
open System.Threading
open System.Threading.Tasks

/// The shared part of the ETW exporters: the provider's EventSource, the enabled check and the write.
[<Sealed>]
type internal EtwExport<'T>
    (
        options: EtwOptions,
        keyword: int64,
        level: 'T -> EventLevel,
        levelOfSeverity: int -> EventLevel,
        layout: Resource -> 'T -> EtwEvent
    ) =
    let providerName = (Validation.orThrow (nameof options) (EtwOptions.validate options)).ProviderName

    static let success = Task.FromResult ExportResult.Success
    // A clash with another EventSource of the process is found only now (at start, for the exporters added
    // with addEtwExporter): reported as an error, and the exporter writes nothing.
    let source, acquired =
        match EtwProviders.acquire providerName with
        | Ok source -> source, true
        | Error reason ->
            SelfDiagnostics.error "etw" reason
            null, false

    let keywords = LanguagePrimitives.EnumOfValue<int64, EventKeywords> keyword
    let mutable shutDown = 0

    /// The provider (EventSource) name.
    member _.ProviderName = providerName

    /// Writes each item a session listens to.
    member _.Export(batch: Batch<'T>) =
        // With no session listening, IsEnabled is all the work done for an item.
        for item in batch.Items do
            if acquired && source.IsEnabled(level item, keywords) then
                EtwWriter.write source (layout batch.Resource item)

        success

    /// Releases the provider name (once).
    member _.Shutdown() =
        if acquired && Interlocked.Exchange(&shutDown, 1) = 0 then
            EtwProviders.release providerName

        Task.CompletedTask

    /// The same check as Export's, asked before the item exists.
    member _.IsInterested(severityNumber: int) = acquired && source.IsEnabled(levelOfSeverity severityNumber, keywords)

[<Sealed>]
type EtwLogExporter(options: EtwOptions) =
    let export =
        EtwExport<LogRecordView>(
            options,
            EtwLayout.LogKeyword,
            (fun r -> EtwLayout.logLevel r.SeverityNumber),
            EtwLayout.logLevel,
            EtwLayout.logView options
        )

    let views =
        { new IExporter<LogRecordView> with
            member _.Name = "etw"
            member _.Export(batch, _) = export.Export batch
            member _.Shutdown(_: CancellationToken) = export.Shutdown()
        }

    member _.ProviderName = export.ProviderName

    interface IExporter<LogRecord> with
        member _.Name = "etw"

        member _.Export(batch, _) =
            export.Export
                {
                    Resource = batch.Resource
                    Items = Array.map LogRecordView.OfLogRecord batch.Items
                }

        member _.Shutdown(_: CancellationToken) = export.Shutdown()

    interface IViewExporter with
        member _.Views = box views

    interface IExportInterest with
        member _.IsInterested severityNumber = export.IsInterested severityNumber

[<Sealed>]
type EtwSpanExporter(options: EtwOptions) =
    let export =
        EtwExport<SpanView>(
            options,
            EtwLayout.SpanKeyword,
            (fun _ -> EventLevel.Informational),
            (fun _ -> EventLevel.Informational),
            EtwLayout.spanView options
        )

    let views =
        { new IExporter<SpanView> with
            member _.Name = "etw"
            member _.Export(batch, _) = export.Export batch
            member _.Shutdown(_: CancellationToken) = export.Shutdown()
        }

    member _.ProviderName = export.ProviderName

    interface IExporter<Span> with
        member _.Name = "etw"

        member _.Export(batch, _) =
            export.Export
                {
                    Resource = batch.Resource
                    Items = Array.map SpanView.OfSpan batch.Items
                }

        member _.Shutdown(_: CancellationToken) = export.Shutdown()

    interface IViewExporter with
        member _.Views = box views

    interface IExportInterest with
        member _.IsInterested severityNumber = export.IsInterested severityNumber
