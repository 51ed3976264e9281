using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Functional.Telemetry.Hosting.Tests;

/// <summary>OTEL_* settings and the named options, read through the host's IConfiguration.</summary>
public class ConfigurationTests
{
    private static async Task<IReadOnlyList<Span>> SpansOf(ContentRoot root, string environment, string[] args, Action<TelemetryBuilder>? extra = null)
    {
        var source = TestHosts.UniqueSource();
        var exporter = new InMemoryExporter<Span>();
        var builder = TestHosts.Builder(root, environment, args);
        var telemetry = builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddInMemoryExporter(exporter));
        extra?.Invoke(telemetry);
        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "work");
        await host.StopAsync();
        return exporter.Items;
    }

    [Fact]
    public async Task The_sampler_of_appsettings_Environment_json_applies_in_that_environment()
    {
        using var root = new ContentRoot(("appsettings.Cfg.json", """{ "OTEL_TRACES_SAMPLER": "always_off" }"""));
        Assert.Empty(await SpansOf(root, "Cfg", []));
        Assert.Single(await SpansOf(root, "Production", []));
    }

    [Fact]
    public async Task The_command_line_wins_over_appsettings()
    {
        using var root = new ContentRoot(
            ("appsettings.json", """{ "OTEL_TRACES_SAMPLER": "always_on" }"""),
            ("appsettings.Cfg.json", """{ "OTEL_TRACES_SAMPLER": "always_off" }"""));
        Assert.Empty(await SpansOf(root, "Cfg", []));
        Assert.Single(await SpansOf(root, "Cfg", ["--OTEL_TRACES_SAMPLER=always_on"]));
    }

    [Fact]
    public async Task OTEL_TRACES_EXPORTER_in_appsettings_decides_the_exporters_code_added_by_kind()
    {
        // Code adds OTLP and console exporters; appsettings.{Environment}.json keeps only the console one. The
        // in-memory exporter, an object the variable cannot name, always runs.
        using var root = new ContentRoot(
            ("appsettings.json", """{ "OTEL_TRACES_EXPORTER": "otlp,console" }"""),
            ("appsettings.Cfg.json", """{ "OTEL_TRACES_EXPORTER": "console" }"""));

        async Task<string[]> PipelinesIn(string environment)
        {
            var builder = TestHosts.Builder(root, environment);
            builder.Services.AddFunctionalTelemetry()
                .WithoutPropagatorInstallation()
                .WithTracing(t => t.AddSource(TestHosts.UniqueSource())
                    .AddOtlpExporter(o => o.Endpoint = new Uri("http://127.0.0.1:1/v1/traces"))
                    .AddConsoleExporter()
                    .AddInMemoryExporter(new InMemoryExporter<Span>()));
            using var host = builder.Build();
            await host.StartAsync();
            var names = host.Services.GetRequiredService<TelemetrySdk>().SpanPipelines.Select(p => p.Name).ToArray();
            await host.StopAsync();
            return names;
        }

        var cfg = await PipelinesIn("Cfg");
        Assert.DoesNotContain(cfg, n => n.Contains("otlp"));
        Assert.Equal(2, cfg.Length);
        var production = await PipelinesIn("Production");
        Assert.Contains(production, n => n.Contains("otlp"));
        Assert.Equal(3, production.Length);
    }

    [Fact]
    public async Task A_sampler_set_in_code_wins_over_configuration()
    {
        using var root = new ContentRoot(("appsettings.json", """{ "OTEL_TRACES_SAMPLER": "always_off" }"""));
        Assert.Single(await SpansOf(root, "Production", [], t => t.WithTracing(tracing => tracing.SetSampler(Sampler.AlwaysOn))));
    }

    [Fact]
    public async Task WithEnvironment_in_code_replaces_IConfiguration()
    {
        using var root = new ContentRoot(("appsettings.json", """{ "OTEL_TRACES_SAMPLER": "always_off" }"""));
        Assert.Single(await SpansOf(root, "Production", [], t => t.WithEnvironment(new Dictionary<string, string>())));
    }

    private static async Task<Resource> ResourceOf(ContentRoot root, string environment, Action<TelemetryBuilder>? configure = null)
    {
        var builder = TestHosts.Builder(root, environment);
        var telemetry = builder.Services.AddFunctionalTelemetry().WithoutPropagatorInstallation().WithoutResourceDetection();
        configure?.Invoke(telemetry);
        using var host = builder.Build();
        await host.StartAsync();
        var resource = host.Services.GetRequiredService<TelemetrySdk>().Resource;
        await host.StopAsync();
        return resource;
    }

    [Fact]
    public async Task The_service_is_the_application_and_the_deployment_environment_the_host_environment()
    {
        using var root = new ContentRoot();
        var resource = await ResourceOf(root, "Staging");
        Assert.Equal(TestHosts.ApplicationName, resource.Attributes.GetValueOrNull("service.name"));
        Assert.Equal("Staging", resource.Attributes.GetValueOrNull("deployment.environment.name"));
    }

    [Fact]
    public async Task Configuration_names_the_service_and_the_environment_over_the_host()
    {
        using var root = new ContentRoot(("appsettings.json", """
            {
              "OTEL_SERVICE_NAME": "orders",
              "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment.name=blue,team=payments"
            }
            """));
        var resource = await ResourceOf(root, "Staging");
        Assert.Equal("orders", resource.Attributes.GetValueOrNull("service.name"));
        Assert.Equal("blue", resource.Attributes.GetValueOrNull("deployment.environment.name"));
        Assert.Equal("payments", resource.Attributes.GetValueOrNull("team"));
    }

    [Fact]
    public async Task Code_names_the_service_and_the_environment_over_configuration()
    {
        using var root = new ContentRoot(("appsettings.json", """{ "OTEL_SERVICE_NAME": "orders" }"""));
        var resource = await ResourceOf(root, "Staging", t => t.ConfigureResource(r => r
            .AddService("checkout", serviceVersion: "1.2.3")
            .AddAttribute("deployment.environment.name", "canary")));
        Assert.Equal("checkout", resource.Attributes.GetValueOrNull("service.name"));
        Assert.Equal("1.2.3", resource.Attributes.GetValueOrNull("service.version"));
        Assert.Equal("canary", resource.Attributes.GetValueOrNull("deployment.environment.name"));
    }

    [Fact]
    public async Task The_OTLP_endpoint_of_appsettings_receives_the_spans_of_UseOtlpExporter()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var root = new ContentRoot(("appsettings.json", $$"""
            {
              "OTEL_EXPORTER_OTLP_ENDPOINT": "{{receiver.BaseUrl}}",
              "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"
            }
            """));
        var source = TestHosts.UniqueSource();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithoutRetries()
            .WithTracing(t => t.AddSource(source))
            .UseOtlpExporter();
        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "to the collector");
        await host.StopAsync();

        await receiver.Traces.Within10Seconds();
        Assert.Contains("/v1/traces", receiver.Paths);
    }

    [Fact]
    public async Task UseOtlpExporter_with_a_base_URL_posts_each_signal_under_it()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var root = new ContentRoot();
        var source = TestHosts.UniqueSource();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithoutRetries()
            .WithTracing(t => t.AddSource(source))
            .UseOtlpExporter(OtlpExportProtocol.HttpJson, new Uri(receiver.BaseUrl, "collector"));
        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "under the base URL");
        await host.StopAsync();

        Assert.Contains("/collector/v1/traces", receiver.Paths);
    }

    [Fact]
    public async Task The_named_OTLP_options_of_a_configuration_section_reach_the_exporter()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var root = new ContentRoot(("appsettings.json", $$"""
            {
              "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
              "FunctionalTelemetry": {
                "Traces": { "Otlp": { "Endpoint": "{{receiver.BaseUrl}}custom/traces", "Timeout": "00:00:05" } }
              }
            }
            """));
        var source = TestHosts.UniqueSource();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithoutRetries()
            .WithTracing(t => t.AddSource(source).AddOtlpExporter());
        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "to the section's endpoint");
        await host.StopAsync();

        Assert.Contains("/custom/traces", receiver.Paths);
        var options = host.Services.GetRequiredService<IOptionsMonitor<OtlpExporterOptions>>().Get(TelemetryOptionNames.Traces);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeout);
    }

    [Fact]
    public void The_gRPC_fleet_and_keepalive_settings_of_a_configuration_section_are_bound()
    {
        using var root = new ContentRoot(("appsettings.json", """
            {
              "FunctionalTelemetry": {
                "Otlp": {
                  "Protocol": "Grpc",
                  "GrpcAddresses": [ "http://10.0.0.1:4317", "http://10.0.0.2:4317" ],
                  "LoadBalancing": "RoundRobin",
                  "KeepAlivePingDelay": "00:00:30",
                  "KeepAlivePingTimeout": "00:00:05",
                  "KeepAlivePingPolicy": "Always",
                  "Insecure": true
                }
              }
            }
            """));
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry().WithTracing(t => t.AddSource(TestHosts.UniqueSource()).AddOtlpExporter());
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptionsMonitor<OtlpExporterOptions>>().Get(TelemetryOptionNames.Traces);
        Assert.Equal([new Uri("http://10.0.0.1:4317"), new Uri("http://10.0.0.2:4317")], options.GrpcAddresses);
        Assert.Equal(OtlpLoadBalancingPolicy.RoundRobin, options.LoadBalancing);
        Assert.Equal(TimeSpan.FromSeconds(30), options.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), options.KeepAlivePingTimeout);
        Assert.Equal(System.Net.Http.HttpKeepAlivePingPolicy.Always, options.KeepAlivePingPolicy);
        Assert.True(options.Insecure);
    }

    [Fact]
    public async Task Limits_of_a_configuration_section_apply_and_code_has_the_last_word()
    {
        using var root = new ContentRoot(("appsettings.json", """
            { "FunctionalTelemetry": { "Traces": { "Limits": { "AttributeCountLimit": 1, "EventCountLimit": 0 } } } }
            """));
        var source = TestHosts.UniqueSource();
        var exporter = new InMemoryExporter<Span>();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddInMemoryExporter(exporter).SetLimits(o => o.EventCountLimit = 1));
        using var host = builder.Build();
        await host.StartAsync();
        using (var activitySource = new System.Diagnostics.ActivitySource(source))
        using (var activity = activitySource.StartActivity("limited"))
        {
            activity?.SetTag("a", 1).SetTag("b", 2).SetTag("c", 3);
            activity?.AddEvent(new("first")).AddEvent(new("second"));
        }

        await host.StopAsync();
        var span = Assert.Single(exporter.Items);
        Assert.Single(span.Attributes);
        Assert.Single(span.Events);
    }

    [Fact]
    public async Task Batch_options_of_the_services_replace_OTEL_BSP_settings()
    {
        // OTEL_BSP_SCHEDULE_DELAY says an hour; the named options say 10 ms, so the span leaves without a flush.
        using var root = new ContentRoot(("appsettings.json", """{ "OTEL_BSP_SCHEDULE_DELAY": "3600000" }"""));
        var source = TestHosts.UniqueSource();
        var exporter = new SignalingExporter<Span>();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddExporter(exporter));
        builder.Services.Configure<BatchExportOptions>(TelemetryOptionNames.Traces, o => o.ScheduleDelay = TimeSpan.FromMilliseconds(10));
        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "soon");
        await exporter.FirstBatch.Task.Within10Seconds();
        Assert.Equal("soon", Assert.Single(exporter.Items).Name);
        await host.StopAsync();
    }

    [Fact]
    public async Task OTEL_BSP_settings_of_configuration_apply_when_no_options_are_set()
    {
        using var root = new ContentRoot(("appsettings.json", """{ "OTEL_BSP_SCHEDULE_DELAY": "3600000" }"""));
        var source = TestHosts.UniqueSource();
        var exporter = new SignalingExporter<Span>();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddExporter(exporter));
        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "later");
        var options = host.Services.GetRequiredService<IOptionsMonitor<BatchExportOptions>>().Get(TelemetryOptionNames.Traces);
        Assert.Equal(TimeSpan.FromHours(1), options.ScheduleDelay);
        Assert.Empty(exporter.Items);
        await host.StopAsync();
        Assert.Single(exporter.Items);
    }

    [Fact]
    public async Task Prometheus_options_of_a_configuration_section_shape_the_scrape()
    {
        using var root = new ContentRoot(("appsettings.json", """
            { "FunctionalTelemetry": { "Metrics": { "Prometheus": { "Namespace": "shop", "TargetInfo": false } } } }
            """));
        var meterName = TestHosts.UniqueSource();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithMetrics(m => m.AddMeter(meterName).AddPrometheusReader());
        using var host = builder.Build();
        await host.StartAsync();
        using var meter = new System.Diagnostics.Metrics.Meter(meterName);
        meter.CreateCounter<long>("orders").Add(3);

        var handler = Assert.Single(host.Services.GetRequiredService<TelemetrySdk>().PrometheusScrapeHandlers);
        var response = await handler.ScrapeAsync("text/plain", "", CancellationToken.None);
        var text = System.Text.Encoding.UTF8.GetString(response.Body.Span);
        Assert.Contains("shop_orders_total", text);
        Assert.DoesNotContain("target_info", text);
        await host.StopAsync();
    }
}

