using System.Net;
using Functional.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.Hosting.Tests;

/// <summary>ASP.NET Core: a WebApplication on Kestrel, and the WebApplicationFactory recipe of docs/hosting.md.</summary>
public class WebApplicationTests
{
    [Fact]
    public async Task A_WebApplication_traces_its_requests_and_maps_the_Prometheus_scrape_of_the_hosted_SDK()
    {
        using var root = new ContentRoot();
        var spans = new InMemoryExporter<Span>();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = "web-tests",
            EnvironmentName = "Testing",
            ContentRootPath = root.Path,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource("Microsoft.AspNetCore").AddInMemoryExporter(spans))
            .WithMetrics(m => m.AddMeter("Microsoft.AspNetCore.Hosting").AddPrometheusReader());
        await using var app = builder.Build();
        app.MapGet("/hello", () => "hello");
        app.MapPrometheusScrapingEndpoint();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        Assert.Equal("hello", await client.GetStringAsync("/hello"));
        var scrape = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("http_server_request_duration_seconds", await scrape.Content.ReadAsStringAsync());

        await app.StopAsync();

        // One server span per request (/hello, /metrics), from ASP.NET Core's ActivitySource.
        Assert.Equal(2, spans.Items.Count(s => s.Kind == SpanKind.Server && s.Scope.Name == "Microsoft.AspNetCore"));
    }

    [Fact]
    public async Task WebApplicationFactory_replaces_the_apps_OTLP_exporter_with_an_in_memory_one()
    {
        var spans = new InMemoryExporter<Span>();
        var logs = new InMemoryExporter<LogRecord>();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
            web.ConfigureTestServices(services => services.AddFunctionalTelemetry()
                .WithTracing(t => t.ClearExporters().AddInMemoryExporter(spans))
                .WithMetrics(m => m.ClearExporters())
                .WithLogging(l => l.ClearExporters().AddInMemoryExporter(logs))));
        using var client = factory.CreateClient();

        Assert.Equal("hello", await client.GetStringAsync("/hello"));

        var sdk = factory.Services.GetRequiredService<TelemetrySdk>();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.Contains(spans.Items, s => s.Kind == SpanKind.Server && s.Scope.Name == "Microsoft.AspNetCore");
        Assert.Contains(logs.Items, r => r.Body.ToObject() is "Saying hello");
        Assert.Equal("hosting-test-app", sdk.Resource.Attributes.GetValueOrNull("service.name"));

        // Nothing is left of the app's OTLP exporters.
        Assert.All(sdk.SpanPipelines.Concat(sdk.LogPipelines), p => Assert.DoesNotContain("otlp", p.Name));
        Assert.Empty(sdk.MetricPipelines);
    }
}
