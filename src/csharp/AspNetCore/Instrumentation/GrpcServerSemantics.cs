using System.Diagnostics;
using System.Globalization;

namespace Functional.Telemetry.AspNetCore;

/// <summary>The RPC conventions of a gRPC call served by Grpc.AspNetCore, which tags ASP.NET Core's request
/// activity with <c>grpc.method</c> (<c>/greet.Greeter/SayHello</c>) and, when the call ends,
/// <c>grpc.status_code</c> (the code as text).</summary>
internal static class GrpcServerSemantics
{
    public const string MethodTag = "grpc.method";
    public const string StatusCodeTag = "grpc.status_code";

    /// <summary>Splits <c>/package.Service/Method</c> into the service and the method; false for another shape.</summary>
    public static bool TryParseMethod(string? fullMethod, out string service, out string method)
    {
        service = method = "";
        if (string.IsNullOrEmpty(fullMethod))
        {
            return false;
        }

        var path = fullMethod[0] == '/' ? fullMethod[1..] : fullMethod;
        var slash = path.LastIndexOf('/');
        if (slash <= 0 || slash == path.Length - 1)
        {
            return false;
        }

        service = path[..slash];
        method = path[(slash + 1)..];
        return true;
    }

    /// <summary>A server span's status by its gRPC status code: an error for UNKNOWN (2), DEADLINE_EXCEEDED (4),
    /// UNIMPLEMENTED (12), INTERNAL (13), UNAVAILABLE (14) and DATA_LOSS (15), unset otherwise (the others are the
    /// client's doing).</summary>
    public static bool IsServerError(int statusCode) => statusCode is 2 or 4 or 12 or 13 or 14 or 15;

    /// <summary>Names and tags a gRPC server span when Grpc.AspNetCore tagged it: <c>rpc.system</c>,
    /// <c>rpc.service</c>, <c>rpc.method</c>, <c>rpc.grpc.status_code</c> (an int), the name <c>{service}/{method}</c>
    /// and the status by the gRPC code. Grpc.AspNetCore's own tags are removed once mapped. False when the span is
    /// not a gRPC call.</summary>
    public static bool Apply(Activity activity)
    {
        if (!TryParseMethod(activity.GetTagItem(MethodTag) as string, out var service, out var method))
        {
            return false;
        }

        activity.SetTag("rpc.system", "grpc");
        activity.SetTag("rpc.service", service);
        activity.SetTag("rpc.method", method);
        activity.DisplayName = $"{service}/{method}";
        activity.SetTag(MethodTag, null);

        if (activity.GetTagItem(StatusCodeTag) is string text
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            activity.SetTag("rpc.grpc.status_code", code);
            activity.SetTag(StatusCodeTag, null);
            if (IsServerError(code))
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        return true;
    }
}
