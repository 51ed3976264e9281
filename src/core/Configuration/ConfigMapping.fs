namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Text.RegularExpressions

/// Reading a checked tree: absent, null or mistyped values read as None (the schema walk has reported them).
[<RequireQualifiedAccess>]
module internal Read =
    let entries (node: ConfigNode) =
        match node with
        | ConfigNode.Mapping(entries, _) -> entries
        | _ -> []

    /// The value under `key`, unless absent or null.
    let tryGet (key: string) (node: ConfigNode) =
        entries node
        |> List.tryFind (fun (name, _, _) -> name = key)
        |> Option.map (fun (_, _, value) -> value)
        |> Option.filter (fun value -> not value.IsNull)

    let tryString key node =
        match tryGet key node with
        | Some(ConfigNode.Scalar(_, text, _)) -> Some text
        | _ -> None

    let tryInt key node =
        match tryGet key node with
        | Some(ConfigNode.Scalar(ScalarValue.Int value, _, _)) -> Some value
        | _ -> None

    let tryFloat key node =
        match tryGet key node with
        | Some(ConfigNode.Scalar(ScalarValue.Int value, _, _)) -> Some(float value)
        | Some(ConfigNode.Scalar(ScalarValue.Float value, _, _)) -> Some value
        | _ -> None

    let tryBool key node =
        match tryGet key node with
        | Some(ConfigNode.Scalar(ScalarValue.Bool value, _, _)) -> Some value
        | _ -> None

    let items key node =
        match tryGet key node with
        | Some(ConfigNode.Sequence(items, _)) -> items
        | _ -> []

    let strings key node =
        items key node
        |> List.choose (fun item ->
            match item with
            | ConfigNode.Scalar(value, text, _) when value <> ScalarValue.Null -> Some text
            | _ -> None)

    /// The one key of a plugin mapping (`batch:`, `otlp_http:`, `always_on:`) and its value, null included.
    let single (node: ConfigNode) =
        match entries node with
        | [ key, _, value ] -> Some(key, value)
        | _ -> None

    /// An int setting, saturated to the range of int.
    let toInt (value: int64) = int (min value (int64 Int32.MaxValue))

    /// Milliseconds; `zeroIsUnlimited` reads 0 as the longest span the SDK's timers take.
    let milliseconds zeroIsUnlimited (value: int64) =
        if value = 0L && zeroIsUnlimited then
            TimeSpan.FromMilliseconds(float Int32.MaxValue)
        else
            TimeSpan.FromMilliseconds(float (toInt value))

/// Configuration file patterns: `*` any run, `?` one character, matched case-sensitively (the specification's rule).
[<RequireQualifiedAccess>]
module internal ConfigPattern =
    let isPattern (text: string) = text.IndexOfAny [| '*'; '?' |] >= 0

    let matcher (pattern: string) =
        let regex =
            Regex(
                "^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
                RegexOptions.CultureInvariant ||| RegexOptions.Singleline
            )

        fun (text: string) -> regex.IsMatch text

    /// `included` (None: everything) minus `excluded`, as a predicate.
    let includeExclude (included: string list option) (excluded: string list) =
        let includes = included |> Option.map (List.map matcher)
        let excludes = excluded |> List.map matcher

        fun (text: string) ->
            (match includes with
             | None -> true
             | Some includes -> includes |> List.exists (fun m -> m text))
            && not (excludes |> List.exists (fun m -> m text))

