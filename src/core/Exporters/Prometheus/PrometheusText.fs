namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Buffers.Text
open System.Globalization
open System.Text
open System.Text.Json

/// A byte buffer the renderer writes into: growable on its own, or attached to the caller's writer, in which case
/// it writes straight into the writer's memory chunk by chunk (no second copy of the exposition).
[<Sealed>]
type internal PrometheusBuffer(capacity: int) =
    let own: byte array = Array.zeroCreate capacity
    // Bytes go to buffer[start + length]; `limit` is the end of the room (buffer.Length on its own).
    let mutable buffer = own
    let mutable start = 0
    let mutable length = 0
    let mutable limit = own.Length
    let mutable output: IBufferWriter<byte> = null
    // When the writer's memory is not an array: `buffer` is scratch, copied here on commit.
    let mutable target = Memory<byte>.Empty

    /// Bytes written (on its own: all of them; attached: in the current chunk).
    member _.Length = length
    member _.Written = ReadOnlySpan<byte>(buffer, start, length)
    member _.Reset() = length <- 0

    /// Hands the current chunk to the attached writer.
    member private _.Commit() =
        WriterChunk.commit output buffer start target length
        length <- 0

    member private this.NextChunk(count: int) =
        this.Commit()
        let struct (array, first, size, memory) = WriterChunk.acquire output (max count 65536) own
        buffer <- array
        start <- first
        target <- memory
        limit <- first + size

    /// Writes into `writer` from now on, until `Detach`.
    member this.Attach(writer: IBufferWriter<byte>) =
        output <- writer
        length <- 0
        this.NextChunk 0

    /// Commits what is written to the attached writer and goes back to the buffer's own array.
    member this.Detach() =
        if not (isNull output) then
            this.Commit()
            output <- null
            target <- Memory<byte>.Empty
            buffer <- own
            start <- 0
            limit <- own.Length

    member this.Ensure(count: int) =
        if start + length + count > limit then
            if isNull output then
                Array.Resize(&buffer, max (buffer.Length * 2) (length + count))
                limit <- buffer.Length
            else
                this.NextChunk count

    /// Room for `count` more bytes.
    member this.Free(count: int) : Span<byte> =
        this.Ensure count
        Span<byte>(buffer, start + length, limit - start - length)

    member _.Advance(count: int) = length <- length + count

    member this.Byte(value: byte) =
        this.Ensure 1
        buffer[start + length] <- value
        length <- length + 1

    member this.Bytes(value: ReadOnlySpan<byte>) =
        value.CopyTo(this.Free value.Length)
        length <- length + value.Length

    member this.Int64(value: int64) =
        let mutable written = 0
        Utf8Formatter.TryFormat(value, this.Free 20, &written) |> ignore
        length <- length + written

    /// `prefix`, `middle`, then `value`: one bucket line without its end.
    member this.Line(prefix: ReadOnlySpan<byte>, middle: byte[], value: int64) =
        let need = prefix.Length + middle.Length + 20
        this.Ensure need
        let span = Span<byte>(buffer, start + length, need)
        prefix.CopyTo span
        middle.AsSpan().CopyTo(span.Slice prefix.Length)
        let mutable written = 0

        Utf8Formatter.TryFormat(value, span.Slice(prefix.Length + middle.Length), &written)
        |> ignore

        length <- length + prefix.Length + middle.Length + written

    member this.Hex(value: uint64) =
        let mutable written = 0

        Utf8Formatter.TryFormat(value, this.Free 16, &written, StandardFormat('x', 16uy))
        |> ignore

        length <- length + written

/// The fixed bytes of the format, allocated once (an F# `"..."B` literal is a new array each time it runs).
[<RequireQualifiedAccess>]
module internal PrometheusLiterals =
    let exemplarStart = " # {"B
    let labelValueStart = "=\""B
    let spanIdLabel = "\",span_id=\""B
    let leEnd = "\"} "B
    let traceIdLabel = "trace_id=\""B
    let eof = "# EOF\n"B
    let helpLine = "# HELP "B
    let targetHelpText = "# HELP target_info "B
    let typeLine = "# TYPE "B
    let targetHeaderOm = "# TYPE target info\n# HELP target "B
    let unitLine = "# UNIT "B
    let positiveInfinity = "+Inf"B
    let negativeInfinity = "-Inf"B
    let one = "1\n"B
    let nan = "NaN"B
    let targetTypeText = "\n# TYPE target_info gauge"B
    let falseText = "false"B
    let targetInfo = "target_info"B
    let trueText = "true"B
    let exemplarLabelsEnd = "} "B
    let leStart = "le=\""B

