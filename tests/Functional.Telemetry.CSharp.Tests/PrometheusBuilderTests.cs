using System.Diagnostics.Metrics;
using System.Net;
using Functional.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>Prometheus from C#: the SDK's own endpoint, and the ASP.NET Core mapping on Kestrel.</summary>
public class PrometheusBuilderTests
{
    private static string UniqueMeter() => "CSharpPrometheus." + Guid.NewGuid().ToString("N");

    private static TelemetryBuilder Base() =>
        Telemetry.Create("csharp-prometheus")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection();

    private static string? Sample(string exposition, string name) =>
        exposition.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{") || l.StartsWith(name + " "))?.Split(' ').Last();

    [Fact]
    public async Task AddPrometheusEndpoint_serves_scrapes_with_the_options_set_in_code()
    {
        var name = UniqueMeter();
        await using var sdk = Base()
            .WithMetrics(m => m.AddMeter(name).AddPrometheusEndpoint(o =>
            {
                o.Port = 0;
                o.Path = "/scrape";
                o.Namespace = "shop";
                o.ScrapeTimeout = TimeSpan.FromSeconds(3);
            }))
            .Start();
        using var meter = new Meter(name);
        meter.CreateCounter<long>("orders").Add(4);

        var endpoint = Assert.Single(sdk.PrometheusEndpoints);
        Assert.True(endpoint.IsListening);
        Assert.Equal("/scrape", endpoint.Url.AbsolutePath);
        Assert.Equal(TimeSpan.FromSeconds(3), endpoint.Handler.ScrapeTimeout);
        using var http = new HttpClient();
        var body = await http.GetStringAsync(endpoint.Url);
        Assert.Equal("4", Sample(body, "shop_orders_total"));

        await sdk.Shutdown(TimeSpan.FromSeconds(5));
        Assert.False(endpoint.IsListening);
    }

    [Fact]
    public void Bad_endpoint_options_are_an_ArgumentException_at_start()
    {
        var builder = Base().WithMetrics(m => m.AddMeter(UniqueMeter()).AddPrometheusEndpoint(o => o.Port = 70000));
        Assert.Throws<ArgumentException>(() => builder.Start());
        var noTimeout = Base().WithMetrics(m => m.AddMeter(UniqueMeter()).AddPrometheusEndpoint(o => o.ScrapeTimeout = TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => noTimeout.Start());
    }

    private static async Task<(WebApplication App, string Address)> StartApp(Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        services(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, address);
    }

    [Fact]
    public async Task MapPrometheusScrapingEndpoint_serves_a_handler_passed_explicitly_on_Kestrel()
    {
        var name = UniqueMeter();
        await using var sdk = Base()
            .WithMetrics(m => m.AddMeter(name).AddPrometheusReader(o => o.ScopeLabels = false))
            .Start();
        var handler = Assert.Single(sdk.PrometheusScrapeHandlers);
        using var meter = new Meter(name);
        meter.CreateCounter<long>("visits").Add(9);

        var (app, address) = await StartApp(_ => { }, a => a.MapPrometheusScrapingEndpoint(handler));
        await using var _ = app;
        using var http = new HttpClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, address + "/metrics");
        request.Headers.TryAddWithoutValidation("Accept", "application/openmetrics-text;version=1.0.0");
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("# EOF\n", body);
        Assert.Contains("visits_total 9", body);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(address + "/other")).StatusCode);
    }

    [Fact]
    public async Task MapPrometheusScrapingEndpoint_finds_the_SDK_in_the_services()
    {
        var name = UniqueMeter();
        var handler = new PrometheusScrapeHandler();
        await using var sdk = Base().WithMetrics(m => m.AddMeter(name).AddPrometheusReader(handler)).Start();
        using var meter = new Meter(name);
        meter.CreateCounter<long>("logins").Add(2);

        var (app, address) = await StartApp(s => s.AddSingleton(sdk), a => a.MapPrometheusScrapingEndpoint("/prom"));
        await using var _ = app;
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None });
        using var request = new HttpRequestMessage(HttpMethod.Get, address + "/prom");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        await using var unzip = new System.IO.Compression.GZipStream(
            await response.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(unzip);
        Assert.Equal("2", Sample(await reader.ReadToEndAsync(), "logins_total"));
        Assert.Equal(1, handler.Stats.Scrapes);
    }

    [Fact]
    public async Task AddPrometheusReader_inside_WithMetrics_is_mapped_from_the_SDK()
    {
        var name = UniqueMeter();
        await using var sdk = Base()
            .WithMetrics(m => m.AddMeter(name).AddPrometheusReader(o => o.Namespace = "shop"))
            .Start();
        using var meter = new Meter(name);
        meter.CreateCounter<long>("carts").Add(3);

        var (app, address) = await StartApp(_ => { }, a => a.MapPrometheusScrapingEndpoint(sdk));
        await using var _ = app;
        using var http = new HttpClient();
        Assert.Equal("3", Sample(await http.GetStringAsync(address + "/metrics"), "shop_carts_total"));
        Assert.Equal(1, Assert.Single(sdk.PrometheusScrapeHandlers).Stats.Scrapes);
    }

    [Fact]
    public async Task AddPrometheusReader_with_no_options_is_found_through_the_registered_SDK()
    {
        var name = UniqueMeter();
        await using var sdk = Base().WithMetrics(m => m.AddMeter(name).AddPrometheusReader()).Start();
        using var meter = new Meter(name);
        meter.CreateCounter<long>("checkouts").Add(6);

        var (app, address) = await StartApp(s => s.AddSingleton(sdk), a => a.MapPrometheusScrapingEndpoint("/scrape"));
        await using var _ = app;
        using var http = new HttpClient();
        Assert.Equal("6", Sample(await http.GetStringAsync(address + "/scrape"), "checkouts_total"));
    }

    [Fact]
    public async Task Mapping_an_SDK_without_a_Prometheus_reader_is_a_clear_error()
    {
        // An in-memory exporter: metrics with no exporter would export over OTLP (the specification's default).
        await using var sdk = Base()
            .WithMetrics(m => m.AddMeter(UniqueMeter()).AddInMemoryExporter(new InMemoryExporter<MetricData>()))
            .Start();
        var app = WebApplication.CreateSlimBuilder().Build();
        var direct = Assert.Throws<InvalidOperationException>(() => app.MapPrometheusScrapingEndpoint(sdk));
        Assert.Contains("AddPrometheusReader()", direct.Message);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton(sdk);
        var registered = builder.Build();
        var fromServices = Assert.Throws<InvalidOperationException>(() => registered.MapPrometheusScrapingEndpoint());
        Assert.Contains("AddPrometheusReader()", fromServices.Message);
    }

    [Fact]
    public void MapPrometheusScrapingEndpoint_without_a_handler_is_a_clear_error()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapPrometheusScrapingEndpoint());
        Assert.Contains("PrometheusScrapeHandler", error.Message);
    }
}
