namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Buffers.Text
open System.Text

/// The sample lines of the exposition: a sample's name and labels, exemplars (OpenMetrics), the `le` labels of a
/// histogram's buckets (memoised on its family), and the lines of number and histogram points.
[<RequireQualifiedAccess>]
module internal PrometheusSamples =
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

        if not (ReadOnlyList.isEmpty exemplar.FilteredAttributes) then
            let mutable length = if traced then 8 + 32 + 7 + 16 else 0
            let mutable distinct = true
            let seen = c.ExemplarLabelNames
            seen.Clear()

            if traced then
                seen.Add "trace_id" |> ignore
                seen.Add "span_id" |> ignore

            for attribute in (ReadOnlyList.toList exemplar.FilteredAttributes) do
                let name = (PrometheusLabels.labelName c attribute.Key).Name
                distinct <- distinct && seen.Add name

                let text =
                    match attribute.Value with
                    | AnyValue.String s -> s
                    | other -> (PrometheusText.attributeText other)

                length <- length + name.Length + runes text

            if distinct && length <= 128 then
                for attribute in (ReadOnlyList.toList exemplar.FilteredAttributes) do
                    if not first then
                        out.Byte(byte ',')

                    first <- false
                    out.Bytes (PrometheusLabels.labelName c attribute.Key).Bytes
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

    let writeNumberPoints
        (c: PrometheusRenderCache)
        (family: PrometheusFamily)
        (scope: PrometheusLabel[])
        (points: System.Collections.Generic.IReadOnlyList<NumberPoint>)
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
            PrometheusLabels.seriesLabels c (ReadOnlyList.toList point.Attributes) scope false
            writeSampleStart c name
            PrometheusText.writeNumber out point.Value

            if exemplars && not (ReadOnlyList.isEmpty point.Exemplars) then
                // One exemplar per sample: the most recent.
                let mutable latest = (ReadOnlyList.toList point.Exemplars).Head

                for exemplar in (ReadOnlyList.toList point.Exemplars) do
                    if exemplar.Time >= latest.Time then
                        latest <- exemplar

                writeExemplar c latest

            out.Byte(byte '\n')

    let writeHistogramPoints
        (c: PrometheusRenderCache)
        (family: PrometheusFamily)
        (scope: PrometheusLabel[])
        (points: System.Collections.Generic.IReadOnlyList<HistogramPoint>)
        (openMetrics: bool)
        =
        let out = c.Out
        let labels = c.Labels
        let prefix = c.Prefix

        for point in points do
            PrometheusLabels.seriesLabels c (ReadOnlyList.toList point.Attributes) scope true
            let le = leLabels family (ReadOnlyList.toList point.Bounds) openMetrics
            let buckets = le.Length

            if openMetrics && not (ReadOnlyList.isEmpty point.Exemplars) then
                if c.BucketExemplars.Length < buckets then
                    c.BucketExemplars <- Array.zeroCreate (max buckets (c.BucketExemplars.Length * 2))

                Array.Clear(c.BucketExemplars, 0, buckets)

                // Each exemplar goes to the bucket whose range holds its value; per bucket the largest is kept.
                for exemplar in (ReadOnlyList.toList point.Exemplars) do
                    let value = exemplar.Value.AsDouble

                    if not (Double.IsNaN value) then
                        let mutable index = 0
                        let mutable rest = (ReadOnlyList.toList point.Bounds)

                        while not rest.IsEmpty && value > rest.Head do
                            index <- index + 1
                            rest <- rest.Tail

                        let index = min index (buckets - 1)
                        let current = c.BucketExemplars[index]

                        if obj.ReferenceEquals(current, null) || current.Value.AsDouble < value then
                            c.BucketExemplars[index] <- exemplar

            let withExemplars = openMetrics && not (ReadOnlyList.isEmpty point.Exemplars)
            // `<name>_bucket{<labels>,le="`, the same on every bucket line of the point.
            prefix.Reset()
            prefix.Bytes family.BucketName
            prefix.Byte(byte '{')

            if labels.Length > 0 then
                prefix.Bytes labels.Written
                prefix.Byte(byte ',')

            prefix.Bytes PrometheusLiterals.leStart
            let mutable counts = (ReadOnlyList.toList point.BucketCounts)
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
            let sumIsCounter =
                point.Sum >= 0.0
                && ((ReadOnlyList.isEmpty point.Bounds)
                    || (ReadOnlyList.toList point.Bounds).Head >= 0.0)

            if sumIsCounter then
                writeSampleStart c family.SumName
                PrometheusText.writeDouble out point.Sum
                out.Byte(byte '\n')

            if sumIsCounter || not openMetrics then
                writeSampleStart c family.CountName
                out.Int64 point.Count
                out.Byte(byte '\n')
