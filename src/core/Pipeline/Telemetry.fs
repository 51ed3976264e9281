namespace Functional.Telemetry

open System
open System.Threading.Tasks
// Our Attribute, not System.Attribute.
open Functional.Telemetry

type SpanExporterConfig =
    {
        Exporter: IExporter<Span>
        Mode: ExportMode option
    }

type TracingConfig =
    {
        Sources: string list
        Sampler: Sampler option
        Limits: SpanLimits option
        Processors: Processor<Span> list
        Exporters: SpanExporterConfig list
    }

type TelemetryConfig =
    {
        ServiceName: string option
        Resource: Resource
        DetectResource: bool
        Environment: EnvLookup
        Propagator: TextMapPropagator option
        InstallPropagator: bool
        Retry: RetryPolicy
        Tracing: TracingConfig option
    }

[<Sealed>]
type TelemetrySdk
    internal
    (
        resource: Resource,
        propagator: TextMapPropagator,
        bridge: IDisposable option,
        runners: Runner<Span> list,
        installation: IDisposable option
    ) =
    let shutdownGate = obj ()
    let mutable shutdown: Task<bool> option = None

    let all (tasks: Task<bool> list) =
        task {
            let! results = Task.WhenAll tasks
            return results |> Array.forall id
        }

    member _.Resource = resource
    member _.Propagator = propagator
    member _.SpanPipelines = runners |> List.map (fun r -> r.Name, r.Stats)

    member _.ForceFlush(timeout: TimeSpan) =
        all (runners |> List.map (fun r -> r.ForceFlush timeout))

    member _.Shutdown(timeout: TimeSpan) =
        lock shutdownGate (fun () ->
            match shutdown with
            | Some running -> running
            | None ->
                // Stop producing first, so nothing arrives at a runner that is draining.
                bridge |> Option.iter (fun b -> b.Dispose())
                let running = all (runners |> List.map (fun r -> r.Shutdown timeout))
                installation |> Option.iter (fun i -> i.Dispose())
                shutdown <- Some running
                running)

    interface IDisposable with
        member x.Dispose() =
            x.Shutdown(TimeSpan.FromSeconds 5.).GetAwaiter().GetResult() |> ignore

    interface IAsyncDisposable with
        member x.DisposeAsync() =
            ValueTask(x.Shutdown(TimeSpan.FromSeconds 5.) :> Task)

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
        }

    [<CompiledName("AddSource")>]
    let addSource name (config: TracingConfig) =
        { config with Sources = config.Sources @ [ SourceFilter.validate "ActivitySource" name ] }

    [<CompiledName("WithSampler")>]
    let withSampler sampler (config: TracingConfig) = { config with Sampler = Some sampler }

    [<CompiledName("WithLimits")>]
    let withLimits limits (config: TracingConfig) = { config with Limits = Some limits }

    [<CompiledName("AddProcessor")>]
    let addProcessor processor (config: TracingConfig) =
        { config with Processors = config.Processors @ [ processor ] }

    let private add mode exporter (config: TracingConfig) =
        { config with Exporters = config.Exporters @ [ { Exporter = exporter; Mode = mode } ] }

    [<CompiledName("AddBatchExporter")>]
    let addBatchExporter exporter config = add None exporter config

    [<CompiledName("AddSimpleExporter")>]
    let addSimpleExporter exporter config = add (Some ExportMode.Simple) exporter config

    [<CompiledName("AddExporter")>]
    let addExporter mode exporter config =
        let mode =
            match mode with
            | ExportMode.Batched options -> ExportMode.Batched(BatchOptions.validate options)
            | ExportMode.Simple -> ExportMode.Simple

        add (Some mode) exporter config

    [<CompiledName("AddConsoleExporter")>]
    let addConsoleExporter config =
        addBatchExporter (ConsoleSpanExporter()) config

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Telemetry =
    [<CompiledName("Create")>]
    let create (serviceName: string) =
        if String.IsNullOrWhiteSpace serviceName then
            invalidArg (nameof serviceName) "The service name must not be empty."

        {
            ServiceName = Some serviceName
            Resource = Resource.empty
            DetectResource = true
            Environment = Env.system
            Propagator = None
            InstallPropagator = true
            Retry = RetryPolicy.defaults
            Tracing = None
        }

    [<CompiledName("WithResourceAttributes")>]
    let withResourceAttributes attributes (config: TelemetryConfig) =
        { config with Resource = Resource.merge config.Resource (Resource.create attributes) }

    [<CompiledName("WithResourceDetection")>]
    let withResourceDetection enabled (config: TelemetryConfig) = { config with DetectResource = enabled }

    [<CompiledName("WithEnvironment")>]
    let withEnvironment lookup (config: TelemetryConfig) = { config with Environment = lookup }

    [<CompiledName("WithPropagator")>]
    let withPropagator propagator (config: TelemetryConfig) = { config with Propagator = Some propagator }

    [<CompiledName("WithPropagatorInstalled")>]
    let withPropagatorInstalled install (config: TelemetryConfig) = { config with InstallPropagator = install }

    [<CompiledName("WithRetry")>]
    let withRetry policy (config: TelemetryConfig) = { config with Retry = policy }

    [<CompiledName("WithTracing")>]
    let withTracing configure (config: TelemetryConfig) =
        let current = config.Tracing |> Option.defaultValue Tracing.empty
        { config with Tracing = Some(configure current) }

    let private orFromEnvironment (configured: 'T option) (fromEnvironment: EnvLookup -> 'T * ConfigWarning list) env =
        match configured with
        | Some value -> value, []
        | None -> fromEnvironment env

    let private startTracing (config: TelemetryConfig) resource (tracing: TracingConfig) =
        let env = config.Environment
        let sampler, samplerWarnings = orFromEnvironment tracing.Sampler Sampler.fromEnvironment env
        let limits, limitWarnings = orFromEnvironment tracing.Limits SpanLimits.fromEnvironment env
        let batch, batchWarnings = BatchOptions.fromEnvironment "OTEL_BSP" BatchOptions.defaults env

        let runners =
            tracing.Exporters
            |> List.map (fun e ->
                let mode = e.Mode |> Option.defaultValue (ExportMode.Batched batch)
                Runner.start $"traces/{e.Exporter.Name}" mode config.Retry resource e.Exporter)

        let processor = Processor.chain tracing.Processors

        let onEnd span =
            match processor span with
            | Some kept ->
                for runner in runners do
                    runner.Post kept |> ignore
            | None -> ()

        let bridge =
            new TracingBridge(tracing.Sources, sampler, limits, onEnd) :> IDisposable

        bridge, runners, samplerWarnings @ limitWarnings @ batchWarnings

    let private disabled (env: EnvLookup) =
        match env "OTEL_SDK_DISABLED" with
        | Some value -> value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase)
        | None -> false

    [<CompiledName("Start")>]
    let start (config: TelemetryConfig) =
        let env = config.Environment

        let detected =
            if config.DetectResource then ResourceDetectors.processAndHost () else Resource.empty

        let resource, resourceWarnings =
            Resource.build (ResourceDetectors.processName ()) config.ServiceName detected config.Resource env

        let propagator, propagatorWarnings =
            orFromEnvironment config.Propagator Propagators.fromEnvironment env

        if disabled env then
            // OTEL_SDK_DISABLED: a no-op SDK, as the specification requires.
            SelfDiagnostics.configWarnings (resourceWarnings @ propagatorWarnings)
            new TelemetrySdk(resource, propagator, None, [], None)
        else
            let installation =
                if config.InstallPropagator then Some(Propagation.install propagator) else None

            let bridge, runners, tracingWarnings =
                match config.Tracing with
                | Some tracing ->
                    let bridge, runners, warnings = startTracing config resource tracing
                    Some bridge, runners, warnings
                | None -> None, [], []

            SelfDiagnostics.configWarnings (resourceWarnings @ propagatorWarnings @ tracingWarnings)
            new TelemetrySdk(resource, propagator, bridge, runners, installation)
