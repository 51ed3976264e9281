namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Functional.Telemetry

[<RequireQualifiedAccess>]
type ExporterSource<'T> =
    | Instance of exporter: IExporter<'T>
    | FromEnvironment of build: (EnvLookup -> IExporter<'T> * ConfigWarning list)

type ExporterConfig<'T> = { Exporter: ExporterSource<'T>; Mode: ExportMode option }

type SpanExporterConfig = ExporterConfig<Span>

type TracingConfig =
    {
        Sources: string list
        Sampler: Sampler option
        Limits: SpanLimits option
        Processors: Processor<Span> list
        Exporters: SpanExporterConfig list
    }

type LogExporterConfig = ExporterConfig<LogRecord>

type LoggingConfig =
    {
        Limits: LogRecordLimits option
        IncludeScopes: bool
        TemplateAsBody: bool
        Processors: Processor<LogRecord> list
        Exporters: LogExporterConfig list
    }

[<RequireQualifiedAccess>]
type MetricReaderConfig =
    | Periodic of
        exporter: IExporter<MetricData> *
        preference: TemporalityPreference *
        options: PeriodicReaderOptions option
    | PeriodicFromEnvironment of
        build: (EnvLookup -> IExporter<MetricData> * TemporalityPreference * Aggregation option * ConfigWarning list) *
        options: PeriodicReaderOptions option
    | Pull of reader: MetricPullReader
    | PrometheusScrape of handler: PrometheusScrapeHandler
    | PrometheusEndpoint of build: (EnvLookup -> PrometheusEndpointOptions * ConfigWarning list)

type MetricsConfig =
    {
        Meters: string list
        Views: View list
        ExemplarFilter: ExemplarFilter option
        CardinalityLimit: int
        Readers: MetricReaderConfig list
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
        Metrics: MetricsConfig option
        Logging: LoggingConfig option
    }

/// A started signal pipeline: what the SDK flushes and shuts down.
type internal PipelinePart =
    {
        ForceFlush: TimeSpan -> Task<bool>
        /// Stops producing, exports what is pending, shuts exporters down.
        Shutdown: TimeSpan -> Task<bool>
        /// Shut down after the other parts (logging: what they log while they drain still reaches its exporters).
        ShutsDownLast: bool
    }

namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Functional.Telemetry

