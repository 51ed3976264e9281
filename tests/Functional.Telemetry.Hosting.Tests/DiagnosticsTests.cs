using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.Hosting.Tests;

/// <summary>Captures what reaches one ILogger category.</summary>
internal sealed class CapturingLoggerProvider(string category) : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public TaskCompletionSource<(LogLevel Level, string Message)> First { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ILogger CreateLogger(string categoryName) => new Capture(this, categoryName == category);

    public void Dispose()
    {
    }

    private sealed class Capture(CapturingLoggerProvider owner, bool captured) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => captured;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (captured)
            {
                var entry = (logLevel, formatter(state, exception));
                owner.Entries.Enqueue(entry);
                owner.First.TrySetResult(entry);
            }
        }
    }
}

/// <summary>Hosted, the SDK's own diagnostics (<c>OTEL_LOG_LEVEL</c>) go to the ILogger category
/// <c>Functional.Telemetry</c>: a dead collector is visible in the application's logs with no code.</summary>
public class DiagnosticsTests
{
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [Fact]
    public async Task A_dead_collector_is_an_error_in_the_Functional_Telemetry_logger_category()
    {
        var port = ClosedPort();
        using var root = new ContentRoot();
        var source = TestHosts.UniqueSource();
        var builder = TestHosts.Builder(root, "Testing", $"--OTEL_EXPORTER_OTLP_ENDPOINT=http://user:hunter2@127.0.0.1:{port}");
        var capture = new CapturingLoggerProvider("Functional.Telemetry");
        builder.Logging.AddProvider(capture);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithoutRetries()
            .WithTracing(t => t.AddSource(source).AddOtlpExporter());

        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "work");
        var sdk = host.Services.GetRequiredService<TelemetrySdk>();
        await sdk.ForceFlush(TimeSpan.FromSeconds(10));

        var (level, message) = await capture.First.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains($"export to http://127.0.0.1:{port}/v1/traces failed", message);
        Assert.DoesNotContain("hunter2", message);
        await host.StopAsync();
    }

    [Fact]
    public async Task OTEL_LOG_LEVEL_none_from_configuration_keeps_the_category_silent()
    {
        var port = ClosedPort();
        using var root = new ContentRoot();
        var source = TestHosts.UniqueSource();
        var builder = TestHosts.Builder(
            root,
            "Testing",
            $"--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:{port}",
            "--OTEL_LOG_LEVEL=none");
        var capture = new CapturingLoggerProvider("Functional.Telemetry");
        builder.Logging.AddProvider(capture);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithoutRetries()
            .WithTracing(t => t.AddSource(source).AddOtlpExporter());

        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "work");
        var sdk = host.Services.GetRequiredService<TelemetrySdk>();
        await sdk.ForceFlush(TimeSpan.FromSeconds(10));
        var stats = Assert.Single(sdk.SpanPipelines).Stats;
        await host.StopAsync();

        // The export did fail (counted), and nothing reached the category.
        Assert.Equal(1L, stats.Failed);
        Assert.Empty(capture.Entries);
    }
}

/// <summary>Telemetry never throws into the application, however late it is asked for a logger.</summary>
public class LateLoggerTests
{
    [Fact]
    public void A_logger_asked_for_after_the_container_was_disposed_writes_nowhere_instead_of_throwing()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithLogging(l => l.AddInMemoryExporter(new InMemoryExporter<LogRecord>()));
        var provider = services.BuildServiceProvider();
        var ours = provider.GetServices<ILoggerProvider>().Single(p => p.GetType().Name == "TelemetryLoggerProvider");

        // The SDK never started (no host ran, no logger was made), and the container is gone.
        provider.Dispose();

        var logger = ours.CreateLogger("late");
        logger.LogError("after disposal");
        Assert.False(logger.IsEnabled(LogLevel.Critical));
    }
}
