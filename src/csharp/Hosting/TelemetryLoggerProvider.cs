using Microsoft.Extensions.Logging;

namespace Functional.Telemetry;

/// <summary>
/// The host's logger provider when logs are enabled: the SDK's loggers. The host's logging creates its first
/// logger while the host is built, and the SDK starts then, so nothing the application logs from then on is lost.
/// Filter it in configuration as <c>Logging:FunctionalTelemetry:LogLevel</c>.
/// </summary>
[ProviderAlias("FunctionalTelemetry")]
internal sealed class TelemetryLoggerProvider(TelemetryHost host) : ILoggerProvider, ISupportExternalScope
{
    private readonly object gate = new();
    private IExternalScopeProvider? scopes;
    private TelemetrySdk? scoped;

    public ILogger CreateLogger(string categoryName)
    {
        // While the SDK starts, a logger asked for by what the container makes for it (an exporter taking an
        // ILogger) forwards to the SDK once it runs. A container disposed before the SDK ever started gives a
        // logger that writes nowhere: telemetry never throws into the application.
        TelemetrySdk? sdk;
        try
        {
            sdk = host.GetOrStart();
        }
        catch (ObjectDisposedException)
        {
            return Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        }

        if (sdk is null)
        {
            return new StartingLogger(host, categoryName, this);
        }

        ShareScopes(sdk);
        return sdk.CreateLogger(categoryName);
    }

    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        lock (gate)
        {
            scopes = scopeProvider;
            scoped = null;
        }

        if (host.Started is { } sdk)
        {
            ShareScopes(sdk);
        }
    }

    // The LoggerFactory owns this provider; the container owns the SDK.
    public void Dispose()
    {
    }

    private void ShareScopes(TelemetrySdk sdk)
    {
        lock (gate)
        {
            if (scopes is null || ReferenceEquals(scoped, sdk))
            {
                return;
            }

            scoped = sdk;
            (sdk.LoggerProvider as ISupportExternalScope)?.SetScopeProvider(scopes);
        }
    }

    /// <summary>A logger made while the SDK starts: it writes nothing until the SDK runs, then to its logger.</summary>
    private sealed class StartingLogger(TelemetryHost host, string category, TelemetryLoggerProvider provider) : ILogger
    {
        private ILogger? target;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => Target?.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => Target?.IsEnabled(logLevel) ?? false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Target?.Log(logLevel, eventId, state, exception, formatter);

        private ILogger? Target
        {
            get
            {
                if (target is null && host.Started is { } sdk)
                {
                    provider.ShareScopes(sdk);
                    target = sdk.CreateLogger(category);
                }

                return target;
            }
        }
    }
}
