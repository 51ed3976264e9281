namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

[<Sealed>]
type OtlpPreset
    internal
    (
        name: string,
        signals: OtlpSignal list,
        protocols: OtlpProtocol list,
        protocol: OtlpProtocol,
        baseUrl: Uri option,
        defaultBaseUrl: OtlpProtocol -> Uri,
        headers: (string * string) list,
        temporality: TemporalityPreference option,
        exponential: bool option
    ) =
    member _.Name = name
    member _.Signals = signals
    member _.Protocols = protocols
    member _.Protocol = protocol
    member _.BaseUrl = baseUrl |> Option.defaultWith (fun () -> defaultBaseUrl protocol)
    member _.HeaderNames = headers |> List.map fst
    member _.TemporalityPreference = temporality
    member _.ExponentialHistograms = exponential

    member internal _.GivenBaseUrl = baseUrl
    member internal _.DefaultBaseUrl = defaultBaseUrl
    member internal _.Headers = headers

    override this.ToString() =
        let protocolName =
            match protocol with
            | OtlpProtocol.Grpc -> "grpc"
            | OtlpProtocol.HttpProtobuf -> "http/protobuf"
            | OtlpProtocol.HttpJson -> "http/json"

        let where =
            match protocol with
            | OtlpProtocol.Grpc -> SelfDiagnostics.displayUrl this.BaseUrl
            | _ -> (SelfDiagnostics.displayUrl this.BaseUrl).TrimEnd('/') + "/v1/<signal>"

        let headerText =
            match headers with
            | [] -> ""
            | _ -> ", headers " + (headers |> List.map fst |> String.concat ", ")

        let metrics =
            match temporality, exponential with
            | Some TemporalityPreference.Delta, _ -> ", metrics delta"
            | Some TemporalityPreference.LowMemory, _ -> ", metrics low-memory"
            | Some TemporalityPreference.Cumulative, _ -> ", metrics cumulative"
            | None, _ -> ""

        let histograms =
            match exponential with
            | Some true -> ", exponential histograms"
            | _ -> ""

        $"{name}: {protocolName} to {where}{headerText}{metrics}{histograms}"

