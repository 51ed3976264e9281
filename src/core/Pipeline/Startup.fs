namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Threading.Tasks

/// The start-up wiring behind `Telemetry.start`: the diagnostics sink, each enabled signal's exporters (as
/// `ExporterChoice` chooses them), listeners, runners and readers, the propagator, and the SDK object holding them
/// (`DisabledSdk` when `OTEL_SDK_DISABLED` says so). A part that fails to start shuts the parts before it down.
module internal Startup =
    let private all = PipelinePart.all

    let private orFromEnvironment (configured: 'T option) (fromEnvironment: EnvLookup -> 'T * ConfigWarning list) env =
        match configured with
        | Some value -> value, []
        | None -> fromEnvironment env

    let private describeBatch (batch: BatchOptions) =
        $"batches of up to {batch.MaxExportBatchSize} every {int64 batch.ScheduleDelay.TotalMilliseconds} ms (queue {batch.MaxQueueSize}, export timeout {int64 batch.ExportTimeout.TotalMilliseconds} ms) for exporters added without a mode"

    // An instrumentation that fails to start or stop is reported; the SDK runs (and shuts down) without it.
    let private startInstrumentations env (instrumentations: TracingInstrumentation list) =
        instrumentations
        |> List.choose (fun instrumentation ->
            try
                SelfDiagnostics.debug "traces" $"starting the instrumentation {instrumentation.Name}"
                Some(instrumentation.Name, instrumentation.Start env)
            with ex ->
                SelfDiagnostics.error
                    "traces"
                    $"the instrumentation {instrumentation.Name} failed to start ({ex.GetType().FullName}); tracing goes on without it"

                None)

    let private stopInstrumentations (started: (string * IDisposable) list) =
        for name, running in List.rev started do
            try
                running.Dispose()
            with ex ->
                SelfDiagnostics.error "traces" $"the instrumentation {name} failed to stop ({ex.GetType().FullName})"

    let private startTracing (config: TelemetryConfig) openStore resource (tracing: TracingConfig) =
        let env = config.Environment
        let sampler, samplerWarnings = orFromEnvironment tracing.Sampler Sampler.fromEnvironment env
        let limits, limitWarnings = orFromEnvironment tracing.Limits SpanLimits.fromEnvironment env
        let batch, batchWarnings = BatchOptions.fromEnvironment "OTEL_BSP" BatchOptions.defaults env

        let selection, exporters, selectionWarnings = ExporterChoice.spans env tracing.Exporters

        // Instrumentations record their libraries' sources, and their processors run before the configuration's.
        let instrumentations = tracing.Instrumentations

        let sources =
            tracing.Sources
            @ (instrumentations
               |> List.collect _.Sources
               |> List.filter (fun source -> not (List.contains source tracing.Sources)))
            |> List.distinct

        let processors = (instrumentations |> List.choose _.Processor) @ tracing.Processors

        let pipelines, exporterWarnings, described =
            exporters
            |> ExporterList.start "traces" env batch config.Retry openStore resource (fun exporter ->
                SpanExportStage(limits, processors, exporter) :> IExporter<_>)

        ExporterChoice.report "traces" ExporterSelection.tracesVariable selection tracing.Exporters described

        let runners = pipelines |> Array.map fst |> List.ofArray

        // A span goes to each pipeline whose exporter wants spans now (an ETW exporter no session listens to
        // does not): the others never see it, so it is not converted for them.
        let onEnd (activity: Diagnostics.Activity) =
            for runner, interest in pipelines do
                if isNull interest || interest.IsInterested 0 then
                    runner.Post(box activity) |> ignore

        // A direct tracer's ended span likewise; each pipeline it reaches holds it until it has read it.
        let onDirectEnd (span: DirectSpan) =
            for runner, interest in pipelines do
                if isNull interest || interest.IsInterested 0 then
                    Threading.Interlocked.Increment &span.Pending |> ignore

                    if not (runner.Post(box span)) then
                        span.Release()

        SelfDiagnostics.debug
            "traces"
            $"listening to ActivitySources {String.Join(',', sources)}; {describeBatch batch}"

        // Set before the listener starts, so the first traces already have the configured ids.
        let idGenerator =
            match tracing.IdGenerator with
            | IdGenerator.AwsXRay ->
                SelfDiagnostics.debug "traces" "trace ids are AWS X-Ray ids (Activity.TraceIdGenerator, process-wide)"
                TraceIdGeneration.useXRay ()
            | IdGenerator.Random ->
                { new IDisposable with
                    member _.Dispose() = ()
                }

        let bridge = new TracingBridge(sources, sampler, onEnd)
        let directSink = DirectSink(sources, sampler, onDirectEnd)
        DirectSinks.Add directSink
        let started = startInstrumentations env instrumentations

        let part =
            {
                ForceFlush = fun timeout -> all (runners |> List.map (fun r -> r.ForceFlush timeout))
                Shutdown =
                    fun timeout ->
                        // Stop producing first, so nothing arrives at a runner that is draining.
                        stopInstrumentations started
                        bridge.Dispose()
                        DirectSinks.Remove directSink
                        idGenerator.Dispose()
                        all (runners |> List.map (fun r -> r.Shutdown timeout))
                ShutsDownLast = false
            }

        part,
        runners,
        samplerWarnings
        @ limitWarnings
        @ batchWarnings
        @ selectionWarnings
        @ exporterWarnings

    let private startMetrics (config: TelemetryConfig) openStore resource (metrics: MetricsConfig) drops =
        let env = config.Environment
        let filter, filterWarnings = orFromEnvironment metrics.ExemplarFilter ExemplarFilter.fromEnvironment env
        let periodicDefaults, periodicWarnings = PeriodicReaderOptions.fromEnvironment env

        SelfDiagnostics.debug
            "metrics"
            $"listening to Meters {String.Join(',', metrics.Meters)}; periodic readers added without options collect every {int64 periodicDefaults.Interval.TotalMilliseconds} ms (export timeout {int64 periodicDefaults.Timeout.TotalMilliseconds} ms)"

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

        let selection, readers, selectionWarnings = ExporterChoice.metrics env metrics.Readers

        let resolved, readerWarnings =
            readers
            |> List.map (fun reader ->
                match reader with
                | MetricReaderConfig.Periodic(exporter, preference, options) ->
                    Choice1Of2(exporter, preference, None, options), []
                | MetricReaderConfig.PeriodicFromEnvironment(build, options, _) ->
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
                        Runner.startWithStore
                            $"metrics/{exporter.Name}"
                            mode
                            config.Retry
                            resource
                            openStore
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

        let described =
            [
                for reader in resolved do
                    match reader with
                    | Choice1Of2(exporter, _, _, _) -> ExporterList.describe exporter
                    | Choice2Of2 _ -> ()
                for server in servers do
                    $"prometheus ({server.Url})"
                if handlers.Count > 0 then
                    "prometheus scrape handler"
                if pullReaders.Length > handlers.Count + endpoints.Count then
                    "pull reader"
            ]

        ExporterChoice.report "metrics" ExporterSelection.metricsVariable selection metrics.Readers described

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
        filterWarnings
        @ periodicWarnings
        @ selectionWarnings
        @ List.concat readerWarnings

    let private startLogging (config: TelemetryConfig) openStore resource (logging: LoggingConfig) =
        let env = config.Environment
        let limits, limitWarnings = orFromEnvironment logging.Limits LogRecordLimits.fromEnvironment env
        let batch, batchWarnings = Logging.batchOptionsFromEnvironment env
        let options: LogRecordOptions = { Limits = limits; TemplateAsBody = logging.TemplateAsBody }

        let selection, exporters, selectionWarnings = ExporterChoice.logs env logging.Exporters

        let runners, exporterWarnings, described =
            exporters
            |> ExporterList.start "logs" env batch config.Retry openStore resource (fun exporter ->
                LogExportStage(logging.Processors, exporter) :> IExporter<_>)

        ExporterChoice.report "logs" ExporterSelection.logsVariable selection logging.Exporters described

        SelfDiagnostics.debug "logs" (describeBatch batch)
        let bridge = new LoggerBridge(options, logging.IncludeScopes, runners)
        let runners = Array.map fst runners

        let part =
            {
                ForceFlush = fun timeout -> all (runners |> Array.map (fun r -> r.ForceFlush timeout) |> List.ofArray)
                // The runners refuse (and count) what loggers post after this.
                Shutdown = fun timeout -> all (runners |> Array.map (fun r -> r.Shutdown timeout) |> List.ofArray)
                ShutsDownLast = true
            }

        part, bridge, limitWarnings @ batchWarnings @ selectionWarnings @ exporterWarnings

    let private disabled (env: EnvLookup) =
        Env.readChoice env "OTEL_SDK_DISABLED" [ "true", true; "false", false ] false

    /// Validates the configuration and starts it (see `Telemetry.start`).
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
            // The warnings still reach the event source; no sink is registered for a no-op SDK.
            SelfDiagnostics.configWarnings (resourceWarnings @ propagatorWarnings @ disabledWarnings)
            DisabledSdk.start config resource propagator drops
        else
            // The sink first, so that what starting reports reaches it (OTEL_LOG_LEVEL, default warn).
            let threshold, levelWarnings = DiagnosticLevels.fromEnvironment env
            let diagnostics = DiagnosticsSinks.start threshold config.Diagnostics

            let installation =
                if config.InstallPropagator then
                    Some(Propagation.install propagator)
                else
                    None

            // The export store (OTLP): code's setting, else the official SDK's variables, else memory.
            let storeSetting, storeWarnings =
                match config.ExportStore with
                | Some store -> store, []
                | None ->
                    let fromEnvironment, warnings = ExportStore.fromEnvironment env
                    fromEnvironment |> Option.defaultValue ExportStore.defaults, warnings

            let openStore = ExportStores.opener storeSetting

            // A part that throws while starting (an invalid option set in code) must not leave the parts before it
            // running: they are shut down, the propagator restored, and the exception goes on to the caller.
            let started = List<PipelinePart>()

            let parts =
                try
                    let tracingPart, spanRunners, tracingWarnings =
                        match config.Tracing with
                        | Some tracing ->
                            let part, runners, warnings = startTracing config openStore resource tracing
                            started.Add part
                            [ part ], runners, warnings
                        | None -> [], [], []

                    let metricsPart, metricRunners, prometheus, metricsWarnings =
                        match config.Metrics with
                        | Some metrics ->
                            let part, runners, prometheus, warnings =
                                startMetrics config openStore resource metrics drops

                            started.Add part
                            [ part ], runners, prometheus, warnings
                        | None -> [], [], ([], []), []

                    let loggingPart, loggerBridge, loggingWarnings =
                        match config.Logging with
                        | Some logging ->
                            let part, bridge, warnings = startLogging config openStore resource logging
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
                    diagnostics.Close(timeout).Wait(timeout + timeout) |> ignore
                    reraise ()

            let tracing, metrics, logging = parts
            let tracingPart, spanRunners, tracingWarnings = tracing
            let metricsPart, metricRunners, (servers, handlers), metricsWarnings = metrics
            let loggingPart, loggerBridge, loggingWarnings = logging

            SelfDiagnostics.configWarnings (
                resourceWarnings
                @ propagatorWarnings
                @ disabledWarnings
                @ levelWarnings
                @ storeWarnings
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
                installation,
                diagnostics
            )
