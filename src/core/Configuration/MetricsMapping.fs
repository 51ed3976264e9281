namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// `meter_provider`: readers, their cardinality limit, views, the exemplar filter, and the Meters its configurator
/// enables.
[<RequireQualifiedAccess>]
module internal MetricsMapping =
    let reader format (path: string) (node: ConfigNode) : Mapped<FileReader option> =
        match Read.single node with
        | Some("periodic", body) ->
            mapped {
                let at' = at path "periodic"

                let! interval =
                    match Read.tryInt "interval" body with
                    | Some 0L ->
                        mapped {
                            do!
                                error
                                    (at at' "interval")
                                    (Read.tryGet "interval" body |> Option.defaultValue body)
                                    "must be positive: this SDK collects at most once a millisecond"

                            return PeriodicReaderOptions.defaults.Interval
                        }
                    | Some value -> Mapped.ok (Read.milliseconds false value)
                    | None -> Mapped.ok PeriodicReaderOptions.defaults.Interval

                let timeout =
                    Read.tryInt "timeout" body
                    |> Option.map (Read.milliseconds true)
                    |> Option.defaultValue PeriodicReaderOptions.defaults.Timeout

                let! exporter = ExporterMapping.metricExporter (at at' "exporter") (Read.tryGet "exporter" body)

                return
                    exporter
                    |> Option.map (fun e -> FileReader.Periodic({ Interval = interval; Timeout = timeout }, e))
            }
        | Some("pull", body) ->
            match Read.tryGet "exporter" body |> Option.bind Read.single with
            | Some("prometheus/development", exporterBody) ->
                let exporterPath = at path "pull.exporter.prometheus/development"
                // `prometheus/development:` alone is every default.
                let exporterBody =
                    if exporterBody.IsNull then
                        ConfigNode.Mapping([], exporterBody.Position)
                    else
                        exporterBody

                ExporterMapping.prometheusOptions format exporterPath exporterBody
                |> Mapped.map (Option.map FileReader.Prometheus)
            | _ -> Mapped.ok None
        | _ -> Mapped.ok None

    /// The readers' `cardinality_limits`: the default limit (one for the whole SDK); per-kind limits are warned.
    let cardinalityLimit (path: string) (readers: ConfigNode list) : Mapped<int option> =
        mapped {
            let limits =
                readers
                |> List.mapi (fun index reader -> index, reader)
                |> List.choose (fun (index, reader) ->
                    Read.single reader
                    |> Option.bind (fun (kind, body) ->
                        Read.tryGet "cardinality_limits" body
                        |> Option.map (fun limits ->
                            at (Diagnostic.item path index) (kind + ".cardinality_limits"), limits)))

            for limitsPath, limits in limits do
                for key, _, value in Read.entries limits do
                    if key <> "default" && not value.IsNull then
                        do!
                            warning
                                (at limitsPath key)
                                value
                                "not supported, ignored: this SDK has one cardinality limit for every instrument kind (cardinality_limits.default; a view's aggregation_cardinality_limit sets one instrument's)"

            let defaults =
                limits
                |> List.choose (fun (_, l) -> Read.tryInt "default" l)
                |> List.distinct
                |> List.map Read.toInt

            match defaults with
            | [] -> return None
            | [ one ] -> return Some one
            | many ->
                let smallest = List.min many

                do!
                    warning
                        path
                        (snd limits.Head)
                        $"the readers set different cardinality_limits.default; this SDK has one limit for every reader and uses the smallest, {smallest}"

                return Some smallest
        }

    let instrumentKind (name: string) =
        match name with
        | "counter" -> Some InstrumentKind.Counter
        | "gauge" -> Some InstrumentKind.Gauge
        | "histogram" -> Some InstrumentKind.Histogram
        | "observable_counter" -> Some InstrumentKind.ObservableCounter
        | "observable_gauge" -> Some InstrumentKind.ObservableGauge
        | "observable_up_down_counter" -> Some InstrumentKind.ObservableUpDownCounter
        | "up_down_counter" -> Some InstrumentKind.UpDownCounter
        | _ -> None

    let aggregation (node: ConfigNode option) : Aggregation option =
        match node |> Option.bind Read.single with
        | Some("default", _) -> Some Aggregation.Default
        | Some("drop", _) -> Some Aggregation.Drop
        | Some("sum", _) -> Some Aggregation.Sum
        | Some("last_value", _) -> Some Aggregation.LastValue
        | Some("explicit_bucket_histogram", body) ->
            let bounds =
                match Read.tryGet "boundaries" body with
                | Some _ ->
                    Read.items "boundaries" body
                    |> List.choose (fun b ->
                        match b with
                        | ConfigNode.Scalar(ScalarValue.Int i, _, _) -> Some(float i)
                        | ConfigNode.Scalar(ScalarValue.Float f, _, _) -> Some f
                        | _ -> None)
                | None -> HistogramState.defaultBounds

            Some(
                Aggregation.ExplicitBucketHistogram(
                    bounds,
                    Read.tryBool "record_min_max" body |> Option.defaultValue true
                )
            )
        | Some("base2_exponential_bucket_histogram", body) ->
            Some(
                Aggregation.Base2ExponentialHistogram(
                    Read.tryInt "max_size" body
                    |> Option.map Read.toInt
                    |> Option.defaultValue ExponentialHistogramState.defaultMaxSize,
                    Read.tryInt "max_scale" body
                    |> Option.map int
                    |> Option.defaultValue ExponentialHistogramState.defaultMaxScale,
                    Read.tryBool "record_min_max" body |> Option.defaultValue true
                )
            )
        | _ -> None

    let attributeKeys (path: string) (node: ConfigNode option) : Mapped<AttributeFilter> =
        match node with
        | None -> Mapped.ok AttributeFilter.All
        | Some keys ->
            mapped {
                let included =
                    match Read.tryGet "included" keys with
                    | Some _ -> Some(Read.strings "included" keys)
                    | None -> None

                let excluded = Read.strings "excluded" keys

                match included with
                | Some included when included |> List.exists ConfigPattern.isPattern ->
                    do!
                        warning
                            (at path "included")
                            keys
                            "not supported, ignored: wildcard patterns in included attribute keys (this SDK keeps listed keys); every attribute is kept"

                    return AttributeFilter.All
                | Some included ->
                    // Exact keys: the excluded patterns, wildcards and all, can be applied to them now.
                    return AttributeFilter.Allow(included |> List.filter (ConfigPattern.includeExclude None excluded))
                | None ->
                    let exact = excluded |> List.filter (ConfigPattern.isPattern >> not)

                    if exact.Length < excluded.Length then
                        do!
                            warning
                                (at path "excluded")
                                keys
                                "not supported, ignored: wildcard patterns in excluded attribute keys without included keys (this SDK drops listed keys)"

                    return
                        match exact with
                        | [] -> AttributeFilter.All
                        | keys -> AttributeFilter.Deny keys
            }

    let view (path: string) (node: ConfigNode) : Mapped<View option> =
        mapped {
            let selector = Read.tryGet "selector" node |> Option.defaultValue node
            let stream = Read.tryGet "stream" node |> Option.defaultValue node
            let! attributes = attributeKeys (at path "stream.attribute_keys") (Read.tryGet "attribute_keys" stream)

            let view =
                {
                    Selector =
                        {
                            Name = Read.tryString "instrument_name" selector
                            Kind = Read.tryString "instrument_type" selector |> Option.bind instrumentKind
                            MeterName = Read.tryString "meter_name" selector
                            MeterVersion = Read.tryString "meter_version" selector
                            Unit = Read.tryString "unit" selector
                        }
                    Name = Read.tryString "name" stream
                    Description = Read.tryString "description" stream
                    Attributes = attributes
                    Aggregation = aggregation (Read.tryGet "aggregation" stream)
                    CardinalityLimit = Read.tryInt "aggregation_cardinality_limit" stream |> Option.map Read.toInt
                }

            return! validated path node View.validate view
        }

    let metrics format (root: ConfigNode) : Mapped<FileMetrics option> =
        match Read.tryGet "meter_provider" root with
        | None -> Mapped.ok None
        | Some node ->
            mapped {
                let readerNodes = Read.items "readers" node

                let! readers =
                    readerNodes
                    |> List.mapi (fun index node -> index, node)
                    |> Mapped.choose (fun (index, node) ->
                        reader format (Diagnostic.item "meter_provider.readers" index) node)

                let! limit = cardinalityLimit "meter_provider.readers" readerNodes

                let! views =
                    Read.items "views" node
                    |> List.mapi (fun index v -> index, v)
                    |> Mapped.choose (fun (index, v) -> view (Diagnostic.item "meter_provider.views" index) v)

                let! meters =
                    configuratorNames
                        "meter"
                        "meter_provider.meter_configurator/development"
                        "meters"
                        (Read.tryGet "meter_configurator/development" node)

                return
                    Some
                        {
                            Meters = meters
                            Views = views
                            ExemplarFilter =
                                match Read.tryString "exemplar_filter" node with
                                | Some "always_on" -> Some ExemplarFilter.AlwaysOn
                                | Some "always_off" -> Some ExemplarFilter.AlwaysOff
                                | Some "trace_based" -> Some ExemplarFilter.TraceBased
                                | _ -> None
                            CardinalityLimit = limit
                            Readers = readers
                        }
            }
