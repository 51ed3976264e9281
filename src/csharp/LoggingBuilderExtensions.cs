using System.Reflection;
using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Logging;

/// <summary>Registers Functional.Telemetry as a Microsoft.Extensions.Logging provider.</summary>
public static class FunctionalTelemetryLoggingExtensions
{
    /// <summary>Sends logs to the console exporter of an SDK started for this host (service name: the entry
    /// assembly's name unless <c>OTEL_SERVICE_NAME</c> is set). The SDK is a singleton of the host's container,
    /// also registered as <see cref="TelemetrySdk"/> when none is; disposing the container flushes and shuts it down.</summary>
    public static ILoggingBuilder AddFunctionalTelemetry(this ILoggingBuilder builder) =>
        builder.AddFunctionalTelemetry(DefaultServiceName(), l => l.AddConsoleExporter());

    /// <summary>Sends logs to an SDK started for this host and configured by <paramref name="configure"/>
    /// (service name: the entry assembly's name unless <c>OTEL_SERVICE_NAME</c> is set).</summary>
    public static ILoggingBuilder AddFunctionalTelemetry(this ILoggingBuilder builder, Action<LoggingBuilder> configure) =>
        builder.AddFunctionalTelemetry(DefaultServiceName(), configure);

    /// <summary>Sends logs to an SDK started for this host with this service name, configured by
    /// <paramref name="configure"/>. The SDK starts when the container first creates the logger provider.</summary>
    public static ILoggingBuilder AddFunctionalTelemetry(this ILoggingBuilder builder, string serviceName, Action<LoggingBuilder> configure)
    {
        Guard.NotNull(builder, nameof(builder));
        Guard.NotBlank(serviceName, nameof(serviceName));
        Guard.NotNull(configure, nameof(configure));
        builder.Services.AddSingleton(_ => new HostedLoggingSdk(
            Telemetry.Create(serviceName).WithoutPropagatorInstallation().WithLogging(configure).Start()));
        builder.Services.TryAddSingleton(sp => sp.GetRequiredService<HostedLoggingSdk>().Sdk);
        builder.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<HostedLoggingSdk>().Sdk.LoggerProvider);
        return builder;
    }

    /// <summary>Sends logs to an SDK you started (and dispose) yourself, for example with
    /// <c>Telemetry.Create("svc").WithLogging(...).Start()</c>.</summary>
    public static ILoggingBuilder AddFunctionalTelemetry(this ILoggingBuilder builder, TelemetrySdk sdk)
    {
        Guard.NotNull(builder, nameof(builder));
        Guard.NotNull(sdk, nameof(sdk));
        builder.Services.AddSingleton(sdk.LoggerProvider);
        return builder;
    }

    private static string DefaultServiceName() =>
        Assembly.GetEntryAssembly()?.GetName().Name is { Length: > 0 } name ? name : "unknown_service";
}

/// <summary>The SDK a host's logging started; the container disposes it (flush, then shutdown).</summary>
internal sealed class HostedLoggingSdk(TelemetrySdk sdk) : IDisposable, IAsyncDisposable
{
    public TelemetrySdk Sdk { get; } = sdk;

    public void Dispose() => Sdk.Dispose();

    public ValueTask DisposeAsync() => Sdk.DisposeAsync();
}
