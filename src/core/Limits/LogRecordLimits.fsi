namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Limits on what one log record keeps (spec: LogRecord Limits). What a limit removes is counted in
/// `LogRecord.DroppedAttributes`; the body is never truncated.
type LogRecordLimits =
    {
        /// Most attributes per record. Default 128 (`OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT`, else `OTEL_ATTRIBUTE_COUNT_LIMIT`).
        AttributeCountLimit: int
        /// Longest string (characters) or byte array (bytes) attribute value; None for no limit, the default
        /// (`OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT`, else `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`).
        AttributeValueLengthLimit: int option
    }

/// Applying log record limits: pure functions.
[<RequireQualifiedAccess>]
module LogRecordLimits =
    /// 128 attributes, no value length limit.
    [<CompiledName("Default")>]
    val defaults: LogRecordLimits

    /// Reads `OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT` and `OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT`, falling back
    /// to `OTEL_ATTRIBUTE_COUNT_LIMIT` and `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`. Negative or non-numeric values are
    /// ignored with a warning.
    [<CompiledName("FromEnvironment")>]
    val fromEnvironment: lookup: EnvLookup -> LogRecordLimits * ConfigWarning list

    /// Checks limits given in code: the count limit and the value length limit (when given) not negative.
    /// Error with one message per bad setting (see `Validation`).
    [<CompiledName("Validate")>]
    val validate: limits: LogRecordLimits -> Result<LogRecordLimits, string list>

    /// Removes duplicate keys (the last value wins at the first position), keeps the first `AttributeCountLimit`
    /// attributes, truncates values, and adds what it dropped to `DroppedAttributes`.
    [<CompiledName("Apply")>]
    val apply: limits: LogRecordLimits -> record: LogRecord -> LogRecord
