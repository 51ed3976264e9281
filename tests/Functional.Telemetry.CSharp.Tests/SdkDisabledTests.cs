using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary><c>OTEL_SDK_DISABLED=true</c> from C#: every public API works and does nothing, and an ASP.NET Core
/// app that maps the Prometheus endpoint runs and answers scrapes.</summary>
public class SdkDisabledTests
{
    private static string Unique() => "CSharpDisabled." + Guid.NewGuid().ToString("N");

    private static TelemetryBuilder Disabled(params (string Name, string Value)[] variables)
    {
        var environment = new Dictionary<string, string> { ["OTEL_SDK_DISABLED"] = "true" };
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return Telemetry.Create("csharp-disabled")
            .WithEnvironment(environment)
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection();
    }

    [Fact]
    public async Task Every_builder_method_and_SDK_member_works_and_nothing_is_recorded_or_exported()
    {
        var name = Unique();
        var spans = new InMemoryExporter<Span>();
        var metrics = new InMemoryExporter<MetricData>();
        var logs = new InMemoryExporter<LogRecord>();
        var reader = new MetricPullReader();
        var handler = new PrometheusScrapeHandler();
        var diagnostics = new ConcurrentQueue<string>();
        var console = new StringWriter();

        var sdk = Disabled(("OTEL_LOG_LEVEL", "debug"), ("OTEL_BSP_MAX_QUEUE_SIZE", "-1"))
            .AddResourceAttribute("team", "payments")
            .WithoutRetries()
            .WithDiagnostics((_, message) => diagnostics.Enqueue(message))
            .WithTracing(t => t
                .AddSources(name, name + ".*")
                .SetSampler(Sampler.AlwaysOn)
                .SetLimits(l => l.AttributeCountLimit = 10)
                .AddProcessor(s => s)
                .AddInMemoryExporter(spans)
                .AddExporter(new InMemoryExporter<Span>(), o => o.MaxExportBatchSize = 10)
                .AddSimpleExporter(new InMemoryExporter<Span>())
                .AddConsoleExporter(console)
                .AddOtlpExporter(o => o.Endpoint = new Uri("http://127.0.0.1:9")))
            .WithMetrics(m => m
                .AddMeters(name)
                .AddView("*", v => v.CardinalityLimit = 10)
                .SetExemplarFilter(ExemplarFilterKind.AlwaysOff)
                .SetCardinalityLimit(100)
                .AddInMemoryExporter(metrics, Temporalities.Delta)
                .AddExporter(new InMemoryExporter<MetricData>(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))
                .AddReader(reader)
                .AddPrometheusReader(handler)
                .AddPrometheusReader(o => o.Namespace = "shop")
                .AddPrometheusEndpoint(o => o.Port = 0)
                .AddConsoleExporter(console, TimeSpan.FromSeconds(1))
                .AddOtlpExporter())
            .WithLogging(l => l
                .IncludeScopes()
                .UseTemplateAsBody()
                .SetLimits(o => o.AttributeCountLimit = 5)
                .AddProcessor(r => r)
                .AddInMemoryExporter(logs)
                .AddConsoleExporter(console)
                .AddOtlpExporter())
            .Start();

        using var source = new ActivitySource(name);
        Assert.False(source.HasListeners());
        Assert.Null(source.StartActivity("ignored"));

        using var meter = new Meter(name);
        var counter = meter.CreateCounter<long>("orders");
        Assert.False(counter.Enabled);
        counter.Add(3);
        Assert.Empty(reader.Collect());

        var logger = sdk.CreateLogger("category");
        Assert.False(logger.IsEnabled(LogLevel.Critical));
        logger.LogCritical("critical {Value}", 1);
        using (logger.BeginScope("scope"))
        {
            sdk.LoggerProvider.CreateLogger("other").LogError("error");
        }

        using (var factory = LoggerFactory.Create(b => b.AddFunctionalTelemetry(sdk)))
        {
            factory.CreateLogger("factory").LogError("from a factory");
        }

        Assert.Empty(sdk.SpanPipelines);
        Assert.Empty(sdk.MetricPipelines);
        Assert.Empty(sdk.LogPipelines);
        Assert.Empty(sdk.PrometheusEndpoints);
        // The two readers added in code, then one for the endpoint (its server does not start).
        Assert.Equal(3, sdk.PrometheusScrapeHandlers.Count);
        Assert.Same(handler, sdk.PrometheusScrapeHandlers[0]);
        Assert.Contains(sdk.Resource.Attributes, a => a.Key == "team");
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(1)));
        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(1)));
        Assert.True(await sdk.Shutdown(TimeSpan.Zero));
        sdk.Dispose();
        await sdk.DisposeAsync();

        Assert.Empty(spans.Items);
        Assert.Empty(metrics.Items);
        Assert.Empty(logs.Items);
        Assert.Equal("", console.ToString());
        Assert.Empty(diagnostics);
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

    private static void Map(WebApplication app, string mapping, TelemetrySdk sdk, PrometheusScrapeHandler handler, string path)
    {
        switch (mapping)
        {
            case "sdk": app.MapPrometheusScrapingEndpoint(sdk); break;
            case "sdk+path": app.MapPrometheusScrapingEndpoint(sdk, path); break;
            case "handler": app.MapPrometheusScrapingEndpoint(handler); break;
            case "handler+path": app.MapPrometheusScrapingEndpoint(handler, path); break;
            default: app.MapPrometheusScrapingEndpoint(); break;
        }
    }

    public static TheoryData<string> Mappings => new() { "sdk", "sdk+path", "handler", "handler+path", "services: sdk", "services: handler" };

    [Theory]
    [MemberData(nameof(Mappings))]
    public async Task Every_Prometheus_mapping_answers_an_empty_scrape_on_Kestrel(string mapping)
    {
        var handler = new PrometheusScrapeHandler();
        await using var sdk = Disabled().WithMetrics(m => m.AddMeter(Unique()).AddPrometheusReader(handler)).Start();
        var path = mapping.EndsWith("+path") ? "/prom" : "/metrics";

        var (app, address) = await StartApp(
            services =>
            {
                if (mapping == "services: sdk") services.AddSingleton(sdk);
                if (mapping == "services: handler") services.AddSingleton(handler);
            },
            a => Map(a, mapping, sdk, handler, path));
        await using var running = app;
        using var http = new HttpClient();

        var text = await http.GetAsync(address + path);
        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        Assert.Equal("text/plain", text.Content.Headers.ContentType!.MediaType);
        Assert.Equal("", await text.Content.ReadAsStringAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, address + path);
        request.Headers.TryAddWithoutValidation("Accept", "application/openmetrics-text;version=1.0.0");
        var openMetrics = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, openMetrics.StatusCode);
        Assert.Equal("# EOF\n", await openMetrics.Content.ReadAsStringAsync());
        Assert.Equal(0, handler.Stats.Collections);
    }

    [Fact]
    public async Task An_endpoint_only_SDK_maps_too_and_starts_no_server()
    {
        await using var sdk = Disabled().WithMetrics(m => m.AddMeter(Unique()).AddPrometheusEndpoint(o => o.Port = 0)).Start();
        Assert.Empty(sdk.PrometheusEndpoints);
        var (app, address) = await StartApp(s => s.AddSingleton(sdk), a => a.MapPrometheusScrapingEndpoint());
        await using var _ = app;
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(address + "/metrics")).StatusCode);
    }
}

