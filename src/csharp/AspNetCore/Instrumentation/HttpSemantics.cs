using System.Collections.Frozen;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Functional.Telemetry.AspNetCore;

/// <summary>The HTTP semantic conventions of a server span, as pure functions of the request's values: method
/// normalization, protocol version, query redaction, the route and the status.</summary>
internal static class HttpSemantics
{
    /// <summary>The conventions' known methods (RFC 9110, PATCH, QUERY).</summary>
    public static readonly IReadOnlyList<string> DefaultKnownMethods = new[]
    {
        "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE",
    };

    /// <summary>What a method becomes: <c>_OTHER</c>, and the span name <c>HTTP</c>, when it is not known.</summary>
    public const string OtherMethod = "_OTHER";

    public const string Redacted = "REDACTED";

    /// <summary>The known methods of the options: those given in code, else <c>OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS</c>
    /// (comma-separated), else the conventions' list.</summary>
    public static FrozenSet<string> KnownMethods(IEnumerable<string>? configured, string? fromEnvironment)
    {
        var methods = configured
            ?? (string.IsNullOrWhiteSpace(fromEnvironment)
                ? DefaultKnownMethods
                : fromEnvironment.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        return methods.Where(m => !string.IsNullOrWhiteSpace(m)).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The method to record and, when it differs from the one received, the original: a known method as
    /// it is; a known one in other letter case as the known one; anything else <c>_OTHER</c>.</summary>
    public static (string Method, string? Original) NormalizeMethod(string method, FrozenSet<string> known)
    {
        if (known.Contains(method))
        {
            return (method, null);
        }

        foreach (var candidate in known)
        {
            if (string.Equals(candidate, method, StringComparison.OrdinalIgnoreCase))
            {
                return (candidate, method);
            }
        }

        return (OtherMethod, method);
    }

    /// <summary>The span name: <c>{method} {route}</c>, the method alone without a route, <c>HTTP</c> for a method
    /// not known.</summary>
    public static string SpanName(string normalizedMethod, string? route)
    {
        var method = normalizedMethod == OtherMethod ? "HTTP" : normalizedMethod;
        return route is null ? method : $"{method} {route}";
    }

    /// <summary><c>network.protocol.version</c> of a request's protocol (<c>HTTP/1.1</c> is <c>1.1</c>,
    /// <c>HTTP/2</c> is <c>2</c>); null for one that is not HTTP.</summary>
    public static string? ProtocolVersion(string protocol)
    {
        if (HttpProtocol.IsHttp11(protocol)) return "1.1";
        if (HttpProtocol.IsHttp2(protocol)) return "2";
        if (HttpProtocol.IsHttp3(protocol)) return "3";
        if (HttpProtocol.IsHttp10(protocol)) return "1.0";
        return protocol.StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase) && protocol.Length > 5 ? protocol[5..] : null;
    }

    /// <summary><c>server.port</c>: the Host header's port, else the scheme's default; null when neither is known.</summary>
    public static int? ServerPort(HostString host, string scheme) =>
        host.Port ?? (string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase) ? 443
            : string.Equals(scheme, "http", StringComparison.OrdinalIgnoreCase) ? 80
            : null);

    /// <summary><c>url.query</c>: the query without its <c>?</c>, each value of a sensitive key replaced by
    /// <c>REDACTED</c> (keys compared case-sensitively, as received and percent-decoded); null for no query.</summary>
    public static string? Query(string? queryString, IReadOnlySet<string> sensitiveKeys)
    {
        if (string.IsNullOrEmpty(queryString) || queryString == "?")
        {
            return null;
        }

        var query = queryString[0] == '?' ? queryString[1..] : queryString;
        if (sensitiveKeys.Count == 0)
        {
            return query;
        }

        StringBuilder? redacted = null;
        var start = 0;
        while (start <= query.Length)
        {
            var end = query.IndexOf('&', start);
            if (end < 0)
            {
                end = query.Length;
            }

            var part = query.AsSpan(start, end - start);
            var equals = part.IndexOf('=');
            if (equals >= 0 && IsSensitive(part[..equals].ToString(), sensitiveKeys))
            {
                redacted ??= new StringBuilder(query, 0, start, query.Length + 16);
                redacted.Append(part[..(equals + 1)]).Append(Redacted);
            }
            else
            {
                redacted?.Append(part);
            }

            if (end < query.Length)
            {
                redacted?.Append('&');
            }

            start = end + 1;
        }

        return redacted?.ToString() ?? query;
    }

    private static bool IsSensitive(string key, IReadOnlySet<string> sensitiveKeys)
    {
        if (sensitiveKeys.Contains(key))
        {
            return true;
        }

        if (key.Contains('%') || key.Contains('+'))
        {
            try
            {
                return sensitiveKeys.Contains(Uri.UnescapeDataString(key.Replace('+', ' ')));
            }
            catch (UriFormatException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary><c>http.route</c>: the matched endpoint's route template (as ASP.NET Core's own metrics name it),
    /// <c>/</c> for an empty one; the endpoint a re-executing middleware (the exception handler) cleared is found
    /// where ASP.NET Core keeps it. Null when no route matched.</summary>
    public static string? Route(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null && context.Items.TryGetValue("__OriginalEndpoint", out var original) && original is Endpoint kept)
        {
            endpoint = kept;
        }

        var route = endpoint?.Metadata.GetMetadata<IRouteDiagnosticsMetadata>()?.Route
            ?? (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        return route is null ? null : route.Length == 0 ? "/" : route;
    }

    /// <summary>A server span's status by its HTTP status code: an error for 5xx, unset otherwise (a 4xx is the
    /// client's error, not the server's).</summary>
    public static bool IsServerError(int statusCode) => statusCode >= 500;
}
