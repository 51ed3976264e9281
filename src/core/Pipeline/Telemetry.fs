namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

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
            ExportStore = None
            Diagnostics = None
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

    [<CompiledName("WithExportStore")>]
    let withExportStore store (config: TelemetryConfig) =
        { config with
            ExportStore = Some(Validation.orThrow (nameof store) (ExportStore.validate store))
        }

    [<CompiledName("WithRetry")>]
    let withRetry policy (config: TelemetryConfig) =
        { config with
            Retry = Validation.orThrow (nameof policy) (RetryPolicy.validate policy)
        }

    [<CompiledName("WithDiagnostics")>]
    let withDiagnostics sink (config: TelemetryConfig) = { config with Diagnostics = Some sink }

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

    [<CompiledName("WithConfigFile")>]
    let withConfigFile (path: string) (config: TelemetryConfig) =
        if String.IsNullOrWhiteSpace path then
            invalidArg (nameof path) "The configuration file path must not be empty."

        match ConfigFileSource.load config.Environment path with
        | Ok(model, warnings) ->
            SelfDiagnostics.configWarnings warnings
            ConfigFileApply.apply model config
        | Error errors -> raise (ArgumentException(ConfigFileParser.describe $"'{path}'" errors, nameof path))

    // OTEL_CONFIG_FILE (or its deprecated name) set: the file is applied over the configuration made in code.
    let private withEnvironmentFile (config: TelemetryConfig) =
        match ConfigFileSource.fromEnvironment config.Environment with
        | None -> config
        | Some(path, warnings) ->
            SelfDiagnostics.configWarnings warnings

            match ConfigFileSource.load config.Environment path with
            | Ok(model, warnings) ->
                SelfDiagnostics.configWarnings warnings
                ConfigFileApply.apply model config
            | Error errors ->
                raise (ArgumentException(ConfigFileParser.describe $"'{path}' (OTEL_CONFIG_FILE)" errors, "config"))

    [<CompiledName("Start")>]
    let start (config: TelemetryConfig) = Startup.start (withEnvironmentFile config)
