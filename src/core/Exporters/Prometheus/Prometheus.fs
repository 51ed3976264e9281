namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Buffers.Text
open System.Collections.Generic
open System.Globalization
open System.Runtime.CompilerServices
open System.Runtime.InteropServices
open System.Text
open System.Text.Json

[<RequireQualifiedAccess>]
type PrometheusFormat =
    | Text
    | OpenMetrics

type PrometheusOptions =
    {
        UnitSuffixes: bool
        TotalSuffix: bool
        TargetInfo: bool
        ScopeLabels: bool
        Namespace: string
    }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PrometheusOptions =
    [<CompiledName("Default")>]
    let defaults =
        {
            UnitSuffixes = true
            TotalSuffix = true
            TargetInfo = true
            ScopeLabels = true
            Namespace = ""
        }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PrometheusFormat =
    // One media range of an Accept header: OpenMetrics unless its q parameter is 0 (RFC 9110: not acceptable).
    let private acceptsOpenMetrics (range: string) =
        let parts = range.Split ';'

        let acceptable (parameter: string) =
            match parameter.IndexOf '=' with
            | -1 -> true
            | i when parameter.Substring(0, i).Trim().Equals("q", StringComparison.OrdinalIgnoreCase) ->
                match
                    Double.TryParse(parameter.Substring(i + 1).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture)
                with
                | true, q -> q > 0.0
                | _ -> true
            | _ -> true

        parts[0].Trim().Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase)
        && Array.forall acceptable parts[1..]

    [<CompiledName("Negotiate")>]
    let negotiate (accept: string) =
        if
            not (String.IsNullOrEmpty accept)
            && accept.Split ',' |> Array.exists acceptsOpenMetrics
        then
            PrometheusFormat.OpenMetrics
        else
            PrometheusFormat.Text

    [<CompiledName("ContentType")>]
    let contentType format =
        match format with
        | PrometheusFormat.Text -> "text/plain; version=0.0.4; charset=utf-8"
        | PrometheusFormat.OpenMetrics -> "application/openmetrics-text; version=1.0.0; charset=utf-8"

/// How a metric shows in Prometheus: decides the TYPE, the suffixes and which names it claims.
type internal PrometheusShape =
    | Counter = 0
    | Gauge = 1
    | Histogram = 2

