namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System.Diagnostics.Tracing

/// A value of one ETW (TraceLogging) field: the types the ETW exporter writes.
[<RequireQualifiedAccess>]
type internal EtwValue =
    /// A 32-bit integer; booleans are written as 0/1 in one (TraceLogging `bool32`).
    | Int32 of int
    /// A 64-bit integer.
    | Int64 of int64
    /// A double.
    | Double of float
    /// A string (UTF-16).
    | String of string
    /// A byte array.
    | Bytes of byte[]
    /// A nested structure (`PartA`, `ext_dt`, ...).
    | Struct of EtwField list

/// One named field of an ETW event.
and internal EtwField =
    {
        /// The field name as consumers see it.
        Name: string
        /// The value.
        Value: EtwValue
    }

/// One ETW event as the exporter writes it: name, level, keyword and the field tree (Common Schema 4.0).
type internal EtwEvent =
    {
        /// The event name (`Log`, `Span` or one chosen by a callback).
        Name: string
        /// The event level.
        Level: EventLevel
        /// The keyword: `EtwLayout.logKeyword` or `EtwLayout.spanKeyword`.
        Keyword: int64
        /// The top-level fields: `__csver__`, `PartA`, `PartB`, `PartC` (PartC only when it has fields).
        Fields: EtwField list
    }

/// The ETW exporter's settings.
type EtwOptions =
    {
        /// The EventSource (provider) name; see `EtwLayout.validateProviderName`.
        ProviderName: string
        /// Allow `-` in the provider name (the ETW-only name mode of opentelemetry-etw-logs). Default true: an
        /// EventSource only ever writes ETW (Windows) and EventPipe (Linux, macOS), which both accept `-`. Set it
        /// to false to hold names to letters, digits and `_`, the portable rule that also suits Linux user_events.
        EtwOnlyProviderName: bool
        /// Chooses each log record's event name; None (the default) names every record `Log`. A name that is
        /// not valid (see `EtwLayout.isValidEventName`) falls back to `Log`.
        LogEventName: (LogRecord -> string) option
        /// Resource attribute keys copied into PartC of every event (a record's own attribute of the same key
        /// wins). Default none.
        ResourceAttributes: string list
    }

/// The pure part of the ETW exporter: LogRecord and Span -> the Common Schema 4.0 field layout of one event.
[<RequireQualifiedAccess>]
module internal EtwLayout =
    /// The keyword of log events (1).
    [<Literal>]
    val LogKeyword: int64 = 1L

    /// The keyword of span events (2).
    [<Literal>]
    val SpanKeyword: int64 = 2L

    /// The Common Schema version written as `__csver__` (0x400, version 4.0).
    [<Literal>]
    val CommonSchemaVersion: int = 0x400

    /// The name of the SDK's self-diagnostics EventSource, `Functional-Telemetry`: not usable as a provider name.
    [<Literal>]
    val SelfDiagnosticsProviderName: string = "Functional-Telemetry"

    /// Checks a provider name: non-empty, shorter than 234 characters, ASCII letters, digits and `_` (and `-`
    /// when `etwOnly`), and not `SelfDiagnosticsProviderName` in any case (EventSource GUIDs come from the
    /// upper-cased name and must be unique in a process). Ok with the name, or Error with the reason.
    [<CompiledName("ValidateProviderName")>]
    val validateProviderName: etwOnly: bool -> name: string -> Result<string, string>

    /// True for a usable event name: non-empty, at most 255 characters, ASCII letters, digits and `_`.
    [<CompiledName("IsValidEventName")>]
    val isValidEventName: name: string -> bool

    /// The event level of a severity number: 1-8 (trace, debug) Verbose, 9-12 Informational, 13-16 Warning,
    /// 17-20 Error, 21-24 Critical; 0 (unspecified) and anything else Informational.
    [<CompiledName("LogLevel")>]
    val logLevel: severityNumber: int -> EventLevel

    /// Unix nanoseconds as RFC 3339 UTC with 100 ns precision (`2024-05-01T12:00:00.1234567Z`).
    [<CompiledName("Rfc3339")>]
    val rfc3339: unixNanoseconds: int64 -> string

    /// A value as JSON: strings, numbers, booleans, arrays and maps as such, bytes as a base64 string, Empty as null.
    [<CompiledName("Json")>]
    val json: value: AnyValue -> string

    /// The field value of an attribute: bool -> Int32 0/1, int -> Int64, double, string, bytes; arrays and maps
    /// as JSON strings; None for Empty (the field is left out).
    [<CompiledName("FieldValue")>]
    val fieldValue: value: AnyValue -> EtwValue option

    /// Fields as one JSON object (the exporter's fallback when PartC has too many distinct shapes).
    [<CompiledName("FieldsJson")>]
    val fieldsJson: fields: EtwField list -> string

    /// The event of a log record: keyword 1, level from severity, PartA (time, ext_dt inside a span,
    /// ext_cloud from service.name/service.instance.id), PartB (`_typeName` Log, body, severityNumber,
    /// severityText, eventId from the `event.id` attribute, name), PartC (other attributes and the chosen
    /// resource attributes; an attribute with an empty key is left out, as a field needs a name).
    [<CompiledName("Log")>]
    val log: options: EtwOptions -> resource: Resource -> record: LogRecord -> EtwEvent

    /// The event of a span: `Span`, keyword 2, Informational; PartA as for logs with the span's own ids and its
    /// end time, PartB (`_typeName` Span, name, kind, startTime, endTime, parentId, links, statusMessage,
    /// success), PartC (span attributes and the chosen resource attributes; empty keys left out).
    [<CompiledName("Span")>]
    val span: options: EtwOptions -> resource: Resource -> span: Span -> EtwEvent

    /// `log` of the record a view shows (what the ETW exporter writes; `LogEventName` is given the view's record).
    [<CompiledName("LogView")>]
    val logView: options: EtwOptions -> resource: Resource -> record: LogRecordView -> EtwEvent

    /// `span` of the span a view shows (what the ETW exporter writes).
    [<CompiledName("SpanView")>]
    val spanView: options: EtwOptions -> resource: Resource -> span: SpanView -> EtwEvent

/// Creating and checking ETW exporter options.
[<RequireQualifiedAccess>]
module EtwOptions =
    /// The defaults for this provider name: strict name rules, events named `Log`/`Span`, no resource attributes in PartC.
    [<CompiledName("Create")>]
    val create: providerName: string -> EtwOptions

    /// Checks options given in code: the provider name follows `EtwLayout.validateProviderName`. Error naming
    /// `ProviderName` otherwise (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: options: EtwOptions -> Result<EtwOptions, string list>
