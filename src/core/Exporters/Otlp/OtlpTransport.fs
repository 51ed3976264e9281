namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Net.Http
open System.Threading
open System.Threading.Tasks

/// Sends encoded OTLP request bodies over OTLP/HTTP (HttpClient's handler) or OTLP/gRPC (Grpc.Net.Client) and
/// classifies the outcome. A partial success is reported on the self-diagnostics event source (PartialSuccess,
/// with the signal name, `traces`, `metrics` or `logs`, as the pipeline). Header values never appear in results
/// or diagnostics: a peer's message that echoes one has it replaced by `[redacted]`. Connection failures and
/// timeouts are Retryable. The constructors validate the options (ArgumentException); this one takes the handler
/// to send through (tests), which the transport disposes.
[<Sealed>]
type internal OtlpTransport(signal: OtlpSignal, options: OtlpOptions, handler: HttpMessageHandler) =
    let options = Validation.orThrow (nameof options) (OtlpOptions.validate options)
    let endpoint = OtlpOptions.resolveEndpoint signal options

    let name =
        match options.Protocol with
        | OtlpProtocol.Grpc -> "otlp-grpc"
        | OtlpProtocol.HttpProtobuf -> "otlp-http-protobuf"
        | OtlpProtocol.HttpJson -> "otlp-http-json"

    // Where requests go, as diagnostics show it (no user info, query or fragment): the URL, or for gRPC the
    // channel's target and the method's path.
    let destination =
        match options.Protocol with
        | OtlpProtocol.Grpc ->
            let target = OtlpGrpc.target options endpoint
            let path = (OtlpGrpc.exportMethod signal endpoint).FullName

            if target.Scheme = Uri.UriSchemeHttp || target.Scheme = Uri.UriSchemeHttps then
                target.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) + path
            else
                // `dns:///collectors:4317/...`, `static:///10.0.0.1:4317,10.0.0.2:4317/...`
                $"{target.Scheme}://{target.Authority}{target.AbsolutePath}{path}"
        | _ -> SelfDiagnostics.displayUrl endpoint

    let report (partial: OtlpPartialSuccess option) =
        match partial with
        | Some p ->
            SelfDiagnostics.partialSuccess
                (OtlpOptions.signalPath signal)
                name
                destination
                p.RejectedCount
                (OtlpResponse.redact options.Headers p.ErrorMessage)
        | None -> ()

    let requestKind =
        let contentType =
            match options.Protocol with
            | OtlpProtocol.Grpc -> "application/grpc"
            | OtlpProtocol.HttpProtobuf -> "application/x-protobuf"
            | OtlpProtocol.HttpJson -> "application/json"

        $"{OtlpOptions.signalPath signal};{contentType}"

    let sender: IOtlpSender =
        match options.Protocol with
        | OtlpProtocol.Grpc -> new OtlpGrpcSender(signal, options, endpoint, handler, report)
        | _ -> new OtlpHttpSender(options, endpoint, handler, report)

    /// A transport over its own SocketsHttpHandler (with the configured CA and client certificates and, for
    /// gRPC, keepalive pings).
    new(signal, options) = new OtlpTransport(signal, options, OtlpHttp.createHandler options)

    /// `otlp-grpc`, `otlp-http-protobuf` or `otlp-http-json`.
    member _.Name = name

    /// `<signal>;<content type>` of the requests it sends: what an export store checks before replaying a body.
    member _.RequestKind = requestKind

    /// Where requests go as diagnostics show it: scheme, host, port and path (for gRPC, the channel's target
    /// and the method's path).
    member _.Destination = destination

    /// Sends one encoded request (an uncompressed Export*ServiceRequest) within the configured timeout.
    member _.Send(body: ReadOnlyMemory<byte>, cancellationToken: CancellationToken) : Task<ExportResult> =
        sender.Send(body, cancellationToken)

    interface IDisposable with
        member _.Dispose() = sender.Dispose()
