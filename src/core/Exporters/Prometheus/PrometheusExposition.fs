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
    let private noLabels: PrometheusLabel[] = Array.empty
    let private targetHelpText = PrometheusText.help false "Target metadata"
    let private targetHelpOm = PrometheusText.help true "Target metadata"

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
        PrometheusLabels.writeLabels c (ReadOnlyList.toList resource.Attributes) noLabels false
        PrometheusSamples.writeSampleStart c PrometheusLiterals.targetInfo
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
        let targetInfo = options.TargetInfo && not (ReadOnlyList.isEmpty resource.Attributes)

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
                        PrometheusLabels.scopeLabels c metric.Scope
                    else
                        noLabels

                match metric.Points with
                | MetricPoints.Sum(_, _, points)
                | MetricPoints.Gauge points -> PrometheusSamples.writeNumberPoints c family scope points openMetrics
                | MetricPoints.Histogram(_, points) ->
                    PrometheusSamples.writeHistogramPoints c family scope points openMetrics
                | MetricPoints.ExponentialHistogram _ -> ()

                index <- nextInGroup[index]

        if openMetrics then
            out.Bytes PrometheusLiterals.eof

        out.Detach()
        PrometheusLabels.sweepLabelSets c
        pending.Clear()
        dropped
