namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Globalization

/// The gRPC part of the RPC semantic conventions, pure and shared by both sides of a call: Grpc.Net.Client (client)
/// and Grpc.AspNetCore (server) tag their Activities with `grpc.method` (`/package.Service/Method`) and
/// `grpc.status_code` (the status as decimal text); these functions turn those values into the `rpc.*` attributes,
/// the span name and the span status, whoever holds the span (an Activity or a Span record).
[<RequireQualifiedAccess>]
module internal GrpcConventions =
    /// The tag Grpc.Net.Client and Grpc.AspNetCore put the full method name in.
    [<Literal>]
    let GrpcMethodTag = "grpc.method"

    /// The tag Grpc.Net.Client and Grpc.AspNetCore put the status code in (decimal text).
    [<Literal>]
    let GrpcStatusCodeTag = "grpc.status_code"

    /// `rpc.system`, whose value for gRPC is `grpc`.
    [<Literal>]
    let RpcSystem = "rpc.system"

    /// The value of `rpc.system`.
    [<Literal>]
    let RpcSystemGrpc = "grpc"

    /// `rpc.service`: the full service name (`package.Service`).
    [<Literal>]
    let RpcService = "rpc.service"

    /// `rpc.method`: the method name.
    [<Literal>]
    let RpcMethod = "rpc.method"

    /// `rpc.grpc.status_code`: the numeric status code.
    [<Literal>]
    let RpcGrpcStatusCode = "rpc.grpc.status_code"

    /// The highest status code gRPC defines (UNAUTHENTICATED).
    [<Literal>]
    let MaxStatusCode = 16

    /// `/package.Service/Method` (the leading slash may be missing) as its service and method; ValueNone when the
    /// text is not that shape (empty parts, more or fewer than two parts).
    let tryParseMethod (fullName: string) : struct (string * string) voption =
        if String.IsNullOrEmpty fullName then
            ValueNone
        else
            let path =
                if fullName[0] = '/' then
                    fullName.AsSpan 1
                else
                    fullName.AsSpan()

            let slash = path.IndexOf '/'

            if slash <= 0 || slash = path.Length - 1 || path.Slice(slash + 1).IndexOf '/' >= 0 then
                ValueNone
            else
                ValueSome(struct (path.Slice(0, slash).ToString(), path.Slice(slash + 1).ToString()))

    /// The span name of a call: `{rpc.service}/{rpc.method}`.
    let spanName (service: string) (method: string) = service + "/" + method

    /// A status code from a tag's value: decimal text (as both libraries write it) or an integer; ValueNone for
    /// anything else, negative numbers included.
    let tryStatusCode (value: obj) : int voption =
        match value with
        | :? string as text ->
            match Int32.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture) with
            | true, code -> ValueSome code
            | _ -> ValueNone
        | :? int as code when code >= 0 -> ValueSome code
        | :? int64 as code when code >= 0L && code <= int64 Int32.MaxValue -> ValueSome(int code)
        | _ -> ValueNone

    /// Whether a call that ended with `code` is an error for the side that holds the span. The client side: every
    /// code but OK (0). The server side: only UNKNOWN (2), DEADLINE_EXCEEDED (4), UNIMPLEMENTED (12), INTERNAL
    /// (13), UNAVAILABLE (14) and DATA_LOSS (15), the codes that say the server failed; the others (NOT_FOUND,
    /// INVALID_ARGUMENT, ...) are the caller's error and leave the server span unset. Other kinds: as the client.
    let isError (kind: SpanKind) (code: int) =
        match kind with
        | SpanKind.Server ->
            match code with
            | 2
            | 4
            | 12
            | 13
            | 14
            | 15 -> true
            | _ -> false
        | _ -> code <> 0

    /// The span status of a call that ended with `code` (Error with an empty description, or Unset).
    let status (kind: SpanKind) (code: int) = if isError kind code then Status.Error "" else Status.Unset

    /// The attributes of a call to `service`/`method`: `rpc.system` = `grpc`, `rpc.service`, `rpc.method`.
    let callAttributes (service: string) (method: string) =
        [
            KeyValue.string RpcSystem RpcSystemGrpc
            KeyValue.string RpcService service
            KeyValue.string RpcMethod method
        ]
