using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>What <c>AddFunctionalTelemetry</c> registered in one service collection: the builder its calls go to.
/// Every container built from the collection starts its own SDK from it.</summary>
internal sealed class TelemetryRegistration
{
    public TelemetryRegistration(IServiceCollection services)
    {
        Services = services;
        Builder = TelemetryBuilder.CreateHosted(RegisterLoggerProvider);
    }

    public TelemetryBuilder Builder { get; }

    /// <summary>The collection of the latest <c>AddFunctionalTelemetry</c> call, where enabling logs registers the provider.</summary>
    public IServiceCollection Services { get; set; }

    private void RegisterLoggerProvider() =>
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, TelemetryLoggerProvider>());
}

/// <summary>
/// The SDK of one container: started once, by whoever needs it first (the hosted service when the host starts,
/// the logger provider when the host's logging creates its first logger, or a resolution of
/// <see cref="TelemetrySdk"/>), and disposed with the container.
/// </summary>
internal sealed class TelemetryHost(IServiceProvider services, TelemetryRegistration registration, TelemetryEnvironment environment)
    : IAsyncDisposable, IDisposable
{
    private const string DeploymentEnvironmentKey = "deployment.environment.name";

    private readonly object gate = new();
    private TelemetrySdk? sdk;
    private int startingThread = -1;
    private bool disposed;

    /// <summary>The running SDK, started now if it was not.</summary>
    /// <exception cref="InvalidOperationException">Asked for while the SDK starts (a processor, exporter or sampler
    /// from the services depends on TelemetrySdk).</exception>
    public TelemetrySdk Sdk =>
        GetOrStart() ?? throw new InvalidOperationException(
            "TelemetrySdk was resolved while it starts: a processor, exporter or sampler taken from the services must not depend on TelemetrySdk.");

    /// <summary>The SDK if it has started, else null.</summary>
    public TelemetrySdk? Started => Volatile.Read(ref sdk);

    /// <summary>The running SDK, started now if it was not; null only on the thread that is starting it (an exporter
    /// made by the container that asks for a logger while the SDK starts).</summary>
    public TelemetrySdk? GetOrStart()
    {
        if (Volatile.Read(ref sdk) is { } running)
        {
            return running;
        }

        lock (gate)
        {
            if (sdk is not null)
            {
                return sdk;
            }

            if (startingThread == Environment.CurrentManagedThreadId)
            {
                return null;
            }

            ObjectDisposedException.ThrowIf(disposed, this);
            startingThread = Environment.CurrentManagedThreadId;
            try
            {
                Volatile.Write(ref sdk, Start());
            }
            finally
            {
                startingThread = -1;
            }

            return sdk;
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (gate)
        {
            disposed = true;
        }

        // Shutting down twice is harmless: the hosted service's shutdown (with the host's deadline) is the one that runs.
        return Started?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
        }

        Started?.Dispose();
    }

    private TelemetrySdk Start()
    {
        var host = services.GetService<IHostEnvironment>();
        var config = registration.Builder.Build(new HostedBuildContext(services, environment), ServiceName(host));
        config = TelemetryModule.WithEnvironment(environment.Lookup, config);
        if (host?.EnvironmentName is { Length: > 0 } name && !IsSet(config.Resource) && !IsSet(ResourceModule.FromEnvironment(environment.Lookup).Item1))
        {
            var attribute = KeyValueModule.Create(DeploymentEnvironmentKey, AnyValue.NewString(name));
            config = TelemetryModule.WithResourceAttributes(ListModule.OfArray(new[] { attribute }), config);
        }

        if (config.Diagnostics is null)
        {
            // Hosted, the SDK's diagnostics (OTEL_LOG_LEVEL) go to the ILogger category Functional.Telemetry instead
            // of standard error. The factory is resolved when the first message comes (off the application's
            // threads): the SDK may be starting while the host builds that very factory.
            config = TelemetryModule.WithDiagnostics(FuncConvert.FromAction<DiagnosticLevel, string>(LogDiagnostic), config);
        }

        return TelemetryModule.Start(registration.Builder.ClearedExportNowhere(config));
    }

    /// <summary>The ILogger category of the SDK's own diagnostics when hosted.</summary>
    internal const string DiagnosticsCategory = "Functional.Telemetry";

    private ILogger? diagnostics;

    private void LogDiagnostic(DiagnosticLevel level, string message)
    {
        ILogger? logger;
        try
        {
            logger = diagnostics ??= services.GetService<ILoggerFactory>()?.CreateLogger(DiagnosticsCategory);
        }
        catch (ObjectDisposedException)
        {
            // The container is being disposed (the SDK shuts down from it): its last words go to standard error.
            diagnostics = null;
            logger = null;
        }

        if (logger is null)
        {
            Console.Error.WriteLine($"{DiagnosticsCategory} {level}: {message}");
            return;
        }

        var logLevel = level switch
        {
            DiagnosticLevel.Error => LogLevel.Error,
            DiagnosticLevel.Warning => LogLevel.Warning,
            DiagnosticLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        logger.Log(logLevel, "{Diagnostic}", message);
    }

    private static bool IsSet(Resource resource) => resource.Attributes.Any(a => a.Key == DeploymentEnvironmentKey);

    /// <summary>The service name when neither code nor configuration sets one: the host's application name.</summary>
    private static string ServiceName(IHostEnvironment? host) =>
        host?.ApplicationName is { Length: > 0 } application ? application
        : Assembly.GetEntryAssembly()?.GetName().Name is { Length: > 0 } entry ? entry
        : "unknown_service";
}