/// A checked configuration tree to a `ConfigFileModel`, with the findings the schema cannot express (a value that
/// does not match its `type`, an endpoint that is not a URL, a view the SDK refuses). Pure given the lookup.
[<RequireQualifiedAccess>]
module internal ConfigMapping =
    let private error path (node: ConfigNode) message = Mapped.report (Diagnostic.error path node.Position message)

    let private warning path (node: ConfigNode) message = Mapped.report (Diagnostic.warning path node.Position message)

    let private at path key = Diagnostic.child path key

    /// Runs a check that throws ArgumentException (the SDK's validate functions for settings given in code) as
    /// an error of this node.
    let private validated path (node: ConfigNode) (validate: 'T -> 'T) (value: 'T) : Mapped<'T option> =
        try
            Mapped.ok (Some(validate value))
        with :? ArgumentException as e ->
            // The message without .NET's " (Parameter 'x')" suffix: the path names the setting.
            let message =
                match e.Message.IndexOf " (Parameter '" with
                | -1 -> e.Message
                | index -> e.Message.Substring(0, index)

            None, [ Diagnostic.error path node.Position message ]

    // ---- resource ----

    let private attributeValue path (valueNode: ConfigNode) (kind: string) : Mapped<AnyValue option> =
        let scalars () =
            match valueNode with
            | ConfigNode.Sequence(items, _) ->
                items
                |> List.choose (fun i ->
                    match i with
                    | ConfigNode.Scalar(value, text, _) -> Some(value, text)
                    | _ -> None)
                |> Some
            | _ -> None

        let mismatch () =
            mapped {
                do! error (at path "value") valueNode $"the value does not match its type '{kind}'"
                return None
            }

        let all (convert: ScalarValue * string -> AnyValue option) =
            match scalars () with
            | Some values ->
                let converted = values |> List.map convert

                if converted |> List.forall Option.isSome then
                    Mapped.ok (Some(AnyValue.Array(List.choose id converted)))
                else
                    mismatch ()
            | None -> mismatch ()

        let asString (_: ScalarValue, text: string) = Some(AnyValue.String text)

        let asBool (value, _) =
            match value with
            | ScalarValue.Bool b -> Some(AnyValue.Bool b)
            | _ -> None

        let asInt (value, _) =
            match value with
            | ScalarValue.Int i -> Some(AnyValue.Int i)
            | _ -> None

        let asDouble (value, _) =
            match value with
            | ScalarValue.Int i -> Some(AnyValue.Double(float i))
            | ScalarValue.Float f -> Some(AnyValue.Double f)
            | _ -> None

        let one convert =
            match valueNode with
            | ConfigNode.Scalar(value, text, _) ->
                match convert (value, text) with
                | Some v -> Mapped.ok (Some v)
                | None -> mismatch ()
            | _ -> mismatch ()

        match kind with
        | "bool" -> one asBool
        | "int" -> one asInt
        | "double" -> one asDouble
        | "string_array" -> all asString
        | "bool_array" -> all asBool
        | "int_array" -> all asInt
        | "double_array" -> all asDouble
        | _ -> one asString

    let private resourceAttributes path (resource: ConfigNode) : Mapped<KeyValue list> =
        Read.items "attributes" resource
        |> List.mapi (fun index item -> index, item)
        |> Mapped.choose (fun (index, item) ->
            let itemPath = Diagnostic.item (at path "attributes") index

            match Read.tryString "name" item, Read.tryGet "value" item with
            | Some name, Some value ->
                let kind = Read.tryString "type" item |> Option.defaultValue "string"

                attributeValue itemPath value kind
                |> Mapped.map (Option.map (KeyValue.create name))
            | _ -> Mapped.ok None)

    let private resource (root: ConfigNode) : Mapped<Resource> =
        match Read.tryGet "resource" root with
        | None -> Mapped.ok Resource.empty
        | Some node ->
            mapped {
                let listed, listWarnings =
                    match Read.tryString "attributes_list" node with
                    | Some text -> Resource.parseAttributes text
                    | None -> [], []

                for w in listWarnings do
                    do! warning "resource.attributes_list" node w.Message

                let! attributes = resourceAttributes "resource" node
                let merged = Resource.merge (Resource.create listed) (Resource.create attributes)

                return
                    { merged with
                        SchemaUrl = Read.tryString "schema_url" node |> Option.defaultValue ""
                    }
            }

    let private detection (lookup: EnvLookup) (root: ConfigNode) : FileDetection option =
        Read.tryGet "resource" root
        |> Option.bind (Read.tryGet "detection/development")
        |> Option.map (fun node ->
            let detectors = Read.items "detectors" node |> List.choose Read.single |> List.map fst
            let filter = Read.tryGet "attributes" node

            let keep =
                match filter with
                | None -> fun (_: string) -> true
                | Some f ->
                    let included =
                        match Read.tryGet "included" f with
                        | Some _ -> Some(Read.strings "included" f)
                        | None -> None

                    ConfigPattern.includeExclude included (Read.strings "excluded" f)

            {
                Process = List.contains "process" detectors
                Host = List.contains "host" detectors
                Service = List.contains "service" detectors
                ServiceName = lookup "OTEL_SERVICE_NAME"
                Keep = keep
            })

    // ---- propagator ----

    let private propagatorNamed (name: string) =
        match name with
        | "tracecontext" -> Some Propagators.traceContext
        | "baggage" -> Some Propagators.baggage
        | "b3" -> Some Propagators.b3
        | "b3multi" -> Some Propagators.b3Multi
        | "jaeger" -> Some Propagators.jaeger
        | "xray" -> Some Propagators.xray
        | _ -> None

    let private propagator (root: ConfigNode) : Mapped<TextMapPropagator option> =
        match Read.tryGet "propagator" root with
        | None -> Mapped.ok None
        | Some node ->
            mapped {
                let composite = Read.items "composite" node |> List.choose Read.single |> List.map fst

                let! listed =
                    match Read.tryString "composite_list" node with
                    | None -> Mapped.ok []
                    | Some text ->
                        text.Split(',')
                        |> Array.map (fun n -> n.Trim().ToLowerInvariant())
                        |> Array.filter (fun n -> n <> "" && n <> "none")
                        |> List.ofArray
                        |> Mapped.choose (fun name ->
                            match propagatorNamed name with
                            | Some _ -> Mapped.ok (Some name)
                            | None ->
                                mapped {
                                    do!
                                        warning
                                            "propagator.composite_list"
                                            node
                                            $"unknown propagator '{name}' (this SDK knows tracecontext, baggage, b3, b3multi, jaeger, xray), ignored"

                                    return None
                                })

                let propagators = composite @ listed |> List.distinct |> List.choose propagatorNamed

                return
                    Some(
                        match propagators with
                        | [] -> Propagators.none
                        | [ one ] -> one
                        | many -> Propagators.composite many
                    )
            }

    // ---- exporters and processors ----

    let private otlpOptions (grpc: bool) (path: string) (body: ConfigNode) : Mapped<OtlpOptions option> =
        mapped {
            let tls = Read.tryGet "tls" body
            let tlsString key = tls |> Option.bind (Read.tryString key)
            let insecure = tls |> Option.bind (Read.tryBool "insecure") |> Option.defaultValue false

            let! endpoint =
                match Read.tryString "endpoint" body with
                | None -> Mapped.ok None
                | Some text ->
                    let text = text.Trim()

                    let text =
                        if grpc && not (text.Contains "://") then
                            (if insecure then "http://" else "https://") + text
                        else
                            text

                    match Uri.TryCreate(text, UriKind.Absolute) with
                    | true, uri when uri.Scheme = Uri.UriSchemeHttp || uri.Scheme = Uri.UriSchemeHttps ->
                        Mapped.ok (Some uri)
                    | _ ->
                        mapped {
                            do!
                                error
                                    (at path "endpoint")
                                    (Read.tryGet "endpoint" body |> Option.defaultValue body)
                                    "not an absolute http or https URL"

                            return None
                        }

            let listed, problems =
                match Read.tryString "headers_list" body with
                | Some text -> OtlpOptions.parseHeaders text
                | None -> [], []

            for problem in problems do
                do! warning (at path "headers_list") body problem

            let given =
                Read.items "headers" body
                |> List.choose (fun h ->
                    match Read.tryString "name" h, Read.tryString "value" h with
                    | Some name, Some value -> Some(name, value)
                    | _ -> None)

            let givenNames = given |> List.map (fst >> _.ToLowerInvariant()) |> Set.ofList

            let headers =
                (listed
                 |> List.filter (fun (name, _) -> not (givenNames.Contains(name.ToLowerInvariant()))))
                @ given

            let! compression =
                match Read.tryString "compression" body with
                | None -> Mapped.ok OtlpCompression.None
                | Some text ->
                    match text.Trim().ToLowerInvariant() with
                    | "gzip" -> Mapped.ok OtlpCompression.Gzip
                    | "none" -> Mapped.ok OtlpCompression.None
                    | other ->
                        mapped {
                            do!
                                error
                                    (at path "compression")
                                    (Read.tryGet "compression" body |> Option.defaultValue body)
                                    $"unsupported compression '{other}' (this SDK sends gzip or none)"

                            return OtlpCompression.None
                        }

            let certificate = tlsString "cert_file"
            let key = tlsString "key_file"

            if certificate.IsSome <> key.IsSome then
                do!
                    error
                        (at path "tls")
                        (tls |> Option.defaultValue body)
                        "key_file and cert_file go together: set both for mutual TLS, or neither"

            let preference =
                match Read.tryString "temporality_preference" body with
                | Some "delta" -> TemporalityPreference.Delta
                | Some "low_memory" -> TemporalityPreference.LowMemory
                | _ -> TemporalityPreference.Cumulative

            let options =
                { OtlpOptions.defaults with
                    Endpoint = endpoint
                    Protocol =
                        if grpc then
                            OtlpProtocol.Grpc
                        elif Read.tryString "encoding" body = Some "json" then
                            OtlpProtocol.HttpJson
                        else
                            OtlpProtocol.HttpProtobuf
                    Headers = headers
                    Timeout =
                        Read.tryInt "timeout" body
                        |> Option.map (Read.milliseconds true)
                        |> Option.defaultValue OtlpOptions.defaults.Timeout
                    Compression = compression
                    CertificatePath = tlsString "ca_file"
                    ClientCertificatePath = certificate
                    ClientKeyPath = key
                    Insecure = insecure
                    TemporalityPreference = preference
                    ExponentialHistograms =
                        Read.tryString "default_histogram_aggregation" body = Some "base2_exponential_bucket_histogram"
                }

            return! validated path body OtlpOptions.validate options
        }

    let private exporter (path: string) (node: ConfigNode option) : Mapped<FileExporter option> =
        match node |> Option.bind Read.single with
        | Some("otlp_http", body) ->
            otlpOptions false (at path "otlp_http") body
            |> Mapped.map (Option.map FileExporter.Otlp)
        | Some("otlp_grpc", body) ->
            otlpOptions true (at path "otlp_grpc") body
            |> Mapped.map (Option.map FileExporter.Otlp)
        | Some("console", _) -> Mapped.ok (Some FileExporter.Console)
        | _ -> Mapped.ok None

    let private processor (defaultDelay: int64) (path: string) (node: ConfigNode) : Mapped<FileProcessor option> =
        match Read.single node with
        | Some("batch", body) ->
            mapped {
                let queue = Read.tryInt "max_queue_size" body |> Option.defaultValue 2048L |> Read.toInt

                let batch =
                    Read.tryInt "max_export_batch_size" body
                    |> Option.defaultValue 512L
                    |> Read.toInt

                let! batch =
                    if batch > queue then
                        mapped {
                            do!
                                warning
                                    (at path "batch.max_export_batch_size")
                                    body
                                    $"larger than max_queue_size; using {queue}"

                            return queue
                        }
                    else
                        Mapped.ok batch

                let options =
                    {
                        ScheduleDelay =
                            Read.tryInt "schedule_delay" body
                            |> Option.defaultValue defaultDelay
                            |> Read.milliseconds false
                        ExportTimeout =
                            Read.tryInt "export_timeout" body
                            |> Option.defaultValue 30000L
                            |> Read.milliseconds true
                        MaxQueueSize = queue
                        MaxExportBatchSize = batch
                    }

                let! exporter = exporter (at path "batch.exporter") (Read.tryGet "exporter" body)

                return
                    exporter
                    |> Option.map (fun e -> { Mode = ExportMode.Batched options; Exporter = e })
            }
        | Some("simple", body) ->
            exporter (at path "simple.exporter") (Read.tryGet "exporter" body)
            |> Mapped.map (Option.map (fun e -> { Mode = ExportMode.Simple; Exporter = e }))
        | _ -> Mapped.ok None

    let private processors defaultDelay (path: string) (provider: ConfigNode) =
        Read.items "processors" provider
        |> List.mapi (fun index node -> index, node)
        |> Mapped.choose (fun (index, node) ->
            processor defaultDelay (Diagnostic.item (at path "processors") index) node)

    // ---- tracer_provider ----

    let rec private sampler (node: ConfigNode) : Sampler option =
        match Read.single node with
        | Some("always_on", _) -> Some Sampler.alwaysOn
        | Some("always_off", _) -> Some Sampler.alwaysOff
        | Some("trace_id_ratio_based", body) ->
            match Read.tryFloat "ratio" body |> Option.defaultValue 1.0 with
            | ratio when ratio >= 0.0 && ratio <= 1.0 -> Some(Sampler.traceIdRatio ratio)
            | _ -> None
        | Some("parent_based", body) ->
            let child key fallback = Read.tryGet key body |> Option.bind sampler |> Option.defaultValue fallback

            Some(
                Sampler.parentBasedWith
                    {
                        Root = child "root" Sampler.alwaysOn
                        RemoteParentSampled = child "remote_parent_sampled" Sampler.alwaysOn
                        RemoteParentNotSampled = child "remote_parent_not_sampled" Sampler.alwaysOff
                        LocalParentSampled = child "local_parent_sampled" Sampler.alwaysOn
                        LocalParentNotSampled = child "local_parent_not_sampled" Sampler.alwaysOff
                    }
            )
        | _ -> None

    let private limit key (specific: ConfigNode option) (general: ConfigNode option) =
        specific
        |> Option.bind (Read.tryInt key)
        |> Option.orElse (general |> Option.bind (Read.tryInt key))
        |> Option.map Read.toInt

    /// ActivitySource or Meter names from a configurator: every name unless its default disables them.
    let private names kind (path: string) (listKey: string) (configurator: ConfigNode option) : Mapped<string list> =
        match configurator with
        | None -> Mapped.ok [ "*" ]
        | Some node ->
            let enabledByDefault =
                Read.tryGet "default_config" node
                |> Option.bind (Read.tryBool "enabled")
                |> Option.defaultValue true

            let entries =
                Read.items listKey node
                |> List.mapi (fun index entry -> index, entry)
                |> List.choose (fun (index, entry) ->
                    Read.tryString "name" entry
                    |> Option.map (fun name ->
                        let enabled =
                            Read.tryGet "config" entry
                            |> Option.bind (Read.tryBool "enabled")
                            |> Option.defaultValue true

                        Diagnostic.item (at path listKey) index, entry, name, enabled))

            if enabledByDefault then
                mapped {
                    for entryPath, entry, name, enabled in entries do
                        if not enabled then
                            do!
                                warning
                                    entryPath
                                    entry
                                    $"not supported, ignored: this SDK cannot turn off the {kind} '{name}' while default_config enables every {kind}; set default_config.enabled to false and list the {kind}s to enable"

                    return [ "*" ]
                }
            else
                entries
                |> Mapped.choose (fun (entryPath, entry, name, enabled) ->
                    if not enabled then
                        Mapped.ok None
                    elif name.Contains '?' || name |> Seq.exists Char.IsWhiteSpace then
                        mapped {
                            do!
                                warning
                                    (at entryPath "name")
                                    entry
                                    $"not supported, ignored: {kind} names are matched with * wildcards only (no ? and no blanks)"

                            return None
                        }
                    else
                        Mapped.ok (Some name))

    let private tracing (root: ConfigNode) : Mapped<FileTracing option> =
        match Read.tryGet "tracer_provider" root with
        | None -> Mapped.ok None
        | Some node ->
            mapped {
                let general = Read.tryGet "attribute_limits" root
                let specific = Read.tryGet "limits" node

                let limits =
                    match specific, general with
                    | None, None -> None
                    | _ ->
                        let count key = limit key specific general |> Option.defaultValue 128
                        let own key = limit key specific None |> Option.defaultValue 128

                        Some
                            {
                                AttributeCountLimit = count "attribute_count_limit"
                                AttributeValueLengthLimit = limit "attribute_value_length_limit" specific general
                                EventCountLimit = own "event_count_limit"
                                LinkCountLimit = own "link_count_limit"
                                AttributePerEventCountLimit = own "event_attribute_count_limit"
                                AttributePerLinkCountLimit = own "link_attribute_count_limit"
                            }

                let! processors = processors 5000L "tracer_provider" node

                let! sources =
                    names
                        "tracer"
                        "tracer_provider.tracer_configurator/development"
                        "tracers"
                        (Read.tryGet "tracer_configurator/development" node)

                return
                    Some
                        {
                            Sources = sources
                            Sampler = Read.tryGet "sampler" node |> Option.bind sampler
                            Limits = limits
                            Processors = processors
                        }
            }

    // ---- meter_provider ----

    let private metricExporter (path: string) (node: ConfigNode option) : Mapped<FileMetricExporter option> =
        let exponential =
            Aggregation.Base2ExponentialHistogram(
                ExponentialHistogramState.defaultMaxSize,
                ExponentialHistogramState.defaultMaxScale,
                true
            )

        let histograms (body: ConfigNode) =
            if Read.tryString "default_histogram_aggregation" body = Some "base2_exponential_bucket_histogram" then
                Some exponential
            else
                None

        match node |> Option.bind Read.single with
        | Some(("otlp_http" | "otlp_grpc") as kind, body) ->
            otlpOptions (kind = "otlp_grpc") (at path kind) body
            |> Mapped.map (
                Option.map (fun options ->
                    {
                        Exporter = FileExporter.Otlp options
                        Preference = options.TemporalityPreference
                        Histograms = histograms body
                    })
            )
        | Some("console", body) ->
            Mapped.ok (
                Some
                    {
                        Exporter = FileExporter.Console
                        Preference =
                            match Read.tryString "temporality_preference" body with
                            | Some "delta" -> TemporalityPreference.Delta
                            | Some "low_memory" -> TemporalityPreference.LowMemory
                            | _ -> TemporalityPreference.Cumulative
                        Histograms = histograms body
                    }
            )
        | _ -> Mapped.ok None

    let private prometheusOptions (format: string) (path: string) (body: ConfigNode) =
        mapped {
            let flag key = Read.tryBool key body

            let scopeLabels, targetInfo =
                if format = "1.0" then
                    flag "without_scope_info" |> Option.map not,
                    flag "without_target_info/development" |> Option.map not
                else
                    flag "scope_info_enabled", flag "target_info_enabled/development"

            let! suffixes =
                match Read.tryString "translation_strategy" body with
                | Some "underscore_escaping_without_suffixes/development" -> Mapped.ok false
                | Some(("no_utf8_escaping_with_suffixes/development" | "no_translation/development") as strategy) ->
                    mapped {
                        do!
                            warning
                                (at path "translation_strategy")
                                body
                                $"not supported, ignored: '{strategy}' (this SDK always escapes names to the classic Prometheus character set); using underscore_escaping_with_suffixes"

                        return true
                    }
                | _ -> Mapped.ok true

            let rendering =
                { PrometheusOptions.defaults with
                    ScopeLabels = scopeLabels |> Option.defaultValue true
                    TargetInfo = targetInfo |> Option.defaultValue true
                    UnitSuffixes = suffixes
                    TotalSuffix = suffixes
                }

            let options =
                { PrometheusEndpointOptions.defaults with
                    Host = Read.tryString "host" body |> Option.defaultValue "localhost"
                    Port = Read.tryInt "port" body |> Option.map int |> Option.defaultValue 9464
                    Rendering = rendering
                }

            return! validated path body PrometheusEndpointOptions.validate options
        }

    let private reader format (path: string) (node: ConfigNode) : Mapped<FileReader option> =
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

                let! exporter = metricExporter (at at' "exporter") (Read.tryGet "exporter" body)

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

                prometheusOptions format exporterPath exporterBody
                |> Mapped.map (Option.map FileReader.Prometheus)
            | _ -> Mapped.ok None
        | _ -> Mapped.ok None

    /// The readers' `cardinality_limits`: the default limit (one for the whole SDK); per-kind limits are warned.
    let private cardinalityLimit (path: string) (readers: ConfigNode list) : Mapped<int option> =
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

    let private instrumentKind (name: string) =
        match name with
        | "counter" -> Some InstrumentKind.Counter
        | "gauge" -> Some InstrumentKind.Gauge
        | "histogram" -> Some InstrumentKind.Histogram
        | "observable_counter" -> Some InstrumentKind.ObservableCounter
        | "observable_gauge" -> Some InstrumentKind.ObservableGauge
        | "observable_up_down_counter" -> Some InstrumentKind.ObservableUpDownCounter
        | "up_down_counter" -> Some InstrumentKind.UpDownCounter
        | _ -> None

    let private aggregation (node: ConfigNode option) : Aggregation option =
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

    let private attributeKeys (path: string) (node: ConfigNode option) : Mapped<AttributeFilter> =
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

    let private view (path: string) (node: ConfigNode) : Mapped<View option> =
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

    let private metrics format (root: ConfigNode) : Mapped<FileMetrics option> =
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
                    names
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

    // ---- logger_provider ----

    /// Severity numbers of the SeverityNumber names: trace 1, trace2 2, ... fatal4 24.
    let severityNumber (name: string) =
        let levels = [ "trace"; "debug"; "info"; "warn"; "error"; "fatal" ]
        let level = name.TrimEnd('2', '3', '4')

        match List.tryFindIndex ((=) level) levels with
        | Some index ->
            let step =
                if name.Length > level.Length then
                    int name[name.Length - 1] - int '0'
                else
                    1

            Some(index * 4 + step)
        | None -> None

    type private LoggerConfig = { Enabled: bool; MinimumSeverity: int; TraceBased: bool }

    let private loggerConfig (node: ConfigNode option) =
        {
            Enabled = node |> Option.bind (Read.tryBool "enabled") |> Option.defaultValue true
            MinimumSeverity =
                node
                |> Option.bind (Read.tryString "minimum_severity")
                |> Option.bind severityNumber
                |> Option.defaultValue 0
            TraceBased = node |> Option.bind (Read.tryBool "trace_based") |> Option.defaultValue false
        }

    /// `logger_configurator/development` as a filter: the first logger entry matching the record's category (else
    /// default_config) decides; a record is kept when its logger is enabled, its severity is unspecified or at least
    /// the minimum, and, under trace_based, it is outside a trace or in a sampled one.
    let private loggerFilter (node: ConfigNode) : Processor<LogRecord> =
        let fallback = loggerConfig (Read.tryGet "default_config" node)

        let loggers =
            Read.items "loggers" node
            |> List.choose (fun entry ->
                Read.tryString "name" entry
                |> Option.map (fun name -> ConfigPattern.matcher name, loggerConfig (Read.tryGet "config" entry)))

        fun (record: LogRecord) ->
            let config =
                loggers
                |> List.tryFind (fun (matches, _) -> matches record.Scope.Name)
                |> Option.map snd
                |> Option.defaultValue fallback

            let keep =
                config.Enabled
                && (record.SeverityNumber = 0 || record.SeverityNumber >= config.MinimumSeverity)
                && (not config.TraceBased
                    || record.TraceId = TraceId.Empty
                    || record.TraceFlags.IsSampled)

            if keep then Some record else None

    let private logging (root: ConfigNode) : Mapped<FileLogging option> =
        match Read.tryGet "logger_provider" root with
        | None -> Mapped.ok None
        | Some node ->
            mapped {
                let general = Read.tryGet "attribute_limits" root
                let specific = Read.tryGet "limits" node

                let limits =
                    match specific, general with
                    | None, None -> None
                    | _ ->
                        Some
                            {
                                AttributeCountLimit =
                                    limit "attribute_count_limit" specific general |> Option.defaultValue 128
                                AttributeValueLengthLimit = limit "attribute_value_length_limit" specific general
                            }

                let! processors = processors 1000L "logger_provider" node

                return
                    Some
                        {
                            Limits = limits
                            Filter = Read.tryGet "logger_configurator/development" node |> Option.map loggerFilter
                            Processors = processors
                        }
            }

    /// The model of a document whose `file_format` is `format` (already checked).
    let map (format: string) (lookup: EnvLookup) (root: ConfigNode) : Mapped<ConfigFileModel> =
        mapped {
            let! resource = resource root
            let! propagator = propagator root
            let! tracing = tracing root
            let! metrics = metrics format root
            let! logging = logging root

            return
                {
                    FileFormat = format
                    Disabled = Read.tryBool "disabled" root |> Option.defaultValue false
                    Resource = resource
                    Detection = detection lookup root
                    Propagator = propagator
                    Tracing = tracing
                    Metrics = metrics
                    Logging = logging
                }
        }
