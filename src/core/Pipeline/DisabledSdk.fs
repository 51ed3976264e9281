namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System.Threading.Tasks

/// The SDK `OTEL_SDK_DISABLED=true` asks for.
module internal DisabledSdk =
    /// The SDK `OTEL_SDK_DISABLED=true` asks for: every API works and does nothing. No listener, runner, reader,
    /// server or diagnostics sink starts; the logger provider gives disabled loggers; the Prometheus scrape
    /// handlers of the configuration (and one per endpoint, whose server does not start) answer scrapes with an
    /// empty exposition until shutdown, so that an application serving one still runs. The propagator is still
    /// installed: the specification says the variable has no effect on propagators.
    let start (config: TelemetryConfig) resource propagator drops =
        let handlers =
            match config.Metrics with
            | None -> []
            | Some metrics ->
                metrics.Readers
                |> List.choose (fun reader ->
                    match reader with
                    | MetricReaderConfig.PrometheusScrape handler when not handler.Reader.IsAttached -> Some handler
                    | MetricReaderConfig.PrometheusEndpoint _ -> Some(PrometheusScrapeHandler())
                    | _ -> None)
                |> List.distinct

        for handler in handlers do
            handler.AttachInert()

        let part =
            {
                ForceFlush = fun _ -> Task.FromResult true
                Shutdown =
                    fun _ ->
                        for handler in handlers do
                            handler.Detach()

                        Task.FromResult true
                ShutsDownLast = false
            }

        let installation =
            if config.InstallPropagator then
                Some(Propagation.install propagator)
            else
                None

        new TelemetrySdk(
            resource,
            propagator,
            [ part ],
            [],
            [],
            drops,
            [],
            handlers,
            LoggerBridge.Disabled(),
            installation,
            DiagnosticsSinks.start None None
        )
