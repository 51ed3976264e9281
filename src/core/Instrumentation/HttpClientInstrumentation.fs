namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Diagnostics
open System.Net.Http

/// HttpClient's own spans (.NET 10's `System.Net.Http` ActivitySource), which already follow the HTTP client
/// semantic conventions: name `{method}`, `http.request.method`, `server.address`, `server.port`, `url.full` (query
/// written `?*`), `network.protocol.version`, `http.response.status_code`, `error.type`, status Error from 400 on
/// and when the request throws, with an `exception` event. What this adds: the options' filter and enrichers (run
/// from the `HttpHandlerDiagnosticListener` events, subscribed to only when an option needs them), `url.full`
/// redacted when .NET was told not to (`System.Net.Http.DisableUriRedaction`), and the exception event removed when
/// `RecordException` is false.
[<RequireQualifiedAccess>]
module internal HttpClientInstrumentation =
    /// The instrumentation's name.
    [<Literal>]
    let Name = "HttpClient"

    /// HttpClient's ActivitySource.
    [<Literal>]
    let SourceName = "System.Net.Http"

    /// The operation name of HttpClient's request Activity.
    [<Literal>]
    let ActivityName = "System.Net.Http.HttpRequestOut"

    [<Literal>]
    let private ListenerName = "HttpHandlerDiagnosticListener"

    [<Literal>]
    let private StartEvent = "System.Net.Http.HttpRequestOut.Start"

    [<Literal>]
    let private StopEvent = "System.Net.Http.HttpRequestOut.Stop"

    [<Literal>]
    let private ExceptionEvent = "System.Net.Http.Exception"

    [<Literal>]
    let private UrlFull = "url.full"

    /// Whether .NET writes request URLs whole: the `System.Net.Http.DisableUriRedaction` switch, else the variable
    /// `DOTNET_SYSTEM_NET_HTTP_DISABLEURIREDACTION` (`true` or a non-zero number), read as .NET reads them.
    let uriRedactionDisabled () =
        match AppContext.TryGetSwitch "System.Net.Http.DisableUriRedaction" with
        | true, disabled -> disabled
        | _ ->
            let text = Environment.GetEnvironmentVariable "DOTNET_SYSTEM_NET_HTTP_DISABLEURIREDACTION"

            match Boolean.TryParse text with
            | true, disabled -> disabled
            | _ ->
                match UInt32.TryParse text with
                | true, number -> number <> 0u
                | _ -> false

    let private request = PayloadProperty<HttpRequestMessage> "Request"
    let private response = PayloadProperty<HttpResponseMessage> "Response"
    let private thrown = PayloadProperty<exn> "Exception"

    // The Activity of the request the event is about: HttpClient's, made by its ActivitySource (not the bare one
    // .NET makes when no listener sampled the request) and recording.
    let private current () =
        match Activity.Current with
        | null -> null
        | activity when
            activity.IsAllDataRequested
            && String.Equals(activity.OperationName, ActivityName, StringComparison.Ordinal)
            && String.Equals(activity.Source.Name, SourceName, StringComparison.Ordinal)
            ->
            activity
        | _ -> null

    /// Makes a started Activity not recorded: not exported, and propagated as not sampled.
    let unrecord (activity: Activity) =
        activity.IsAllDataRequested <- false
        activity.ActivityTraceFlags <- activity.ActivityTraceFlags &&& ~~~ActivityTraceFlags.Recorded

    /// Removes the `exception` events of HttpClient's spans (`RecordException` false).
    let withoutExceptionEvents: Processor<Span> =
        fun span ->
            if
                String.Equals(span.Scope.Name, SourceName, StringComparison.Ordinal)
                && span.Events |> Seq.exists (fun event -> event.Name = "exception")
            then
                Some
                    { span with
                        Events = span.Events |> Seq.filter (fun event -> event.Name <> "exception") |> Seq.toList
                    }
            else
                Some span

    let private started (options: HttpClientInstrumentationOptions) redactUrls (payload: obj) =
        let activity = current ()
        let sent = request.Read payload

        if not (isNull activity || isNull sent) then
            let keep =
                match options.Filter with
                | Some filter -> UserCallback.test Name "filter" false (fun () -> filter sent)
                | None -> true

            if not keep then
                unrecord activity
            else
                if redactUrls then
                    match activity.GetTagItem UrlFull with
                    | :? string as url -> activity.SetTag(UrlFull, UrlRedaction.redact url) |> ignore
                    | _ -> ()

                match options.EnrichWithRequest with
                | Some enrich -> UserCallback.run Name "request enricher" (fun () -> enrich activity sent)
                | None -> ()

    let private stopped (options: HttpClientInstrumentationOptions) (payload: obj) =
        match options.EnrichWithResponse with
        | Some enrich ->
            let activity = current ()
            let received = response.Read payload

            if not (isNull activity || isNull received) then
                UserCallback.run Name "response enricher" (fun () -> enrich activity received)
        | None -> ()

    let private failed (options: HttpClientInstrumentationOptions) (payload: obj) =
        match options.EnrichWithException with
        | Some enrich ->
            let activity = current ()
            let error = thrown.Read payload

            if not (isNull activity || isNull error) then
                UserCallback.run Name "exception enricher" (fun () -> enrich activity error)
        | None -> ()

    let private noSubscription =
        { new IDisposable with
            member _.Dispose() = ()
        }

    // Subscribes to the events the options need, and to none when they need none (the spans are HttpClient's as
    // they are). `HttpRequestOut` itself stays disabled: enabling it would make .NET start an Activity of its own
    // for a request no sampler recorded.
    let private start (options: HttpClientInstrumentationOptions) () =
        let redactUrls = uriRedactionDisabled ()

        let onStart = options.Filter.IsSome || options.EnrichWithRequest.IsSome || redactUrls

        let onStop = options.EnrichWithResponse.IsSome
        let onException = options.EnrichWithException.IsSome

        if not (onStart || onStop || onException) then
            noSubscription
        else
            let isEnabled name =
                match name with
                | StartEvent -> onStart
                | StopEvent -> onStop
                | ExceptionEvent -> onException
                | _ -> false

            let onEvent name payload =
                match name with
                | StartEvent -> started options redactUrls payload
                | StopEvent -> stopped options payload
                | ExceptionEvent -> failed options payload
                | _ -> ()

            DiagnosticSubscription.Start(Name, ListenerName, isEnabled, onEvent) :> IDisposable

    /// The instrumentation with these options.
    let create (options: HttpClientInstrumentationOptions) =
        TracingInstrumentation(
            Name,
            [ SourceName ],
            (fun _ -> start options ()),
            (if options.RecordException then
                 None
             else
                 Some withoutExceptionEvents)
        )
