namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Text

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

/// What a renderer keeps between renders, handed to the exposition writer (`PrometheusExposition`) at every
/// render: memoised label names, families and scope labels, the rendered label set of each series of the last
/// render, and the scratch space of one render (buffers, the grouping of metrics into families). None of it is
/// visible in the output. Caches are bounded: past `Limit` entries a cache starts again empty. Not thread-safe:
/// one render at a time (the scrape handler serialises them).
[<Sealed>]
type internal PrometheusRenderCache() =
    /// The most entries a cache holds before it starts again empty.
    static member Limit = 16384

    /// Empties `cache` when it is full, before an entry is added.
    static member Bound(cache: Dictionary<'K, 'V>) =
        if cache.Count >= PrometheusRenderCache.Limit then
            cache.Clear()

    /// Families by (name, unit, description, shape).
    member val Families = Dictionary<struct (string * string * string * PrometheusShape), PrometheusFamily>()

    /// Sanitised label names by the identity of the attribute key (keys of one instrument are the same strings).
    member val LabelNamesByReference = Dictionary<string, PrometheusLabelName>(HashIdentity.Reference)

    /// Sanitised label names by key.
    member val LabelNames = Dictionary<string, PrometheusLabelName>(StringComparer.Ordinal)

    /// Scope labels by the identity of the scope.
    member val ScopesByReference = Dictionary<InstrumentationScope, PrometheusLabel[]>(HashIdentity.Reference)

    /// Scope labels by scope.
    member val Scopes = Dictionary<InstrumentationScope, PrometheusLabel[]>(HashIdentity.Structural)

    /// Rendered label sets of the series of the latest render, by the identity of the series' attribute list (a
    /// collector hands out the same list for a series at every collection).
    member val LabelSets = Dictionary<Functional.Telemetry.KeyValue list, PrometheusLabelSet>(HashIdentity.Reference)

    /// The keys of `LabelSets`, for the sweep at the end of a render.
    member val LabelSetKeys = ResizeArray<Functional.Telemetry.KeyValue list>()

    /// The number of the render in progress (label sets it uses carry it).
    member val RenderNumber = 0L with get, set

    /// The exposition being written (attached to the caller's writer during a render).
    member val Out = PrometheusBuffer 65536

    /// The label set of the series being written.
    member val Labels = PrometheusBuffer 1024

    /// The start of a histogram's bucket lines.
    member val Prefix = PrometheusBuffer 1024

    /// The labels of the series being written, while they are sorted.
    member val Entries: PrometheusLabel[] = Array.zeroCreate 32 with get, set

    /// The exemplar chosen for each bucket of the histogram point being written.
    member val BucketExemplars: Exemplar[] = Array.zeroCreate 32 with get, set

    /// This render's metrics, in the order written to families.
    member val Pending = ResizeArray<MetricData>()

    /// The family of each pending metric.
    member val MetricFamilies = ResizeArray<PrometheusFamily>()

    /// The next metric of the same family (a linked list per group), -1 at the end.
    member val NextInGroup = ResizeArray<int>()

    /// The families of this render, first appearance first.
    member val Groups = ResizeArray<PrometheusFamily>()

    /// The first metric of each group.
    member val GroupFirst = ResizeArray<int>()

    /// The last metric of each group.
    member val GroupLast = ResizeArray<int>()

    /// Group index by family name.
    member val GroupIndex = Dictionary<string, int>(StringComparer.Ordinal)

    /// The sample names the families of this render claimed.
    member val Claimed = HashSet<string>(StringComparer.Ordinal)

    /// Label names of the exemplar being written (they must be distinct).
    member val ExemplarLabelNames = HashSet<string>(StringComparer.Ordinal)
