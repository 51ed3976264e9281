using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Functional.Telemetry.Hosting.Tests;

/// <summary>The Zipkin exporter in a host: its named options (section <c>FunctionalTelemetry:Traces:Zipkin</c>),
/// <c>OTEL_EXPORTER_ZIPKIN_*</c> and <c>OTEL_TRACES_EXPORTER=zipkin</c> read through IConfiguration, and a bad
/// setting naming its key.</summary>
public class ZipkinHostingTests
{
    private static async Task<IReadOnlyList<string>> PathsAfterOneSpan(ContentRoot root, OtlpReceiver receiver, Action<TracingBuilder> tracing)
    {
        var source = TestHosts.UniqueSource();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithoutRetries()
            .WithTracing(t => tracing(t.AddSource(source)));
        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "to zipkin");
        await host.StopAsync();
        return receiver.Paths;
    }

    [Fact]
    public async Task The_named_Zipkin_options_of_a_configuration_section_reach_the_exporter()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var root = new ContentRoot(("appsettings.json", $$"""
            {
              "OTEL_EXPORTER_ZIPKIN_ENDPOINT": "http://127.0.0.1:9/api/v2/spans",
              "FunctionalTelemetry": {
                "Traces": { "Zipkin": { "Endpoint": "{{receiver.BaseUrl}}zipkin/api/v2/spans", "Timeout": "00:00:05" } }
              }
            }
            """));

        Assert.Equal(["/zipkin/api/v2/spans"], await PathsAfterOneSpan(root, receiver, t => t.AddZipkinExporter()));
    }

    [Fact]
    public async Task OTEL_TRACES_EXPORTER_zipkin_in_appsettings_adds_the_exporter_at_OTEL_EXPORTER_ZIPKIN_ENDPOINT()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var root = new ContentRoot(("appsettings.json", $$"""
            { "OTEL_TRACES_EXPORTER": "zipkin", "OTEL_EXPORTER_ZIPKIN_ENDPOINT": "{{receiver.BaseUrl}}api/v2/spans" }
            """));

        Assert.Equal(["/api/v2/spans"], await PathsAfterOneSpan(root, receiver, _ => { }));
    }

    [Fact]
    public void The_Zipkin_options_are_bound_and_a_delegate_in_code_has_the_last_word()
    {
        using var root = new ContentRoot(("appsettings.json", """
            { "FunctionalTelemetry": { "Traces": { "Zipkin": { "Endpoint": "http://zipkin.internal:9411/api/v2/spans", "Timeout": "00:00:03" } } } }
            """));
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry().WithTracing(t => t.AddSource(TestHosts.UniqueSource()).AddZipkinExporter());
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptionsMonitor<ZipkinExporterOptions>>().Get(TelemetryOptionNames.Traces);
        Assert.Equal(new Uri("http://zipkin.internal:9411/api/v2/spans"), options.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
    }

    [Fact]
    public async Task A_bad_Zipkin_endpoint_fails_the_start_naming_its_key_but_not_its_value()
    {
        using var root = new ContentRoot();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry().WithoutPropagatorInstallation().WithTracing(t => t.AddSource("x").AddZipkinExporter());
        builder.Services.Configure<ZipkinExporterOptions>(TelemetryOptionNames.Traces, o => o.Endpoint = new Uri("ftp://user:secret@127.0.0.1/"));
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var host = builder.Build();
            await host.StartAsync();
        });
        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains("FunctionalTelemetry:Traces:Zipkin:Endpoint", validation.Message);
        Assert.DoesNotContain("secret", validation.Message);
    }
}
