using System.Collections.Concurrent;
using System.Diagnostics;
using Functional.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

// Hosts install a process-wide propagator and listen to ActivitySources by name (ASP.NET Core's is shared): one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Functional.Telemetry.Hosting.Tests;

/// <summary>A content root of its own for one host, with the appsettings files a test writes; deleted on dispose.</summary>
internal sealed class ContentRoot : IDisposable
{
    public ContentRoot(params (string File, string Json)[] files)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ft-hosting-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        foreach (var (file, json) in files)
        {
            File.WriteAllText(System.IO.Path.Combine(Path, file), json);
        }
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Generic hosts as users make them (Host.CreateApplicationBuilder), with a content root and environment of the test's.</summary>
internal static class TestHosts
{
    public const string ApplicationName = "hosting-tests";

    public static HostApplicationBuilder Builder(ContentRoot root, string environment = "Testing", params string[] args)
    {
        // No file watchers: a test's host reads its appsettings once.
        var configuration = new ConfigurationManager();
        configuration["hostBuilder:reloadConfigOnChange"] = "false";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ApplicationName = ApplicationName,
            EnvironmentName = environment,
            ContentRootPath = root.Path,
            Configuration = configuration,
        });
        builder.Logging.ClearProviders();
        return builder;
    }

    public static string UniqueSource() => "HostingTests." + Guid.NewGuid().ToString("N");

    /// <summary>Starts and ends one span of <paramref name="source"/>.</summary>
    public static void EmitSpan(string source, string name)
    {
        using var activitySource = new ActivitySource(source);
        activitySource.StartActivity(name)?.Dispose();
    }
}

/// <summary>An exporter that keeps what it receives and completes <see cref="FirstBatch"/> on the first batch.</summary>
internal sealed class SignalingExporter<T> : IExporter<T>
{
    private readonly ConcurrentQueue<T> items = new();

    public TaskCompletionSource FirstBatch { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<T> Items => items.ToArray();

    public int Shutdowns;

    public string Name => "signaling";

    public Task<ExportResult> Export(Batch<T> batch, CancellationToken cancellationToken)
    {
        foreach (var item in batch.Items)
        {
            items.Enqueue(item);
        }

        FirstBatch.TrySetResult();
        return Task.FromResult(ExportResult.Success);
    }

    public Task Shutdown(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Shutdowns);
        return Task.CompletedTask;
    }
}

/// <summary>An exporter whose exports never finish until their token is cancelled (a collector that accepts the
/// connection and never answers).</summary>
internal sealed class HangingExporter : IExporter<Span>
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "hanging";

    public async Task<ExportResult> Export(Batch<Span> batch, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        return ExportResult.Success;
    }

    public Task Shutdown(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>An OTLP/HTTP receiver on 127.0.0.1 (Kestrel, a free port) that answers 200 and keeps each request's path.</summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<string> paths = new();
    private readonly TaskCompletionSource traces = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpReceiver(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<string> Paths => paths.ToArray();

    /// <summary>Completes when a request to <c>/v1/traces</c> arrived.</summary>
    public Task Traces => traces.Task;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            receiver.paths.Enqueue(context.Request.Path.Value ?? "");
            if (context.Request.Path == "/v1/traces")
            {
                receiver.traces.TrySetResult();
            }

            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver.BaseUrl = new Uri(address);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

internal static class TaskExtensions
{
    /// <summary>Waits for <paramref name="task"/> at most 10 s (a test fails instead of hanging).</summary>
    public static Task Within10Seconds(this Task task) => task.WaitAsync(TimeSpan.FromSeconds(10));
}