/// <summary>Tests that set process environment variables: they run alone, as other tests read the process
/// environment.</summary>
[CollectionDefinition("process environment", DisableParallelization = true)]
public class ProcessEnvironmentCollection;

[Collection("process environment")]
public class SdkDisabledByTheProcessEnvironmentTests
{
    [Fact]
    public async Task A_host_whose_logging_SDK_is_disabled_runs_and_its_loggers_are_disabled()
    {
        var exporter = new InMemoryExporter<LogRecord>();
        Environment.SetEnvironmentVariable("OTEL_SDK_DISABLED", "true");
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Logging.AddFunctionalTelemetry("hosted", l => l.AddExporter(exporter));
            using (var host = builder.Build())
            {
                await host.StartAsync();
                var logger = host.Services.GetRequiredService<ILogger<SdkDisabledByTheProcessEnvironmentTests>>();
                logger.LogError("not recorded");
                Assert.False(logger.IsEnabled(LogLevel.Critical));
                var sdk = host.Services.GetRequiredService<TelemetrySdk>();
                Assert.Empty(sdk.LogPipelines);
                Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(1)));
                await host.StopAsync();
            }

            // Nothing exported; the exporter object, made before the SDK knew it is disabled, is shut down with it.
            Assert.Empty(exporter.Items);
            Assert.Equal(1, exporter.ShutdownCount);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OTEL_SDK_DISABLED", null);
        }
    }
}
