using System.Diagnostics;
using System.Net;
using Functional.Telemetry.CSharp.Tests.Greet;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The instrumentation methods of the tracing and metrics builders, against real servers on 127.0.0.1.</summary>
public class InstrumentationBuilderTests
{
    private static TelemetryBuilder Base() =>
        Telemetry.Create("csharp-instrumentation")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection();

    /// <summary>Kestrel on 127.0.0.1 (a free port): HTTP/1.1 answering /ok and /fail, or HTTP/2 serving the
    /// Greeter.</summary>
    private static async Task<(WebApplication App, int Port)> StartServer(bool grpc)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0,
            listen => listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        if (grpc)
        {
            builder.Services.AddGrpc();
        }

        var app = builder.Build();
        if (grpc)
        {
            app.MapGrpcService<GreeterService>();
        }
        else
        {
            app.MapGet("/ok", () => "ok");
            app.MapGet("/fail", () => Results.StatusCode(500));
        }

        await app.StartAsync();
        return (app, new Uri(app.Urls.First()).Port);
    }

    private static List<Span> SpansTo(InMemoryExporter<Span> exporter, string scope, int port) =>
        exporter.Items.Where(s => s.Scope.Name == scope && Equals(s.Attributes.GetValueOrNull("server.port"), (long)port)).ToList();

    [Fact]
    public async Task HttpClient_spans_are_recorded_filtered_and_enriched()
    {
        var (app, port) = await StartServer(grpc: false);
        await using var _ = app;
        var exporter = new InMemoryExporter<Span>();
        await using var sdk = Base()
            .WithTracing(t => t
                .AddHttpClientInstrumentation(o =>
                {
                    o.FilterHttpRequestMessage = request => request.RequestUri!.AbsolutePath != "/skip";
                    o.EnrichWithHttpRequestMessage = (activity, request) =>
                    {
                        if (request.RequestUri!.Port == port)
                        {
                            activity.SetTag("test.path", request.RequestUri.AbsolutePath);
                        }
                    };
                    o.EnrichWithHttpResponseMessage = (activity, response) =>
                    {
                        if (response.RequestMessage!.RequestUri!.Port == port)
                        {
                            activity.SetTag("test.status", (int)response.StatusCode);
                        }
                    };
                })
                .AddInMemoryExporter(exporter))
            .Start();

        using var client = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{port}/ok")).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync($"http://127.0.0.1:{port}/fail")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"http://127.0.0.1:{port}/skip")).StatusCode);

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var spans = SpansTo(exporter, "System.Net.Http", port);
        Assert.Equal(2, spans.Count);

        var ok = Assert.Single(spans, s => Equals(s.Attributes.GetValueOrNull("test.path"), "/ok"));
        Assert.Equal("GET", ok.Name);
        Assert.Equal(SpanKind.Client, ok.Kind);
        Assert.True(ok.Status.IsUnset);
        Assert.Equal($"http://127.0.0.1:{port}/ok", ok.Attributes.GetValueOrNull("url.full"));
        Assert.Equal(200L, ok.Attributes.GetValueOrNull("http.response.status_code"));
        Assert.Equal(200L, ok.Attributes.GetValueOrNull("test.status"));

        var failed = Assert.Single(spans, s => Equals(s.Attributes.GetValueOrNull("test.path"), "/fail"));
        Assert.True(failed.Status.IsError);
        Assert.Equal("500", failed.Attributes.GetValueOrNull("error.type"));
    }

    [Fact]
    public async Task Grpc_calls_are_named_and_tagged_by_the_rpc_conventions()
    {
        var (app, port) = await StartServer(grpc: true);
        await using var _ = app;
        var exporter = new InMemoryExporter<Span>();
        await using var sdk = Base()
            .WithTracing(t => t.AddGrpcClientInstrumentation().AddHttpClientInstrumentation().AddInMemoryExporter(exporter))
            .Start();

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var client = new Greeter.GreeterClient(channel);
        var reply = await client.SayHelloAsync(new HelloRequest { Name = "ada" });
        Assert.Equal("hello ada", reply.Message);
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await client.FindAsync(new HelloRequest { Name = "x" }));
        Assert.Equal(StatusCode.NotFound, failure.StatusCode);

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var calls = SpansTo(exporter, "Grpc.Net.Client", port);
        Assert.Equal(2, calls.Count);

        var hello = Assert.Single(calls, s => s.Name == "test.v1.Greeter/SayHello");
        Assert.Equal(SpanKind.Client, hello.Kind);
        Assert.True(hello.Status.IsUnset);
        Assert.Equal("grpc", hello.Attributes.GetValueOrNull("rpc.system"));
        Assert.Equal("test.v1.Greeter", hello.Attributes.GetValueOrNull("rpc.service"));
        Assert.Equal("SayHello", hello.Attributes.GetValueOrNull("rpc.method"));
        Assert.Equal(0L, hello.Attributes.GetValueOrNull("rpc.grpc.status_code"));
        Assert.Equal("127.0.0.1", hello.Attributes.GetValueOrNull("server.address"));
        Assert.Null(hello.Attributes.GetValueOrNull("grpc.method"));

        var find = Assert.Single(calls, s => s.Name == "test.v1.Greeter/Find");
        Assert.True(find.Status.IsError);
        Assert.Equal(5L, find.Attributes.GetValueOrNull("rpc.grpc.status_code"));

        // The HTTP/2 request of each call is HttpClient's span under the call's span.
        var requests = SpansTo(exporter, "System.Net.Http", port);
        Assert.Equal(2, requests.Count);
        Assert.All(calls, call => Assert.Single(requests, r => r.ParentSpanId.Equals(call.Context.SpanId)));
    }

    [Fact]
    public async Task Metrics_builder_listens_to_HttpClient_and_runtime_meters()
    {
        var (app, port) = await StartServer(grpc: false);
        await using var _ = app;
        var reader = new MetricPullReader();
        await using var sdk = Base()
            .WithMetrics(m => m.AddHttpClientInstrumentation().AddRuntimeInstrumentation().AddReader(reader))
            .Start();

        using var client = new HttpClient();
        await client.GetAsync($"http://127.0.0.1:{port}/ok");

        var metrics = reader.Collect();
        var duration = Assert.Single(metrics, m => m.Name == "http.client.request.duration");
        Assert.Equal("s", duration.Unit);
        var point = Assert.Single(duration.Points.HistogramPoints,
            p => Equals(p.Attributes.GetValueOrNull("server.port"), (long)port));
        Assert.Equal(1, point.Count);
        Assert.Equal(new[] { 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10 }, point.Bounds);

        Assert.Contains(metrics, m => m.Name == "dotnet.gc.collections" && m.Scope.Name == "System.Runtime");
        Assert.Contains(metrics, m => m.Name == "dotnet.process.cpu.count");
    }

    private sealed class GreeterService : Greeter.GreeterBase
    {
        public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
            Task.FromResult(new HelloReply { Message = "hello " + request.Name });

        public override Task<HelloReply> Find(HelloRequest request, ServerCallContext context) =>
            throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, "no such greeting"));
    }
}
