namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// Exporters and processors of every signal, and the exporters of metric readers: OTLP (HTTP and gRPC), the OTLP
/// file exporter, console, Zipkin (spans), Prometheus.
[<RequireQualifiedAccess>]
module internal ExporterMapping =
    let otlpOptions (grpc: bool) (path: string) (body: ConfigNode) : Mapped<OtlpOptions option> =
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
                    | "zstd" -> Mapped.ok OtlpCompression.Zstd
                    | "none" -> Mapped.ok OtlpCompression.None
                    | other ->
                        mapped {
                            do!
                                error
                                    (at path "compression")
                                    (Read.tryGet "compression" body |> Option.defaultValue body)
                                    $"unsupported compression '{other}' (this SDK sends gzip, zstd or none)"

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

    /// `otlp_file/development`: `output_stream` (`stdout`, the default, or a `file:` URI); the rotation settings the
    /// schema has no place for keep their defaults.
    let otlpFileOptions (path: string) (body: ConfigNode) : Mapped<OtlpFileOptions option> =
        match Read.tryString "output_stream" body with
        | None -> Mapped.ok (Some OtlpFileOptions.defaults)
        | Some text ->
            match OtlpFileOptions.parseOutputStream text with
            | Ok output -> Mapped.ok (Some { OtlpFileOptions.defaults with Output = output })
            | Error reason ->
                mapped {
                    do!
                        error
                            (at path "output_stream")
                            (Read.tryGet "output_stream" body |> Option.defaultValue body)
                            reason

                    return None
                }

    /// `zipkin` (an SDK extension of the schema, in the shape of the pre-1.0 schema's ZipkinSpanExporter):
    /// `endpoint` (default `http://localhost:9411/api/v2/spans`) and `timeout` (ms; 0 is no limit; default 10000).
    let zipkinOptions (path: string) (body: ConfigNode) : Mapped<ZipkinOptions option> =
        mapped {
            let! endpoint =
                match Read.tryString "endpoint" body with
                | None -> Mapped.ok ZipkinOptions.defaults.Endpoint
                | Some text ->
                    match Uri.TryCreate(text.Trim(), UriKind.Absolute) with
                    | true, uri when uri.Scheme = Uri.UriSchemeHttp || uri.Scheme = Uri.UriSchemeHttps -> Mapped.ok uri
                    | _ ->
                        mapped {
                            do!
                                error
                                    (at path "endpoint")
                                    (Read.tryGet "endpoint" body |> Option.defaultValue body)
                                    "not an absolute http or https URL"

                            return ZipkinOptions.defaults.Endpoint
                        }

            let options =
                {
                    Endpoint = endpoint
                    Timeout =
                        Read.tryInt "timeout" body
                        |> Option.map (Read.milliseconds true)
                        |> Option.defaultValue ZipkinOptions.defaults.Timeout
                }

            return! validated path body ZipkinOptions.validate options
        }

    /// The exporter of a processor; `spans`: a span processor's (which may also be `zipkin`).
    let exporter (spans: bool) (path: string) (node: ConfigNode option) : Mapped<FileExporter option> =
        match node |> Option.bind Read.single with
        | Some("otlp_http", body) ->
            otlpOptions false (at path "otlp_http") body
            |> Mapped.map (Option.map FileExporter.Otlp)
        | Some("otlp_grpc", body) ->
            otlpOptions true (at path "otlp_grpc") body
            |> Mapped.map (Option.map FileExporter.Otlp)
        | Some("console", _) -> Mapped.ok (Some FileExporter.Console)
        | Some("zipkin", body) when spans ->
            zipkinOptions (at path "zipkin") body
            |> Mapped.map (Option.map FileExporter.Zipkin)
        | Some("otlp_file/development", body) ->
            otlpFileOptions (at path "otlp_file/development") body
            |> Mapped.map (Option.map FileExporter.OtlpFile)
        | _ -> Mapped.ok None

    let processor (spans: bool) (defaultDelay: int64) (path: string) (node: ConfigNode) : Mapped<FileProcessor option> =
        match Read.single node with
        | Some("batch", body) ->
            mapped {
                let queue = Read.tryInt "max_queue_size" body |> Option.defaultValue 2048L |> Read.toInt

                // The queue's slots are allocated at start: at most 2^24 (as OTEL_BSP_MAX_QUEUE_SIZE).
                let! queue =
                    if queue > BatchOptions.maxQueueSize then
                        mapped {
                            do!
                                warning
                                    (at path "batch.max_queue_size")
                                    body
                                    $"larger than {BatchOptions.maxQueueSize}; using {BatchOptions.maxQueueSize}"

                            return BatchOptions.maxQueueSize
                        }
                    else
                        Mapped.ok queue

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

                let! exporter = exporter spans (at path "batch.exporter") (Read.tryGet "exporter" body)

                return
                    exporter
                    |> Option.map (fun e -> { Mode = ExportMode.Batched options; Exporter = e })
            }
        | Some("simple", body) ->
            exporter spans (at path "simple.exporter") (Read.tryGet "exporter" body)
            |> Mapped.map (Option.map (fun e -> { Mode = ExportMode.Simple; Exporter = e }))
        | _ -> Mapped.ok None

    /// The processors of a provider; `spans`: the tracer provider's.
    let processors spans defaultDelay (path: string) (provider: ConfigNode) =
        Read.items "processors" provider
        |> List.mapi (fun index node -> index, node)
        |> Mapped.choose (fun (index, node) ->
            processor spans defaultDelay (Diagnostic.item (at path "processors") index) node)

    let metricExporter (path: string) (node: ConfigNode option) : Mapped<FileMetricExporter option> =
        let exponential =
            Aggregation.Base2ExponentialHistogram(
                ExponentialHistogramState.defaultMaxSize,
                ExponentialHistogramState.defaultMaxScale,
                true
            )

        let preferenceOf (body: ConfigNode) =
            match Read.tryString "temporality_preference" body with
            | Some "delta" -> TemporalityPreference.Delta
            | Some "low_memory" -> TemporalityPreference.LowMemory
            | _ -> TemporalityPreference.Cumulative

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
        | Some("otlp_file/development", body) ->
            otlpFileOptions (at path "otlp_file/development") body
            |> Mapped.map (
                Option.map (fun options ->
                    let options =
                        { options with
                            TemporalityPreference = preferenceOf body
                            ExponentialHistograms = (histograms body).IsSome
                        }

                    {
                        Exporter = FileExporter.OtlpFile options
                        Preference = options.TemporalityPreference
                        Histograms = histograms body
                    })
            )
        | Some("console", body) ->
            Mapped.ok (
                Some
                    {
                        Exporter = FileExporter.Console
                        Preference = preferenceOf body
                        Histograms = histograms body
                    }
            )
        | _ -> Mapped.ok None

    let prometheusOptions (format: string) (path: string) (body: ConfigNode) =
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
