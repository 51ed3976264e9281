namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Diagnostics

/// A gRPC call's Activity completed per the RPC semantic conventions, for either side: Grpc.Net.Client's call
/// Activity (client) and the ASP.NET Core request Activity that Grpc.AspNetCore tags (server) both carry
/// `grpc.method` and `grpc.status_code`. The decisions are `GrpcConventions`'; this module only reads and writes tags.
[<RequireQualifiedAccess>]
module internal GrpcActivity =
    /// Names a call's Activity and sets its `rpc.*` attributes from its `grpc.method` tag, which it removes (kept
    /// when it is not `/service/method`).
    let nameCall (activity: Activity) =
        activity.SetTag(GrpcConventions.RpcSystem, GrpcConventions.RpcSystemGrpc)
        |> ignore

        match activity.GetTagItem GrpcConventions.GrpcMethodTag with
        | :? string as fullName ->
            match GrpcConventions.tryParseMethod fullName with
            | ValueSome(struct (service, method)) ->
                activity.DisplayName <- GrpcConventions.spanName service method

                activity
                    .SetTag(GrpcConventions.RpcService, service)
                    .SetTag(GrpcConventions.RpcMethod, method)
                    .SetTag(GrpcConventions.GrpcMethodTag, null)
                |> ignore
            | ValueNone -> ()
        | _ -> ()

    /// Sets a call's `rpc.grpc.status_code` from its `grpc.status_code` tag, which it removes, and its status
    /// (when unset) by the conventions for `kind`.
    let endCall (kind: SpanKind) (activity: Activity) =
        match GrpcConventions.tryStatusCode (activity.GetTagItem GrpcConventions.GrpcStatusCodeTag) with
        | ValueSome code ->
            activity.SetTag(GrpcConventions.RpcGrpcStatusCode, code).SetTag(GrpcConventions.GrpcStatusCodeTag, null)
            |> ignore

            if activity.Status = ActivityStatusCode.Unset && GrpcConventions.isError kind code then
                activity.SetStatus ActivityStatusCode.Error |> ignore
        | ValueNone -> ()
