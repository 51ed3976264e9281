using System.Diagnostics;
using Functional.Telemetry;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>A custom exporter written in C#, as users write them: retries without F# types.</summary>
public class CustomExporterTests
{
    private sealed class FlakyExporter : IExporter<Span>
    {
        private int calls;

        public List<string> Names { get; } = new();

        public int Calls => calls;

        public string Name => "flaky";

        public Task<ExportResult> Export(Batch<Span> batch, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                return Task.FromResult(ExportResult.RetryAfter("busy", TimeSpan.FromMilliseconds(20)));
            }

            lock (Names)
            {
                Names.AddRange(batch.Items.Select(s => s.Name));
            }

            return Task.FromResult(ExportResult.Success);
        }

        public Task Shutdown(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task A_retryable_result_is_retried_and_the_span_exported_once()
    {
        var source = "CSharpCustom." + Guid.NewGuid().ToString("N");
        var exporter = new FlakyExporter();
        await using var sdk = Telemetry.Create("custom")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddSimpleExporter(exporter))
            .Start();

        using (var activitySource = new ActivitySource(source))
        {
            activitySource.StartActivity("retried")?.Dispose();
        }

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.Equal(new[] { "retried" }, exporter.Names);
        Assert.Equal(2, exporter.Calls);
        var stats = sdk.SpanPipelines.Single().Stats;
        Assert.Equal(1, stats.Exported);
        Assert.Equal(2, stats.ExportCalls);
    }
}