[<RequireQualifiedAccess>]
module PrometheusNames =
    let private isNameChar (allowColon: bool) (c: char) =
        (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c = '_'
        || (allowColon && c = ':')

    // Invalid characters become '_', runs of '_' collapse, a leading digit gets a '_' prefix. Never empty.
    let private sanitize (allowColon: bool) (name: string) =
        if String.IsNullOrEmpty name then
            "_"
        else
            let builder = StringBuilder(name.Length + 1)

            if name[0] >= '0' && name[0] <= '9' then
                builder.Append '_' |> ignore

            for c in name do
                let c = if isNameChar allowColon c then c else '_'

                if not (c = '_' && builder.Length > 0 && builder[builder.Length - 1] = '_') then
                    builder.Append c |> ignore

            builder.ToString()

    [<CompiledName("SanitizeMetricName")>]
    let sanitizeMetricName (name: string) : string = sanitize true name

    [<CompiledName("SanitizeLabelName")>]
    let sanitizeLabelName (name: string) : string = sanitize false name

    // The collector's and the OpenTelemetry .NET exporter's table (UCUM case-sensitive codes).
    let private mainUnits =
        dict
            [
                "d", "days"
                "h", "hours"
                "min", "minutes"
                "s", "seconds"
                "ms", "milliseconds"
                "us", "microseconds"
                "ns", "nanoseconds"
                "By", "bytes"
                "KiBy", "kibibytes"
                "MiBy", "mebibytes"
                "GiBy", "gibibytes"
                "TiBy", "tibibytes"
                "KBy", "kilobytes"
                "MBy", "megabytes"
                "GBy", "gigabytes"
                "TBy", "terabytes"
                "m", "meters"
                "V", "volts"
                "A", "amperes"
                "J", "joules"
                "W", "watts"
                "g", "grams"
                "Cel", "celsius"
                "Hz", "hertz"
                "%", "percent"
            ]

    let private perUnits =
        dict
            [
                "s", "second"
                "m", "minute"
                "h", "hour"
                "d", "day"
                "w", "week"
                "mo", "month"
                "y", "year"
            ]

    // A unit word that is not in the tables: only [a-zA-Z0-9] kept, other runs become one '_', trimmed.
    let private unitWord (text: string) =
        let builder = StringBuilder(text.Length)

        for c in text do
            if isNameChar false c && c <> '_' then
                builder.Append c |> ignore
            elif builder.Length > 0 && builder[builder.Length - 1] <> '_' then
                builder.Append '_' |> ignore

        builder.ToString().Trim '_'

    let private withoutAnnotations (unit: string) =
        let builder = StringBuilder(unit.Length)
        let mutable depth = 0

        for c in unit do
            if c = '{' then
                depth <- depth + 1
            elif c = '}' && depth > 0 then
                depth <- depth - 1
            elif depth = 0 then
                builder.Append c |> ignore

        builder.ToString().Trim()

    let private lookup (table: IDictionary<string, string>) (text: string) =
        match table.TryGetValue text with
        | true, word -> word
        | _ -> unitWord text

    [<CompiledName("UnitSuffix")>]
    let unitSuffix (unit: string) : string =
        if String.IsNullOrWhiteSpace unit then
            ""
        else
            let unit = withoutAnnotations unit

            if unit = "1" then
                "ratio"
            else
                match unit.IndexOf '/' with
                | -1 -> lookup mainUnits unit
                | slash ->
                    let main = unit.Substring(0, slash).Trim()
                    let main = if main = "1" then "" else lookup mainUnits main
                    let per = lookup perUnits (unit.Substring(slash + 1).Trim())

                    match main, per with
                    | "", "" -> ""
                    | "", per -> "per_" + per
                    | main, "" -> main
                    | main, per -> main + "_per_" + per

    let internal shapeOf (points: MetricPoints) =
        match points with
        | MetricPoints.Sum(_, true, _) -> PrometheusShape.Counter
        | MetricPoints.Sum _
        | MetricPoints.Gauge _ -> PrometheusShape.Gauge
        | MetricPoints.Histogram _
        | MetricPoints.ExponentialHistogram _ -> PrometheusShape.Histogram

    // `1` means ratio only for gauges: a counter or histogram of ratios gets no suffix (the collector and the
    // OpenTelemetry .NET exporter agree on this reading of the specification's "special case").
    let internal unitFor (shape: PrometheusShape) (unit: string) =
        let suffix = unitSuffix unit

        if
            suffix = "ratio"
            && shape <> PrometheusShape.Gauge
            && not (isNull unit)
            && withoutAnnotations unit = "1"
        then
            ""
        else
            suffix

    let private appendSuffix (name: string) (suffix: string) =
        if name.EndsWith("_" + suffix, StringComparison.Ordinal) then
            name
        elif name.EndsWith '_' then
            name + suffix
        else
            name + "_" + suffix

    let internal familyNameOf (options: PrometheusOptions) (shape: PrometheusShape) (name: string) (unit: string) =
        let prefixed =
            if String.IsNullOrEmpty options.Namespace then
                name
            else
                options.Namespace + "_" + name

        let mutable family = sanitizeMetricName prefixed

        if options.UnitSuffixes then
            let suffix = unitFor shape unit

            if suffix <> "" then
                family <- appendSuffix family suffix

        if shape = PrometheusShape.Counter && options.TotalSuffix then
            family <- appendSuffix family "total"

        family

    [<CompiledName("FamilyName")>]
    let familyName (options: PrometheusOptions) (metric: MetricData) : string =
        familyNameOf options (shapeOf metric.Points) metric.Name metric.Unit

/// A label name, sanitised, with its UTF-8 bytes.
[<Sealed; AllowNullLiteral>]
type internal PrometheusLabelName(name: string) =
    member val Name = name
    member val Bytes = Encoding.UTF8.GetBytes name

/// One label of a series while it is being assembled: sorted by name, then by the original key.
[<Struct>]
type internal PrometheusLabel = { Name: PrometheusLabelName; Key: string; Value: AnyValue }

/// A series' rendered label set (`a="x",b="y"`), kept while the series is rendered by every render, with the scope
/// labels and histogram flag (`le` renamed) it was rendered with.
[<Sealed>]
type internal PrometheusLabelSet(bytes: byte[], scope: obj, histogram: bool, render: int64) =
    member _.Bytes = bytes
    member _.Scope = scope
    member _.Histogram = histogram
    member val LastRender = render with get, set

/// Everything about one family that does not change between scrapes, computed once per (name, unit,
/// description, shape).
[<Sealed; AllowNullLiteral>]
type internal PrometheusFamily
    (
        textName: string,
        omName: string,
        shape: PrometheusShape,
        omCounter: bool,
        unit: string,
        textHelp: byte[],
        omHelp: byte[]
    ) =
    let utf8 (text: string) = Encoding.UTF8.GetBytes text

    member val Shape = shape
    /// The 0.0.4 family name; the key that merges metrics into one family.
    member val TextName = textName
    member val TextNameBytes = utf8 textName
    member val OmNameBytes = utf8 omName
    /// A counter in OpenMetrics (else a counter whose name does not end in `_total` shows as `unknown`).
    member val OmCounter = omCounter

    member val TextType =
        utf8 (
            match shape with
            | PrometheusShape.Counter -> "counter"
            | PrometheusShape.Gauge -> "gauge"
            | _ -> "histogram"
        )

    member val OmType =
        utf8 (
            match shape with
            | PrometheusShape.Counter -> if omCounter then "counter" else "unknown"
            | PrometheusShape.Gauge -> "gauge"
            | _ -> "histogram"
        )

    /// The value sample's name: the family name, or `<name>_total` for OpenMetrics counters.
    member val TextValueName = utf8 textName
    member val OmValueName = utf8 (if omCounter then omName + "_total" else omName)
    member val BucketName = utf8 (textName + "_bucket")
    member val SumName = utf8 (textName + "_sum")
    member val CountName = utf8 (textName + "_count")

    /// The OpenMetrics UNIT, or null when the family name does not end with `_<unit>`.
    member val OmUnit =
        if unit <> "" && omName.EndsWith("_" + unit, StringComparison.Ordinal) then
            utf8 unit
        else
            null

    member val TextHelp = textHelp
    member val OmHelp = omHelp

    /// The sample names the family may use in OpenMetrics (a superset of 0.0.4's): no other family may use one.
    member val Claims =
        match shape with
        | PrometheusShape.Counter when omCounter -> [| omName; omName + "_total"; omName + "_created" |]
        | PrometheusShape.Histogram ->
            [|
                textName
                textName + "_bucket"
                textName + "_sum"
                textName + "_count"
                textName + "_created"
            |]
        | _ -> [| omName |]

    // The le labels of the bounds last seen, in both formats.
    member val LeBounds: float list = [] with get, set
    member val LeText: byte[][] = [||] with get, set
    member val LeOm: byte[][] = [||] with get, set

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

[<Sealed>]
type PrometheusRenderer(options: PrometheusOptions) =
    // The renderer is an encoder with caches: the mutable state below is scratch space and memoised names, never
    // visible in the output. Caches are bounded: past `cacheLimit` entries a cache starts again empty.
    static let cacheLimit = 16384
    static let leRenamed = PrometheusLabelName "le_"
    static let noLabels: PrometheusLabel[] = Array.empty
    static let targetHelpText = PrometheusText.help false "Target metadata"
    static let targetHelpOm = PrometheusText.help true "Target metadata"

    let families = Dictionary<struct (string * string * string * PrometheusShape), PrometheusFamily>()
    let labelNamesByReference = Dictionary<string, PrometheusLabelName>(HashIdentity.Reference)
    let labelNames = Dictionary<string, PrometheusLabelName>(StringComparer.Ordinal)
    let scopesByReference = Dictionary<InstrumentationScope, PrometheusLabel[]>(HashIdentity.Reference)
    let scopes = Dictionary<InstrumentationScope, PrometheusLabel[]>(HashIdentity.Structural)
    let out = PrometheusBuffer 65536
    let labels = PrometheusBuffer 1024
    let prefix = PrometheusBuffer 1024
    let mutable entries: PrometheusLabel[] = Array.zeroCreate 32
    // Rendered label sets of the series of the latest render, by the identity of the series' attribute list (a
    // collector hands out the same list for a series at every collection; see `seriesLabels`).
    let labelSets =
        Dictionary<Functional.Telemetry.KeyValue list, PrometheusLabelSet>(HashIdentity.Reference)

    let labelSetKeys = ResizeArray<Functional.Telemetry.KeyValue list>()

    let mutable renderNumber = 0L
    let mutable bucketExemplars: Exemplar[] = Array.zeroCreate 32
    // This render's metrics grouped into families: each group a linked list of metric indexes.
    let pending = ResizeArray<MetricData>()
    let metricFamilies = ResizeArray<PrometheusFamily>()
    let nextInGroup = ResizeArray<int>()
    let groups = ResizeArray<PrometheusFamily>()
    let groupFirst = ResizeArray<int>()
    let groupLast = ResizeArray<int>()
    let groupIndex = Dictionary<string, int>(StringComparer.Ordinal)
    let claimed = HashSet<string>(StringComparer.Ordinal)
    let exemplarLabelNames = HashSet<string>(StringComparer.Ordinal)

    let bounded (cache: Dictionary<'K, 'V>) =
        if cache.Count >= cacheLimit then
            cache.Clear()

    let labelName (key: string) =
        match labelNamesByReference.TryGetValue key with
        | true, name -> name
        | _ ->
            let name =
                match labelNames.TryGetValue key with
                | true, name -> name
                | _ ->
                    bounded labelNames
                    let name = PrometheusLabelName(PrometheusNames.sanitizeLabelName key)
                    labelNames[key] <- name
                    name

            bounded labelNamesByReference
            labelNamesByReference[key] <- name
            name

    let scopeLabels (scope: InstrumentationScope) =
        match scopesByReference.TryGetValue scope with
        | true, found -> found
        | _ ->
            let found =
                match scopes.TryGetValue scope with
                | true, found -> found
                | _ ->
                    let fixedLabel key (value: string) =
                        if String.IsNullOrEmpty value then
                            None
                        else
                            Some
                                {
                                    Name = PrometheusLabelName key
                                    Key = key
                                    Value = AnyValue.String value
                                }

                    let made =
                        [
                            yield! Option.toList (fixedLabel "otel_scope_name" scope.Name)
                            yield! Option.toList (fixedLabel "otel_scope_version" scope.Version)
                            yield! Option.toList (fixedLabel "otel_scope_schema_url" scope.SchemaUrl)
                            for attribute in scope.Attributes do
                                let key = "otel_scope_" + attribute.Key

                                {
                                    Name = PrometheusLabelName(PrometheusNames.sanitizeLabelName key)
                                    Key = key
                                    Value = attribute.Value
                                }
                        ]
                        |> List.toArray

                    bounded scopes
                    scopes[scope] <- made
                    made

            bounded scopesByReference
            scopesByReference[scope] <- found
            found

    let family (metric: MetricData) (shape: PrometheusShape) =
        let key = struct (metric.Name, metric.Unit, metric.Description, shape)

        match families.TryGetValue key with
        | true, found -> found
        | _ ->
            let textName = PrometheusNames.familyNameOf options shape metric.Name metric.Unit
            let counter = shape = PrometheusShape.Counter

            let omCounter =
                counter
                && textName.Length > 6
                && textName.EndsWith("_total", StringComparison.Ordinal)

            let omName =
                if omCounter then
                    textName.Substring(0, textName.Length - 6)
                else
                    textName

            let unit = PrometheusNames.unitFor shape metric.Unit

            let made =
                PrometheusFamily(
                    textName,
                    omName,
                    shape,
                    omCounter,
                    unit,
                    PrometheusText.help false metric.Description,
                    PrometheusText.help true metric.Description
                )

            bounded families
            families[key] <- made
            made

    let ensureEntries (count: int) =
        if entries.Length < count then
            entries <- Array.zeroCreate (max count (entries.Length * 2))

    let writeLabelValue (value: AnyValue) =
        match value with
        | AnyValue.String s -> PrometheusText.writeLabelValue labels s
        | AnyValue.Int i -> labels.Int64 i
        | AnyValue.Bool b ->
            labels.Bytes(
                if b then
                    PrometheusLiterals.trueText
                else
                    PrometheusLiterals.falseText
            )
        | AnyValue.Double d -> PrometheusText.writeDouble labels d
        | AnyValue.Empty -> ()
        | other -> PrometheusText.writeLabelValue labels (PrometheusText.attributeText other)

    // Sorts entries[0..count) by label name, then original key (insertion sort: label sets are small).
    let sortEntries (count: int) =
        for i in 1 .. count - 1 do
            let item = entries[i]
            let mutable j = i - 1

            while j >= 0
                  && (let c = String.CompareOrdinal(entries[j].Name.Name, item.Name.Name)
                      c > 0 || (c = 0 && String.CompareOrdinal(entries[j].Key, item.Key) > 0)) do
                entries[j + 1] <- entries[j]
                j <- j - 1

            entries[j + 1] <- item

    /// Writes `a="x",b="y;z"` (no braces) into `labels`: keys sanitised, values of keys that sanitise alike joined
    /// with `;` in the order of the original keys.
    let writeLabels (attributes: Functional.Telemetry.KeyValue list) (scope: PrometheusLabel[]) (histogram: bool) =
        labels.Reset()
        let mutable count = 0

        for attribute in attributes do
            ensureEntries (count + 1)
            let name = labelName attribute.Key
            let name = if histogram && name.Name = "le" then leRenamed else name

            entries[count] <-
                {
                    Name = name
                    Key = attribute.Key
                    Value = attribute.Value
                }

            count <- count + 1

        ensureEntries (count + scope.Length)

        for label in scope do
            entries[count] <- label
            count <- count + 1

        sortEntries count
        let mutable i = 0

        while i < count do
            if i > 0 then
                labels.Byte(byte ',')

            labels.Bytes(entries[i].Name.Bytes)
            labels.Bytes PrometheusLiterals.labelValueStart
            writeLabelValue entries[i].Value
            let mutable j = i + 1

            while j < count && String.Equals(entries[j].Name.Name, entries[i].Name.Name) do
                labels.Byte(byte ';')
                writeLabelValue entries[j].Value
                j <- j + 1

            labels.Byte(byte '"')
            i <- j

    /// Puts a series' labels into `labels`: copied from the last render when the same attribute list was rendered
    /// there, else written (and kept). Sets not rendered by a render are dropped at its end.
    let seriesLabels (attributes: Functional.Telemetry.KeyValue list) (scope: PrometheusLabel[]) (histogram: bool) =
        match labelSets.TryGetValue attributes with
        | true, set when obj.ReferenceEquals(set.Scope, scope) && set.Histogram = histogram ->
            set.LastRender <- renderNumber
            labels.Reset()
            labels.Bytes(ReadOnlySpan set.Bytes)
        | found, _ ->
            writeLabels attributes scope histogram

            // One list under two scopes (or as a histogram and not) keeps the latest rendering.
            if found || labelSets.Count < cacheLimit * 8 then
                if not found then
                    labelSetKeys.Add attributes

                labelSets[attributes] <- PrometheusLabelSet(labels.Written.ToArray(), scope, histogram, renderNumber)

    /// Drops the label sets the render just finished did not use.
    let sweepLabelSets () =
        let mutable kept = 0

        for i in 0 .. labelSetKeys.Count - 1 do
            let key = labelSetKeys[i]

            if labelSets[key].LastRender = renderNumber then
                labelSetKeys[kept] <- key
                kept <- kept + 1
            else
                labelSets.Remove key |> ignore

        labelSetKeys.RemoveRange(kept, labelSetKeys.Count - kept)

    let writeSampleStart (name: byte[]) =
        out.Bytes name

        if labels.Length > 0 then
            out.Byte(byte '{')
            out.Bytes labels.Written
            out.Byte(byte '}')

        out.Byte(byte ' ')

    let runes (text: string) =
        let mutable count = 0

        for _ in text.EnumerateRunes() do
            count <- count + 1

        count

    // ` # {trace_id="..",span_id=".."} value timestamp`: the filtered attributes are added when the label set stays
    // within OpenMetrics' 128 characters and their names are distinct.
    let writeExemplar (exemplar: Exemplar) =
        out.Bytes PrometheusLiterals.exemplarStart
        let traced = exemplar.TraceId.IsValid
        let mutable first = true

        if traced then
            out.Bytes PrometheusLiterals.traceIdLabel
            out.Hex exemplar.TraceId.High
            out.Hex exemplar.TraceId.Low
            out.Bytes PrometheusLiterals.spanIdLabel
            out.Hex exemplar.SpanId.Value
            out.Byte(byte '"')
            first <- false

        if not exemplar.FilteredAttributes.IsEmpty then
            let mutable length = if traced then 8 + 32 + 7 + 16 else 0
            let mutable distinct = true
            let seen = exemplarLabelNames
            seen.Clear()

            if traced then
                seen.Add "trace_id" |> ignore
                seen.Add "span_id" |> ignore

            for attribute in exemplar.FilteredAttributes do
                let name = (labelName attribute.Key).Name
                distinct <- distinct && seen.Add name

                let text =
                    match attribute.Value with
                    | AnyValue.String s -> s
                    | other -> (PrometheusText.attributeText other)

                length <- length + name.Length + runes text

            if distinct && length <= 128 then
                for attribute in exemplar.FilteredAttributes do
                    if not first then
                        out.Byte(byte ',')

                    first <- false
                    out.Bytes (labelName attribute.Key).Bytes
                    out.Bytes PrometheusLiterals.labelValueStart

                    match attribute.Value with
                    | AnyValue.String s -> PrometheusText.writeLabelValue out s
                    | other -> PrometheusText.writeLabelValue out (PrometheusText.attributeText other)

                    out.Byte(byte '"')

        out.Bytes PrometheusLiterals.exemplarLabelsEnd
        PrometheusText.writeNumber out exemplar.Value

        if exemplar.Time <> 0L then
            // OpenMetrics timestamps are seconds: whole seconds, then up to 9 digits of nanoseconds.
            out.Byte(byte ' ')

            let magnitude =
                if exemplar.Time < 0L then
                    uint64 (-(exemplar.Time + 1L)) + 1UL
                else
                    uint64 exemplar.Time

            if exemplar.Time < 0L then
                out.Byte(byte '-')

            let seconds = magnitude / 1_000_000_000UL
            let mutable nanos = magnitude % 1_000_000_000UL
            let mutable written = 0
            Utf8Formatter.TryFormat(seconds, out.Free 20, &written) |> ignore
            out.Advance written

            if nanos <> 0UL then
                let mutable digits = 9

                while nanos % 10UL = 0UL do
                    nanos <- nanos / 10UL
                    digits <- digits - 1

                out.Byte(byte '.')

                Utf8Formatter.TryFormat(nanos, out.Free 9, &written, StandardFormat('D', byte digits))
                |> ignore

                out.Advance written

    let leLabels (family: PrometheusFamily) (bounds: float list) (openMetrics: bool) =
        let rec same (a: float list) (b: float list) =
            match a, b with
            | [], [] -> true
            | x :: xs, y :: ys ->
                BitConverter.DoubleToInt64Bits x = BitConverter.DoubleToInt64Bits y
                && same xs ys
            | _ -> false

        if
            not (obj.ReferenceEquals(family.LeBounds, bounds) || same family.LeBounds bounds)
            || family.LeText.Length = 0
        then
            let text (value: float) =
                let buffer = PrometheusBuffer 32
                PrometheusText.writeDouble buffer value
                buffer.Written.ToArray()

            // Each le value is kept with what follows it on the line, `"} `, so a bucket line is three copies.
            let tail (le: byte[]) = Array.append le PrometheusLiterals.leEnd

            family.LeText <-
                [| for b in bounds -> tail (text b) |] |> Array.append
                <| [| tail PrometheusLiterals.positiveInfinity |]

            family.LeOm <-
                [|
                    for b in bounds -> tail (Encoding.UTF8.GetBytes(PrometheusText.canonical b))
                |]
                |> Array.append
                <| [| tail PrometheusLiterals.positiveInfinity |]

            family.LeBounds <- bounds

        if openMetrics then family.LeOm else family.LeText

    let writeHeader (family: PrometheusFamily) (help: byte[]) (openMetrics: bool) =
        if openMetrics then
            out.Bytes PrometheusLiterals.typeLine
            out.Bytes family.OmNameBytes
            out.Byte(byte ' ')
            out.Bytes family.OmType
            out.Byte(byte '\n')

            if not (isNull family.OmUnit) then
                out.Bytes PrometheusLiterals.unitLine
                out.Bytes family.OmNameBytes
                out.Byte(byte ' ')
                out.Bytes family.OmUnit
                out.Byte(byte '\n')

            if not (isNull help) then
                out.Bytes PrometheusLiterals.helpLine
                out.Bytes family.OmNameBytes
                out.Byte(byte ' ')
                out.Bytes help
                out.Byte(byte '\n')
        else
            if not (isNull help) then
                out.Bytes PrometheusLiterals.helpLine
                out.Bytes family.TextNameBytes
                out.Byte(byte ' ')
                out.Bytes help
                out.Byte(byte '\n')

            out.Bytes PrometheusLiterals.typeLine
            out.Bytes family.TextNameBytes
            out.Byte(byte ' ')
            out.Bytes family.TextType
            out.Byte(byte '\n')

    let writeNumberPoints
        (family: PrometheusFamily)
        (scope: PrometheusLabel[])
        (points: NumberPoint list)
        (openMetrics: bool)
        =
        let name =
            if openMetrics then
                family.OmValueName
            else
                family.TextValueName

        let exemplars = openMetrics && family.OmCounter

        for point in points do
            seriesLabels point.Attributes scope false
            writeSampleStart name
            PrometheusText.writeNumber out point.Value

            if exemplars && not point.Exemplars.IsEmpty then
                // One exemplar per sample: the most recent.
                let mutable latest = point.Exemplars.Head

                for exemplar in point.Exemplars do
                    if exemplar.Time >= latest.Time then
                        latest <- exemplar

                writeExemplar latest

            out.Byte(byte '\n')

    let writeHistogramPoints
        (family: PrometheusFamily)
        (scope: PrometheusLabel[])
        (points: HistogramPoint list)
        (openMetrics: bool)
        =
        for point in points do
            seriesLabels point.Attributes scope true
            let le = leLabels family point.Bounds openMetrics
            let buckets = le.Length

            if openMetrics && not point.Exemplars.IsEmpty then
                if bucketExemplars.Length < buckets then
                    bucketExemplars <- Array.zeroCreate (max buckets (bucketExemplars.Length * 2))

                Array.Clear(bucketExemplars, 0, buckets)

                // Each exemplar goes to the bucket whose range holds its value; per bucket the largest is kept.
                for exemplar in point.Exemplars do
                    let value = exemplar.Value.AsDouble

                    if not (Double.IsNaN value) then
                        let mutable index = 0
                        let mutable rest = point.Bounds

                        while not rest.IsEmpty && value > rest.Head do
                            index <- index + 1
                            rest <- rest.Tail

                        let index = min index (buckets - 1)
                        let current = bucketExemplars[index]

                        if obj.ReferenceEquals(current, null) || current.Value.AsDouble < value then
                            bucketExemplars[index] <- exemplar

            let withExemplars = openMetrics && not point.Exemplars.IsEmpty
            // `<name>_bucket{<labels>,le="`, the same on every bucket line of the point.
            prefix.Reset()
            prefix.Bytes family.BucketName
            prefix.Byte(byte '{')

            if labels.Length > 0 then
                prefix.Bytes labels.Written
                prefix.Byte(byte ',')

            prefix.Bytes PrometheusLiterals.leStart
            let mutable counts = point.BucketCounts
            let mutable cumulative = 0L

            for i in 0 .. buckets - 1 do
                if not counts.IsEmpty then
                    cumulative <- cumulative + counts.Head
                    counts <- counts.Tail

                out.Line(prefix.Written, le[i], cumulative)

                if withExemplars && not (obj.ReferenceEquals(bucketExemplars[i], null)) then
                    writeExemplar bucketExemplars[i]

                out.Byte(byte '\n')

            // OpenMetrics: a sum only when it is a counter (no negative buckets, not negative or NaN), and a count
            // exactly when there is a sum. 0.0.4 always has the count and follows OpenTelemetry for the sum.
            let sumIsCounter = point.Sum >= 0.0 && (point.Bounds.IsEmpty || point.Bounds.Head >= 0.0)

            if sumIsCounter then
                writeSampleStart family.SumName
                PrometheusText.writeDouble out point.Sum
                out.Byte(byte '\n')

            if sumIsCounter || not openMetrics then
                writeSampleStart family.CountName
                out.Int64 point.Count
                out.Byte(byte '\n')

    let writeTargetInfo (resource: Resource) (openMetrics: bool) =
        if openMetrics then
            out.Bytes PrometheusLiterals.targetHeaderOm
            out.Bytes targetHelpOm
        else
            out.Bytes PrometheusLiterals.targetHelpText
            out.Bytes targetHelpText
            out.Bytes PrometheusLiterals.targetTypeText

        out.Byte(byte '\n')
        writeLabels resource.Attributes noLabels false
        writeSampleStart PrometheusLiterals.targetInfo
        out.Bytes PrometheusLiterals.one

    member _.Options = options

    member _.Render
        (format: PrometheusFormat, resource: Resource, metrics: MetricData list, output: IBufferWriter<byte>)
        : int =
        let openMetrics = format = PrometheusFormat.OpenMetrics
        let mutable dropped = 0
        renderNumber <- renderNumber + 1L
        out.Attach output
        pending.Clear()
        metricFamilies.Clear()
        nextInGroup.Clear()
        groups.Clear()
        groupFirst.Clear()
        groupLast.Clear()
        groupIndex.Clear()
        claimed.Clear()
        let targetInfo = options.TargetInfo && not resource.Attributes.IsEmpty

        if targetInfo then
            claimed.Add "target" |> ignore
            claimed.Add "target_info" |> ignore

        // Group into families, first appearance first; a metric whose names clash with another family's is left out.
        for metric in metrics do
            let supported =
                match metric.Points with
                | MetricPoints.Sum(Temporality.Cumulative, _, _)
                | MetricPoints.Gauge _
                | MetricPoints.Histogram(Temporality.Cumulative, _) -> true
                | _ -> false

            if not supported then
                dropped <- dropped + 1
            else
                let family = family metric (PrometheusNames.shapeOf metric.Points)

                let group =
                    match groupIndex.TryGetValue family.TextName with
                    | true, group ->
                        if groups[group].OmType.AsSpan().SequenceEqual(family.OmType) then
                            group
                        else
                            -1
                    | _ ->
                        if family.Claims |> Array.exists claimed.Contains then
                            -1
                        else
                            for name in family.Claims do
                                claimed.Add name |> ignore

                            groups.Add family
                            groupFirst.Add -1
                            groupLast.Add -1
                            groupIndex[family.TextName] <- groups.Count - 1
                            groups.Count - 1

                if group < 0 then
                    dropped <- dropped + 1
                else
                    let index = pending.Count
                    pending.Add metric
                    metricFamilies.Add family
                    nextInGroup.Add -1

                    if groupFirst[group] < 0 then
                        groupFirst[group] <- index
                    else
                        nextInGroup[groupLast[group]] <- index

                    groupLast[group] <- index

        if targetInfo then
            writeTargetInfo resource openMetrics

        for group in 0 .. groups.Count - 1 do
            let first = groupFirst[group]
            let headFamily = metricFamilies[first]

            writeHeader
                groups[group]
                (if openMetrics then
                     headFamily.OmHelp
                 else
                     headFamily.TextHelp)
                openMetrics

            let mutable index = first

            while index >= 0 do
                let metric = pending[index]
                let family = metricFamilies[index]

                let scope =
                    if options.ScopeLabels then
                        scopeLabels metric.Scope
                    else
                        noLabels

                match metric.Points with
                | MetricPoints.Sum(_, _, points)
                | MetricPoints.Gauge points -> writeNumberPoints family scope points openMetrics
                | MetricPoints.Histogram(_, points) -> writeHistogramPoints family scope points openMetrics
                | MetricPoints.ExponentialHistogram _ -> ()

                index <- nextInGroup[index]

        if openMetrics then
            out.Bytes PrometheusLiterals.eof

        out.Detach()
        sweepLabelSets ()
        pending.Clear()
        dropped

    member this.RenderToString(format: PrometheusFormat, resource: Resource, metrics: MetricData list) : string =
        let buffer = ArrayBufferWriter<byte>()
        this.Render(format, resource, metrics, buffer) |> ignore
        Encoding.UTF8.GetString buffer.WrittenSpan