[<Sealed>]
type TelemetrySdk
    internal
    (
        resource: Resource,
        propagator: TextMapPropagator,
        parts: PipelinePart list,
        spanRunners: Runner<Diagnostics.Activity> list,
        metricRunners: Runner<MetricData list> list,
        metricDrops: MetricDropCounters,
        prometheusEndpoints: PrometheusServer list,
        scrapeHandlers: PrometheusScrapeHandler list,
        loggerBridge: LoggerBridge,
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
    member _.SpanPipelines = spanRunners |> List.map (fun r -> r.Name, r.Stats)
    member _.MetricPipelines = metricRunners |> List.map (fun r -> r.Name, r.Stats)
    member _.MetricDrops = metricDrops
    member _.PrometheusEndpoints = prometheusEndpoints
    member _.PrometheusScrapeHandlers = scrapeHandlers
    member _.LogPipelines = loggerBridge.Pipelines
    member _.LoggerProvider = loggerBridge :> ILoggerProvider
    member _.CreateLogger(category: string) = loggerBridge.CreateLogger category

    // Flushing and shutting down start with no SynchronizationContext (see NoContext): their awaits must not
    // resume on the caller's context (a UI thread that then blocks in Dispose or on `.Result` would wait for itself).
    member _.ForceFlush(timeout: TimeSpan) =
        NoContext.run (fun () -> all (parts |> List.map (fun p -> p.ForceFlush timeout)))

    member _.Shutdown(timeout: TimeSpan) =
        lock shutdownGate (fun () ->
            match shutdown with
            | Some running -> running
            | None ->
                let running =
                    NoContext.run (fun () ->
                        task {
                            let started = Stopwatch.GetTimestamp()
                            let first, last = parts |> List.partition (fun p -> not p.ShutsDownLast)
                            let! ok = all (first |> List.map (fun p -> p.Shutdown timeout))
                            // Logging drains with what is left of the timeout, but at least a second of it.
                            let left = timeout - Stopwatch.GetElapsedTime started
                            let lastTimeout = min timeout (max left (TimeSpan.FromSeconds 1.))
                            let! lastOk = all (last |> List.map (fun p -> p.Shutdown lastTimeout))
                            installation |> Option.iter (fun i -> i.Dispose())
                            return ok && lastOk
                        })

                shutdown <- Some running
                running)

    interface IDisposable with
        member x.Dispose() = x.Shutdown(TimeSpan.FromSeconds 5.).GetAwaiter().GetResult() |> ignore

    interface IAsyncDisposable with
        member x.DisposeAsync() = ValueTask(x.Shutdown(TimeSpan.FromSeconds 5.) :> Task)

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading.Tasks
open Microsoft.Extensions.Logging
open Functional.Telemetry

/// OTLP exporters built at start: the signal's environment variables first, then the options set in code.
module internal OtlpSources =
    let options signal (configure: OtlpOptions -> OtlpOptions) (env: EnvLookup) =
        let fromEnvironment, warnings = OtlpOptions.fromEnvironment signal env
        Validation.orThrow "options" (OtlpOptions.validate (configure fromEnvironment)), warnings

    let resolve (source: ExporterSource<'T>) (env: EnvLookup) =
        match source with
        | ExporterSource.Instance exporter -> exporter, []
        | ExporterSource.FromEnvironment build -> build env

/// What the tracing and logging configurations share: their lists of exporters.
module internal ExporterConfigs =
    /// The exporter's interest check when it has one (the ETW exporters), else null: always interested.
    let interestOf (exporter: IExporter<'T>) =
        match exporter with
        | :? IExportInterest as interest -> interest
        | _ -> null

    let add mode (exporter: IExporter<'T>) (exporters: ExporterConfig<'T> list) =
        exporters @ [ { Exporter = ExporterSource.Instance exporter; Mode = mode } ]

    /// A mode given in code, checked (an ArgumentException naming the bad setting).
    let checkedMode mode =
        match mode with
        | ExportMode.Batched options ->
            ExportMode.Batched(Validation.orThrow (nameof options) (BatchOptions.validate options))
        | ExportMode.Simple -> ExportMode.Simple

    let addOtlp signal configure (create: OtlpOptions -> IExporter<'T>) (exporters: ExporterConfig<'T> list) =
        let build env =
            let options, warnings = OtlpSources.options signal configure env
            create options, warnings

        exporters
        @ [
            {
                Exporter = ExporterSource.FromEnvironment build
                Mode = None
            }
        ]

    /// An ETW exporter: options checked now (a clear ArgumentException, also for a name another EventSource of
    /// the process has), the EventSource made at start, simple mode.
    let addEtw (options: EtwOptions) (create: EtwOptions -> IExporter<'T>) (exporters: ExporterConfig<'T> list) =
        // The name is also checked against the process's live EventSources (a clash is an error too).
        let unclaimed (options: EtwOptions) =
            EtwProviders.check options.ProviderName
            |> Result.map (fun () -> options)
            |> Result.mapError (fun reason -> [ Validation.error (nameof options.ProviderName) reason ])

        let options = Validation.orThrow (nameof options) (EtwOptions.validate options |> Result.bind unclaimed)

        let build (_: EnvLookup) = create options, []

        exporters
        @ [
            {
                Exporter = ExporterSource.FromEnvironment build
                Mode = Some ExportMode.Simple
            }
        ]

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
        { config with
            Sources =
                config.Sources
                @ [
                    Validation.orThrow (nameof name) (SourceFilter.validate "ActivitySource" name)
                ]
        }

    [<CompiledName("WithSampler")>]
    let withSampler sampler (config: TracingConfig) = { config with Sampler = Some sampler }

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

    let private add mode exporter (config: TracingConfig) =
        { config with
            Exporters = ExporterConfigs.add mode exporter config.Exporters
        }

    [<CompiledName("AddBatchExporter")>]
    let addBatchExporter exporter config = add None exporter config

    [<CompiledName("AddSimpleExporter")>]
    let addSimpleExporter exporter config = add (Some ExportMode.Simple) exporter config

    [<CompiledName("AddExporter")>]
    let addExporter mode exporter config = add (Some(ExporterConfigs.checkedMode mode)) exporter config

    [<CompiledName("AddConsoleExporter")>]
    let addConsoleExporter config = addBatchExporter (ConsoleSpanExporter()) config

    [<CompiledName("AddOtlpExporter")>]
    let addOtlpExporter configure (config: TracingConfig) =
        let create options = OtlpExporter.traces options :> IExporter<Span>

        { config with
            Exporters = ExporterConfigs.addOtlp OtlpSignal.Traces configure create config.Exporters
        }

    [<CompiledName("AddEtwExporterWith")>]
    let addEtwExporterWith options (config: TracingConfig) =
        let create options = new EtwSpanExporter(options) :> IExporter<Span>

        { config with
            Exporters = ExporterConfigs.addEtw options create config.Exporters
        }

    [<CompiledName("AddEtwExporter")>]
    let addEtwExporter providerName config = addEtwExporterWith (EtwOptions.create providerName) config

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Metrics =
    [<CompiledName("Empty")>]
    let empty =
        {
            Meters = []
            Views = []
            ExemplarFilter = None
            CardinalityLimit = View.defaultCardinalityLimit
            Readers = []
        }

    [<CompiledName("AddMeter")>]
    let addMeter name (config: MetricsConfig) =
        { config with
            Meters =
                config.Meters
                @ [ Validation.orThrow (nameof name) (SourceFilter.validate "Meter" name) ]
        }

    [<CompiledName("AddView")>]
    let addView view (config: MetricsConfig) =
        { config with
            Views = config.Views @ [ Validation.orThrow (nameof view) (View.validate view) ]
        }

    [<CompiledName("WithExemplarFilter")>]
    let withExemplarFilter filter (config: MetricsConfig) = { config with ExemplarFilter = Some filter }

    [<CompiledName("WithCardinalityLimit")>]
    let withCardinalityLimit limit (config: MetricsConfig) =
        let check = Validation.check (limit >= 1) "CardinalityLimit" $"must be at least 1, got {limit}."

        { config with
            CardinalityLimit = Validation.orThrow (nameof limit) (Validation.ofErrors limit check)
        }

    [<CompiledName("AddExporter")>]
    let addExporter preference exporter (config: MetricsConfig) =
        { config with
            Readers = config.Readers @ [ MetricReaderConfig.Periodic(exporter, preference, None) ]
        }

    [<CompiledName("AddExporterWith")>]
    let addExporterWith (options: PeriodicReaderOptions) preference exporter (config: MetricsConfig) =
        let options = Validation.orThrow (nameof options) (PeriodicReaderOptions.validate options)

        { config with
            Readers =
                config.Readers
                @ [ MetricReaderConfig.Periodic(exporter, preference, Some options) ]
        }

    [<CompiledName("AddReader")>]
    let addReader reader (config: MetricsConfig) =
        { config with
            Readers = config.Readers @ [ MetricReaderConfig.Pull reader ]
        }

    [<CompiledName("AddPrometheusEndpoint")>]
    let addPrometheusEndpoint configure (config: MetricsConfig) =
        let build env =
            let fromEnvironment, warnings = PrometheusEndpointOptions.fromEnvironment env
            Validation.orThrow "options" (PrometheusEndpointOptions.validate (configure fromEnvironment)), warnings

        { config with
            Readers = config.Readers @ [ MetricReaderConfig.PrometheusEndpoint build ]
        }

    [<CompiledName("AddPrometheusReader")>]
    let addPrometheusReader handler (config: MetricsConfig) =
        { config with
            Readers = config.Readers @ [ MetricReaderConfig.PrometheusScrape handler ]
        }

    [<CompiledName("AddConsoleExporter")>]
    let addConsoleExporter config = addExporter TemporalityPreference.Cumulative (ConsoleMetricExporter()) config

    [<CompiledName("AddOtlpExporter")>]
    let addOtlpExporter configure (config: MetricsConfig) =
        let build env =
            let options, warnings = OtlpSources.options OtlpSignal.Metrics configure env

            let histograms =
                if options.ExponentialHistograms then
                    Some(
                        Aggregation.Base2ExponentialHistogram(
                            ExponentialHistogramState.defaultMaxSize,
                            ExponentialHistogramState.defaultMaxScale,
                            true
                        )
                    )
                else
                    None

            OtlpExporter.metrics options :> IExporter<MetricData>, options.TemporalityPreference, histograms, warnings

        { config with
            Readers = config.Readers @ [ MetricReaderConfig.PeriodicFromEnvironment(build, None) ]
        }

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

    let private add mode exporter (config: LoggingConfig) =
        { config with
            Exporters = ExporterConfigs.add mode exporter config.Exporters
        }

    [<CompiledName("AddBatchExporter")>]
    let addBatchExporter exporter config = add None exporter config

    [<CompiledName("AddSimpleExporter")>]
    let addSimpleExporter exporter config = add (Some ExportMode.Simple) exporter config

    [<CompiledName("AddExporter")>]
    let addExporter mode exporter config = add (Some(ExporterConfigs.checkedMode mode)) exporter config

    [<CompiledName("AddConsoleExporter")>]
    let addConsoleExporter config = addBatchExporter (ConsoleLogExporter()) config

    [<CompiledName("AddOtlpExporter")>]
    let addOtlpExporter configure (config: LoggingConfig) =
        let create options = OtlpExporter.logs options :> IExporter<LogRecord>

        { config with
            Exporters = ExporterConfigs.addOtlp OtlpSignal.Logs configure create config.Exporters
        }

    [<CompiledName("AddEtwExporterWith")>]
    let addEtwExporterWith options (config: LoggingConfig) =
        let create options = new EtwLogExporter(options) :> IExporter<LogRecord>

        { config with
            Exporters = ExporterConfigs.addEtw options create config.Exporters
        }

    [<CompiledName("AddEtwExporter")>]
    let addEtwExporter providerName config = addEtwExporterWith (EtwOptions.create providerName) config

    [<CompiledName("BatchOptionsFromEnvironment")>]
    let batchOptionsFromEnvironment lookup =
        BatchOptions.fromEnvironment
            "OTEL_BLRP"
            { BatchOptions.defaults with
                ScheduleDelay = TimeSpan.FromSeconds 1.
            }
            lookup

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
            Metrics = None
            Logging = None
        }

    [<CompiledName("WithResourceAttributes")>]
    let withResourceAttributes attributes (config: TelemetryConfig) =
        { config with
            Resource = Resource.merge config.Resource (Resource.create attributes)
        }

    [<CompiledName("WithResourceDetection")>]
    let withResourceDetection enabled (config: TelemetryConfig) = { config with DetectResource = enabled }

    [<CompiledName("WithEnvironment")>]
    let withEnvironment lookup (config: TelemetryConfig) = { config with Environment = lookup }

    [<CompiledName("WithPropagator")>]
    let withPropagator propagator (config: TelemetryConfig) = { config with Propagator = Some propagator }

    [<CompiledName("WithPropagatorInstalled")>]
    let withPropagatorInstalled install (config: TelemetryConfig) = { config with InstallPropagator = install }

    [<CompiledName("WithRetry")>]
    let withRetry policy (config: TelemetryConfig) =
        { config with
            Retry = Validation.orThrow (nameof policy) (RetryPolicy.validate policy)
        }

    [<CompiledName("WithMetrics")>]
    let withMetrics configure (config: TelemetryConfig) =
        let current = config.Metrics |> Option.defaultValue Metrics.empty
        { config with Metrics = Some(configure current) }

    [<CompiledName("WithLogging")>]
    let withLogging configure (config: TelemetryConfig) =
        let current = config.Logging |> Option.defaultValue Logging.empty
        { config with Logging = Some(configure current) }

    [<CompiledName("WithTracing")>]
    let withTracing configure (config: TelemetryConfig) =
        let current = config.Tracing |> Option.defaultValue Tracing.empty
        { config with Tracing = Some(configure current) }

    let private all (tasks: Task<bool> list) =
        task {
            let! results = Task.WhenAll tasks
            return results |> Array.forall id
        }

    let private orFromEnvironment (configured: 'T option) (fromEnvironment: EnvLookup -> 'T * ConfigWarning list) env =
        match configured with
        | Some value -> value, []
        | None -> fromEnvironment env

    let private startTracing (config: TelemetryConfig) resource (tracing: TracingConfig) =
        let env = config.Environment
        let sampler, samplerWarnings = orFromEnvironment tracing.Sampler Sampler.fromEnvironment env
        let limits, limitWarnings = orFromEnvironment tracing.Limits SpanLimits.fromEnvironment env
        let batch, batchWarnings = BatchOptions.fromEnvironment "OTEL_BSP" BatchOptions.defaults env

        let exporters = tracing.Exporters |> List.map (fun e -> e, OtlpSources.resolve e.Exporter env)

        let exporterWarnings = exporters |> List.collect (fun (_, (_, warnings)) -> warnings)

        let pipelines =
            exporters
            |> List.map (fun (e, (exporter, _)) ->
                let mode = e.Mode |> Option.defaultValue (ExportMode.Batched batch)
                let stage = SpanExportStage(limits, tracing.Processors, exporter)

                Runner.start $"traces/{exporter.Name}" mode config.Retry resource stage,
                ExporterConfigs.interestOf exporter)
            |> Array.ofList

        let runners = pipelines |> Array.map fst |> List.ofArray

        // A span goes to each pipeline whose exporter wants spans now (an ETW exporter no session listens to
        // does not): the others never see it, so it is not converted for them.
        let onEnd activity =
            for runner, interest in pipelines do
                if isNull interest || interest.IsInterested 0 then
                    runner.Post activity |> ignore

        let bridge = new TracingBridge(tracing.Sources, sampler, onEnd)

        let part =
            {
                ForceFlush = fun timeout -> all (runners |> List.map (fun r -> r.ForceFlush timeout))
                Shutdown =
                    fun timeout ->
                        // Stop producing first, so nothing arrives at a runner that is draining.
                        bridge.Dispose()
                        all (runners |> List.map (fun r -> r.Shutdown timeout))
                ShutsDownLast = false
            }

        part, runners, samplerWarnings @ limitWarnings @ batchWarnings @ exporterWarnings

    let private startMetrics (config: TelemetryConfig) resource (metrics: MetricsConfig) drops =
        let env = config.Environment
        let filter, filterWarnings = orFromEnvironment metrics.ExemplarFilter ExemplarFilter.fromEnvironment env
        let periodicDefaults, periodicWarnings = PeriodicReaderOptions.fromEnvironment env

        let settings =
            {
                Views = metrics.Views
                CardinalityLimit = metrics.CardinalityLimit
                ExemplarFilter = filter
                Drops = drops
                StartTime = ActivityConversion.toUnixNanoseconds DateTime.UtcNow
            }

        // The collectors run the bridge's observable callbacks, and the bridge needs the collectors: tie the knot.
        let bridgeCell: MeterBridge option ref = ref None
        let observe () = bridgeCell.Value |> Option.iter (fun b -> b.Observe())

        // Readers whose exporter is built from the environment (OTLP) become ordinary periodic readers here.
        // Prometheus readers are pull readers: a scrape handler's reader; an endpoint's server starts once the
        // bridge exists, so the first scrape sees every instrument.
        let endpoints = List<PrometheusEndpointOptions * PrometheusScrapeHandler>()
        let handlers = List<PrometheusScrapeHandler>()

        let resolved, readerWarnings =
            metrics.Readers
            |> List.map (fun reader ->
                match reader with
                | MetricReaderConfig.Periodic(exporter, preference, options) ->
                    Choice1Of2(exporter, preference, None, options), []
                | MetricReaderConfig.PeriodicFromEnvironment(build, options) ->
                    let exporter, preference, histograms, warnings = build env
                    Choice1Of2(exporter, preference, histograms, options), warnings
                | MetricReaderConfig.Pull pull -> Choice2Of2 pull, []
                | MetricReaderConfig.PrometheusScrape handler ->
                    handlers.Add handler
                    Choice2Of2 handler.Reader, []
                | MetricReaderConfig.PrometheusEndpoint build ->
                    let options, warnings = build env

                    let handler =
                        PrometheusScrapeHandler(options.Rendering, options.ScrapeResponseCache, options.ScrapeTimeout)

                    endpoints.Add((options, handler))
                    Choice2Of2 handler.Reader, warnings)
            |> List.unzip

        // A pull reader serves one SDK: attaching it to a second SDK, or twice to this one, would detach the
        // other's collector at shutdown. Checked before anything is attached.
        let pullReaders =
            resolved
            |> List.choose (fun reader ->
                match reader with
                | Choice2Of2 pull -> Some pull
                | Choice1Of2 _ -> None)

        let addedTwice (pull: MetricPullReader) =
            (pullReaders |> List.filter (fun other -> obj.ReferenceEquals(pull, other))).Length > 1

        if pullReaders |> List.exists addedTwice then
            invalidArg
                (nameof metrics.Readers)
                "A MetricPullReader or PrometheusScrapeHandler is added twice to the metrics configuration; add it once."

        if pullReaders |> List.exists _.IsAttached then
            invalidOp
                "A MetricPullReader or PrometheusScrapeHandler of this configuration is already attached to a running telemetry SDK; shut that SDK down first or use another reader."

        let readers =
            resolved
            |> List.map (fun reader ->
                match reader with
                | Choice1Of2(exporter, preference, histograms, options) ->
                    let collector = MetricCollector(preference, histograms, settings, observe)
                    let options = options |> Option.defaultValue periodicDefaults

                    let mode =
                        ExportMode.Batched
                            {
                                ScheduleDelay = TimeSpan.Zero
                                ExportTimeout = options.Timeout
                                MaxQueueSize = 16
                                MaxExportBatchSize = 1
                            }

                    let runner =
                        Runner.start
                            $"metrics/{exporter.Name}"
                            mode
                            config.Retry
                            resource
                            (CollectionExporter exporter)

                    collector, Choice1Of2(collector, options, runner)
                | Choice2Of2 pull ->
                    let collector = MetricCollector(pull.Preference, None, settings, observe)
                    pull.Attach collector
                    collector, Choice2Of2(pull, collector))

        let bridge = new MeterBridge(metrics.Meters, readers |> List.map fst)
        bridgeCell.Value <- Some bridge

        let allHandlers = List.ofSeq handlers @ (endpoints |> Seq.map snd |> List.ofSeq)

        for handler in allHandlers do
            handler.Attach resource

        let servers = endpoints |> Seq.map PrometheusServer.Start |> List.ofSeq

        let periodic =
            readers
            |> List.choose (fun (_, r) ->
                match r with
                | Choice1Of2(collector, options, runner) -> Some(PeriodicReader(collector, options, runner))
                | Choice2Of2 _ -> None)

        let pulls =
            readers
            |> List.choose (fun (_, r) ->
                match r with
                | Choice2Of2(pull, collector) -> Some(pull, collector)
                | Choice1Of2 _ -> None)

        let part =
            {
                ForceFlush = fun timeout -> all (periodic |> List.map (fun r -> r.ForceFlush timeout))
                Shutdown =
                    fun timeout ->
                        task {
                            // Scrapes stop first: nothing collects from a pull reader while it is detached.
                            for server in servers do
                                do! server.Stop()

                            for handler in allHandlers do
                                handler.Detach()

                            // The final collection still runs observable callbacks, so the bridge stops last.
                            let! ok = all (periodic |> List.map (fun r -> r.Shutdown timeout))
                            bridge.Dispose()

                            for pull, collector in pulls do
                                pull.Detach collector

                            return ok
                        }
                ShutsDownLast = false
            }

        let prometheus = servers, allHandlers

        part,
        periodic |> List.map (fun r -> r.Runner),
        prometheus,
        filterWarnings @ periodicWarnings @ List.concat readerWarnings

    let private startLogging (config: TelemetryConfig) resource (logging: LoggingConfig) =
        let env = config.Environment
        let limits, limitWarnings = orFromEnvironment logging.Limits LogRecordLimits.fromEnvironment env
        let batch, batchWarnings = Logging.batchOptionsFromEnvironment env
        let options = { Limits = limits; TemplateAsBody = logging.TemplateAsBody }

        let exporters = logging.Exporters |> List.map (fun e -> e, OtlpSources.resolve e.Exporter env)

        let exporterWarnings = exporters |> List.collect (fun (_, (_, warnings)) -> warnings)

        let runners =
            exporters
            |> List.map (fun (e, (exporter, _)) ->
                let mode = e.Mode |> Option.defaultValue (ExportMode.Batched batch)
                let stage = LogExportStage(options, logging.Processors, exporter)

                Runner.start $"logs/{exporter.Name}" mode config.Retry resource stage,
                ExporterConfigs.interestOf exporter)
            |> Array.ofList

        let bridge = new LoggerBridge(logging.IncludeScopes, runners)
        let runners = Array.map fst runners

        let part =
            {
                ForceFlush = fun timeout -> all (runners |> Array.map (fun r -> r.ForceFlush timeout) |> List.ofArray)
                // The runners refuse (and count) what loggers post after this.
                Shutdown = fun timeout -> all (runners |> Array.map (fun r -> r.Shutdown timeout) |> List.ofArray)
                ShutsDownLast = true
            }

        part, bridge, limitWarnings @ batchWarnings @ exporterWarnings

    let private disabled (env: EnvLookup) =
        Env.readChoice env "OTEL_SDK_DISABLED" [ "true", true; "false", false ] false

    [<CompiledName("Start")>]
    let start (config: TelemetryConfig) =
        let env = config.Environment

        let detected =
            if config.DetectResource then
                ResourceDetectors.processAndHost ()
            else
                Resource.empty

        let resource, resourceWarnings =
            Resource.build (ResourceDetectors.processName ()) config.ServiceName detected config.Resource env

        let propagator, propagatorWarnings = orFromEnvironment config.Propagator Propagators.fromEnvironment env

        let drops = MetricDropCounters()

        let isDisabled, disabledWarnings = disabled env

        if isDisabled then
            // OTEL_SDK_DISABLED: a no-op SDK, as the specification requires.
            SelfDiagnostics.configWarnings (resourceWarnings @ propagatorWarnings @ disabledWarnings)
            new TelemetrySdk(resource, propagator, [], [], [], drops, [], [], LoggerBridge.Disabled(), None)
        else
            let installation =
                if config.InstallPropagator then
                    Some(Propagation.install propagator)
                else
                    None

            // A part that throws while starting (an invalid option set in code) must not leave the parts before it
            // running: they are shut down, the propagator restored, and the exception goes on to the caller.
            let started = List<PipelinePart>()

            let parts =
                try
                    let tracingPart, spanRunners, tracingWarnings =
                        match config.Tracing with
                        | Some tracing ->
                            let part, runners, warnings = startTracing config resource tracing
                            started.Add part
                            [ part ], runners, warnings
                        | None -> [], [], []

                    let metricsPart, metricRunners, prometheus, metricsWarnings =
                        match config.Metrics with
                        | Some metrics ->
                            let part, runners, prometheus, warnings = startMetrics config resource metrics drops
                            started.Add part
                            [ part ], runners, prometheus, warnings
                        | None -> [], [], ([], []), []

                    let loggingPart, loggerBridge, loggingWarnings =
                        match config.Logging with
                        | Some logging ->
                            let part, bridge, warnings = startLogging config resource logging
                            [ part ], bridge, warnings
                        | None -> [], LoggerBridge.Disabled(), []

                    (tracingPart, spanRunners, tracingWarnings),
                    (metricsPart, metricRunners, prometheus, metricsWarnings),
                    (loggingPart, loggerBridge, loggingWarnings)
                with _ ->
                    let timeout = TimeSpan.FromSeconds 1.

                    for part in Seq.rev started do
                        try
                            (part.Shutdown timeout).Wait(timeout + timeout) |> ignore
                        with ex ->
                            SelfDiagnostics.error
                                "sdk"
                                $"shutting down after a failed start failed: {ex.GetType().FullName}"

                    installation |> Option.iter _.Dispose()
                    reraise ()

            let tracing, metrics, logging = parts
            let tracingPart, spanRunners, tracingWarnings = tracing
            let metricsPart, metricRunners, (servers, handlers), metricsWarnings = metrics
            let loggingPart, loggerBridge, loggingWarnings = logging

            SelfDiagnostics.configWarnings (
                resourceWarnings
                @ propagatorWarnings
                @ disabledWarnings
                @ tracingWarnings
                @ metricsWarnings
                @ loggingWarnings
            )

            new TelemetrySdk(
                resource,
                propagator,
                tracingPart @ metricsPart @ loggingPart,
                spanRunners,
                metricRunners,
                drops,
                servers,
                handlers,
                loggerBridge,
                installation
            )
