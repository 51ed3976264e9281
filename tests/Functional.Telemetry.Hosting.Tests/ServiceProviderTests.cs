using System.Diagnostics.Metrics;
using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.Hosting.Tests;

/// <summary>A service the processors below depend on.</summary>
public sealed class Region
{
    public string Name { get; init; } = "eu-west";
}

/// <summary>A span processor the container makes, with a dependency.</summary>
public sealed class Tagger(Region region) : IProcessor<Span>
{
    public Span? Process(Span item) => item.WithAttribute("region", region.Name);
}

/// <summary>A log processor the container makes; it takes a logger, as exporters and processors often do.</summary>
public sealed class Redactor(ILogger<Redactor> logger) : IProcessor<LogRecord>
{
    public LogRecord? Process(LogRecord item)
    {
        _ = logger;
        return item.WithAttribute("password", "***");
    }
}

/// <summary>A span exporter the services register.</summary>
public sealed class CapturingExporter : IExporter<Span>
{
    public InMemoryExporter<Span> Inner { get; } = new();

    public string Name => "capturing";

    public Task<ExportResult> Export(Batch<Span> batch, CancellationToken cancellationToken) =>
        ((IExporter<Span>)Inner).Export(batch, cancellationToken);

    public Task Shutdown(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Processors, exporters and samplers made by the container when the host starts the SDK.</summary>
public class ServiceProviderTests
{
    [Fact]
    public async Task A_processor_and_an_exporter_of_the_container_and_a_sampler_from_a_factory()
    {
        using var root = new ContentRoot();
        var source = TestHosts.UniqueSource();
        var builder = TestHosts.Builder(root);
        builder.Services.AddSingleton(new Region { Name = "ap-south" });
        builder.Services.AddSingleton<CapturingExporter>();
        builder.Services.AddSingleton(Sampler.Create(p => p.Name == "noise" ? SamplingDecision.Drop : SamplingDecision.RecordAndSample, "NoNoise"));
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t
                .AddSource(source)
                .SetSampler(sp => sp.GetRequiredService<Sampler>())
                .AddProcessor<Tagger>()
                .AddExporter<CapturingExporter>());
        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "noise");
        TestHosts.EmitSpan(source, "signal");
        await host.StopAsync();

        // The exporter is the registered singleton; the processor got the registered Region.
        var span = Assert.Single(host.Services.GetRequiredService<CapturingExporter>().Inner.Items);
        Assert.Equal("signal", span.Name);
        Assert.Equal("ap-south", span.Attributes.GetValueOrNull("region"));
    }

    [Fact]
    public async Task A_type_that_is_not_registered_is_made_with_its_constructors_services()
    {
        using var root = new ContentRoot();
        var source = TestHosts.UniqueSource();
        var spans = new InMemoryExporter<Span>();
        var builder = TestHosts.Builder(root);
        builder.Services.AddSingleton(new Region { Name = "us-east" });
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddProcessor<Tagger>().AddInMemoryExporter(spans));
        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "made");
        await host.StopAsync();
        Assert.Equal("us-east", Assert.Single(spans.Items).Attributes.GetValueOrNull("region"));
    }

    [Fact]
    public async Task Log_processors_and_exporters_and_metric_exporters_from_factories()
    {
        using var root = new ContentRoot();
        var meterName = TestHosts.UniqueSource();
        var records = new SignalingExporter<LogRecord>();
        var metrics = new InMemoryExporter<MetricData>();
        var builder = TestHosts.Builder(root);
        builder.Services.AddSingleton(records);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithLogging(l => l
                .AddProcessor<Redactor>()
                .AddExporter(sp => sp.GetRequiredService<SignalingExporter<LogRecord>>()))
            .WithMetrics(m => m.AddMeter(meterName).AddExporter(_ => metrics, Temporalities.Delta));
        using var host = builder.Build();
        await host.StartAsync();
        host.Services.GetRequiredService<ILogger<ServiceProviderTests>>().LogInformation("Signed in");
        using (var meter = new Meter(meterName))
        {
            meter.CreateCounter<int>("logins").Add(1);
        }

        await host.StopAsync();
        var record = Assert.Single(records.Items, r => r.Scope.Name == typeof(ServiceProviderTests).FullName);
        Assert.Equal("***", record.Attributes.GetValueOrNull("password"));
        Assert.Contains(metrics.Items, m => m.Name == "logins");
    }
}
