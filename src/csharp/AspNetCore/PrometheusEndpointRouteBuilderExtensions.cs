using Functional.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps a Prometheus scraping endpoint onto an ASP.NET Core app.</summary>
public static class PrometheusEndpointRouteBuilderExtensions
{
    /// <summary>Answers <c>GET</c>/<c>HEAD</c> scrapes on <paramref name="path"/> with the scrape handler of the
    /// app's services: a registered <see cref="PrometheusScrapeHandler"/>, else the first scrape handler of the
    /// registered <see cref="TelemetrySdk"/> (added with <c>AddPrometheusReader</c>).</summary>
    /// <exception cref="InvalidOperationException">The services hold neither.</exception>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints, string path = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var handler = services.GetService<PrometheusScrapeHandler>()
            ?? services.GetService<TelemetrySdk>()?.PrometheusScrapeHandlers.FirstOrDefault()
            ?? throw new InvalidOperationException(
                "No Prometheus scrape handler: register a PrometheusScrapeHandler (or a TelemetrySdk with AddPrometheusReader) " +
                "in the services, or pass the handler to MapPrometheusScrapingEndpoint.");
        return endpoints.MapPrometheusScrapingEndpoint(handler, path);
    }

    /// <summary>Answers scrapes on <paramref name="path"/> with the first scrape handler of
    /// <paramref name="sdk"/> (added with <c>AddPrometheusReader</c> or <c>AddPrometheusEndpoint</c>).</summary>
    /// <exception cref="InvalidOperationException">The SDK has no scrape handler.</exception>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(this IEndpointRouteBuilder endpoints, TelemetrySdk sdk, string path = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(sdk);
        var handler = sdk.PrometheusScrapeHandlers.FirstOrDefault()
            ?? throw new InvalidOperationException("The telemetry SDK has no Prometheus reader: add one with AddPrometheusReader.");
        return endpoints.MapPrometheusScrapingEndpoint(handler, path);
    }

    /// <summary>Answers <c>GET</c>/<c>HEAD</c> scrapes on <paramref name="path"/> with <paramref name="handler"/>:
    /// the format the <c>Accept</c> header asks for, gzip when <c>Accept-Encoding</c> allows it.</summary>
    public static IEndpointConventionBuilder MapPrometheusScrapingEndpoint(
        this IEndpointRouteBuilder endpoints, PrometheusScrapeHandler handler, string path = "/metrics")
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
