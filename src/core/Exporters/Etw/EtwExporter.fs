namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics.Tracing
open System.Threading
open System.Threading.Tasks

/// The shared part of the ETW exporters: the provider's EventSource, the enabled check and the write.
[<AbstractClass>]
type EtwExporterBase<'T>
    internal
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

    interface IExporter<'T> with
        member _.Name = "etw"

        member _.Export(batch, _) =
            // With no session listening, IsEnabled is all the work done for an item.
            for item in batch.Items do
                if acquired && source.IsEnabled(level item, keywords) then
                    EtwWriter.write source (layout batch.Resource item)

            success

        member _.Shutdown(_: CancellationToken) =
            if acquired && Interlocked.Exchange(&shutDown, 1) = 0 then
                EtwProviders.release providerName

            Task.CompletedTask

    interface IExportInterest with
        // The same check as Export's, asked before the item exists.
        member _.IsInterested severityNumber = acquired && source.IsEnabled(levelOfSeverity severityNumber, keywords)

/// Writes each log record as an ETW event (EventSource in TraceLogging format; EventPipe on Linux and macOS):
/// see `EtwLayout.log` and docs/etw.md. The provider name is checked here (ArgumentException); a name another
/// EventSource of the process already has is reported as a self-diagnostics error, and nothing is written.
[<Sealed>]
type EtwLogExporter(options: EtwOptions) =
    inherit
        EtwExporterBase<LogRecord>(
            options,
            EtwLayout.LogKeyword,
            (fun r -> EtwLayout.logLevel r.SeverityNumber),
            EtwLayout.logLevel,
            EtwLayout.log options
        )

/// Writes each span as an ETW event named `Span` (keyword 2): see `EtwLayout.span` and docs/etw.md.
[<Sealed>]
type EtwSpanExporter(options: EtwOptions) =
    inherit
        EtwExporterBase<Span>(
            options,
            EtwLayout.SpanKeyword,
            (fun _ -> EventLevel.Informational),
            (fun _ -> EventLevel.Informational),
            EtwLayout.span options
        )
