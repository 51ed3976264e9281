using System.Diagnostics;
using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Functional.Telemetry.Hosting.Tests;

/// <summary>The SDK never keeps a stopping host past its shutdown timeout.</summary>
public class ShutdownTests
{
    [Fact]
    public async Task A_hanging_exporter_does_not_hold_the_host_past_HostOptions_ShutdownTimeout()
    {
        using var root = new ContentRoot();
        var source = TestHosts.UniqueSource();
        var hanging = new HangingExporter();
        var builder = TestHosts.Builder(root);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddExporter(hanging, o =>
            {
                o.ScheduleDelay = TimeSpan.Zero;
                o.ExportTimeout = TimeSpan.FromMinutes(10);
            }));
        using var host = builder.Build();
        await host.StartAsync();
        var sdk = host.Services.GetRequiredService<TelemetrySdk>();
        TestHosts.EmitSpan(source, "stuck");
        await hanging.Entered.Task.Within10Seconds();

        // The export hangs for ten minutes unless shut down; the host gives the whole stop one second.
        TestHosts.EmitSpan(source, "queued behind it");
        var watch = Stopwatch.StartNew();
        await host.StopAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"the host took {watch.Elapsed} to stop");

        // The SDK's own shutdown ended at the same deadline: disposing the host does not wait for the exporter.
        watch.Restart();
        host.Dispose();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"disposing took {watch.Elapsed}");
        var pipeline = Assert.Single(sdk.SpanPipelines);
        Assert.Equal(0L, pipeline.Stats.Exported);
    }
}
