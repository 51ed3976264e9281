using System.Diagnostics;
using Functional.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

// The SDKs install a process-wide propagator, their ActivityListeners are process-wide, and an instrumentation of
// Telemetry.Create(...) instruments every host in the process: one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Functional.Telemetry.AspNetCore.Tests;

/// <summary>A real Kestrel server on 127.0.0.1 (a free port) with the routes the tests call, and an HttpClient.
/// Stopping it waits for its requests to end, so their server spans have ended too.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    public const string ChildSource = "Functional.Telemetry.AspNetCore.Tests";
    public static readonly ActivitySource Children = new(ChildSource);

    private TestServer(WebApplication app, HttpClient client, int port)
    {
        App = app;
        Client = client;
        Port = port;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public int Port { get; }

    /// <summary>A server with the standard routes (and <paramref name="map"/>'s): <c>GET /users/{id}</c> (sets
    /// <c>X-Served-By</c>), <c>GET /fail</c> (500), <c>GET /throw</c> (throws), <c>GET /health</c> (starts a child
    /// span), <c>FOO /custom</c>; HTTP/2 only (cleartext) for gRPC.</summary>
    public static async Task<TestServer> StartAsync(
        Action<IServiceCollection>? services = null, Action<WebApplication>? map = null, bool http2 = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen =>
            listen.Protocols = http2 ? HttpProtocols.Http2 : HttpProtocols.Http1));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGet("/users/{id}", (string id, HttpResponse response) =>
        {
            response.Headers["X-Served-By"] = "test-server";
            return $"user {id}";
        });
        app.MapGet("/fail", () => Results.StatusCode(500));
        app.MapGet("/throw", string () => throw new InvalidOperationException("boom"));
        app.MapGet("/health", () =>
        {
            using var child = Children.StartActivity("health check");
            return "healthy";
        });
        app.MapMethods("/custom", new[] { "FOO" }, () => "custom");
        map?.Invoke(app);
        await app.StartAsync();

        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        var client = http2
            ? new HttpClient { BaseAddress = address, DefaultRequestVersion = new Version(2, 0), DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact }
            : new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("aspnetcore-tests/1.0");
        return new TestServer(app, client, address.Port);
    }

    /// <summary>Sends one HTTP/1.1 request line as it is (no client normalizes its method), with a Host header,
    /// and returns the whole response.</summary>
    public async Task<string> SendRawAsync(string requestLine)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, Port);
        var stream = socket.GetStream();
        var request = System.Text.Encoding.ASCII.GetBytes($"{requestLine}\r\nHost: 127.0.0.1:{Port}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(request);
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Stops the server once its requests have ended.</summary>
    public Task StopAsync() => App.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>Reading exported spans.</summary>
internal static class Spans
{
    /// <summary>A span's attributes as plain objects by key (arrays as <c>object?[]</c>).</summary>
    public static Dictionary<string, object?> AttributesOf(Span span) =>
        span.Attributes.ToDictionary(a => a.Key, a => a.Value.ToObject());

    /// <summary>The server spans of ASP.NET Core.</summary>
    public static Span[] Server(InMemoryExporter<Span> exporter) =>
        exporter.Items.Where(s => s.Kind == SpanKind.Server && s.Scope.Name == "Microsoft.AspNetCore").ToArray();

    /// <summary>The one server span whose <c>url.path</c> is <paramref name="path"/>.</summary>
    public static Span ServerSpan(InMemoryExporter<Span> exporter, string path) =>
        Assert.Single(Server(exporter), s => Equals(s.Attributes.GetValueOrNull("url.path"), path));

    /// <summary>Asserts the attributes are exactly these, key by key and value by value.</summary>
    public static void AssertAttributes(IReadOnlyDictionary<string, object?> expected, Span span)
    {
        var actual = AttributesOf(span);
        foreach (var (key, value) in expected)
        {
            Assert.True(actual.ContainsKey(key), $"{span.Name}: no attribute {key} in [{string.Join(", ", actual.Keys)}]");
            Assert.Equal(value, actual[key]);
        }

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
    }
}
