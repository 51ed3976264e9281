namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Buffers.Text
open System.Text.Json

/// An AnyValue as plain JSON (not OTLP/JSON's tagged form), for exporters that show structured values as text:
/// arrays and maps as JSON arrays and objects, bytes as base64, NaN and the infinities as strings.
module internal AnyValueJson =
    let rec write (json: Utf8JsonWriter) (value: AnyValue) =
        match value with
        | AnyValue.String s -> json.WriteStringValue s
        | AnyValue.Bool b -> json.WriteBooleanValue b
        | AnyValue.Int i -> json.WriteNumberValue i
        | AnyValue.Double d when Double.IsFinite d -> json.WriteNumberValue d
        // JSON has no NaN or infinities: they are written as strings, as OTLP/JSON does.
        | AnyValue.Double d -> json.WriteStringValue(d.ToString("R", Globalization.CultureInfo.InvariantCulture))
        | AnyValue.Bytes b -> json.WriteBase64StringValue(ReadOnlySpan b)
        | AnyValue.Array items ->
            json.WriteStartArray()

            for item in items do
                write json item

            json.WriteEndArray()
        | AnyValue.Map entries ->
            json.WriteStartObject()

            for entry in entries do
                json.WritePropertyName entry.Key
                write json entry.Value

            json.WriteEndObject()
        | AnyValue.Empty -> json.WriteNullValue()

/// JSON primitives behind `OtlpJson`: numbers as OTLP/JSON wants them, written without intermediate strings.
/// The `mutable` locals here (out-parameters of the formatters) are the only mutable state of the JSON encoder.
[<Sealed>]
type internal JsonPrimitives(writer: Utf8JsonWriter) =
    let scratch: byte[] = Array.zeroCreate 32

    static let hexDigits = "0123456789abcdef"B

    member _.Writer = writer

    /// A signed 64-bit integer as a decimal string.
    member _.Int64String(name: JsonEncodedText, value: int64) =
        let mutable written = 0
        Utf8Formatter.TryFormat(value, scratch.AsSpan(), &written) |> ignore
        writer.WriteString(name, ReadOnlySpan<byte>(scratch, 0, written))

    /// An unsigned 64-bit integer (a fixed64 field) as a decimal string.
    member _.UInt64String(name: JsonEncodedText, value: uint64) =
        let mutable written = 0
        Utf8Formatter.TryFormat(value, scratch.AsSpan(), &written) |> ignore
        writer.WriteString(name, ReadOnlySpan<byte>(scratch, 0, written))

    /// An unsigned 64-bit integer as a decimal string array item.
    member _.UInt64StringValue(value: uint64) =
        let mutable written = 0
        Utf8Formatter.TryFormat(value, scratch.AsSpan(), &written) |> ignore
        writer.WriteStringValue(ReadOnlySpan<byte>(scratch, 0, written))

    /// A double as a JSON number, or "NaN" / "Infinity" / "-Infinity" as proto3 JSON writes them.
    member _.DoubleValue(value: float) =
        if Double.IsNaN value then
            writer.WriteStringValue "NaN"
        elif Double.IsPositiveInfinity value then
            writer.WriteStringValue "Infinity"
        elif Double.IsNegativeInfinity value then
            writer.WriteStringValue "-Infinity"
        else
            writer.WriteNumberValue value

    /// A named double (see `DoubleValue`).
    member x.Double(name: JsonEncodedText, value: float) =
        writer.WritePropertyName name
        x.DoubleValue value

    /// `count` bytes of a big-endian id as lowercase hex.
    member private _.Hex(name: JsonEncodedText, count: int, high: uint64, low: uint64) =
        for i in 0 .. count - 1 do
            let b =
                if count = 16 && i < 8 then byte (high >>> (56 - 8 * i))
                elif count = 16 then byte (low >>> (56 - 8 * (i - 8)))
                else byte (low >>> (56 - 8 * i))

            scratch[2 * i] <- hexDigits[int (b >>> 4)]
            scratch[2 * i + 1] <- hexDigits[int (b &&& 0x0Fuy)]

        writer.WriteString(name, ReadOnlySpan<byte>(scratch, 0, 2 * count))

    /// A trace id as 32 lowercase hex characters.
    member x.TraceId(name: JsonEncodedText, value: TraceId) = x.Hex(name, 16, value.High, value.Low)

    /// A span id as 16 lowercase hex characters.
    member x.SpanId(name: JsonEncodedText, value: SpanId) = x.Hex(name, 8, 0UL, value.Value)

    /// A string value; lone surrogates become U+FFFD (as in the protobuf encoding).
    member _.String(name: JsonEncodedText, value: string) =
        writer.WriteString(name, EncodedText.replaceLoneSurrogates value)
