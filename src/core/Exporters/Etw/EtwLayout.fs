namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Diagnostics.Tracing
open System.Text
open System.Text.Json
open Functional.Telemetry

[<RequireQualifiedAccess>]
type EtwValue =
    | Int32 of int
    | Int64 of int64
    | Double of float
    | String of string
    | Bytes of byte[]
    | Struct of EtwField list

and EtwField = { Name: string; Value: EtwValue }

type EtwEvent =
    {
        Name: string
        Level: EventLevel
        Keyword: int64
        Fields: EtwField list
    }

type EtwOptions =
    {
        ProviderName: string
        EtwOnlyProviderName: bool
        LogEventName: (LogRecord -> string) option
        ResourceAttributes: string list
    }

[<RequireQualifiedAccess>]
module EtwLayout =
    [<Literal>]
    let LogKeyword = 1L

    [<Literal>]
    let SpanKeyword = 2L

    [<Literal>]
    let CommonSchemaVersion = 0x400

    [<Literal>]
    let SelfDiagnosticsProviderName = "Functional-Telemetry"

    let private isAsciiWordChar (c: char) = Char.IsAsciiLetterOrDigit c || c = '_'

    [<CompiledName("ValidateProviderName")>]
    let validateProviderName (etwOnly: bool) (name: string) =
        if String.IsNullOrEmpty name then
            Error "The ETW provider name must not be empty."
        elif name.Length >= 234 then
            Error "The ETW provider name must be shorter than 234 characters."
        elif String.Equals(name, SelfDiagnosticsProviderName, StringComparison.OrdinalIgnoreCase) then
            Error(
                $"The ETW provider name '{name}' is the SDK's own self-diagnostics EventSource; "
                + "an EventSource name (and the GUID made from it) must be unique in a process, so choose another."
            )
        elif not etwOnly && name.Contains '-' then
            Error(
                $"The ETW provider name '{name}' contains '-', which is allowed only in the ETW-only name mode "
                + "(EtwOnlyProviderName); use letters, digits and '_' otherwise."
            )
        elif not (name |> Seq.forall (fun c -> isAsciiWordChar c || (etwOnly && c = '-'))) then
            Error(
                $"The ETW provider name '{name}' must contain only ASCII letters, digits, '_'"
                + (if etwOnly then " and '-'." else ".")
            )
        else
            Ok name

    [<CompiledName("IsValidEventName")>]
    let isValidEventName (name: string) =
        not (String.IsNullOrEmpty name)
        && name.Length <= 255
        && name |> Seq.forall isAsciiWordChar

    [<CompiledName("LogLevel")>]
    let logLevel severityNumber =
        if severityNumber >= 1 && severityNumber <= 8 then
            EventLevel.Verbose
        elif severityNumber >= 13 && severityNumber <= 16 then
            EventLevel.Warning
        elif severityNumber >= 17 && severityNumber <= 20 then
            EventLevel.Error
        elif severityNumber >= 21 && severityNumber <= 24 then
            EventLevel.Critical
        else
            EventLevel.Informational

    [<CompiledName("Rfc3339")>]
    let rfc3339 (unixNanoseconds: int64) =
        // DateTime ticks are 100 ns; the round-trip format keeps all seven fraction digits.
        DateTime(DateTime.UnixEpoch.Ticks + unixNanoseconds / 100L, DateTimeKind.Utc).ToString("o")

    let private toJson (write: Utf8JsonWriter -> unit) =
        let buffer = ArrayBufferWriter<byte>()
        // Relaxed escaping: consumers read the text, so non-ASCII stays readable.
        let options = JsonWriterOptions(Encoder = Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)

        using (new Utf8JsonWriter(buffer, options)) (fun writer ->
            write writer
            writer.Flush())

        Encoding.UTF8.GetString buffer.WrittenSpan

    [<CompiledName("Json")>]
    let json value = toJson (fun writer -> AnyValueJson.write writer value)

    [<CompiledName("FieldValue")>]
    let fieldValue value =
        match value with
        | AnyValue.String s -> Some(EtwValue.String s)
        | AnyValue.Bool b -> Some(EtwValue.Int32(if b then 1 else 0))
        | AnyValue.Int i -> Some(EtwValue.Int64 i)
        | AnyValue.Double d -> Some(EtwValue.Double d)
        | AnyValue.Bytes b -> Some(EtwValue.Bytes b)
        | AnyValue.Array _
        | AnyValue.Map _ -> Some(EtwValue.String(json value))
        | AnyValue.Empty -> None

    let rec private writeField (writer: Utf8JsonWriter) (field: EtwField) =
        writer.WritePropertyName field.Name

        match field.Value with
        | EtwValue.Int32 i -> writer.WriteNumberValue i
        | EtwValue.Int64 i -> writer.WriteNumberValue i
        | EtwValue.Double d when Double.IsFinite d -> writer.WriteNumberValue d
        | EtwValue.Double d -> writer.WriteStringValue(d.ToString "R")
        | EtwValue.String s -> writer.WriteStringValue s
        | EtwValue.Bytes b -> writer.WriteBase64StringValue(ReadOnlySpan b)
        | EtwValue.Struct fields ->
            writer.WriteStartObject()
            fields |> List.iter (writeField writer)
            writer.WriteEndObject()

    [<CompiledName("FieldsJson")>]
    let fieldsJson fields =
        toJson (fun writer ->
            writer.WriteStartObject()
            fields |> List.iter (writeField writer)
            writer.WriteEndObject())

    let private field name value = { Name = name; Value = value }

    let private text name (value: string) = field name (EtwValue.String value)

    let private resourceString key (resource: Resource) =
        match KeyValue.tryFind key (ReadOnlyList.toList resource.Attributes) with
        | Some(AnyValue.String s) when s <> "" -> Some s
        | Some AnyValue.Empty
        | None -> None
        | Some other -> Some(string other)

    let private partA (resource: Resource) (time: int64) (traceId: TraceId) (spanId: SpanId) =
        let extDt =
            if traceId.IsValid then
                [
                    field
                        "ext_dt"
                        (EtwValue.Struct [ text "traceId" (traceId.ToHex()); text "spanId" (spanId.ToHex()) ])
                ]
            else
                []

        let cloud =
            [
                resourceString "service.name" resource |> Option.map (text "role")
                resourceString "service.instance.id" resource
                |> Option.map (text "roleInstance")
            ]
            |> List.choose id

        let extCloud =
            if List.isEmpty cloud then
                []
            else
                [ field "ext_cloud" (EtwValue.Struct cloud) ]

        field "PartA" (EtwValue.Struct(text "time" (rfc3339 time) :: extDt @ extCloud))

    /// PartC: the item's attributes (less those PartB took), then the chosen resource attributes it lacks.
    let private partC (options: EtwOptions) (resource: Resource) (attributes: KeyValue list) =
        let own =
            attributes
            |> List.choose (fun a -> fieldValue a.Value |> Option.map (field a.Key))

        let fromResource =
            options.ResourceAttributes
            |> List.distinct
            |> List.filter (fun key -> not (attributes |> List.exists (fun a -> a.Key = key)))
            |> List.choose (fun key ->
                KeyValue.tryFind key (ReadOnlyList.toList resource.Attributes)
                |> Option.bind fieldValue
                |> Option.map (field key))

        // A field needs a name: TraceLogging field names are property names, and "" is none.
        match own @ fromResource |> List.filter (fun f -> f.Name <> "") with
        | [] -> []
        | fields -> [ field "PartC" (EtwValue.Struct fields) ]

    [<Literal>]
    let private EventIdKey = "event.id"

    let private eventName (options: EtwOptions) (record: LogRecordView) =
        match options.LogEventName with
        | Some choose ->
            // A callback that throws or answers nonsense must not lose the record. It takes a record: the view's.
            let chosen =
                try
                    choose (record.ToLogRecord())
                with _ ->
                    null

            if isValidEventName chosen then chosen else "Log"
        | None -> "Log"

    [<CompiledName("LogView")>]
    let logView (options: EtwOptions) (resource: Resource) (record: LogRecordView) =
        let time =
            if record.Timestamp <> 0L then
                record.Timestamp
            else
                record.ObservedTimestamp

        let eventId, attributes =
            match
                ReadOnlyList.toList record.Attributes
                |> List.tryFind (fun a -> a.Key = EventIdKey)
            with
            | Some { Value = AnyValue.Int id } ->
                Some id,
                ReadOnlyList.toList record.Attributes
                |> List.filter (fun a -> a.Key <> EventIdKey)
            | _ -> None, (ReadOnlyList.toList record.Attributes)

        let partB =
            [
                Some(text "_typeName" "Log")
                fieldValue record.Body |> Option.map (field "body")
                Some(field "severityNumber" (EtwValue.Int32 record.SeverityNumber))
                (if String.IsNullOrEmpty record.SeverityText then
                     None
                 else
                     Some(text "severityText" record.SeverityText))
                eventId |> Option.map (EtwValue.Int64 >> field "eventId")
                (if String.IsNullOrEmpty record.EventName then
                     None
                 else
                     Some(text "name" record.EventName))
            ]
            |> List.choose id

        {
            Name = eventName options record
            Level = logLevel record.SeverityNumber
            Keyword = LogKeyword
            Fields =
                field "__csver__" (EtwValue.Int32 CommonSchemaVersion)
                :: partA resource time record.TraceId record.SpanId
                :: field "PartB" (EtwValue.Struct partB)
                :: partC options resource attributes
        }

    /// ActivityKind's numbers, as Common Schema consumers (Geneva) expect.
    let private kindNumber kind =
        match kind with
        | SpanKind.Internal -> 0
        | SpanKind.Server -> 1
        | SpanKind.Client -> 2
        | SpanKind.Producer -> 3
        | SpanKind.Consumer -> 4

    let private linksJson (links: SpanLink list) =
        toJson (fun writer ->
            writer.WriteStartArray()

            for link in links do
                writer.WriteStartObject()
                writer.WriteString("toTraceId", link.Context.TraceId.ToHex())
                writer.WriteString("toSpanId", link.Context.SpanId.ToHex())
                writer.WriteEndObject()

            writer.WriteEndArray())

    [<CompiledName("SpanView")>]
    let spanView (options: EtwOptions) (resource: Resource) (span: SpanView) =
        let statusMessage, success =
            match span.Status with
            | Status.Error description when description <> "" -> Some(text "statusMessage" description), 0
            | Status.Error _ -> None, 0
            | Status.Ok
            | Status.Unset -> None, 1

        let partB =
            [
                Some(text "_typeName" "Span")
                Some(text "name" span.Name)
                Some(field "kind" (EtwValue.Int32(kindNumber span.Kind)))
                Some(text "startTime" (rfc3339 span.StartTime))
                Some(text "endTime" (rfc3339 span.EndTime))
                (if span.ParentSpanId.IsValid then
                     Some(text "parentId" (span.ParentSpanId.ToHex()))
                 else
                     None)
                (if List.isEmpty (ReadOnlyList.toList span.Links) then
                     None
                 else
                     Some(text "links" (linksJson (ReadOnlyList.toList span.Links))))
                statusMessage
                Some(field "success" (EtwValue.Int32 success))
            ]
            |> List.choose id

        {
            Name = "Span"
            Level = EventLevel.Informational
            Keyword = SpanKeyword
            Fields =
                field "__csver__" (EtwValue.Int32 CommonSchemaVersion)
                :: partA resource span.EndTime span.Context.TraceId span.Context.SpanId
                :: field "PartB" (EtwValue.Struct partB)
                :: partC options resource (ReadOnlyList.toList span.Attributes)
        }

    [<CompiledName("Log")>]
    let log (options: EtwOptions) (resource: Resource) (record: LogRecord) =
        logView options resource (LogRecordView.OfLogRecord record)

    [<CompiledName("Span")>]
    let span (options: EtwOptions) (resource: Resource) (span: Span) = spanView options resource (SpanView.OfSpan span)

[<RequireQualifiedAccess>]
module EtwOptions =
    [<CompiledName("Create")>]
    let create providerName =
        {
            ProviderName = providerName
            EtwOnlyProviderName = true
            LogEventName = None
            ResourceAttributes = []
        }

    [<CompiledName("Validate")>]
    let validate (options: EtwOptions) =
        match EtwLayout.validateProviderName options.EtwOnlyProviderName options.ProviderName with
        | Ok _ -> Ok options
        | Error reason -> Error [ Validation.error (nameof options.ProviderName) reason ]
