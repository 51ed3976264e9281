using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Functional.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>Vendor presets and zstd compression from C#: <c>AddOtlpExporter(preset)</c>,
/// <c>UseOtlpExporter(preset)</c>, <c>OtlpExporterOptions.Compression</c>, against a Kestrel receiver on 127.0.0.1.</summary>
public class OtlpPresetBuilderTests
{
    private static readonly string Token = "dt0c01." + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Dynatrace_preset_posts_each_signal_to_the_environment_path_with_its_token()
    {
        await using var receiver = await Receiver.StartAsync();
        var name = "CSharpPreset." + Guid.NewGuid().ToString("N");
        var preset = OtlpPreset.Dynatrace("abc12345", Token).WithBaseUrl(new Uri(receiver.Address, "/e/abc12345/api/v2/otlp"));

        var sdk = Telemetry.Create("csharp-preset")
            .WithEnvironment(new Dictionary<string, string> { ["OTEL_METRIC_EXPORT_INTERVAL"] = "600000" })
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(name).AddOtlpExporter(preset))
            .WithMetrics(m => m.AddMeter(name).AddOtlpExporter(preset, o => o.Headers["x-team"] = "checkout"))
            .Start();

        using (var source = new ActivitySource(name))
        using (var meter = new Meter(name))
        {
            meter.CreateCounter<long>("preset.counter").Add(1);
            source.StartActivity("preset-span")?.Dispose();
        }

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(10)));

        var requests = receiver.Requests.ToList();
        Assert.Equal(
            ["/e/abc12345/api/v2/otlp/v1/metrics", "/e/abc12345/api/v2/otlp/v1/traces"],
            requests.Select(r => r.Path).Distinct().Order().ToList());
        Assert.All(requests, r => Assert.Equal("Api-Token " + Token, r.Authorization));
        Assert.Equal("checkout", requests.First(r => r.Path.EndsWith("/metrics")).Team);
    }

    [Fact]
    public async Task UseOtlpExporter_with_jaeger_exports_traces_only_over_grpc()
    {
        await using var receiver = await Receiver.StartAsync(http2: true);
        var name = "CSharpJaeger." + Guid.NewGuid().ToString("N");

        var sdk = Telemetry.Create("csharp-jaeger")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .UseOtlpExporter(OtlpPreset.Jaeger().WithProtocol(OtlpExportProtocol.Grpc).WithBaseUrl(receiver.Address))
            .WithTracing(t => t.AddSource(name))
            .Start();

        using (var source = new ActivitySource(name))
        {
            source.StartActivity("jaeger-span")?.Dispose();
        }

        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(10)));
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/opentelemetry.proto.collector.trace.v1.TraceService/Export", request.Path);
        Assert.Equal("application/grpc", request.ContentType);
    }

    [Fact]
    public void A_preset_refuses_what_its_vendor_does_not_take_and_never_shows_a_secret()
    {
        var metrics = Assert.Throws<ArgumentException>(() =>
            Telemetry.Create("x").WithMetrics(m => m.AddOtlpExporter(OtlpPreset.Jaeger())));
        Assert.Equal("preset", metrics.ParamName);
        Assert.Contains("jaeger receives traces only", metrics.Message);

        var grpc = Assert.Throws<ArgumentException>(() => OtlpPreset.Dynatrace("abc12345", Token).WithProtocol(OtlpExportProtocol.Grpc));
        Assert.Equal("protocol", grpc.ParamName);

        Assert.Throws<ArgumentException>(() => OtlpPreset.Datadog("datadoghq.com", ""));
        Assert.Throws<ArgumentNullException>(() => OtlpPreset.GoogleCloud(null!));

        var datadog = OtlpPreset.Datadog("datadoghq.eu", Token);
        Assert.Equal("datadog", datadog.Name);
        Assert.Equal(new Uri("https://otlp.datadoghq.eu"), datadog.BaseUrl);
        Assert.Equal(["dd-api-key", "dd-protocol"], datadog.HeaderNames);
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, datadog.Protocol);
        Assert.DoesNotContain(Token, datadog.ToString());
        Assert.DoesNotContain(Token, OtlpPreset.GoogleCloud("p").WithHeader("Authorization", "Bearer " + Token).ToString());
    }

    [Fact]
    public async Task Compression_zstd_sends_zstd_bodies_and_wins_over_Gzip()
    {
        await using var receiver = await Receiver.StartAsync();
        var name = "CSharpZstd." + Guid.NewGuid().ToString("N");

        var sdk = Telemetry.Create("csharp-zstd")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(name).AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(receiver.Address, "/v1/traces");
                o.Gzip = true;
                o.Compression = OtlpExportCompression.Zstd;
            }))
            .Start();

        using (var source = new ActivitySource(name))
        {
            source.StartActivity("zstd-span")?.Dispose();
        }

        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(10)));
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("zstd", request.ContentEncoding);
        Assert.Equal(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, request.Body.Take(4).ToArray());
    }

    private sealed record Request(string Path, string? ContentType, string? ContentEncoding, string? Authorization, string? Team, byte[] Body);

    /// <summary>A Kestrel receiver on 127.0.0.1 (HTTP/1.1, or h2c for gRPC) answering every request with success.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication app;

        private Receiver(WebApplication app, Uri address)
        {
            this.app = app;
            Address = address;
        }

        public Uri Address { get; }

        public ConcurrentQueue<Request> Requests { get; } = new();

        public static async Task<Receiver> StartAsync(bool http2 = false)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = http2
                ? Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2
                : Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1));
            var app = builder.Build();
            Receiver? receiver = null;
            app.Run(async context =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                var headers = context.Request.Headers;
                receiver!.Requests.Enqueue(new Request(
                    context.Request.Path.Value ?? "",
                    context.Request.ContentType,
                    headers.ContentEncoding.ToString(),
                    headers.Authorization.ToString(),
                    headers["x-team"].ToString(),
                    body.ToArray()));
                if (context.Request.ContentType == "application/grpc")
                {
                    context.Response.ContentType = "application/grpc";
                    await context.Response.Body.WriteAsync(new byte[5]);
                    context.Response.AppendTrailer("grpc-status", "0");
                }
            });
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
            receiver = new Receiver(app, address);
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
