using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Functional.Telemetry;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The export store from C#: UseDiskExportStore, UseMemoryExportStore and WithoutExportStore against a
/// collector that refuses connections (a port on 127.0.0.1 where nothing listens).</summary>
public class ExportStoreBuilderTests
{
    private static int RefusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static TelemetrySdk Start(string source, Func<TelemetryBuilder, TelemetryBuilder> store) =>
        store(Telemetry.Create("csharp-store")
                .WithEnvironment(new Dictionary<string, string>())
                .WithoutPropagatorInstallation()
                .WithoutResourceDetection())
            .WithTracing(t => t.AddSource(source).AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri($"http://127.0.0.1:{RefusedPort()}/v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
            }))
            .Start();

    private static void OneSpan(string source)
    {
        using var activitySource = new ActivitySource(source);
        activitySource.StartActivity("stored-span")?.Dispose();
    }

    [Fact]
    public async Task A_disk_store_keeps_what_an_unreachable_collector_did_not_take_and_shutdown_succeeds()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ft-csharp-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            var source = "CSharpStore." + Guid.NewGuid().ToString("N");
            var sdk = Start(source, b => b.UseDiskExportStore(directory));
            OneSpan(source);

            Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(5)));
            var stats = sdk.SpanPipelines[0].Stats;
            Assert.Equal(1L, stats.Stored);
            Assert.Equal(0L, stats.Dropped);
            // One subdirectory per destination under the signal's (docs/reliability.md).
            var file = Assert.Single(Directory.GetFiles(Path.Combine(directory, "traces"), "*.req", SearchOption.AllDirectories));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, true);
            }
        }
    }

    [Fact]
    public async Task A_full_memory_store_drops_the_newest_and_counts_them()
    {
        var source = "CSharpStore." + Guid.NewGuid().ToString("N");
        var sdk = Start(source, b => b.UseMemoryExportStore(1));
        OneSpan(source);

        Assert.False(await sdk.Shutdown(TimeSpan.FromSeconds(5)));
        var stats = sdk.SpanPipelines[0].Stats;
        Assert.Equal(1L, stats.DroppedStoreFull);
        Assert.Equal(1L, stats.Dropped);
        Assert.Equal(stats.Accepted, stats.Exported + stats.Failed + stats.Dropped + stats.Stored);
    }

    [Fact]
    public async Task Without_a_store_a_refused_request_fails_and_shutdown_does_not_wait_for_retries()
    {
        var source = "CSharpStore." + Guid.NewGuid().ToString("N");
        var sdk = Start(source, b => b.WithoutExportStore());
        OneSpan(source);

        var clock = Stopwatch.StartNew();
        Assert.False(await sdk.Shutdown(TimeSpan.FromSeconds(5)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        var stats = sdk.SpanPipelines[0].Stats;
        Assert.Equal(1L, stats.Failed);
        Assert.Equal(0L, stats.Stored);
    }

    [Fact]
    public void Invalid_store_settings_are_rejected_naming_the_setting()
    {
        var memory = Assert.Throws<ArgumentException>(() => Telemetry.Create("x").UseMemoryExportStore(0));
        Assert.Equal("MaxBytes", memory.ParamName);
        var age = Assert.Throws<ArgumentException>(() => Telemetry.Create("x").UseDiskExportStore("/srv/otlp", maxAge: TimeSpan.Zero));
        Assert.Equal("MaxAge", age.ParamName);
        Assert.Throws<ArgumentException>(() => Telemetry.Create("x").UseDiskExportStore(" "));
    }
}
