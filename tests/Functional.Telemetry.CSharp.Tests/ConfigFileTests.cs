using System.Diagnostics;
using Functional.Telemetry;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>Telemetry.FromConfigFile: a declarative configuration file, with code on top.</summary>
public class ConfigFileTests
{
    private static string WriteFile(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"otel-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public async Task A_file_configures_the_sdk_and_sources_and_exporters_added_in_code_apply_on_top()
    {
        var source = "CSharpTests.ConfigFile." + Guid.NewGuid().ToString("N");
        var path = WriteFile("""
            file_format: "1.1"
            resource:
              attributes:
                - name: service.name
                  value: csharp-from-file
            tracer_provider:
              processors:
                - batch:
                    schedule_delay: 100
                    exporter:
                      console:
              limits:
                attribute_count_limit: 1
              # Only the ActivitySources named in code (tests run in parallel).
              tracer_configurator/development:
                default_config:
                  enabled: false
            """);

        try
        {
            var exporter = new InMemoryExporter<Span>();
            await using var sdk = Telemetry.FromConfigFile(path)
                .WithoutPropagatorInstallation()
                .WithTracing(t => t.AddSource(source).AddInMemoryExporter(exporter))
                .Start();

            using (var activitySource = new ActivitySource(source))
            using (var activity = activitySource.StartActivity("from code"))
            {
                activity?.SetTag("kept", 1).SetTag("dropped", 2);
            }

            Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
            var span = Assert.Single(exporter.Items);
            Assert.Equal("from code", span.Name);
            Assert.Equal("kept", Assert.Single(span.Attributes).Key);
            Assert.Equal(1, span.DroppedAttributes);
            Assert.Contains(sdk.Resource.Attributes, a => a.Key == "service.name" && (string?)a.Value.ToObject() == "csharp-from-file");
            // The file's console pipeline and the in-memory one added in code.
            Assert.Equal(2, sdk.SpanPipelines.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_invalid_file_throws_one_ArgumentException_listing_every_error()
    {
        var path = WriteFile("""
            file_format: "1.1"
            tracer_provider:
              processors:
                - simple:
                    exporter:
                      console:
              sampler:
                trace_id_ratio_based:
                  ratio: 1.5
            meter_provider:
              readers:
                - periodic:
                    interval: soon
                    exporter:
                      console:
            """);

        try
        {
            var error = Assert.Throws<ArgumentException>(() => Telemetry.FromConfigFile(path));
            Assert.Equal("path", error.ParamName);
            Assert.Contains("has 2 errors", error.Message);
            Assert.Contains("line 9, column 14: tracer_provider.sampler.trace_id_ratio_based.ratio: must be at most 1", error.Message);
            Assert.Contains("line 13, column 19: meter_provider.readers[0].periodic.interval: expected an integer", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_format_this_sdk_does_not_read_is_refused()
    {
        var path = WriteFile("file_format: \"0.3\"\n");

        try
        {
            var error = Assert.Throws<ArgumentException>(() => Telemetry.FromConfigFile(path));
            Assert.Contains("file_format '0.3' is not supported; this SDK reads 1.0 and 1.1", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
