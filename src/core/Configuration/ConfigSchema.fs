namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// Whether the SDK acts on a node the specification defines.
[<RequireQualifiedAccess>]
type internal Support =
    | Supported
    /// A valid node this SDK does not act on: present, it is a warning naming it and saying why.
    | Unsupported of reason: string

/// The expected shape of a node (a subset of the specification's JSON schema: what the SDK needs to check).
[<RequireQualifiedAccess>]
type internal Shape =
    | String
    | Integer of minimum: int64 option * maximum: int64 option
    | Number of minimum: float option * maximum: float option
    | Boolean
    | Enum of values: string list
    /// A resource attribute value: a scalar or a list of scalars.
    | AttributeValue
    | Object of ObjectShape
    | Array of item: Shape * minItems: int
    /// Exactly one key of these (the schema's plugin objects: samplers, exporters, processors, propagators).
    | OneOf of kind: string * choices: Field list
    /// A shape that refers to itself (a sampler's parent_based children are samplers).
    | Recursive of (unit -> Shape)

and internal ObjectShape =
    {
        Fields: Field list
        /// `type: [object, "null"]`: an empty value is allowed and means the defaults.
        Nullable: bool
        /// `additionalProperties: true` (the document root).
        Open: bool
    }

and internal Field =
    {
        Name: string
        Shape: Shape
        Required: bool
        Nullable: bool
        Support: Support
    }

