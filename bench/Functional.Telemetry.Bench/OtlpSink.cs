using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Functional.Telemetry.Bench;

/// <summary>
/// A loopback OTLP sink in the benchmark process: Kestrel on 127.0.0.1 with an HTTP/1.1 endpoint (http/protobuf:
/// drains the request, answers 200 with an empty body) and an h2c HTTP/2 endpoint (gRPC: drains the request,
/// answers <c>content-type: application/grpc</c>, an empty 5-byte-prefixed message and the trailer
/// <c>grpc-status: 0</c>). Bodies are drained through the request's PipeReader, so the sink allocates little
/// per request; whatever it allocates is in both SDKs' Allocated figure.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private static readonly byte[] EmptyGrpcMessage = new byte[5];

    private readonly WebApplication app;

    private OtlpSink(WebApplication app, int httpPort, int grpcPort)
    {
        this.app = app;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
    }

    /// <summary>The HTTP/1.1 port.</summary>
    public int HttpPort { get; }

    /// <summary>The h2c (HTTP/2 without TLS) port.</summary>
    public int GrpcPort { get; }

    /// <summary>Requests answered so far.</summary>
    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Request body bytes drained so far.</summary>
    public long BodyBytes => Interlocked.Read(ref bodyBytes);

    private static long requests;
    private static long bodyBytes;

    /// <summary>The base URL of the HTTP/1.1 endpoint.</summary>
    public Uri HttpBase => new($"http://127.0.0.1:{HttpPort}");

    /// <summary>The base URL of the h2c endpoint.</summary>
    public Uri GrpcBase => new($"http://127.0.0.1:{GrpcPort}");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the sink on two free loopback ports.</summary>
    public static async Task<OtlpSink> StartAsync()
    {
        var httpPort = FreePort();
        var grpcPort = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, httpPort, o => o.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        return new OtlpSink(app, httpPort, grpcPort);
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        long drained = 0;
        while (true)
        {
            var read = await reader.ReadAsync();
            drained += read.Buffer.Length;
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        Interlocked.Increment(ref requests);
        Interlocked.Add(ref bodyBytes, drained);
        var response = context.Response;
        if (context.Request.ContentType is { } contentType && contentType.StartsWith("application/grpc", StringComparison.Ordinal))
        {
            response.StatusCode = 200;
            response.ContentType = "application/grpc";
            await response.Body.WriteAsync(EmptyGrpcMessage);
            response.AppendTrailer("grpc-status", "0");
        }
        else
        {
            response.StatusCode = 200;
            response.ContentLength = 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
