using System.Collections.Frozen;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Functional.Telemetry.AspNetCore;

/// <summary>What one running instrumentation does, fixed when it starts: a copy of the options (changing them
/// afterwards changes nothing), the known methods resolved against the environment.</summary>
internal sealed class ServerSpanSettings
{
    public ServerSpanSettings(AspNetCoreTraceInstrumentationOptions options, string? knownMethodsVariable)
    {
        Filter = options.Filter;
        EnrichWithHttpRequest = options.EnrichWithHttpRequest;
        EnrichWithHttpResponse = options.EnrichWithHttpResponse;
        EnrichWithException = options.EnrichWithException;
        RecordException = options.RecordException;
        RequestHeaders = Headers(options.CapturedRequestHeaders, "http.request.header.");
        ResponseHeaders = Headers(options.CapturedResponseHeaders, "http.response.header.");
        SensitiveQueryParameters = options.SensitiveQueryParameters.ToFrozenSet(StringComparer.Ordinal);
        KnownMethods = HttpSemantics.KnownMethods(options.KnownHttpMethods, knownMethodsVariable);
    }

    public Func<HttpContext, bool>? Filter { get; }

    public Action<Activity, HttpRequest>? EnrichWithHttpRequest { get; }

    public Action<Activity, HttpResponse>? EnrichWithHttpResponse { get; }

    public Action<Activity, Exception>? EnrichWithException { get; }

    public bool RecordException { get; }

    /// <summary>Each captured request header and its attribute name.</summary>
    public (string Header, string Attribute)[] RequestHeaders { get; }

    /// <summary>Each captured response header and its attribute name.</summary>
    public (string Header, string Attribute)[] ResponseHeaders { get; }

    public FrozenSet<string> SensitiveQueryParameters { get; }

    public FrozenSet<string> KnownMethods { get; }

    private static (string, string)[] Headers(IEnumerable<string> names, string prefix) =>
        names.Where(n => !string.IsNullOrWhiteSpace(n))
            .Select(n => n.Trim().ToLowerInvariant())
            .Distinct(StringComparer.Ordinal)
            .Select(n => (n, prefix + n))
            .ToArray();
}
