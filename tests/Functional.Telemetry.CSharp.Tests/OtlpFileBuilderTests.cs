using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Functional.Telemetry;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The OTLP file exporter from C#: <c>AddOtlpFileExporter</c> on the three builders, JSON lines in a file.</summary>
public class OtlpFileBuilderTests
{
    [Fact]
    public async Task Spans_metrics_and_logs_are_written_as_json_lines_to_their_files()
    {
        var dir = Directory.CreateTempSubdirectory("csharp-otlp-file");
        try
        {
            var name = "CSharpOtlpFile." + Guid.NewGuid().ToString("N");
            string File(string signal) => Path.Combine(dir.FullName, signal + ".jsonl");

            var sdk = Telemetry.Create("csharp-otlp-file")
                .WithEnvironment(new Dictionary<string, string> { ["OTEL_METRIC_EXPORT_INTERVAL"] = "600000" })
                .WithoutPropagatorInstallation()
                .WithTracing(t => t.AddSource(name).AddOtlpFileExporter(o => o.Path = File("traces")))
                .WithMetrics(m => m.AddMeter(name).AddOtlpFileExporter(o =>
                {
                    o.Path = File("metrics");
                    o.Temporality = Temporalities.Delta;
                }))
                .WithLogging(l => l.AddOtlpFileExporter(o =>
                {
                    o.Path = File("logs");
                    o.MaxFileBytes = 1024 * 1024;
                    o.MaxRotatedFiles = 1;
                }))
                .Start();

            using (var source = new ActivitySource(name))
            using (var meter = new Meter(name))
            {
                meter.CreateCounter<long>("file.counter").Add(2);
                source.StartActivity("file-span")?.Dispose();
                sdk.CreateLogger("file.logs").LogInformation("written to a file");
            }

            Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
            Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(10)));

            var span = JsonDocument.Parse(Assert.Single(System.IO.File.ReadAllLines(File("traces")))).RootElement
                .GetProperty("resourceSpans")[0].GetProperty("scopeSpans")[0].GetProperty("spans")[0];
            Assert.Equal("file-span", span.GetProperty("name").GetString());

            var metricsText = await System.IO.File.ReadAllTextAsync(File("metrics"));
            Assert.Contains("\"name\":\"file.counter\"", metricsText);
            Assert.Contains("\"aggregationTemporality\":1", metricsText);

            var logsText = await System.IO.File.ReadAllTextAsync(File("logs"));
            Assert.Contains("written to a file", logsText);
            Assert.EndsWith("\n", logsText);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Bad_options_are_an_ArgumentException_where_the_exporter_is_added()
    {
        var size = Assert.Throws<ArgumentException>(() =>
            Telemetry.Create("x").WithTracing(t => t.AddOtlpFileExporter(o => o.MaxFileBytes = 0)));
        Assert.Equal("MaxFileBytes", size.ParamName);

        var kept = Assert.Throws<ArgumentException>(() =>
            Telemetry.Create("x").WithMetrics(m => m.AddOtlpFileExporter(o => o.MaxRotatedFiles = -1)));
        Assert.Equal("MaxRotatedFiles", kept.ParamName);

        var path = Assert.Throws<ArgumentException>(() =>
            Telemetry.Create("x").WithLogging(l => l.AddOtlpFileExporter(o => o.Path = " ")));
        Assert.Equal("Output", path.ParamName);
    }
}
