using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Functional.Telemetry;

/// <summary>
/// Ties the SDK to the host's lifetime. Registered before every other hosted service, so its
/// <see cref="StartingAsync"/> runs first: the SDK records what the others do when they start. When the host stops,
/// it shuts the SDK down last (<see cref="StoppedAsync"/>), exporting what is pending within what is left of
/// <see cref="HostOptions.ShutdownTimeout"/>, and it never keeps the host waiting past that deadline.
/// </summary>
internal sealed class TelemetryHostedService(TelemetryHost host, IOptions<HostOptions> hostOptions) : IHostedLifecycleService
{
    /// <summary>The shutdown deadline when the host has none (an infinite ShutdownTimeout).</summary>
    private static readonly TimeSpan NoHostDeadline = TimeSpan.FromSeconds(30);

    private long stopStarted;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _ = host.Sdk;
        return Task.CompletedTask;
    }

    // A host that does not call the lifecycle methods still starts the SDK before the services after this one.
    public Task StartAsync(CancellationToken cancellationToken) => StartingAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        MarkStopStarted();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        MarkStopStarted();
        return Task.CompletedTask;
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (host.Started is not { } sdk)
        {
            return;
        }

        var shutdown = sdk.Shutdown(Budget());
        try
        {
            // The host cancels the token at its shutdown deadline: the host goes on then, even if an exporter hangs
            // (the SDK's own deadline ends its shutdown soon after).
            await shutdown.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void MarkStopStarted() => Interlocked.CompareExchange(ref stopStarted, Stopwatch.GetTimestamp(), 0);

    /// <summary>What is left of the host's shutdown timeout, counted from the start of the host's stop.</summary>
    private TimeSpan Budget()
    {
        var timeout = hostOptions.Value.ShutdownTimeout;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return NoHostDeadline;
        }

        MarkStopStarted();
        var left = timeout - Stopwatch.GetElapsedTime(Interlocked.Read(ref stopStarted));
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
