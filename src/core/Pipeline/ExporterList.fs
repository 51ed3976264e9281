namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// OTLP exporters built at start: the signal's environment variables first, then the options set in code.
module internal OtlpSources =
    let options signal (configure: OtlpOptions -> OtlpOptions) (env: EnvLookup) =
        let fromEnvironment, warnings = OtlpOptions.fromEnvironment signal env
        Validation.orThrow "options" (OtlpOptions.validate (configure fromEnvironment)), warnings

/// What a signal whose configuration holds a list of exporters (spans, log records) gives the shared exporter
/// list: how to read and replace the list, and the signal's own console, OTLP and ETW exporters.
type internal ExporterSignal<'Config, 'T> =
    {
        /// The exporters of a configuration, in the order added.
        Exporters: 'Config -> ExporterConfig<'T> list
        /// The configuration with these exporters.
        WithExporters: ExporterConfig<'T> list -> 'Config -> 'Config
        /// A console exporter of the signal.
        Console: unit -> IExporter<'T>
        /// The signal whose `OTEL_EXPORTER_OTLP_*` variables an OTLP exporter reads.
        OtlpSignal: OtlpSignal
        /// An OTLP exporter of the signal.
        Otlp: OtlpOptions -> IExporter<'T>
        /// An ETW exporter of the signal.
        Etw: EtwOptions -> IExporter<'T>
        /// An OTLP file exporter of the signal.
        OtlpFile: OtlpFileOptions -> IExporter<'T>
        /// A Zipkin exporter of the signal (spans only; None for log records).
        Zipkin: (ZipkinOptions -> IExporter<'T>) option
    }

/// The one exporter-list mechanism of the tracing and logging configurations (`Tracing.add*Exporter` and
/// `Logging.add*Exporter` are this, given their signal): adding an exporter in a mode, the console, OTLP and ETW
/// exporters, and, at start, one runner per exporter.
module internal ExporterList =
    let private append (signal: ExporterSignal<'Config, 'T>) (entry: ExporterConfig<'T>) (config: 'Config) =
        signal.WithExporters (signal.Exporters config @ [ entry ]) config

    /// A mode given in code, checked (an ArgumentException naming the bad setting).
    let checkedMode mode =
        match mode with
        | ExportMode.Batched options ->
            ExportMode.Batched(Validation.orThrow (nameof options) (BatchOptions.validate options))
        | ExportMode.Simple -> ExportMode.Simple

    let private add (signal: ExporterSignal<'Config, 'T>) mode (exporter: IExporter<'T>) (config: 'Config) =
        append
            signal
            {
                Exporter = ExporterSource.Instance exporter
                Mode = mode
                Kind = None
            }
            config

    /// Adds an exporter batched with the signal's environment variables over the defaults.
    let addBatch signal exporter config = add signal None exporter config

    /// Adds an exporter fed one item at a time.
    let addSimple signal exporter config = add signal (Some ExportMode.Simple) exporter config

    /// Adds an exporter in a mode given in code (checked now).
    let addWithMode signal mode exporter config = add signal (Some(checkedMode mode)) exporter config

    /// The signal's console exporter (standard output), batched: what `console` selects.
    let console (signal: ExporterSignal<'Config, 'T>) =
        {
            Exporter = ExporterSource.Instance(signal.Console())
            Mode = None
            Kind = Some ExporterKind.Console
        }

    /// The signal's OTLP exporter, batched, built at start from the environment with `configure` on top: what
    /// `otlp` selects (with no `configure`).
    let otlp (signal: ExporterSignal<'Config, 'T>) configure =
        let build env =
            let options, warnings = OtlpSources.options signal.OtlpSignal configure env
            signal.Otlp options, warnings

        {
            Exporter = ExporterSource.FromEnvironment build
            Mode = None
            Kind = Some ExporterKind.Otlp
        }

    /// The signal's OTLP file exporter, batched, built at start from the environment's metrics variables (see
    /// `OtlpFileOptions.fromEnvironment`) with `configure` on top: what `otlp/stdout` selects (with no `configure`:
    /// standard output).
    let otlpFile (signal: ExporterSignal<'Config, 'T>) configure =
        let build env =
            let fromEnvironment, warnings = OtlpFileOptions.fromEnvironment env
            let options = Validation.orThrow "options" (OtlpFileOptions.validate (configure fromEnvironment))
            signal.OtlpFile options, warnings

        {
            Exporter = ExporterSource.FromEnvironment build
            Mode = None
            Kind = Some ExporterKind.OtlpFile
        }

    /// The signal's Zipkin exporter (when it has one), batched, built at start from `OTEL_EXPORTER_ZIPKIN_*` with
    /// `configure` on top: what `zipkin` selects (with no `configure`).
    let zipkin (signal: ExporterSignal<'Config, 'T>) configure =
        signal.Zipkin
        |> Option.map (fun make ->
            let build env =
                let fromEnvironment, warnings = ZipkinOptions.fromEnvironment env
                let options = Validation.orThrow "options" (ZipkinOptions.validate (configure fromEnvironment))
                make options, warnings

            {
                Exporter = ExporterSource.FromEnvironment build
                Mode = None
                Kind = Some ExporterKind.Zipkin
            })

    /// The exporter `OTEL_TRACES_EXPORTER` / `OTEL_LOGS_EXPORTER` adds for a kind code did not add (none for
    /// `prometheus`, which exports metrics only, nor for `zipkin` but to spans).
    let ofKind (signal: ExporterSignal<'Config, 'T>) kind =
        match kind with
        | ExporterKind.Otlp -> Some(otlp signal id)
        | ExporterKind.Console -> Some(console signal)
        | ExporterKind.OtlpFile -> Some(otlpFile signal id)
        | ExporterKind.Zipkin -> zipkin signal id
        | ExporterKind.Prometheus -> None

    /// Adds the signal's console exporter, batched.
    let addConsole (signal: ExporterSignal<'Config, 'T>) config = append signal (console signal) config

    /// Adds the signal's OTLP exporter, batched, built at start from the environment with `configure` on top.
    let addOtlp (signal: ExporterSignal<'Config, 'T>) configure config = append signal (otlp signal configure) config

    /// Adds the signal's OTLP file exporter, batched, built at start with `configure` on top of the environment's.
    let addOtlpFile (signal: ExporterSignal<'Config, 'T>) configure config =
        // Options given in code are checked here, where the mistake is (start checks them again over the environment).
        Validation.orThrow "options" (OtlpFileOptions.validate (configure OtlpFileOptions.defaults))
        |> ignore

        append signal (otlpFile signal configure) config

    /// Adds the signal's Zipkin exporter, batched, built at start from the environment with `configure` on top (the
    /// signal has one: spans).
    let addZipkin (signal: ExporterSignal<'Config, 'T>) configure config =
        match zipkin signal configure with
        | Some entry -> append signal entry config
        | None -> config

    /// Adds the signal's ETW exporter: options checked now (a clear ArgumentException, also for a name another
    /// EventSource of the process has), the EventSource made at start, simple mode.
    let addEtw (signal: ExporterSignal<'Config, 'T>) (options: EtwOptions) config =
        // The name is also checked against the process's live EventSources (a clash is an error too).
        let unclaimed (options: EtwOptions) =
            EtwProviders.check options.ProviderName
            |> Result.map (fun () -> options)
            |> Result.mapError (fun reason -> [ Validation.error (nameof options.ProviderName) reason ])

        let options = Validation.orThrow (nameof options) (EtwOptions.validate options |> Result.bind unclaimed)

        let build (_: EnvLookup) = signal.Etw options, []

        append
            signal
            {
                Exporter = ExporterSource.FromEnvironment build
                Mode = Some ExportMode.Simple
                Kind = None
            }
            config

    /// The exporter of an entry: the instance, or the one built from `env`, with the warnings met building it.
    let resolve (source: ExporterSource<'T>) (env: EnvLookup) =
        match source with
        | ExporterSource.Instance exporter -> exporter, []
        | ExporterSource.FromEnvironment build -> build env

    /// The exporter's interest check when it has one (the ETW exporters), else null: always interested.
    let interestOf (exporter: IExporter<'T>) =
        match exporter with
        | :? IExportInterest as interest -> interest
        | _ -> null

    /// How diagnostics describe an exporter: its name, and where it sends when it says.
    let describe (exporter: IExporter<'T>) =
        match ExportDestination.ofExporter exporter with
        | "" -> exporter.Name
        | destination -> $"{exporter.Name} ({destination})"

    /// Starts one runner per exporter, named `<signal>/<exporter>`, each exporting through `stage exporter` (the
    /// signal's conversion, limits and processors) with the export store `openStore` gives (OTLP exporters); an
    /// exporter without a mode is batched with `batch`. Returns
    /// the runners with their exporter's interest check, the warnings met building exporters, and a description
    /// of each exporter (`describe`).
    let start
        (signal: string)
        (env: EnvLookup)
        (batch: BatchOptions)
        (retry: RetryPolicy)
        (openStore: string -> string -> (IRequestStore * System.TimeSpan) option)
        (resource: Resource)
        (stage: IExporter<'T> -> IExporter<'In>)
        (exporters: ExporterConfig<'T> list)
        =
        let resolved = exporters |> List.map (fun e -> e, resolve e.Exporter env)
        let warnings = resolved |> List.collect (fun (_, (_, warnings)) -> warnings)

        let pipelines =
            resolved
            |> List.map (fun (e, (exporter, _)) ->
                let mode = e.Mode |> Option.defaultValue (ExportMode.Batched batch)

                Runner.startWithStore $"{signal}/{exporter.Name}" mode retry resource openStore (stage exporter),
                interestOf exporter)
            |> Array.ofList

        pipelines, warnings, resolved |> List.map (fun (_, (exporter, _)) -> describe exporter)
