using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The SDK's own diagnostics from C#: <c>WithDiagnostics</c> and <c>OTEL_LOG_LEVEL</c>.</summary>
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
    public async Task A_dead_collector_reaches_the_sink_as_an_error_naming_signal_exporter_and_endpoint()
    {
        var port = ClosedPort();
        var source = "CSharpDiagnostics." + Guid.NewGuid().ToString("N");
        var found = new TaskCompletionSource<(DiagnosticLevel Level, string Message)>(TaskCreationOptions.RunContinuationsAsynchronously);

        await using var sdk = Telemetry.Create("csharp-diagnostics")
            .WithEnvironment(new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://user:hunter2@127.0.0.1:{port}/?token=s3cret",
                ["OTEL_EXPORTER_OTLP_HEADERS"] = "api-key=k3y-value",
            })
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection()
            .WithoutRetries()
            .WithDiagnostics((level, message) =>
            {
                if (message.Contains($"127.0.0.1:{port}"))
                {
                    found.TrySetResult((level, message));
                }
            })
            .WithTracing(t => t.AddSource(source).AddOtlpExporter())
            .Start();

        using (var activitySource = new ActivitySource(source))
        {
            activitySource.StartActivity("work")!.Dispose();
        }

        await sdk.ForceFlush(TimeSpan.FromSeconds(10));
        var (level, message) = await found.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(DiagnosticLevel.Error, level);
        Assert.StartsWith("traces/otlp-http-protobuf: export to ", message);
        Assert.Contains("ConnectionRefused", message);
        foreach (var secret in new[] { "user", "hunter2", "token", "s3cret", "api-key", "k3y-value" })
        {
            Assert.DoesNotContain(secret, message);
        }
    }

    [Fact]
    public async Task OTEL_LOG_LEVEL_error_keeps_warnings_from_the_sink()
    {
        var marker = "CSharpDiagnostics." + Guid.NewGuid().ToString("N");
        var seen = new ConcurrentQueue<DiagnosticLevel>();
        var sdk = Telemetry.Create("csharp-diagnostics")
            .WithEnvironment(new Dictionary<string, string> { ["OTEL_LOG_LEVEL"] = "error" })
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection()
            .WithDiagnostics((level, message) =>
            {
                if (message.Contains(marker)) seen.Enqueue(level);
            })
            .WithMetrics(m => m.AddMeter(marker).AddReader(new MetricPullReader()))
            .Start();
        using (var meter = new System.Diagnostics.Metrics.Meter(marker))
        {
            // An invalid instrument name is a warning naming the meter.
            meter.CreateCounter<long>("1-invalid");
        }

        await sdk.Shutdown(TimeSpan.FromSeconds(5));
        Assert.Empty(seen);
        Assert.Throws<ArgumentNullException>(() => Telemetry.Create("x").WithDiagnostics(null!));
    }
}
