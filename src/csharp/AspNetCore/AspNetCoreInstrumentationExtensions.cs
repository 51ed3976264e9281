using Functional.Telemetry.AspNetCore;

namespace Functional.Telemetry;

/// <summary>ASP.NET Core's server spans, named and tagged per the HTTP semantic conventions
/// (<c>t.AddAspNetCoreInstrumentation()</c>).</summary>
public static class AspNetCoreTracingBuilderExtensions
{
    /// <summary>Records ASP.NET Core's request spans (the <c>Microsoft.AspNetCore</c> source) named
    /// <c>{method} {route}</c> (<c>GET /users/{id}</c>) with the conventions' attributes (<c>http.request.method</c>,
    /// <c>url.*</c>, <c>server.*</c>, <c>client.address</c>, <c>http.route</c>, <c>http.response.status_code</c>,
    /// <c>error.type</c>, ...), the Error status for 5xx answers and unhandled exceptions, an <c>exception</c>
    /// event for the latter, and the RPC conventions for gRPC calls served by Grpc.AspNetCore. With
    /// <c>Telemetry.Create(...)</c> every ASP.NET Core host of the process is instrumented; inside
    /// <c>services.AddFunctionalTelemetry()</c>, the host of that container. Calling it again replaces the options.
    /// See docs/instrumentation.md.</summary>
    public static TracingBuilder AddAspNetCoreInstrumentation(this TracingBuilder builder) =>
        builder.AddAspNetCoreInstrumentation(_ => { });

    /// <summary>Records ASP.NET Core's request spans with these options (filter, enrichment, exceptions, captured
    /// headers, query redaction, known methods), read when the SDK starts.</summary>
    public static TracingBuilder AddAspNetCoreInstrumentation(this TracingBuilder builder, Action<AspNetCoreTraceInstrumentationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddSource(AspNetCoreInstrumentations.SourceName)
            .AddInstrumentation(services =>
            {
                var options = new AspNetCoreTraceInstrumentationOptions();
                configure(options);
                return AspNetCoreInstrumentations.Tracing(options, services);
            });
    }
}

/// <summary>ASP.NET Core's own meters (<c>m.AddAspNetCoreInstrumentation()</c>).</summary>
public static class AspNetCoreMetricsBuilderExtensions
{
    /// <summary>Listens to ASP.NET Core's meters: <c>Microsoft.AspNetCore.Hosting</c>
    /// (<c>http.server.request.duration</c>, <c>http.server.active_requests</c>), <c>Microsoft.AspNetCore.Server.Kestrel</c>,
    /// <c>Microsoft.AspNetCore.Routing</c>, <c>Microsoft.AspNetCore.Diagnostics</c>,
    /// <c>Microsoft.AspNetCore.RateLimiting</c>, <c>Microsoft.AspNetCore.Authentication</c>,
    /// <c>Microsoft.AspNetCore.Authorization</c> and <c>Microsoft.AspNetCore.Http.Connections</c>. Their duration
    /// histograms are in seconds with the buckets the conventions advise, which ASP.NET Core gives its instruments.</summary>
    public static MetricsBuilder AddAspNetCoreInstrumentation(this MetricsBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var meter in AspNetCoreInstrumentations.Meters)
        {
            builder.AddMeter(meter);
        }

        return builder;
    }
}
