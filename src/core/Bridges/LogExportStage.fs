namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading.Tasks
open Functional.Telemetry

/// How captured log calls become records.
type internal LogRecordOptions =
    {
        Limits: LogRecordLimits
        /// The template (`{OriginalFormat}`) as body instead of the formatted message.
        TemplateAsBody: bool
    }

/// Turning a captured call into a record, on the runner's reader thread.
module internal LogConversion =
    let private unixEpochTicks = DateTime.UnixEpoch.Ticks

    let toRecord (options: LogRecordOptions) (entry: LogEntry) : LogRecord =
        let struct (body, stateAttributes) =
            match entry.NativeState with
            | ValueSome native -> struct (native.Body, native.Attributes)
            | ValueNone ->
                let struct (attributes, template) = entry.StateAttributes(not options.TemplateAsBody)

                let body =
                    if options.TemplateAsBody && not (isNull template) then
                        TemplateValues.Of template
                    else
                        match entry.Format() with
                        | null ->
                            if isNull template then
                                AnyValue.String ""
                            else
                                TemplateValues.Of template
                        | formatted -> AnyValue.String formatted

                struct (body, attributes)

        let scopes =
            match entry.Scopes with
            | null -> []
            | scopes -> LogMapping.scopeAttributes (List.ofArray scopes)

        let time = (entry.Ticks - unixEpochTicks) * 100L

        let record =
            {
                Timestamp = time
                ObservedTimestamp = time
                SeverityNumber = LogMapping.severityNumber entry.Level
                SeverityText = LogMapping.severityText entry.Level
                Body = body
                Attributes =
                    stateAttributes
                    @ LogMapping.eventAttributes entry.EventId
                    @ LogMapping.exceptionAttributes entry.Exception
                    @ scopes
                DroppedAttributes = 0
                TraceId =
                    if entry.HasContext then
                        ActivityConversion.toTraceId entry.TraceId
                    else
                        TraceId.Empty
                SpanId =
                    if entry.HasContext then
                        ActivityConversion.toSpanId entry.SpanId
                    else
                        SpanId.Empty
                TraceFlags =
                    if entry.HasContext then
                        TraceFlags(byte entry.TraceFlags)
                    else
                        TraceFlags.None
                EventName = LogMapping.eventName entry.EventId
                Scope = entry.Scope
            }

        LogRecordLimits.apply options.Limits record

/// The export stage of a log pipeline, run by the runner for each batch: each captured call becomes an
/// immutable LogRecord (formatting, state, exception, scopes, limits), goes through the processors, and what
/// they keep reaches the exporter. A retried batch is converted once. Conversion and export run with log suppression on, so a log call made from
/// inside them is dropped rather than fed back into the pipeline.
[<Sealed>]
type internal LogExportStage
    (options: LogRecordOptions, processors: Processor<LogRecord> list, exporter: IExporter<LogRecord>) =
    // No processors: the record goes straight to the batch, without an option per record.
    let processor =
        match processors with
        | [] -> None
        | processors -> Some(Processor.chain processors)

    // Converts the entries into `records` from the start; returns how many were kept.
    let convertAll (entries: LogEntry array) (records: LogRecord array) =
        let mutable kept = 0

        for entry in entries do
            try
                try
                    let record = LogConversion.toRecord options entry

                    match processor with
                    | None ->
                        records[kept] <- record
                        kept <- kept + 1
                    | Some processor ->
                        match processor record with
                        | Some record ->
                            records[kept] <- record
                            kept <- kept + 1
                        | None -> ()
                with ex ->
                    SelfDiagnostics.error "logs" $"log record processing threw {ex.GetType().FullName}; record dropped"
            finally
                entry.Release()

        kept

    // Entries are released as they are converted, so a retried batch must reuse its records (see ConversionMemo).
    let memo = ConversionMemo<LogEntry, LogRecord>()

    let convert (entries: LogEntry array) =
        let records = Array.zeroCreate entries.Length
        let kept = convertAll entries records

        if kept = records.Length then
            records
        else
            Array.sub records 0 kept

    interface IExporter<LogEntry> with
        member _.Name = exporter.Name

        member _.Export(batch, token) =
            Suppression.Run(fun () ->
                memo.Export(
                    batch,
                    convert,
                    fun records -> exporter.Export({ Resource = batch.Resource; Items = records }, token)
                ))

        member _.Shutdown token =
            Suppression.Run(fun () ->
                task {
                    do! exporter.Shutdown token
                    return ()
                })
            :> Task

    // The store's path (see IRequestExporter): the same conversion, the requests handed to the runner.
    interface IRequestExporter<LogEntry> with
        member _.EncodesRequests = RequestStage.encodes exporter

        member _.ExportRequests(batch, deliver, token) =
            Suppression.Run(fun () ->
                memo.Export(
                    batch,
                    convert,
                    fun records ->
                        (RequestStage.requests exporter)
                            .ExportRequests({ Resource = batch.Resource; Items = records }, deliver, token)
                ))

        member _.SendRequest(body, token) =
            Suppression.Run(fun () -> (RequestStage.requests exporter).SendRequest(body, token))

        member _.RequestKind = (RequestStage.requests exporter).RequestKind

    interface IExportDestination with
        member _.Destination = ExportDestination.ofExporter exporter
