namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Buffers.Text
open System.Text

/// Writes one scrape's exposition (Prometheus text 0.0.4 or OpenMetrics 1.0) straight into the caller's buffer,
/// following OpenTelemetry's naming, unit and label rules. The writer keeps no state: everything it remembers
/// between renders (sanitised names, families, scope labels, each series' rendered label set) and its scratch
/// space live in the `PrometheusRenderCache` it is given, so that rendering an unchanged set of series allocates
/// nothing per series.
[<RequireQualifiedAccess>]
module internal PrometheusExposition =
    let private leRenamed = PrometheusLabelName "le_"
    let private noLabels: PrometheusLabel[] = Array.empty
    let private targetHelpText = PrometheusText.help false "Target metadata"
    let private targetHelpOm = PrometheusText.help true "Target metadata"

    let labelName (c: PrometheusRenderCache) (key: string) =
        let labelNamesByReference = c.LabelNamesByReference
        let labelNames = c.LabelNames

        match labelNamesByReference.TryGetValue key with
        | true, name -> name
        | _ ->
            let name =
                match labelNames.TryGetValue key with
                | true, name -> name
                | _ ->
                    PrometheusRenderCache.Bound labelNames
                    let name = PrometheusLabelName(PrometheusNames.sanitizeLabelName key)
                    labelNames[key] <- name
                    name

            PrometheusRenderCache.Bound labelNamesByReference
            labelNamesByReference[key] <- name
            name

    let scopeLabels (c: PrometheusRenderCache) (scope: InstrumentationScope) =
        let scopesByReference = c.ScopesByReference
        let scopes = c.Scopes

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

                    PrometheusRenderCache.Bound scopes
                    scopes[scope] <- made
                    made

            PrometheusRenderCache.Bound scopesByReference
            scopesByReference[scope] <- found
            found

    let family (c: PrometheusRenderCache) (options: PrometheusOptions) (metric: MetricData) (shape: PrometheusShape) =
        let families = c.Families

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

            PrometheusRenderCache.Bound families
            families[key] <- made
            made

    let ensureEntries (c: PrometheusRenderCache) (count: int) =
        if c.Entries.Length < count then
            c.Entries <- Array.zeroCreate (max count (c.Entries.Length * 2))

    let writeLabelValue (labels: PrometheusBuffer) (value: AnyValue) =
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
    let sortEntries (entries: PrometheusLabel[]) (count: int) =
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
    let writeLabels
        (c: PrometheusRenderCache)
        (attributes: Functional.Telemetry.KeyValue list)
        (scope: PrometheusLabel[])
        (histogram: bool)
        =
        let labels = c.Labels
        labels.Reset()
        let mutable count = 0

        for attribute in attributes do
            ensureEntries c (count + 1)
            let name = labelName c attribute.Key
            let name = if histogram && name.Name = "le" then leRenamed else name

            c.Entries[count] <-
                {
                    Name = name
                    Key = attribute.Key
                    Value = attribute.Value
                }

            count <- count + 1

        ensureEntries c (count + scope.Length)

        for label in scope do
            c.Entries[count] <- label
            count <- count + 1

        sortEntries c.Entries count
        let mutable i = 0

        while i < count do
            if i > 0 then
                labels.Byte(byte ',')

            labels.Bytes(c.Entries[i].Name.Bytes)
            labels.Bytes PrometheusLiterals.labelValueStart
            writeLabelValue labels c.Entries[i].Value
            let mutable j = i + 1

            while j < count && String.Equals(c.Entries[j].Name.Name, c.Entries[i].Name.Name) do
                labels.Byte(byte ';')
                writeLabelValue labels c.Entries[j].Value
                j <- j + 1

            labels.Byte(byte '"')
            i <- j

    /// Puts a series' labels into `labels`: copied from the last render when the same attribute list was rendered
    /// there, else written (and kept). Sets not rendered by a render are dropped at its end.
    let seriesLabels
        (c: PrometheusRenderCache)
        (attributes: Functional.Telemetry.KeyValue list)
        (scope: PrometheusLabel[])
        (histogram: bool)
        =
        let labelSets = c.LabelSets
        let labels = c.Labels
        let renderNumber = c.RenderNumber

        match labelSets.TryGetValue attributes with
        | true, set when obj.ReferenceEquals(set.Scope, scope) && set.Histogram = histogram ->
            set.LastRender <- renderNumber
            labels.Reset()
            labels.Bytes(ReadOnlySpan set.Bytes)
        | found, _ ->
            writeLabels c attributes scope histogram

            // One list under two scopes (or as a histogram and not) keeps the latest rendering.
            if found || labelSets.Count < PrometheusRenderCache.Limit * 8 then
                if not found then
                    c.LabelSetKeys.Add attributes

                labelSets[attributes] <- PrometheusLabelSet(labels.Written.ToArray(), scope, histogram, renderNumber)

    /// Drops the label sets the render just finished did not use.
    let sweepLabelSets (c: PrometheusRenderCache) =
        let labelSets = c.LabelSets
        let labelSetKeys = c.LabelSetKeys
        let renderNumber = c.RenderNumber

        let mutable kept = 0

        for i in 0 .. labelSetKeys.Count - 1 do
            let key = labelSetKeys[i]

            if labelSets[key].LastRender = renderNumber then
                labelSetKeys[kept] <- key
                kept <- kept + 1
            else
                labelSets.Remove key |> ignore

        labelSetKeys.RemoveRange(kept, labelSetKeys.Count - kept)

    let writeSampleStart (c: PrometheusRenderCache) (name: byte[]) =
        let out = c.Out
        let labels = c.Labels

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
    let writeExemplar (c: PrometheusRenderCache) (exemplar: Exemplar) =
        let out = c.Out

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
            let seen = c.ExemplarLabelNames
            seen.Clear()

            if traced then
                seen.Add "trace_id" |> ignore
                seen.Add "span_id" |> ignore

            for attribute in exemplar.FilteredAttributes do
                let name = (labelName c attribute.Key).Name
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
                    out.Bytes (labelName c attribute.Key).Bytes
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

    let writeHeader (out: PrometheusBuffer) (family: PrometheusFamily) (help: byte[]) (openMetrics: bool) =
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
        (c: PrometheusRenderCache)
        (family: PrometheusFamily)
        (scope: PrometheusLabel[])
        (points: NumberPoint list)
        (openMetrics: bool)
        =
        let out = c.Out

        let name =
            if openMetrics then
                family.OmValueName
            else
                family.TextValueName

        let exemplars = openMetrics && family.OmCounter

        for point in points do
            seriesLabels c point.Attributes scope false
            writeSampleStart c name
            PrometheusText.writeNumber out point.Value

            if exemplars && not point.Exemplars.IsEmpty then
                // One exemplar per sample: the most recent.
                let mutable latest = point.Exemplars.Head

                for exemplar in point.Exemplars do
                    if exemplar.Time >= latest.Time then
                        latest <- exemplar

                writeExemplar c latest

            out.Byte(byte '\n')

    let writeHistogramPoints
        (c: PrometheusRenderCache)
        (family: PrometheusFamily)
        (scope: PrometheusLabel[])
        (points: HistogramPoint list)
        (openMetrics: bool)
        =
        let out = c.Out
        let labels = c.Labels
        let prefix = c.Prefix

        for point in points do
            seriesLabels c point.Attributes scope true
            let le = leLabels family point.Bounds openMetrics
            let buckets = le.Length

            if openMetrics && not point.Exemplars.IsEmpty then
                if c.BucketExemplars.Length < buckets then
                    c.BucketExemplars <- Array.zeroCreate (max buckets (c.BucketExemplars.Length * 2))

                Array.Clear(c.BucketExemplars, 0, buckets)

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
                        let current = c.BucketExemplars[index]

                        if obj.ReferenceEquals(current, null) || current.Value.AsDouble < value then
                            c.BucketExemplars[index] <- exemplar

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

                if withExemplars && not (obj.ReferenceEquals(c.BucketExemplars[i], null)) then
                    writeExemplar c c.BucketExemplars[i]

                out.Byte(byte '\n')

            // OpenMetrics: a sum only when it is a counter (no negative buckets, not negative or NaN), and a count
            // exactly when there is a sum. 0.0.4 always has the count and follows OpenTelemetry for the sum.
            let sumIsCounter = point.Sum >= 0.0 && (point.Bounds.IsEmpty || point.Bounds.Head >= 0.0)

            if sumIsCounter then
                writeSampleStart c family.SumName
                PrometheusText.writeDouble out point.Sum
                out.Byte(byte '\n')

            if sumIsCounter || not openMetrics then
                writeSampleStart c family.CountName
                out.Int64 point.Count
                out.Byte(byte '\n')

    let writeTargetInfo (c: PrometheusRenderCache) (resource: Resource) (openMetrics: bool) =
        let out = c.Out

        if openMetrics then
            out.Bytes PrometheusLiterals.targetHeaderOm
            out.Bytes targetHelpOm
        else
            out.Bytes PrometheusLiterals.targetHelpText
            out.Bytes targetHelpText
            out.Bytes PrometheusLiterals.targetTypeText

        out.Byte(byte '\n')
        writeLabels c resource.Attributes noLabels false
        writeSampleStart c PrometheusLiterals.targetInfo
        out.Bytes PrometheusLiterals.one

    /// Writes the exposition of `metrics` (cumulative sums, gauges and explicit histograms; the resource as
    /// target_info) in `format` into `output`, with the caches and scratch space of `c`. Returns the number of
    /// metrics left out because Prometheus cannot show them (exponential histograms, delta temporality) or because
    /// their names clash with another family's.
    let render
        (c: PrometheusRenderCache)
        (options: PrometheusOptions)
        (format: PrometheusFormat)
        (resource: Resource)
        (metrics: MetricData list)
        (output: IBufferWriter<byte>)
        : int =
        let out = c.Out
        let pending = c.Pending
        let metricFamilies = c.MetricFamilies
        let nextInGroup = c.NextInGroup
        let groups = c.Groups
        let groupFirst = c.GroupFirst
        let groupLast = c.GroupLast
        let groupIndex = c.GroupIndex
        let claimed = c.Claimed
        let openMetrics = format = PrometheusFormat.OpenMetrics
        let mutable dropped = 0
        c.RenderNumber <- c.RenderNumber + 1L
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
                let family = family c options metric (PrometheusNames.shapeOf metric.Points)

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
            writeTargetInfo c resource openMetrics

        for group in 0 .. groups.Count - 1 do
            let first = groupFirst[group]
            let headFamily = metricFamilies[first]

            writeHeader
                out
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
                        scopeLabels c metric.Scope
                    else
                        noLabels

                match metric.Points with
                | MetricPoints.Sum(_, _, points)
                | MetricPoints.Gauge points -> writeNumberPoints c family scope points openMetrics
                | MetricPoints.Histogram(_, points) -> writeHistogramPoints c family scope points openMetrics
                | MetricPoints.ExponentialHistogram _ -> ()

                index <- nextInGroup[index]

        if openMetrics then
            out.Bytes PrometheusLiterals.eof

        out.Detach()
        sweepLabelSets c
        pending.Clear()
        dropped
