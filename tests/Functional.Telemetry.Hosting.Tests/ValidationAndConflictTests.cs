using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Functional.Telemetry.Hosting.Tests;

/// <summary>Bad settings and contradictory calls: clear errors naming the key or both calls.</summary>
public class ValidationAndConflictTests
{
    /// <summary>The error of building and starting the host. With logs enabled the SDK starts while the host is
    /// built (its logging makes the first logger then), so the error comes from Build().</summary>
    private static async Task<Exception> StartFails(ContentRoot root, Action<IServiceCollection> configure)
    {
        var builder = TestHosts.Builder(root);
        configure(builder.Services);
        return await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var host = builder.Build();
            await host.StartAsync();
        });
    }

    [Fact]
    public async Task A_bad_batch_setting_in_a_configuration_section_fails_the_start_naming_its_key()
    {
        using var root = new ContentRoot(("appsettings.json", """
            { "FunctionalTelemetry": { "Traces": { "Batch": { "MaxQueueSize": 100, "MaxExportBatchSize": 500 } } } }
            """));
        var error = await StartFails(root, services => services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource("x").AddExporter(new InMemoryExporter<Span>())));
        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains("FunctionalTelemetry:Traces:Batch:MaxExportBatchSize", validation.Message);
    }

    [Fact]
    public async Task A_bad_OTLP_endpoint_from_Configure_fails_the_start_naming_its_key_but_not_its_value()
    {
        using var root = new ContentRoot();
        var error = await StartFails(root, services =>
        {
            services.AddFunctionalTelemetry().WithoutPropagatorInstallation().WithTracing(t => t.AddSource("x").AddOtlpExporter());
            services.Configure<OtlpExporterOptions>(TelemetryOptionNames.Traces, o => o.Endpoint = new Uri("ftp://user:secret@127.0.0.1/"));
        });
        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains("FunctionalTelemetry:Traces:Otlp:Endpoint", validation.Message);
        Assert.DoesNotContain("secret", validation.Message);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_in_a_section_fails_the_start_naming_its_key()
    {
        using var root = new ContentRoot(("appsettings.json", """
            { "FunctionalTelemetry": { "Logs": { "Limits": { "AttributeCountLimit": "many" } } } }
            """));
        var error = await StartFails(root, services => services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithLogging(l => l.AddInMemoryExporter(new InMemoryExporter<LogRecord>())));
        Assert.Contains("FunctionalTelemetry:Logs:Limits:AttributeCountLimit", error.Message);
    }

    [Fact]
    public async Task A_bad_Prometheus_port_fails_the_start_naming_its_key()
    {
        using var root = new ContentRoot(("appsettings.json", """
            { "FunctionalTelemetry": { "Metrics": { "Prometheus": { "Port": 70000 } } } }
            """));
        var error = await StartFails(root, services => services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithMetrics(m => m.AddMeter("x").AddPrometheusEndpoint()));
        Assert.Contains("FunctionalTelemetry:Metrics:Prometheus:Port", Assert.IsType<OptionsValidationException>(error).Message);
    }

    [Fact]
    public void UseOtlpExporter_and_a_signals_AddOtlpExporter_are_an_error_naming_both_in_either_order()
    {
        var afterUse = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddFunctionalTelemetry().UseOtlpExporter().WithTracing(t => t.AddOtlpExporter()));
        Assert.Contains("UseOtlpExporter(...)", afterUse.Message);
        Assert.Contains("WithTracing(t => t.AddOtlpExporter(...))", afterUse.Message);

        var beforeUse = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddFunctionalTelemetry().WithLogging(l => l.AddOtlpExporter()).UseOtlpExporter());
        Assert.Contains("UseOtlpExporter(...)", beforeUse.Message);
        Assert.Contains("WithLogging(l => l.AddOtlpExporter(...))", beforeUse.Message);

        // The same rule holds for Telemetry.Create: one builder shape.
        Assert.Throws<InvalidOperationException>(() =>
            Telemetry.Create("svc").WithMetrics(m => m.AddOtlpExporter()).UseOtlpExporter());
    }

    [Fact]
    public void UseOtlpExporter_twice_is_an_error_and_ClearExporters_makes_room_for_another_exporter()
    {
        var twice = Assert.Throws<InvalidOperationException>(() =>
            new ServiceCollection().AddFunctionalTelemetry().UseOtlpExporter().UseOtlpExporter());
        Assert.Contains("called twice", twice.Message);

        // A test that replaces the application's OTLP exporter of one signal: one OTLP exporter is left for traces.
        var services = new ServiceCollection();
        services.AddFunctionalTelemetry()
            .WithEnvironment(new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" })
            .WithoutPropagatorInstallation()
            .WithoutRetries()
            .UseOtlpExporter();
        services.AddFunctionalTelemetry().WithTracing(t => t.ClearExporters().AddOtlpExporter(o => o.Timeout = TimeSpan.FromSeconds(1)));
        using var container = services.BuildServiceProvider();
        var pipeline = Assert.Single(container.GetRequiredService<TelemetrySdk>().SpanPipelines);
        Assert.Equal("traces/otlp-http-protobuf", pipeline.Name);
    }

    [Fact]
    public void UseOtlpExporter_takes_an_absolute_http_base_URL()
    {
        var builder = new ServiceCollection().AddFunctionalTelemetry();
        Assert.Throws<ArgumentException>(() => builder.UseOtlpExporter(OtlpExportProtocol.Grpc, new Uri("/relative", UriKind.Relative)));
        Assert.Throws<ArgumentException>(() => builder.UseOtlpExporter(OtlpExportProtocol.Grpc, new Uri("ftp://127.0.0.1/")));
        Assert.Throws<ArgumentNullException>(() => builder.UseOtlpExporter(OtlpExportProtocol.Grpc, null!));
    }

    [Fact]
    public void The_hosts_builder_is_started_by_the_host_not_by_Start()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddFunctionalTelemetry().Start());
        Assert.Contains("AddFunctionalTelemetry", error.Message);
    }

    [Fact]
    public void Container_overloads_on_a_builder_of_Telemetry_Create_say_where_they_belong()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Telemetry.Create("svc").WithTracing(t => t.AddProcessor<Tagger>()));
        Assert.Contains("AddProcessor<Tagger>()", error.Message);
        Assert.Contains("services.AddFunctionalTelemetry()", error.Message);
    }
}
