namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Globalization
open Functional.Telemetry

[<RequireQualifiedAccess>]
module ConsoleLogFormat =
    /// `format` of the record a view shows.
    let formatView (record: LogRecordView) =
        let time =
            ActivityConversion
                .ofUnixNanoseconds(record.Timestamp)
                .ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture)

        let severity =
            if String.IsNullOrEmpty record.SeverityText then
                string record.SeverityNumber
            else
                record.SeverityText

        let attributes =
            match (ReadOnlyList.toList record.Attributes) with
            | [] -> ""
            | attributes -> " {" + String.Join(", ", attributes |> List.map string) + "}"

        let dropped =
            if record.DroppedAttributes > 0 then
                $" ({record.DroppedAttributes} dropped)"
            else
                ""

        let context =
            if record.TraceId.IsValid then
                $" trace_id={record.TraceId.ToHex()} span_id={record.SpanId.ToHex()}"
            else
                ""

        $"{time} {severity} [{record.Scope.Name}] {record.Body}{attributes}{dropped}{context}"

    [<CompiledName("Format")>]
    let format (record: LogRecord) = formatView (LogRecordView.OfLogRecord record)
