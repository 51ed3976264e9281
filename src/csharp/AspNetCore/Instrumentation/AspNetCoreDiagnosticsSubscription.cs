using System.Diagnostics;

namespace Functional.Telemetry.AspNetCore;

/// <summary>
/// The observer's subscription to <c>Microsoft.AspNetCore</c> DiagnosticListeners while the SDK runs: the one of
/// a host's container (a hosted SDK instruments its own host), or every one in the process, present and future
/// (an SDK of <c>Telemetry.Create(...)</c>, which knows no host). Disposing it unsubscribes.
/// </summary>
internal sealed class AspNetCoreDiagnosticsSubscription : IObserver<DiagnosticListener>, IDisposable
{
    public const string ListenerName = "Microsoft.AspNetCore";

    private readonly IObserver<KeyValuePair<string, object?>> observer;
    private readonly List<IDisposable> subscriptions = new();
    private readonly IDisposable? allListeners;
    private bool disposed;

    private AspNetCoreDiagnosticsSubscription(IObserver<KeyValuePair<string, object?>> observer, DiagnosticListener? only)
    {
        this.observer = observer;
        if (only is not null)
        {
            Subscribe(only);
        }
        else
        {
            // Calls OnNext for the listeners that exist now, then for each one made later.
            allListeners = DiagnosticListener.AllListeners.Subscribe(this);
        }
    }

    /// <summary>Subscribes to <paramref name="only"/> when it is ASP.NET Core's listener, else to every one.</summary>
    public static AspNetCoreDiagnosticsSubscription Start(IObserver<KeyValuePair<string, object?>> observer, DiagnosticListener? only) =>
        new(observer, only is { Name: ListenerName } ? only : null);

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == ListenerName)
        {
            Subscribe(listener);
        }
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    private void Subscribe(DiagnosticListener listener)
    {
        lock (subscriptions)
        {
            if (!disposed)
            {
                subscriptions.Add(listener.Subscribe(observer, ServerSpanObserver.IsEnabled));
            }
        }
    }

    public void Dispose()
    {
        allListeners?.Dispose();
        IDisposable[] toDispose;
        lock (subscriptions)
        {
            disposed = true;
            toDispose = subscriptions.ToArray();
            subscriptions.Clear();
        }

        foreach (var subscription in toDispose)
        {
            subscription.Dispose();
        }
    }
}