/// <summary><c>OTEL_CONFIG_FILE</c> read through IConfiguration: the file configures the hosted SDK.</summary>
public class HostedConfigFileTests
{
    [Fact]
    public async Task OTEL_CONFIG_FILE_in_appsettings_applies_the_file_and_code_adds_on_top()
    {
        var source = TestHosts.UniqueSource();
        var yaml = Path.Combine(Path.GetTempPath(), $"hosted-{Guid.NewGuid():N}.yaml");
        // Only this test's source: tests run in parallel, and a file's tracer provider listens to every source.
        File.WriteAllText(yaml, $$"""
            file_format: "1.1"
            tracer_provider:
              processors:
                - simple:
                    exporter:
                      console:
              sampler:
                trace_id_ratio_based:
                  ratio: 0
              tracer_configurator/development:
                default_config:
                  enabled: false
                tracers:
                  - name: {{source}}
                    config:
                      enabled: true
            """);
        try
        {
            using var root = new ContentRoot(("appsettings.json", $$"""{ "OTEL_CONFIG_FILE": "{{yaml.Replace("\\", "\\\\")}}" }"""));
            var exporter = new InMemoryExporter<Span>();
            var builder = TestHosts.Builder(root);
            builder.Services.AddFunctionalTelemetry()
                .WithoutPropagatorInstallation()
                .WithTracing(t => t.AddSource(source).AddInMemoryExporter(exporter));

            using var host = builder.Build();
            await host.StartAsync();
            TestHosts.EmitSpan(source, "dropped by the file's sampler");
            var sdk = host.Services.GetRequiredService<TelemetrySdk>();
            Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
            await host.StopAsync();

            // The file's sampler (ratio 0) dropped the span; code's exporter was there to see it otherwise, after the
            // file's console exporter.
            Assert.Empty(exporter.Items);
            Assert.Equal(2, sdk.SpanPipelines.Count);
        }
        finally
        {
            File.Delete(yaml);
        }
    }

    [Fact]
    public async Task Without_the_file_the_same_host_exports_the_span()
    {
        var source = TestHosts.UniqueSource();
        using var root = new ContentRoot();
        var exporter = new InMemoryExporter<Span>();
        var builder = TestHosts.Builder(root);
        builder.Services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddInMemoryExporter(exporter));

        using var host = builder.Build();
        await host.StartAsync();
        TestHosts.EmitSpan(source, "kept");
        var sdk = host.Services.GetRequiredService<TelemetrySdk>();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        await host.StopAsync();
        Assert.Equal("kept", Assert.Single(exporter.Items).Name);
    }
}
