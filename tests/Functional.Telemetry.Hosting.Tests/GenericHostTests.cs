using System.Diagnostics;
using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.Hosting.Tests;

/// <summary>A hosted service that starts a span while the host starts it.</summary>
internal sealed class StartupWork(StartupWork.Source source) : IHostedService
{
    public sealed record Source(string Name);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        TestHosts.EmitSpan(source.Name, "startup work");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        TestHosts.EmitSpan(source.Name, "shutdown work");
        return Task.CompletedTask;
    }
}

/// <summary>The SDK's life with a Generic Host: started first, resolvable, flushed and shut down when the host stops.</summary>
public class GenericHostTests
{
    [Fact]
    public async Task A_hosted_service_registered_before_the_SDK_has_its_StartAsync_span_exported_and_stopping_flushes()
    {
        using var root = new ContentRoot();
        var source = TestHosts.UniqueSource();
        var exporter = new SignalingExporter<Span>();
        var builder = TestHosts.Builder(root);

        // The application's service is registered first; the SDK still starts before it.
        builder.Services.AddSingleton(new StartupWork.Source(source));
        builder.Services.AddHostedService<StartupWork>();
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddExporter(exporter));

        // Batches wait an hour: only the shutdown exports them.
        builder.Services.Configure<BatchExportOptions>(TelemetryOptionNames.Traces, o => o.ScheduleDelay = TimeSpan.FromHours(1));

        using var host = builder.Build();
        await host.StartAsync();
        Assert.Empty(exporter.Items);
        await host.StopAsync();

        Assert.Equal(new[] { "startup work", "shutdown work" }, exporter.Items.Select(s => s.Name));
        Assert.Equal(1, exporter.Shutdowns);
    }

    [Fact]
    public async Task The_running_SDK_is_a_service_and_the_hosted_service_runs_first()
    {
        using var root = new ContentRoot();
        var source = TestHosts.UniqueSource();
        var exporter = new InMemoryExporter<Span>();
        var builder = TestHosts.Builder(root);
        builder.Services.AddSingleton(new StartupWork.Source(source));
        builder.Services.AddHostedService<StartupWork>();
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddExporter(exporter));

        using var host = builder.Build();
        var hosted = host.Services.GetServices<IHostedService>().ToList();
        Assert.IsAssignableFrom<IHostedLifecycleService>(hosted[0]);
        Assert.IsType<StartupWork>(hosted[1]);

        await host.StartAsync();
        var sdk = host.Services.GetRequiredService<TelemetrySdk>();
        Assert.Same(sdk, host.Services.GetRequiredService<TelemetrySdk>());
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.Equal("startup work", Assert.Single(exporter.Items).Name);
        await host.StopAsync();
    }

    [Fact]
    public async Task ILogger_writes_reach_the_SDK_and_the_provider_is_registered_once()
    {
        using var root = new ContentRoot();
        var records = new InMemoryExporter<LogRecord>();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithLogging(l => l.AddInMemoryExporter(records));

        // A second call (a library's, a test's) continues the same configuration.
        builder.Services.AddFunctionalTelemetry().WithLogging(l => l.IncludeScopes());

        using var host = builder.Build();
        Assert.Single(host.Services.GetServices<ILoggerProvider>());
        await host.StartAsync();

        var logger = host.Services.GetRequiredService<ILogger<GenericHostTests>>();
        using (logger.BeginScope(new Dictionary<string, object?> { ["tenant"] = "acme" }))
        {
            logger.LogWarning("Disk {Percent}% full", 91);
        }

        var sdk = host.Services.GetRequiredService<TelemetrySdk>();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var record = Assert.Single(records.Items, r => r.Scope.Name == typeof(GenericHostTests).FullName);
        Assert.Equal("Disk 91% full", record.Body.ToObject());
        Assert.Equal("acme", record.Attributes.GetValueOrNull("tenant"));
        await host.StopAsync();
    }

    [Fact]
    public void Without_logs_no_logger_provider_is_registered()
    {
        var services = new ServiceCollection();
        services.AddFunctionalTelemetry().WithTracing(t => t.AddSource("x"));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(ILoggerProvider));
        services.AddFunctionalTelemetry().WithLogging(l => l.AddConsoleExporter());
        services.AddFunctionalTelemetry().WithLogging(l => l.IncludeScopes());
        Assert.Single(services, d => d.ServiceType == typeof(ILoggerProvider));
    }

    [Fact]
    public async Task Each_container_built_from_the_services_runs_its_own_SDK()
    {
        var source = TestHosts.UniqueSource();
        var exporter = new InMemoryExporter<Span>();
        var services = new ServiceCollection();
        services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddInMemoryExporter(exporter));

        await using (var first = services.BuildServiceProvider())
        await using (var second = services.BuildServiceProvider())
        {
            Assert.NotSame(first.GetRequiredService<TelemetrySdk>(), second.GetRequiredService<TelemetrySdk>());
            TestHosts.EmitSpan(source, "seen by both");
        }

        // Both SDKs exported the span, and both shut down with their container.
        Assert.Equal(2, exporter.Items.Count);
        Assert.Equal(2, exporter.ShutdownCount);
    }
}
