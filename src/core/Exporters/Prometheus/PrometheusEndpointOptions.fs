namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Concurrent
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks

type PrometheusEndpointOptions =
    {
        Host: string
        Port: int
        Path: string
        Rendering: PrometheusOptions
        ScrapeResponseCache: TimeSpan
        ScrapeTimeout: TimeSpan
    }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PrometheusEndpointOptions =
    [<CompiledName("Default")>]
    let defaults =
        {
            Host = "127.0.0.1"
            Port = 9464
            Path = "/metrics"
            Rendering = PrometheusOptions.defaults
            ScrapeResponseCache = TimeSpan.Zero
            ScrapeTimeout = PrometheusScrapeHandler.DefaultScrapeTimeout
        }

    let private validPort port = port >= 0 && port <= 65535

    // A host the server can listen on and put in a URL: `*`/`+`, an IP address (IPv6 with or without brackets)
    // or a DNS name; not a URL, not `host:port`, no spaces.
    let private validHost (host: string) =
        if String.IsNullOrWhiteSpace host then
            false
        else
            let host = host.Trim()

            let bare =
                if host.StartsWith "[" && host.EndsWith "]" then
                    host.Substring(1, host.Length - 2)
                else
                    host

            host = "*"
            || host = "+"
            || (match Uri.CheckHostName bare with
                | UriHostNameType.Dns
                | UriHostNameType.IPv4 -> bare = host
                | UriHostNameType.IPv6 -> true
                | _ -> false)

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) =
        let host, hostWarnings =
            match lookup "OTEL_EXPORTER_PROMETHEUS_HOST" |> Option.map _.Trim() with
            | None
            | Some "" -> defaults.Host, []
            | Some host when validHost host -> host, []
            | Some host ->
                defaults.Host,
                [
                    {
                        Source = "OTEL_EXPORTER_PROMETHEUS_HOST"
                        Message = $"'{host}' is not a host name or IP address; using {defaults.Host}"
                    }
                ]

        let port, warnings = Env.readInt lookup "OTEL_EXPORTER_PROMETHEUS_PORT" validPort defaults.Port
        { defaults with Host = host; Port = port }, hostWarnings @ warnings

    [<CompiledName("Validate")>]
    let validate (options: PrometheusEndpointOptions) =
        [
            if String.IsNullOrWhiteSpace options.Host then
                [
                    Validation.error (nameof options.Host) "the Prometheus endpoint's host must not be empty."
                ]
            elif not (validHost options.Host) then
                [
                    Validation.error
                        (nameof options.Host)
                        $"the Prometheus endpoint's host '{options.Host}' is not a host name or IP address (no scheme, port or path)."
                ]
            Validation.check
                (validPort options.Port)
                (nameof options.Port)
                $"the Prometheus endpoint's port must be from 0 to 65535, got {options.Port}."
            Validation.check
                (not (isNull options.Path) && options.Path.StartsWith "/")
                (nameof options.Path)
                "the Prometheus endpoint's path must start with '/'."
            Validation.check
                (options.ScrapeResponseCache >= TimeSpan.Zero)
                (nameof options.ScrapeResponseCache)
                "the scrape response cache duration must not be negative."
            Validation.check
                (options.ScrapeTimeout > TimeSpan.Zero)
                (nameof options.ScrapeTimeout)
                "the scrape timeout must be positive."
        ]
        |> List.concat
        |> Validation.ofErrors options
