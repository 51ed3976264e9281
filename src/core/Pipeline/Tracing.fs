namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Tracing =
    [<CompiledName("Empty")>]
    let empty =
        {
            Sources = []
            Sampler = None
            Limits = None
            Processors = []
            Exporters = []
            Instrumentations = []
            IdGenerator = IdGenerator.Random
        }

    [<CompiledName("AddSource")>]
    let addSource name (config: TracingConfig) =
        { config with
            Sources =
                config.Sources
                @ [
                    Validation.orThrow (nameof name) (SourceFilter.validate "ActivitySource" name)
                ]
        }

    [<CompiledName("WithSampler")>]
    let withSampler sampler (config: TracingConfig) = { config with Sampler = Some sampler }

    [<CompiledName("WithIdGenerator")>]
    let withIdGenerator generator (config: TracingConfig) = { config with IdGenerator = generator }

    [<CompiledName("WithLimits")>]
    let withLimits limits (config: TracingConfig) =
        { config with
            Limits = Some(Validation.orThrow (nameof limits) (SpanLimits.validate limits))
        }

    [<CompiledName("AddProcessor")>]
    let addProcessor processor (config: TracingConfig) =
        { config with
            Processors = config.Processors @ [ processor ]
        }

    [<CompiledName("AddInstrumentation")>]
    let addInstrumentation (instrumentation: TracingInstrumentation) (config: TracingConfig) =
        Validation.check
            (not (String.IsNullOrWhiteSpace instrumentation.Name))
            (nameof instrumentation.Name)
            "an instrumentation needs a name."
        |> Validation.ofErrors instrumentation
        |> Validation.orThrow (nameof instrumentation)
        |> ignore

        { config with
            Instrumentations =
                (config.Instrumentations
                 |> List.filter (fun i -> not (String.Equals(i.Name, instrumentation.Name, StringComparison.Ordinal))))
                @ [ instrumentation ]
        }

    // The exporter list spans share with log records (see ExporterList).
    let private spans: ExporterSignal<TracingConfig, Span> =
        {
            Exporters = fun config -> config.Exporters
            WithExporters = fun exporters config -> { config with Exporters = exporters }
            Console = fun () -> ConsoleSpanExporter() :> IExporter<Span>
            OtlpSignal = OtlpSignal.Traces
            Otlp = fun options -> OtlpExporter.traces options :> IExporter<Span>
            Etw = fun options -> new EtwSpanExporter(options) :> IExporter<Span>
            OtlpFile = fun options -> OtlpFileExporter.traces options :> IExporter<Span>
            Zipkin = Some(fun options -> ZipkinExporter.create options :> IExporter<Span>)
        }

    [<CompiledName("AddBatchExporter")>]
    let addBatchExporter exporter config = ExporterList.addBatch spans exporter config

    [<CompiledName("AddSimpleExporter")>]
    let addSimpleExporter exporter config = ExporterList.addSimple spans exporter config

    [<CompiledName("AddExporter")>]
    let addExporter mode exporter config = ExporterList.addWithMode spans mode exporter config

    [<CompiledName("AddConsoleExporter")>]
    let addConsoleExporter config = ExporterList.addConsole spans config

    [<CompiledName("AddOtlpExporter")>]
    let addOtlpExporter configure config = ExporterList.addOtlp spans configure config

    [<CompiledName("AddOtlpFileExporter")>]
    let addOtlpFileExporter configure config = ExporterList.addOtlpFile spans configure config

    [<CompiledName("AddOtlpPreset")>]
    let addOtlpPreset (preset: OtlpPreset) config =
        let preset = Validation.orThrow (nameof preset) (OtlpPreset.checkSignal OtlpSignal.Traces preset)
        addOtlpExporter (OtlpPreset.options OtlpSignal.Traces preset) config

    [<CompiledName("AddZipkinExporter")>]
    let addZipkinExporter configure config = ExporterList.addZipkin spans configure config

    [<CompiledName("AddEtwExporterWith")>]
    let addEtwExporterWith options config = ExporterList.addEtw spans options config

    [<CompiledName("AddEtwExporter")>]
    let addEtwExporter providerName config = addEtwExporterWith (EtwOptions.create providerName) config

    // One instrumentation of a name: the one added last.
    let private withInstrumentation (instrumentation: TracingInstrumentation) (config: TracingConfig) =
        { config with
            Instrumentations =
                (config.Instrumentations
                 |> List.filter (fun existing -> existing.Name <> instrumentation.Name))
                @ [ instrumentation ]
        }

    [<CompiledName("AddHttpClientInstrumentation")>]
    let addHttpClientInstrumentation configure config =
        withInstrumentation
            (HttpClientInstrumentation.create (configure HttpClientInstrumentationOptions.defaults))
            config

    [<CompiledName("AddGrpcClientInstrumentation")>]
    let addGrpcClientInstrumentation configure config =
        withInstrumentation
            (GrpcClientInstrumentation.create (configure GrpcClientInstrumentationOptions.defaults))
            config

    let internal exporterOfKind kind = ExporterList.ofKind spans kind
