using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Functional.Telemetry;

/// <summary>Options of the ASP.NET Core server-span instrumentation (<c>t.AddAspNetCoreInstrumentation(o => ...)</c>).
/// Callbacks run on the request's thread; one that throws is reported through the SDK's diagnostics (the
/// <c>Functional-Telemetry</c> event source and the diagnostics sink) and never reaches the request.</summary>
public sealed class AspNetCoreTraceInstrumentationOptions
{
    /// <summary>The query keys whose values the conventions redact by default (case-sensitive): <c>AWSAccessKeyId</c>,
    /// <c>Signature</c>, <c>sig</c>, <c>X-Goog-Signature</c>, <c>X-Amz-Signature</c>, <c>X-Amz-Credential</c>,
    /// <c>X-Amz-Security-Token</c>.</summary>
    public static IReadOnlyList<string> DefaultSensitiveQueryParameters { get; } = new[]
    {
        "AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token",
    };

    /// <summary>Decides, when a request starts, whether it is traced: false leaves it out (no span is exported
    /// for it, and spans started under it are not sampled), as for health checks:
    /// <c>o.Filter = context => context.Request.Path != "/health"</c>. A filter that throws leaves the request
    /// out too. Default null: every request is traced.</summary>
    public Func<HttpContext, bool>? Filter { get; set; }

    /// <summary>Called when a traced request starts, after the instrumentation's attributes are set, to add
    /// attributes of the request to the server span (<c>activity.SetTag(...)</c>). Default null.</summary>
    public Action<Activity, HttpRequest>? EnrichWithHttpRequest { get; set; }

    /// <summary>Called when a traced request ends, after the instrumentation's attributes are set (the span's name
    /// and status included), to add attributes of the response or change the span. Default null.</summary>
    public Action<Activity, HttpResponse>? EnrichWithHttpResponse { get; set; }

    /// <summary>Called when an exception escapes the request's pipeline (or reaches the developer exception page),
    /// after it was recorded. Default null.</summary>
    public Action<Activity, Exception>? EnrichWithException { get; set; }

    /// <summary>Adds an <c>exception</c> event (<c>exception.type</c>, <c>exception.message</c>,
    /// <c>exception.stacktrace</c>) to the server span of a request whose pipeline threw. <c>error.type</c> and the
    /// Error status are set either way. Default true (OpenTelemetry .NET's default is false).</summary>
    public bool RecordException { get; set; } = true;

    /// <summary>Request headers recorded as <c>http.request.header.&lt;name&gt;</c> (the name lowercased; the value
    /// an array of the header's values), matched case-insensitively. Default none: headers may hold secrets.</summary>
    public IList<string> CapturedRequestHeaders { get; } = new List<string>();

    /// <summary>Response headers recorded as <c>http.response.header.&lt;name&gt;</c> (the name lowercased; the value
    /// an array of the header's values), matched case-insensitively. Default none.</summary>
    public IList<string> CapturedResponseHeaders { get; } = new List<string>();

    /// <summary>Query keys whose values <c>url.query</c> shows as <c>REDACTED</c> (the key stays:
    /// <c>q=1&amp;sig=REDACTED</c>), matched case-sensitively as the conventions ask. The set replaces the default
    /// (<see cref="DefaultSensitiveQueryParameters"/>): add to it, or clear it to record queries as they are.</summary>
    public ISet<string> SensitiveQueryParameters { get; } = new HashSet<string>(DefaultSensitiveQueryParameters, StringComparer.Ordinal);

    /// <summary>The HTTP methods recorded as they are (case-sensitive); any other becomes <c>_OTHER</c>, with the
    /// method received in <c>http.request.method_original</c> (a known method in other letter case becomes the
    /// known one, with the original beside it). Default null: <c>OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS</c>
    /// (comma-separated) when set, else the conventions' list: CONNECT, DELETE, GET, HEAD, OPTIONS, PATCH, POST,
    /// PUT, QUERY, TRACE.</summary>
    public IList<string>? KnownHttpMethods { get; set; }
}
