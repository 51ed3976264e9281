using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
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

/// <summary>AddOtlpExporter from C#: options in code, a real HTTP listener on 127.0.0.1.</summary>
public class OtlpBuilderTests
{
    [Fact]
    public async Task Spans_are_sent_as_otlp_json_to_the_endpoint_set_in_code()
    {
        using var listener = new HttpListener();
        var port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = new ConcurrentQueue<(string Path, string ContentType, string Body, string? Key)>();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (!listener.IsListening)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", await reader.ReadToEndAsync(), context.Request.Headers["x-api-key"]));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        var source = "CSharpOtlp." + Guid.NewGuid().ToString("N");
        var sdk = Telemetry.Create("csharp-otlp")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri($"http://127.0.0.1:{port}/custom/traces");
                o.Protocol = OtlpExportProtocol.HttpJson;
                o.Headers["x-api-key"] = "k-123";
            }))
            .Start();

        using (var activitySource = new ActivitySource(source))
        {
            activitySource.StartActivity("json-span")?.Dispose();
        }

        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(10)));
        listener.Stop();
        await serving;

        var request = Assert.Single(received);
        Assert.Equal("/custom/traces", request.Path);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("k-123", request.Key);
        Assert.Contains("\"name\":\"json-span\"", request.Body);
        Assert.Contains("\"traceId\":\"", request.Body);
    }

    [Fact]
    public void A_bad_endpoint_is_a_clear_error_at_start()
    {
        var builder = Telemetry.Create("csharp-otlp")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithMetrics(m => m.AddMeter("x").AddOtlpExporter(o => o.Endpoint = new Uri("file:///tmp/collector")));
        var error = Assert.Throws<ArgumentException>(() => builder.Start());
        Assert.Contains("Endpoint", error.Message);
    }

    [Theory]
    [InlineData("Content-Type", "application/json")]
    [InlineData("content-length", "12")]
    [InlineData("Host", "elsewhere")]
    [InlineData("Transfer-Encoding", "chunked")]
    [InlineData("x-accent", "caf\u00e9")]
    [InlineData("x-bell", "ring\u0007")]
    public void A_header_HttpClient_cannot_send_is_an_error_at_start_naming_the_header_not_its_value(string name, string value)
    {
        var builder = Telemetry.Create("csharp-otlp")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource("x").AddOtlpExporter(o =>
            {
                o.Headers["api-key"] = "fine";
                o.Headers[name] = value + "-secret";
            }));
        var error = Assert.Throws<ArgumentException>(() => builder.Start());
        Assert.Equal("Headers", error.ParamName);
        Assert.Contains($"'{name}'", error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public async Task Spans_spread_over_a_static_grpc_fleet_with_round_robin()
    {
        var (first, firstRequests) = await StartGrpcReceiver();
        var (second, secondRequests) = await StartGrpcReceiver();
        await using var a = first;
        await using var b = second;
        var source = "CSharpOtlpFleet." + Guid.NewGuid().ToString("N");
        var sdk = Telemetry.Create("csharp-otlp-fleet")
            .WithEnvironment(new Dictionary<string, string> { ["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] = "1" })
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.Grpc;
                o.GrpcAddresses.Add(AddressOf(a));
                o.GrpcAddresses.Add(AddressOf(b));
                o.LoadBalancing = OtlpLoadBalancingPolicy.RoundRobin;
                o.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
                o.KeepAlivePingTimeout = TimeSpan.FromSeconds(5);
                o.KeepAlivePingPolicy = System.Net.Http.HttpKeepAlivePingPolicy.Always;
            }))
            .Start();

        using (var activitySource = new ActivitySource(source))
        {
            for (var i = 0; i < 20; i++)
            {
                activitySource.StartActivity("fleet-span")?.Dispose();
                Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
            }
        }

        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(10)));
        Assert.Equal(20, firstRequests.Count + secondRequests.Count);
        Assert.NotEmpty(firstRequests);
        Assert.NotEmpty(secondRequests);
    }

    [Fact]
    public void Grpc_options_are_checked_at_start()
    {
        TelemetryBuilder Builder(Action<OtlpExporterOptions> configure) => Telemetry.Create("csharp-otlp")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource("x").AddOtlpExporter(configure));

        var ping = Assert.Throws<ArgumentException>(() => Builder(o =>
        {
            o.Protocol = OtlpExportProtocol.Grpc;
            o.KeepAlivePingDelay = TimeSpan.FromMilliseconds(100);
        }).Start());
        Assert.Contains("Grpc.KeepAlivePingDelay", ping.Message);

        var addresses = Assert.Throws<ArgumentException>(() => Builder(o =>
            o.GrpcAddresses.Add(new Uri("http://127.0.0.1:4317"))).Start());
        Assert.Contains("Grpc.Addresses", addresses.Message);
    }

    private static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

    /// <summary>A Kestrel h2c receiver on 127.0.0.1 answering every gRPC call with OK; the paths it was asked.</summary>
    private static async Task<(WebApplication App, ConcurrentQueue<string> Requests)> StartGrpcReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0,
            l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));
        var app = builder.Build();
        var requests = new ConcurrentQueue<string>();
        app.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            requests.Enqueue(context.Request.Path.Value ?? "");
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync();
        return (app, requests);
    }

    private static int FreePort()
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
