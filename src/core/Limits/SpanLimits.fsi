namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Limits on what one span keeps (spec: Span Limits). What a limit removes is counted, never lost silently.
type SpanLimits =
    {
        /// Most attributes per span. Default 128 (`OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`, else `OTEL_ATTRIBUTE_COUNT_LIMIT`).
        AttributeCountLimit: int
        /// Longest string (characters) or byte array (bytes) attribute value, per value and per array element;
        /// None for no limit, the default (`OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`, else `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`).
        AttributeValueLengthLimit: int option
        /// Most events per span. Default 128 (`OTEL_SPAN_EVENT_COUNT_LIMIT`).
        EventCountLimit: int
        /// Most links per span. Default 128 (`OTEL_SPAN_LINK_COUNT_LIMIT`).
        LinkCountLimit: int
        /// Most attributes per event. Default 128 (`OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`).
        AttributePerEventCountLimit: int
        /// Most attributes per link. Default 128 (`OTEL_LINK_ATTRIBUTE_COUNT_LIMIT`).
        AttributePerLinkCountLimit: int
    }

/// Applying limits: pure functions returning what was kept and how much was dropped.
[<RequireQualifiedAccess>]
module SpanLimits =
    /// 128 for every count, no value length limit.
    [<CompiledName("Default")>]
    val defaults: SpanLimits

    /// Reads the `OTEL_SPAN_*_LIMIT`, `OTEL_EVENT_*`, `OTEL_LINK_*` and general `OTEL_ATTRIBUTE_*_LIMIT` variables
    /// (the span-specific one wins). Negative or non-numeric values keep the default with a warning.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> SpanLimits * ConfigWarning list

    /// Checks limits given in code: every count limit and the value length limit (when given) not negative.
    /// Error with one message per bad setting (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: limits: SpanLimits -> Result<SpanLimits, string list>

    /// Truncates strings and byte arrays (also inside arrays) to the length limit; other values unchanged.
    [<CompiledName("TruncateValue")>]
    val truncateValue: lengthLimit: int option -> value: AnyValue -> AnyValue

    /// Keeps the first `countLimit` attributes (after removing duplicate keys, the last value winning at the
    /// first position), truncating values; returns them and how many were dropped.
    [<CompiledName("LimitAttributes")>]
    val limitAttributes: countLimit: int -> lengthLimit: int option -> attributes: KeyValue list -> KeyValue list * int

    /// Applies every limit to a span, adding what it drops to the span's dropped counts
    /// (events and links keep the first ones; their own attributes are limited too).
    [<CompiledName("Apply")>]
    val apply: limits: SpanLimits -> span: Span -> Span
