namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Diagnostics
open System.Net.Http

/// Grpc.Net.Client's spans (its `Grpc.Net.Client` ActivitySource, a client span per call tagged `grpc.method` and
/// `grpc.status_code`) completed per the RPC semantic conventions from the events of its `Grpc.Net.Client`
/// DiagnosticListener: when the call starts, the name `{service}/{method}`, `rpc.system` = `grpc`, `rpc.service`,
/// `rpc.method`, `server.address` and `server.port` (from the request's URL); when it ends, `rpc.grpc.status_code`
/// (a number) and status Error for every code but OK. The two `grpc.*` tags, replaced, are removed (`GrpcActivity`,
/// over the pure `GrpcConventions`).
[<RequireQualifiedAccess>]
module internal GrpcClientInstrumentation =
    /// The instrumentation's name.
    [<Literal>]
    let Name = "GrpcClient"

    /// Grpc.Net.Client's ActivitySource (and DiagnosticListener).
    [<Literal>]
    let SourceName = "Grpc.Net.Client"

    /// The operation name of a call's Activity.
    [<Literal>]
    let ActivityName = "Grpc.Net.Client.GrpcOut"

    [<Literal>]
    let private StartEvent = "Grpc.Net.Client.GrpcOut.Start"

    [<Literal>]
    let private StopEvent = "Grpc.Net.Client.GrpcOut.Stop"

    let private request = PayloadProperty<HttpRequestMessage> "Request"
    let private response = PayloadProperty<HttpResponseMessage> "Response"

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

    let private started (options: GrpcClientInstrumentationOptions) (payload: obj) =
        let activity = current ()

        if not (isNull activity) then
            let sent = request.Read payload

            let keep =
                match options.Filter, sent with
                | Some filter, sent when not (isNull sent) ->
                    UserCallback.test Name "filter" false (fun () -> filter sent)
                | _ -> true

            if not keep then
                HttpClientInstrumentation.unrecord activity
            else
                GrpcActivity.nameCall activity

                if
                    not (isNull sent)
                    && not (isNull sent.RequestUri)
                    && sent.RequestUri.IsAbsoluteUri
                then
                    activity.SetTag("server.address", sent.RequestUri.Host).SetTag("server.port", sent.RequestUri.Port)
                    |> ignore

                match options.EnrichWithRequest with
                | Some enrich when not (isNull sent) ->
                    UserCallback.run Name "request enricher" (fun () -> enrich activity sent)
                | _ -> ()

    let private stopped (options: GrpcClientInstrumentationOptions) (payload: obj) =
        let activity = current ()

        if not (isNull activity) then
            GrpcActivity.endCall SpanKind.Client activity

            match options.EnrichWithResponse with
            | Some enrich ->
                let received = response.Read payload

                if not (isNull received) then
                    UserCallback.run Name "response enricher" (fun () -> enrich activity received)
            | None -> ()

    let private start (options: GrpcClientInstrumentationOptions) () =
        // `GrpcOut` itself is asked before the call (with the request): enabled, so the library writes the events.
        let isEnabled name =
            match name with
            | ActivityName
            | StartEvent
            | StopEvent -> true
            | _ -> false

        let onEvent name payload =
            match name with
            | StartEvent -> started options payload
            | StopEvent -> stopped options payload
            | _ -> ()

        DiagnosticSubscription.Start(Name, SourceName, isEnabled, onEvent) :> IDisposable

    /// The instrumentation with these options.
    let create (options: GrpcClientInstrumentationOptions) =
        TracingInstrumentation(Name, [ SourceName ], (fun _ -> start options ()), None)