/// Text primitives of the exposition formats: escaping, numbers, attribute values as text.
[<RequireQualifiedAccess>]
module internal PrometheusText =
    let private escapeLabel = SearchValues.Create("\\\"\n")
    let private escapeTextHelp = SearchValues.Create("\\\n")

    /// Writes `text` as UTF-8 (lone surrogates as U+FFFD) with `\\`, `\n` and (when `escapes` has it) `\"` escaped.
    let writeEscaped (out: PrometheusBuffer) (escapes: SearchValues<char>) (text: string) =
        let mutable rest = text.AsSpan()

        while not rest.IsEmpty do
            let next = rest.IndexOfAny escapes
            let chunk = if next < 0 then rest else rest.Slice(0, next)

            if not chunk.IsEmpty then
                let written = Encoding.UTF8.GetBytes(chunk, out.Free(chunk.Length * 3))
                out.Advance written

            if next < 0 then
                rest <- ReadOnlySpan.Empty
            else
                out.Byte(byte '\\')

                match rest[next] with
                | '\n' -> out.Byte(byte 'n')
                | c -> out.Byte(byte c)

                rest <- rest.Slice(next + 1)

    let writeLabelValue (out: PrometheusBuffer) (text: string) = writeEscaped out escapeLabel text

    let help (openMetrics: bool) (description: string) =
        if String.IsNullOrEmpty description then
            null
        else
            let out = PrometheusBuffer(description.Length * 3 + 8)
            writeEscaped out (if openMetrics then escapeLabel else escapeTextHelp) description
            out.Written.ToArray()

    /// Prometheus floats: `NaN`, `+Inf`, `-Inf`, otherwise the shortest round-trip form (integers without `.0`).
    let writeDouble (out: PrometheusBuffer) (value: float) =
        if Double.IsNaN value then
            out.Bytes PrometheusLiterals.nan
        elif Double.IsPositiveInfinity value then
            out.Bytes PrometheusLiterals.positiveInfinity
        elif Double.IsNegativeInfinity value then
            out.Bytes PrometheusLiterals.negativeInfinity
        elif
            value = Math.Floor value
            && Math.Abs value < 1e15
            && not (value = 0.0 && Double.IsNegative value)
        then
            // Whole numbers below 1e15 print the same as integers (the round-trip form uses an exponent only from
            // 1E+17), and integer formatting is several times faster.
            out.Int64(int64 value)
        else
            let mutable written = 0

            value.TryFormat(out.Free 32, &written, "R".AsSpan(), CultureInfo.InvariantCulture)
            |> ignore

            out.Advance written

    let writeNumber (out: PrometheusBuffer) (value: NumberValue) =
        match value with
        | NumberValue.Long v -> out.Int64 v
        | NumberValue.Double v -> writeDouble out v

    /// OpenMetrics' canonical number (Go's `%g`, with `.0` added when there is no `.` or exponent), used for `le`.
    let canonical (value: float) =
        if Double.IsNaN value then
            "NaN"
        elif Double.IsPositiveInfinity value then
            "+Inf"
        elif Double.IsNegativeInfinity value then
            "-Inf"
        else
            // The shortest round-trip digits, from "R", laid out again the way Go's %g does.
            let roundTrip = value.ToString("R", CultureInfo.InvariantCulture)
            let negative = roundTrip.StartsWith '-'
            let body = if negative then roundTrip.Substring 1 else roundTrip

            let mantissa, exponent =
                match body.IndexOf 'E' with
                | -1 -> body, 0
                | e -> body.Substring(0, e), int (body.Substring(e + 1))

            let point = mantissa.IndexOf '.'
            let intPart = if point < 0 then mantissa else mantissa.Substring(0, point)
            let fracPart = if point < 0 then "" else mantissa.Substring(point + 1)
            // value = 0.<digits> x 10^dp
            let allDigits = intPart + fracPart
            let leading = allDigits.Length - allDigits.TrimStart('0').Length
            let digits = allDigits.Trim '0'

            if digits = "" then
                (if negative then "-0.0" else "0.0")
            else
                let dp = intPart.Length + exponent - leading
                let exp = dp - 1
                let sign = if negative then "-" else ""

                if exp < -4 || exp >= 6 then
                    let tail = if digits.Length > 1 then "." + digits.Substring 1 else ""
                    let expSign = if exp < 0 then "-" else "+"
                    let expDigits = (abs exp).ToString("00", CultureInfo.InvariantCulture)
                    sign + digits.Substring(0, 1) + tail + "e" + expSign + expDigits
                elif dp <= 0 then
                    sign + "0." + String('0', -dp) + digits
                elif dp >= digits.Length then
                    sign + digits + String('0', dp - digits.Length) + ".0"
                else
                    sign + digits.Substring(0, dp) + "." + digits.Substring dp

    /// A non-string attribute as text, as the attribute specification converts it (arrays and maps as JSON,
    /// bytes as base64).
    let attributeText (value: AnyValue) =
        match value with
        | AnyValue.Bytes b -> Convert.ToBase64String b
        | _ ->
            let buffer = ArrayBufferWriter<byte>()

            do
                use json =
                    new Utf8JsonWriter(
                        buffer,
                        JsonWriterOptions(Encoder = Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)
                    )

                AnyValueJson.write json value

            Encoding.UTF8.GetString buffer.WrittenSpan
