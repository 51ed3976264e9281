using System.Diagnostics;
using System.Diagnostics.Metrics;
using Functional.Telemetry;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The SDK object and the exporter contract as C# sees them: no cast, no F# type.</summary>
public class SdkShapeTests
{
    private static string Unique() => "CSharpShape." + Guid.NewGuid().ToString("N");

    private static TelemetryBuilder Base() =>
        Telemetry.Create("csharp-shape")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection();

    [Fact]
    public async Task Dispose_and_DisposeAsync_are_called_without_a_cast_and_shut_the_exporters_down()
    {
        var first = new InMemoryExporter<Span>();
        var sdk = Base().WithTracing(t => t.AddSource(Unique()).AddInMemoryExporter(first)).Start();
        sdk.Dispose();
        Assert.Equal(1, first.ShutdownCount);

        var second = new InMemoryExporter<Span>();
        var asyncSdk = Base().WithTracing(t => t.AddSource(Unique()).AddInMemoryExporter(second)).Start();
        await asyncSdk.DisposeAsync();
        Assert.Equal(1, second.ShutdownCount);

        // Disposing again does nothing more.
        sdk.Dispose();
        await asyncSdk.DisposeAsync();
        Assert.Equal(1, first.ShutdownCount);
        Assert.Equal(1, second.ShutdownCount);
    }

    [Fact]
    public async Task Pipelines_are_read_only_lists_of_named_counters_that_deconstruct()
    {
        var source = Unique();
        var meter = Unique();
        await using var sdk = Base()
            .WithTracing(t => t.AddSource(source).AddSimpleExporter(new InMemoryExporter<Span>()))
            .WithMetrics(m => m.AddMeter(meter).AddInMemoryExporter(new InMemoryExporter<MetricData>()))
            .WithLogging(l => l.AddSimpleExporter(new InMemoryExporter<LogRecord>()))
            .Start();

        using (var activitySource = new ActivitySource(source))
        {
            activitySource.StartActivity("one")?.Dispose();
            activitySource.StartActivity("two")?.Dispose();
        }

        sdk.CreateLogger("Shape").LogInformation("hello");
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        IReadOnlyList<ExportPipeline> spans = sdk.SpanPipelines;
        var (name, stats) = Assert.Single(spans);
        Assert.Equal("traces/in-memory", name);
        Assert.Equal(2, stats.Exported);
        Assert.Equal("logs/in-memory", Assert.Single(sdk.LogPipelines).Name);
        Assert.Equal(1, sdk.LogPipelines[0].Stats.Exported);
        Assert.Equal("metrics/in-memory", Assert.Single(sdk.MetricPipelines).Name);
        Assert.Empty(sdk.PrometheusEndpoints);
        Assert.Empty(sdk.PrometheusScrapeHandlers);
    }

    private sealed class ScriptedExporter(params ExportResult[] script) : IExporter<Span>
    {
        private int calls;

        public int Calls => calls;

        public string Name => "scripted";

        public Task<ExportResult> Export(Batch<Span> batch, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref calls);
            return Task.FromResult(call <= script.Length ? script[call - 1] : ExportResult.Success);
        }

        public Task Shutdown(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static async Task<RunnerStats> ExportOneSpan(ScriptedExporter exporter, bool delivered)
    {
        var source = Unique();
        await using var sdk = Base().WithTracing(t => t.AddSource(source).AddSimpleExporter(exporter)).Start();
        using (var activitySource = new ActivitySource(source))
        {
            activitySource.StartActivity("exported")?.Dispose();
        }

        // The flush tells whether the span was delivered.
        Assert.Equal(delivered, await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        return sdk.SpanPipelines.Single().Stats;
    }

    [Fact]
    public async Task Every_export_result_is_made_without_FSharp_types()
    {
        Assert.True(ExportResult.Success.IsSuccess);
        Assert.True(ExportResult.Failed("HTTP 400").IsFailure);
        Assert.True(ExportResult.Retry("HTTP 503", null).IsRetryable);
        Assert.True(ExportResult.Retry("HTTP 429", TimeSpan.FromSeconds(2)).IsRetryable);

        var failed = await ExportOneSpan(new ScriptedExporter(ExportResult.Failed("HTTP 400")), delivered: false);
        Assert.Equal((0L, 1L, 1L), (failed.Exported, failed.Failed, failed.ExportCalls));

        var retried = await ExportOneSpan(new ScriptedExporter(
            ExportResult.Retry("HTTP 503", null), ExportResult.Retry("HTTP 429", TimeSpan.FromMilliseconds(10))), delivered: true);
        Assert.Equal((1L, 0L, 3L), (retried.Exported, retried.Failed, retried.ExportCalls));
    }
}
