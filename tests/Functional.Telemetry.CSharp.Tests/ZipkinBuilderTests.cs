using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The Zipkin exporter and the trace-id generator from C#: <c>AddZipkinExporter</c> with its options over
/// <c>OTEL_EXPORTER_ZIPKIN_*</c>, its checks at start, and <c>SetIdGenerator(TraceIdGenerator.AwsXRay)</c>.</summary>
public class ZipkinBuilderTests
{
    /// <summary>A Kestrel receiver on 127.0.0.1 answering 202, keeping each request's path and body.</summary>
    private static async Task<(WebApplication App, Uri Address, ConcurrentQueue<(string Path, string Body)> Requests)> StartReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var requests = new ConcurrentQueue<(string, string)>();
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            requests.Enqueue((context.Request.Path.Value ?? "", await reader.ReadToEndAsync()));
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return (app, address, requests);
    }

    private static TelemetryBuilder Base(Dictionary<string, string>? environment = null) =>
        Telemetry.Create("csharp-zipkin")
            .WithEnvironment(environment ?? new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection();

    private static string Unique() => "CSharpZipkin." + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task AddZipkinExporter_posts_Zipkin_JSON_and_its_options_win_over_the_environment()
    {
        var (app, address, requests) = await StartReceiver();
        await using var _ = app;
        var source = Unique();
        var sdk = Base(new Dictionary<string, string> { ["OTEL_EXPORTER_ZIPKIN_ENDPOINT"] = "http://127.0.0.1:9/api/v2/spans" })
            .WithTracing(t => t.AddSource(source).AddZipkinExporter(o =>
            {
                o.Endpoint = new Uri(address, "/api/v2/spans");
                o.Timeout = TimeSpan.FromSeconds(5);
            }))
            .Start();

        string spanId;
        using (var activitySource = new ActivitySource(source))
        using (var activity = activitySource.StartActivity("checkout", ActivityKind.Client)!)
        {
            activity.SetTag("peer.service", "payments");
            spanId = activity.SpanId.ToHexString();
        }

        Assert.Equal(["traces/zipkin"], sdk.SpanPipelines.Select(p => p.Name));
        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(10)));
        var (path, body) = Assert.Single(requests);
        Assert.Equal("/api/v2/spans", path);
        var span = Assert.Single(JsonNode.Parse(body)!.AsArray())!;
        Assert.Equal(spanId, (string?)span["id"]);
        Assert.Equal("CLIENT", (string?)span["kind"]);
        Assert.Equal("csharp-zipkin", (string?)span["localEndpoint"]!["serviceName"]);
        Assert.Equal("payments", (string?)span["remoteEndpoint"]!["serviceName"]);
    }

    [Fact]
    public async Task OTEL_TRACES_EXPORTER_zipkin_selects_the_exporter_added_in_code_and_drops_the_console_one()
    {
        await using var sdk = Base(new Dictionary<string, string> { ["OTEL_TRACES_EXPORTER"] = "zipkin" })
            .WithTracing(t => t.AddSource(Unique()).AddConsoleExporter().AddZipkinExporter())
            .Start();
        Assert.Equal(["traces/zipkin"], sdk.SpanPipelines.Select(p => p.Name));
    }

    [Fact]
    public void Bad_options_are_an_ArgumentException_at_start_naming_the_setting()
    {
        var endpoint = Assert.Throws<ArgumentException>(() => Base()
            .WithTracing(t => t.AddSource("x").AddZipkinExporter(o => o.Endpoint = new Uri("ftp://127.0.0.1/spans")))
            .Start());
        Assert.Equal("Endpoint", endpoint.ParamName);

        var timeout = Assert.Throws<ArgumentException>(() => Base()
            .WithTracing(t => t.AddSource("x").AddZipkinExporter(o => o.Timeout = TimeSpan.Zero))
            .Start());
        Assert.Equal("Timeout", timeout.ParamName);

        Assert.Throws<ArgumentNullException>(() => Base().WithTracing(t => t.AddZipkinExporter(null!)));
    }

    [Fact]
    public async Task SetIdGenerator_AwsXRay_makes_trace_ids_that_start_with_the_Unix_seconds_while_the_SDK_runs()
    {
        var before = Activity.TraceIdGenerator;
        var source = Unique();
        var sdk = Base()
            .WithTracing(t => t.AddSource(source).SetIdGenerator(TraceIdGenerator.AwsXRay).AddInMemoryExporter(new InMemoryExporter<Span>()))
            .Start();

        var from = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string traceId;
        using (var activitySource = new ActivitySource(source))
        using (var activity = activitySource.StartActivity("root")!)
        {
            traceId = activity.TraceId.ToHexString();
        }

        var until = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(Convert.ToInt64(traceId[..8], 16), from, until);
        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(5)));
        Assert.Same(before, Activity.TraceIdGenerator);
    }

    [Fact]
    public void SetIdGenerator_refuses_a_value_that_is_not_a_generator()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Base().WithTracing(t => t.SetIdGenerator((TraceIdGenerator)7)));
        Assert.Equal("generator", error.ParamName);
    }
}