/// The checked subset of the declarative configuration schema, `file_format` 1.0 and 1.1
/// (opentelemetry-configuration v1.0.0 and v1.1.0), node names and constraints as the schema has them; `SchemaCheck`
/// walks a document against it.
[<RequireQualifiedAccess>]
module internal ConfigSchema =
    /// The `file_format` versions read.
    let supportedFormats = [ "1.0"; "1.1" ]

    // ---- building shapes ----

    let private defaultNullable shape =
        match shape with
        | Shape.Object o -> o.Nullable
        | Shape.Array _
        | Shape.OneOf _ -> false
        | _ -> true

    let private field name shape =
        {
            Name = name
            Shape = shape
            Required = false
            Nullable = defaultNullable shape
            Support = Support.Supported
        }

    let private required (f: Field) = { f with Required = true }
    let private notNull (f: Field) = { f with Nullable = false }
    let private unsupported reason (f: Field) = { f with Support = Support.Unsupported reason }

    let private obj fields = Shape.Object { Fields = fields; Nullable = false; Open = false }

    let private objOrNull fields = Shape.Object { Fields = fields; Nullable = true; Open = false }

    let private empty = objOrNull []
    let private arr item = Shape.Array(item, 1)
    let private str = Shape.String
    let private bool = Shape.Boolean
    let private nonNegative = Shape.Integer(Some 0L, None)
    let private positive = Shape.Integer(Some 1L, None)
    let private oneOf kind choices = Shape.OneOf(kind, choices)

    let private severities =
        [
            for level in [ "trace"; "debug"; "info"; "warn"; "error"; "fatal" ] do
                yield level

                for n in 2..4 do
                    yield $"{level}{n}"
        ]

    // ---- common.yaml ----

    let private includeExclude = obj [ field "included" (arr str); field "excluded" (arr str) ]

    let private nameStringValue =
        obj [ field "name" str |> required |> notNull; field "value" str |> required ]

    let private tlsFields = [ field "ca_file" str; field "key_file" str; field "cert_file" str ]

    let private otlpHttp extra =
        objOrNull (
            [
                field "endpoint" str
                field "tls" (objOrNull tlsFields)
                field "headers" (arr nameStringValue)
                field "headers_list" str
                field "compression" str
                field "timeout" nonNegative
                field "encoding" (Shape.Enum [ "protobuf"; "json" ])
            ]
            @ extra
        )

    let private otlpGrpc extra =
        objOrNull (
            [
                field "endpoint" str
                field "tls" (objOrNull (tlsFields @ [ field "insecure" bool ]))
                field "headers" (arr nameStringValue)
                field "headers_list" str
                field "compression" str
                field "timeout" nonNegative
            ]
            @ extra
        )

    let private otlpFile extra =
        field "otlp_file/development" (objOrNull ([ field "output_stream" str ] @ extra))

    /// The exporters of log records.
    let private logExporter =
        oneOf
            "exporter"
            [
                field "otlp_http" (otlpHttp [])
                field "otlp_grpc" (otlpGrpc [])
                otlpFile []
                field "console" empty
            ]

    /// The exporters of spans: those of log records and `zipkin`, an SDK extension plugin (the schema's exporters
    /// are open to them) in the shape of the ZipkinSpanExporter of the schema before 1.0.
    let private spanExporter =
        oneOf
            "exporter"
            [
                field "otlp_http" (otlpHttp [])
                field "otlp_grpc" (otlpGrpc [])
                otlpFile []
                field "console" empty
                field "zipkin" (objOrNull [ field "endpoint" str; field "timeout" nonNegative ])
            ]

    let private batchProcessor exporter =
        obj
            [
                field "schedule_delay" nonNegative
                field "export_timeout" nonNegative
                field "max_queue_size" positive
                field "max_export_batch_size" positive
                field "exporter" exporter |> required
            ]

    let private simpleProcessor exporter = obj [ field "exporter" exporter |> required ]

    // ---- resource.yaml ----

    let private attributeTypes =
        [
            "string"
            "bool"
            "int"
            "double"
            "string_array"
            "bool_array"
            "int_array"
            "double_array"
        ]

    let private resource =
        obj
            [
                field
                    "attributes"
                    (arr (
                        obj
                            [
                                field "name" str |> required |> notNull
                                field "value" Shape.AttributeValue |> required
                                field "type" (Shape.Enum attributeTypes)
                            ]
                    ))
                field
                    "detection/development"
                    (obj
                        [
                            field "attributes" includeExclude
                            field
                                "detectors"
                                (arr (
                                    oneOf
                                        "resource detector"
                                        [
                                            field "container" empty
                                            |> unsupported "this SDK has no container resource detector"
                                            field "host" empty
                                            field "process" empty
                                            field "service" empty
                                        ]
                                ))
                        ])
                field "schema_url" str
                field "attributes_list" str
            ]

    // ---- propagator.yaml ----

    let private propagator =
        obj
            [
                field
                    "composite"
                    (arr (
                        oneOf
                            "propagator"
                            [
                                field "tracecontext" empty
                                field "baggage" empty
                                field "b3" empty
                                field "b3multi" empty
                                field "jaeger" empty
                                field "xray" empty
                            ]
                    ))
                field "composite_list" str
            ]

    // ---- tracer_provider.yaml ----

    let private ratio = Shape.Number(Some 0., Some 1.)

    let rec private sampler () : Shape =
        let child name = field name (Shape.Recursive sampler)

        oneOf
            "sampler"
            [
                field "always_off" empty
                field "always_on" empty
                field "composite/development" (objOrNull [])
                |> unsupported "composable samplers are not implemented by this SDK"
                field "jaeger_remote/development" (objOrNull [])
                |> unsupported "the Jaeger remote sampler is not implemented by this SDK"
                field
                    "parent_based"
                    (objOrNull
                        [
                            child "root"
                            child "remote_parent_sampled"
                            child "remote_parent_not_sampled"
                            child "local_parent_sampled"
                            child "local_parent_not_sampled"
                        ])
                field "probability/development" (objOrNull [ field "ratio" ratio ])
                |> unsupported
                    "the consistent probability sampler is not implemented by this SDK (trace_id_ratio_based is)"
                field "trace_id_ratio_based" (objOrNull [ field "ratio" ratio ])
            ]

    let private configurator listName =
        obj
            [
                field "default_config" (obj [ field "enabled" bool |> notNull ])
                field
                    listName
                    (arr (
                        obj
                            [
                                field "name" str |> required |> notNull
                                field "config" (obj [ field "enabled" bool |> notNull ]) |> required
                            ]
                    ))
            ]

    let private tracerProvider (format: string) =
        obj (
            [
                field
                    "processors"
                    (arr (
                        oneOf
                            "span processor"
                            [
                                field "batch" (batchProcessor spanExporter)
                                field "simple" (simpleProcessor spanExporter)
                            ]
                    ))
                |> required
                field
                    "limits"
                    (obj
                        [
                            field "attribute_value_length_limit" nonNegative
                            field "attribute_count_limit" nonNegative
                            field "event_count_limit" nonNegative
                            field "link_count_limit" nonNegative
                            field "event_attribute_count_limit" nonNegative
                            field "link_attribute_count_limit" nonNegative
                        ])
                field "sampler" (Shape.Recursive sampler)
                field "tracer_configurator/development" (configurator "tracers")
            ]
            @ (if format = "1.0" then
                   []
               else
                   [
                       // `xray` is an SDK extension plugin (the schema's id generators are open to them).
                       field "id_generator" (oneOf "id generator" [ field "random" empty; field "xray" empty ])
                   ])
        )

    // ---- meter_provider.yaml ----

    let private temporality = Shape.Enum [ "cumulative"; "delta"; "low_memory" ]

    let private histogramAggregation =
        Shape.Enum [ "explicit_bucket_histogram"; "base2_exponential_bucket_histogram" ]

    let private metricExporterExtra =
        [
            field "temporality_preference" temporality
            field "default_histogram_aggregation" histogramAggregation
        ]

    let private cardinalityLimits =
        obj
            [
                for name in
                    [
                        "default"
                        "counter"
                        "gauge"
                        "histogram"
                        "observable_counter"
                        "observable_gauge"
                        "observable_up_down_counter"
                        "up_down_counter"
                    ] -> field name positive
            ]

    let private producers =
        field "producers" (arr (oneOf "metric producer" [ field "opencensus" empty ]))
        |> unsupported "metric producers are not implemented by this SDK"

    let private periodicReader (format: string) =
        obj (
            [
                field "interval" nonNegative
                field "timeout" nonNegative
                field
                    "exporter"
                    (oneOf
                        "metric exporter"
                        [
                            field "otlp_http" (otlpHttp metricExporterExtra)
                            field "otlp_grpc" (otlpGrpc metricExporterExtra)
                            otlpFile metricExporterExtra
                            field "console" (objOrNull metricExporterExtra)
                        ])
                |> required
                producers
                field "cardinality_limits" cardinalityLimits
            ]
            @ (if format = "1.0" then
                   []
               else
                   [
                       field "max_export_batch_size/development" positive
                       |> unsupported "this SDK exports each collection in one batch"
                   ])
        )

    let private prometheus (format: string) =
        let translation =
            field
                "translation_strategy"
                (Shape.Enum
                    [
                        "underscore_escaping_with_suffixes"
                        "underscore_escaping_without_suffixes/development"
                        "no_utf8_escaping_with_suffixes/development"
                        "no_translation/development"
                    ])

        let labels name =
            field name includeExclude
            |> unsupported "resource attributes as metric labels are not implemented by this SDK (target_info is)"

        objOrNull (
            [ field "host" str; field "port" (Shape.Integer(Some 0L, Some 65535L)) ]
            @ (if format = "1.0" then
                   [
                       field "without_scope_info" bool
                       field "without_target_info/development" bool
                       labels "with_resource_constant_labels"
                   ]
               else
                   [
                       field "scope_info_enabled" bool
                       field "target_info_enabled/development" bool
                       labels "resource_constant_labels"
                   ])
            @ [ translation ]
        )

    let private pullReader format =
        obj
            [
                field "exporter" (oneOf "pull metric exporter" [ field "prometheus/development" (prometheus format) ])
                |> required
                producers
                field "cardinality_limits" cardinalityLimits
            ]

    let instrumentTypes =
        [
            "counter"
            "gauge"
            "histogram"
            "observable_counter"
            "observable_gauge"
            "observable_up_down_counter"
            "up_down_counter"
        ]

    let private view =
        obj
            [
                field
                    "selector"
                    (obj
                        [
                            field "instrument_name" str
                            field "instrument_type" (Shape.Enum instrumentTypes)
                            field "unit" str
                            field "meter_name" str
                            field "meter_version" str
                            field "meter_schema_url" str
                            |> unsupported "this SDK does not select instruments by their meter's schema URL"
                        ])
                |> required
                field
                    "stream"
                    (obj
                        [
                            field "name" str
                            field "description" str
                            field
                                "aggregation"
                                (oneOf
                                    "aggregation"
                                    [
                                        field "default" empty
                                        field "drop" empty
                                        field
                                            "explicit_bucket_histogram"
                                            (objOrNull
                                                [
                                                    field "boundaries" (Shape.Array(Shape.Number(None, None), 0))
                                                    field "record_min_max" bool
                                                ])
                                        field
                                            "base2_exponential_bucket_histogram"
                                            (objOrNull
                                                [
                                                    field "max_scale" (Shape.Integer(Some -10L, Some 20L))
                                                    field "max_size" (Shape.Integer(Some 2L, None))
                                                    field "record_min_max" bool
                                                ])
                                        field "last_value" empty
                                        field "sum" empty
                                    ])
                            field "aggregation_cardinality_limit" positive
                            field "attribute_keys" includeExclude
                        ])
                |> required
            ]

    let private meterProvider format =
        obj
            [
                field
                    "readers"
                    (arr (
                        oneOf
                            "metric reader"
                            [ field "periodic" (periodicReader format); field "pull" (pullReader format) ]
                    ))
                |> required
                field "views" (arr view)
                field "exemplar_filter" (Shape.Enum [ "always_on"; "always_off"; "trace_based" ])
                field "meter_configurator/development" (configurator "meters")
            ]

    // ---- logger_provider.yaml ----

    let private loggerConfig =
        obj
            [
                field "enabled" bool
                field "minimum_severity" (Shape.Enum severities)
                field "trace_based" bool
            ]

    let private loggerProvider (format: string) =
        obj
            [
                field
                    "processors"
                    (arr (
                        oneOf
                            "log record processor"
                            ([
                                field "batch" (batchProcessor logExporter)
                                field "simple" (simpleProcessor logExporter)
                             ]
                             @ (if format = "1.0" then
                                    []
                                else
                                    [
                                        field "event_to_span_event_bridge/development" empty
                                        |> unsupported "the event to span event bridge is not implemented by this SDK"
                                    ]))
                    ))
                |> required
                field
                    "limits"
                    (obj
                        [
                            field "attribute_value_length_limit" nonNegative
                            field "attribute_count_limit" nonNegative
                        ])
                field
                    "logger_configurator/development"
                    (obj
                        [
                            field "default_config" loggerConfig
                            field
                                "loggers"
                                (arr (
                                    obj
                                        [
                                            field "name" str |> required |> notNull
                                            field "config" loggerConfig |> required
                                        ]
                                ))
                        ])
            ]

    // ---- opentelemetry_configuration.yaml ----

    /// The whole document of a `file_format` (1.0 or 1.1: they differ in a few keys).
    let document (format: string) =
        Shape.Object
            {
                Nullable = false
                Open = true
                Fields =
                    [
                        field "file_format" str |> required |> notNull
                        field "disabled" bool
                        field "log_level" (Shape.Enum severities)
                        |> unsupported "the SDK's own diagnostics go to its EventSource at every level"
                        field
                            "attribute_limits"
                            (obj
                                [
                                    field "attribute_value_length_limit" nonNegative
                                    field "attribute_count_limit" nonNegative
                                ])
                        field "logger_provider" (loggerProvider format)
                        field "meter_provider" (meterProvider format)
                        field "propagator" propagator
                        field "tracer_provider" (tracerProvider format)
                        field "resource" resource
                        field "instrumentation/development" (obj [])
                        |> unsupported "instrumentation options are not implemented by this SDK"
                        field "distribution" (obj [])
                        |> unsupported "this SDK is not a distribution with settings of its own"
                    ]
            }
