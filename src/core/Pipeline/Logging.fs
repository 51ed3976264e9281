namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Logging =
    [<CompiledName("Empty")>]
    let empty =
        {
            Limits = None
            IncludeScopes = false
            TemplateAsBody = false
            Processors = []
            Exporters = []
        }

    [<CompiledName("WithLimits")>]
    let withLimits limits (config: LoggingConfig) =
        { config with
            Limits = Some(Validation.orThrow (nameof limits) (LogRecordLimits.validate limits))
        }

    [<CompiledName("WithScopes")>]
    let withScopes includeScopes (config: LoggingConfig) = { config with IncludeScopes = includeScopes }

    [<CompiledName("WithTemplateAsBody")>]
    let withTemplateAsBody templateAsBody (config: LoggingConfig) = { config with TemplateAsBody = templateAsBody }

    [<CompiledName("AddProcessor")>]
    let addProcessor processor (config: LoggingConfig) =
        { config with
            Processors = config.Processors @ [ processor ]
        }

    // The exporter list log records share with spans (see ExporterList).
    let private records: ExporterSignal<LoggingConfig, LogRecord> =
        {
            Exporters = fun config -> config.Exporters
            WithExporters = fun exporters config -> { config with Exporters = exporters }
            Console = fun () -> ConsoleLogExporter() :> IExporter<LogRecord>
            OtlpSignal = OtlpSignal.Logs
            Otlp = fun options -> OtlpExporter.logs options :> IExporter<LogRecord>
            Etw = fun options -> new EtwLogExporter(options) :> IExporter<LogRecord>
            OtlpFile = fun options -> OtlpFileExporter.logs options :> IExporter<LogRecord>
            Zipkin = None
        }

    [<CompiledName("AddBatchExporter")>]
    let addBatchExporter exporter config = ExporterList.addBatch records exporter config

    [<CompiledName("AddSimpleExporter")>]
    let addSimpleExporter exporter config = ExporterList.addSimple records exporter config

    [<CompiledName("AddExporter")>]
    let addExporter mode exporter config = ExporterList.addWithMode records mode exporter config

    [<CompiledName("AddConsoleExporter")>]
    let addConsoleExporter config = ExporterList.addConsole records config

    [<CompiledName("AddOtlpExporter")>]
    let addOtlpExporter configure config = ExporterList.addOtlp records configure config

    [<CompiledName("AddOtlpFileExporter")>]
    let addOtlpFileExporter configure config = ExporterList.addOtlpFile records configure config

    [<CompiledName("AddOtlpPreset")>]
    let addOtlpPreset (preset: OtlpPreset) config =
        let preset = Validation.orThrow (nameof preset) (OtlpPreset.checkSignal OtlpSignal.Logs preset)
        addOtlpExporter (OtlpPreset.options OtlpSignal.Logs preset) config

    [<CompiledName("AddEtwExporterWith")>]
    let addEtwExporterWith options config = ExporterList.addEtw records options config

    [<CompiledName("AddEtwExporter")>]
    let addEtwExporter providerName config = addEtwExporterWith (EtwOptions.create providerName) config

    let internal exporterOfKind kind = ExporterList.ofKind records kind

    [<CompiledName("BatchOptionsFromEnvironment")>]
    let batchOptionsFromEnvironment lookup =
        BatchOptions.fromEnvironment
            "OTEL_BLRP"
            { BatchOptions.defaults with
                ScheduleDelay = TimeSpan.FromSeconds 1.
            }
            lookup
