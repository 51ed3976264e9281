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

        // Exporters given as objects (in code, or built by the container before start) were made before the SDK knew
        // it is disabled: they are shut down with it, so whatever they opened is released.
        let instance (source: ExporterSource<'T>) =
            match source with
            | ExporterSource.Instance exporter -> Some(fun token -> exporter.Shutdown token)
            | ExporterSource.FromEnvironment _ -> None

        let givenExporters =
            (config.Tracing
             |> Option.map (fun t -> t.Exporters |> List.choose (fun e -> instance e.Exporter))
             |> Option.defaultValue [])
            @ (config.Logging
               |> Option.map (fun l -> l.Exporters |> List.choose (fun e -> instance e.Exporter))
               |> Option.defaultValue [])
            @ (config.Metrics
               |> Option.map (fun m ->
                   m.Readers
                   |> List.choose (fun reader ->
                       match reader with
                       | MetricReaderConfig.Periodic(exporter, _, _) -> Some(fun token -> exporter.Shutdown token)
                       | _ -> None))
               |> Option.defaultValue [])

        let shutdownGiven (timeout: System.TimeSpan) =
            task {
                use cancel = new System.Threading.CancellationTokenSource(timeout)

                let calls =
                    givenExporters
                    |> List.map (fun shutdown ->
                        try
                            shutdown cancel.Token
                        with _ ->
                            Task.CompletedTask)

                try
                    do! Task.WhenAll(calls).WaitAsync(timeout)
                    return true
                with _ ->
                    return false
            }

        let part =
            {
                ForceFlush = fun _ -> Task.FromResult true
                Shutdown =
                    fun timeout ->
                        for handler in handlers do
                            handler.Detach()

                        if List.isEmpty givenExporters then
                            Task.FromResult true
                        else
                            shutdownGiven timeout
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
