namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Buffers
open System.Buffers.Text
open System.Text

/// The label sets of the exposition: sanitised label names and scope labels (memoised in the cache), a series'
/// labels sorted and joined as Prometheus wants them, and each series' rendered set kept between renders.
[<RequireQualifiedAccess>]
module internal PrometheusLabels =
    let private leRenamed = PrometheusLabelName "le_"

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
