using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Functional.Telemetry;
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

    private static int FreePort()
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
