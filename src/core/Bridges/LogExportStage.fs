namespace Functional.Telemetry

open System
open System.Threading.Tasks
// Our Attribute, not System.Attribute.
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
        let state = entry.StateObject

        let body, stateAttributes =
            match state with
            | :? NativeLogState as native -> native.Body, native.Attributes
            | _ ->
                let attributes, template =
                    LogMapping.stateAttributes (not options.TemplateAsBody) state

                let body =
                    match template with
                    | Some text when options.TemplateAsBody -> text
                    | _ ->
                        match entry.Format() with
                        | null -> template |> Option.defaultValue ""
                        | formatted -> formatted

                AnyValue.String body, attributes

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
                TraceId = if entry.HasContext then ActivityConversion.toTraceId entry.TraceId else TraceId.Empty
                SpanId = if entry.HasContext then ActivityConversion.toSpanId entry.SpanId else SpanId.Empty
                TraceFlags = if entry.HasContext then TraceFlags(byte entry.TraceFlags) else TraceFlags.None
                EventName = LogMapping.eventName entry.EventId
                Scope = entry.Scope
            }

        LogRecordLimits.apply options.Limits record

/// The export stage of a log pipeline, run on the runner's reader thread: each captured call becomes an
/// immutable LogRecord (formatting, state, exception, scopes, limits), goes through the processors, and what
/// they keep reaches the exporter. Conversion and export run with log suppression on, so a log call made from
/// inside them is dropped rather than fed back into the pipeline.
[<Sealed>]
type internal LogExportStage(options: LogRecordOptions, processor: Processor<LogRecord>, exporter: IExporter<LogRecord>) =
    let convert (entry: LogEntry) =
        try
            try
                processor (LogConversion.toRecord options entry)
            with ex ->
                SelfDiagnostics.error "logs" $"log record processing threw {ex.GetType().FullName}; record dropped"
                None
        finally
            entry.Release()

    interface IExporter<LogEntry> with
        member _.Name = exporter.Name

        member _.Export(batch, token) =
            Suppression.Run(fun () ->
                let records = batch.Items |> Array.choose convert

                if records.Length = 0 then
                    Task.FromResult ExportResult.Success
                else
                    exporter.Export({ Resource = batch.Resource; Items = records }, token))

        member _.Shutdown token =
            Suppression.Run(fun () -> task {
                do! exporter.Shutdown token
                return ()
            }) :> Task
