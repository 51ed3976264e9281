using System.Diagnostics;

namespace Functional.Telemetry.AspNetCore;

/// <summary>The RPC conventions of a gRPC call served by Grpc.AspNetCore, which tags ASP.NET Core's request
/// activity with <c>grpc.method</c> (<c>/greet.Greeter/SayHello</c>) and, when the call ends,
/// <c>grpc.status_code</c> (the code as text). The decisions are the core's <c>GrpcConventions</c>, shared with the
/// gRPC client instrumentation; this class only says when they apply.</summary>
internal static class GrpcServerSemantics
{
    /// <summary>Splits <c>/package.Service/Method</c> into the service and the method; false for another shape.</summary>
    public static bool TryParseMethod(string? fullMethod, out string service, out string method)
    {
        var parsed = GrpcConventions.tryParseMethod(fullMethod ?? "");
        (service, method) = parsed.IsValueSome ? (parsed.Item.Item1, parsed.Item.Item2) : ("", "");
        return parsed.IsValueSome;
    }

    /// <summary>Names and tags a gRPC server span when Grpc.AspNetCore tagged it: <c>rpc.system</c>,
    /// <c>rpc.service</c>, <c>rpc.method</c>, <c>rpc.grpc.status_code</c> (an int), the name <c>{service}/{method}</c>
    /// and the status by the gRPC code (an error for UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL,
    /// UNAVAILABLE and DATA_LOSS). Grpc.AspNetCore's own tags are removed once mapped. False when the span is not a
    /// gRPC call.</summary>
    public static bool Apply(Activity activity)
    {
        if (!TryParseMethod(activity.GetTagItem(GrpcConventions.GrpcMethodTag) as string, out _, out _))
        {
            return false;
        }

        GrpcActivity.nameCall(activity);
        GrpcActivity.endCall(SpanKind.Server, activity);
        return true;
    }
}