[<RequireQualifiedAccess>]
module OtlpPreset =
    let private copy
        (preset: OtlpPreset)
        (protocol: OtlpProtocol)
        (baseUrl: Uri option)
        (headers: (string * string) list)
        (exponential: bool option)
        =
        OtlpPreset(
            preset.Name,
            preset.Signals,
            preset.Protocols,
            protocol,
            baseUrl,
            preset.DefaultBaseUrl,
            headers,
            preset.TemporalityPreference,
            exponential
        )

    let private allSignals = [ OtlpSignal.Traces; OtlpSignal.Metrics; OtlpSignal.Logs ]

    let private allProtocols = [ OtlpProtocol.HttpProtobuf; OtlpProtocol.HttpJson; OtlpProtocol.Grpc ]

    // Local agents and collectors listen on OTLP's standard ports: 4317 for gRPC, 4318 for HTTP.
    let private localAgent protocol =
        match protocol with
        | OtlpProtocol.Grpc -> Uri "http://localhost:4317"
        | _ -> Uri "http://localhost:4318"

    [<CompiledName("Jaeger")>]
    let jaeger =
        OtlpPreset(
            "jaeger",
            [ OtlpSignal.Traces ],
            allProtocols,
            OtlpProtocol.HttpProtobuf,
            None,
            localAgent,
            [],
            None,
            None
        )

    [<CompiledName("DatadogAgent")>]
    let datadogAgent =
        OtlpPreset(
            "datadog-agent",
            allSignals,
            allProtocols,
            OtlpProtocol.HttpProtobuf,
            None,
            localAgent,
            [],
            Some TemporalityPreference.Delta,
            None
        )

    let private blank (value: string) = String.IsNullOrWhiteSpace value

    // A DNS name of letters, digits and hyphens, in dot-separated labels (what a Datadog site is).
    let private isDomain (text: string) =
        not (blank text)
        && text.Split('.')
           |> Array.forall (fun label ->
               label.Length > 0
               && label
                  |> Seq.forall (fun c -> c < '\u007f' && (Char.IsLetterOrDigit c || c = '-')))

    [<CompiledName("Datadog")>]
    let datadog (site: string) (apiKey: string) =
        let site = if isNull site then "" else site.Trim()

        [
            Validation.check
                (isDomain site)
                (nameof site)
                $"must be a Datadog site's domain, such as datadoghq.com or datadoghq.eu, got '{site}'."
            Validation.check (not (blank apiKey)) (nameof apiKey) "must not be empty."
        ]
        |> List.concat
        |> Validation.ofErrors ()
        |> Validation.orThrow (nameof site)

        let intake = Uri $"https://otlp.{site.ToLowerInvariant()}"

        OtlpPreset(
            "datadog",
            allSignals,
            [ OtlpProtocol.HttpProtobuf ],
            OtlpProtocol.HttpProtobuf,
            None,
            (fun _ -> intake),
            [ "dd-api-key", apiKey.Trim(); "dd-protocol", "otlp" ],
            Some TemporalityPreference.Delta,
            None
        )

    [<CompiledName("Dynatrace")>]
    let dynatrace (environmentId: string) (apiToken: string) =
        let environmentId = if isNull environmentId then "" else environmentId.Trim()

        let validId =
            environmentId.Length > 0
            && environmentId |> Seq.forall (fun c -> c < '\u007f' && Char.IsLetterOrDigit c)

        [
            Validation.check
                validId
                (nameof environmentId)
                $"must be a Dynatrace environment id (letters and digits, as in abc12345.live.dynatrace.com), got '{environmentId}'."
            Validation.check (not (blank apiToken)) (nameof apiToken) "must not be empty."
        ]
        |> List.concat
        |> Validation.ofErrors ()
        |> Validation.orThrow (nameof environmentId)

        let environment = Uri $"https://{environmentId.ToLowerInvariant()}.live.dynatrace.com/api/v2/otlp"

        OtlpPreset(
            "dynatrace",
            allSignals,
            [ OtlpProtocol.HttpProtobuf ],
            OtlpProtocol.HttpProtobuf,
            None,
            (fun _ -> environment),
            [ "Authorization", "Api-Token " + apiToken.Trim() ],
            Some TemporalityPreference.Delta,
            None
        )

    [<CompiledName("GoogleCloud")>]
    let googleCloud (projectId: string) =
        Validation.check (not (blank projectId)) (nameof projectId) "must not be empty."
        |> Validation.ofErrors ()
        |> Validation.orThrow (nameof projectId)

        OtlpPreset(
            "google-cloud",
            allSignals,
            allProtocols,
            OtlpProtocol.HttpProtobuf,
            None,
            (fun _ -> Uri "https://telemetry.googleapis.com"),
            [ "x-goog-user-project", projectId.Trim() ],
            None,
            None
        )

    [<CompiledName("WithBaseUrl")>]
    let withBaseUrl (baseUrl: Uri) (preset: OtlpPreset) =
        Validation.check
            (not (isNull baseUrl)
             && baseUrl.IsAbsoluteUri
             && (baseUrl.Scheme = Uri.UriSchemeHttp || baseUrl.Scheme = Uri.UriSchemeHttps))
            (nameof baseUrl)
            "must be an absolute http or https URL."
        |> Validation.ofErrors ()
        |> Validation.orThrow (nameof baseUrl)

        copy preset preset.Protocol (Some baseUrl) preset.Headers preset.ExponentialHistograms

    let private protocolName protocol =
        match protocol with
        | OtlpProtocol.Grpc -> "grpc"
        | OtlpProtocol.HttpProtobuf -> "http/protobuf"
        | OtlpProtocol.HttpJson -> "http/json"

    [<CompiledName("WithProtocol")>]
    let withProtocol (protocol: OtlpProtocol) (preset: OtlpPreset) =
        let accepted = preset.Protocols |> List.map protocolName |> String.concat ", "

        Validation.check
            (List.contains protocol preset.Protocols)
            (nameof protocol)
            $"{preset.Name} accepts {accepted}, not {protocolName protocol}."
        |> Validation.ofErrors ()
        |> Validation.orThrow (nameof protocol)

        copy preset protocol preset.GivenBaseUrl preset.Headers preset.ExponentialHistograms

    let private sameName (a: string) (b: string) = String.Equals(a, b, StringComparison.OrdinalIgnoreCase)

    [<CompiledName("WithHeader")>]
    let withHeader (name: string) (value: string) (preset: OtlpPreset) =
        let others = preset.Headers |> List.filter (fun (n, _) -> not (sameName n name))
        copy preset preset.Protocol preset.GivenBaseUrl (others @ [ name, value ]) preset.ExponentialHistograms

    [<CompiledName("WithExponentialHistograms")>]
    let withExponentialHistograms (enabled: bool) (preset: OtlpPreset) =
        copy preset preset.Protocol preset.GivenBaseUrl preset.Headers (Some enabled)

    let checkSignal (signal: OtlpSignal) (preset: OtlpPreset) =
        let names = preset.Signals |> List.map OtlpOptions.signalPath |> String.concat ", "

        Validation.check
            (List.contains signal preset.Signals)
            "preset"
            $"{preset.Name} receives {names} only, not {OtlpOptions.signalPath signal}."
        |> Validation.ofErrors preset

    [<CompiledName("Options")>]
    let options (signal: OtlpSignal) (preset: OtlpPreset) (options: OtlpOptions) =
        let preset = Validation.orThrow "preset" (checkSignal signal preset)
        let baseUrl = preset.BaseUrl

        let endpoint =
            match preset.Protocol with
            | OtlpProtocol.Grpc -> baseUrl
            | _ ->
                let builder = UriBuilder baseUrl
                builder.Path <- builder.Path.TrimEnd('/') + "/v1/" + OtlpOptions.signalPath signal
                builder.Uri

        let presetHeaders = preset.Headers

        let kept =
            options.Headers
            |> List.filter (fun (name, _) -> not (presetHeaders |> List.exists (fst >> sameName name)))

        { options with
            Endpoint = Some endpoint
            Protocol = preset.Protocol
            Headers = kept @ presetHeaders
            TemporalityPreference =
                preset.TemporalityPreference
                |> Option.defaultValue options.TemporalityPreference
            ExponentialHistograms =
                preset.ExponentialHistograms
                |> Option.defaultValue options.ExponentialHistograms
        }
