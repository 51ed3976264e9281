using Functional.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a Prometheus scraping endpoint onto an ASP.NET Core app.</summary>
public static class PrometheusEndpointRouteBuilderExtensions
{
    private const string DefaultPath = "/metrics";

    /// <summary>Answers <c>GET</c>/<c>HEAD</c> scrapes on <c>/metrics</c> with the scrape handler of the app's
    /// services, as <see cref="MapPrometheusScrapingEndpoint(IEndpointRouteBuilder, string)"/> finds it.</summary>
    /// <exception cref="InvalidOperationException">The services hold neither a handler nor an SDK, or the SDK has
    /// no Prometheus reader.</exception>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(DefaultPath);

    /// <summary>Answers <c>GET</c>/<c>HEAD</c> scrapes on <paramref name="path"/> with the scrape handler of the
    /// app's services: a registered <see cref="PrometheusScrapeHandler"/>, else the first scrape handler of the
    /// registered <see cref="TelemetrySdk"/> (added with <c>m.AddPrometheusReader()</c> inside
    /// <c>WithMetrics</c>).</summary>
    /// <exception cref="InvalidOperationException">The services hold neither a handler nor an SDK, or the SDK has
    /// no Prometheus reader.</exception>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints, string path)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        if (services.GetService<PrometheusScrapeHandler>() is { } registered)
        {
            return endpoints.MapPrometheusScrapingEndpoint(registered, path);
        }

        var sdk = services.GetService<TelemetrySdk>()
            ?? throw new InvalidOperationException(
                "No Prometheus scrape handler: register the TelemetrySdk (started with m.AddPrometheusReader() in WithMetrics) " +
                "or a PrometheusScrapeHandler in the services, or pass the SDK or the handler to MapPrometheusScrapingEndpoint.");
        return endpoints.MapPrometheusScrapingEndpoint(sdk, path);
    }

    /// <summary>Answers scrapes on <c>/metrics</c> with the first scrape handler of <paramref name="sdk"/>.</summary>
    /// <exception cref="InvalidOperationException">The SDK has no scrape handler.</exception>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints, TelemetrySdk sdk) =>
        endpoints.MapPrometheusScrapingEndpoint(sdk, DefaultPath);

    /// <summary>Answers scrapes on <paramref name="path"/> with the first scrape handler of
    /// <paramref name="sdk"/> (added with <c>m.AddPrometheusReader()</c> or <c>m.AddPrometheusEndpoint()</c>).</summary>
    /// <exception cref="InvalidOperationException">The SDK has no scrape handler.</exception>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints, TelemetrySdk sdk, string path)
    {
        ArgumentNullException.ThrowIfNull(sdk);
        var handler = sdk.PrometheusScrapeHandlers.FirstOrDefault()
            ?? throw new InvalidOperationException(
                "The telemetry SDK has no Prometheus scrape handler: add a reader with m.AddPrometheusReader() inside " +
                "WithMetrics(m => ...) before Start().");
        return endpoints.MapPrometheusScrapingEndpoint(handler, path);
    }

    /// <summary>Answers <c>GET</c>/<c>HEAD</c> scrapes on <c>/metrics</c> with <paramref name="handler"/>.</summary>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints, PrometheusScrapeHandler handler) =>
        endpoints.MapPrometheusScrapingEndpoint(handler, DefaultPath);

    /// <summary>Answers <c>GET</c>/<c>HEAD</c> scrapes on <paramref name="path"/> with <paramref name="handler"/>:
    /// the format the <c>Accept</c> header asks for, gzip when <c>Accept-Encoding</c> allows it.</summary>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(
        this IEndpointRouteBuilder endpoints, PrometheusScrapeHandler handler, string path)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return endpoints.MapMethods(path, new[] { HttpMethods.Get, HttpMethods.Head }, context => Scrape(context, handler));
    }

    private static async Task Scrape(HttpContext context, PrometheusScrapeHandler handler)
    {
        var request = context.Request;
        var response = await handler.ScrapeAsync(
            request.Headers.Accept.ToString(), request.Headers.AcceptEncoding.ToString(), context.RequestAborted);
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        if (response.ContentEncoding.Length > 0)
        {
            context.Response.Headers.ContentEncoding = response.ContentEncoding;
        }

        context.Response.Headers.Vary = "Accept, Accept-Encoding";
        context.Response.ContentLength = response.Body.Length;
        if (!HttpMethods.IsHead(request.Method))
        {
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
        }
    }
}
