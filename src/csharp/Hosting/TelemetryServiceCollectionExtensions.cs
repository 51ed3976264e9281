using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Functional.Telemetry;

/// <summary>Adds Functional.Telemetry to a host's services:
/// <c>builder.Services.AddFunctionalTelemetry().WithTracing(t => t.AddSource("MyApp.*")).UseOtlpExporter()</c>.</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the telemetry SDK to the services and returns its builder: the same <see cref="TelemetryBuilder"/> as
    /// <c>Telemetry.Create(...)</c>, whose calls are replayed when the host starts the SDK. Calling this again (from
    /// a library, or a test's <c>ConfigureTestServices</c>) returns the same builder, so calls add up.
    /// <list type="bullet">
    /// <item>The SDK starts when the host starts, before any other hosted service (or earlier: when the host's
    /// logging first creates a logger, if logs are enabled, or when <see cref="TelemetrySdk"/> is first resolved),
    /// and flushes and shuts down when the host stops, within <c>HostOptions.ShutdownTimeout</c>.</item>
    /// <item><c>OTEL_*</c> settings are read through <c>IConfiguration</c> (appsettings.json,
    /// appsettings.{Environment}.json, environment variables, command line, with .NET's precedence), keys at the
    /// root (<c>"OTEL_TRACES_SAMPLER": "always_off"</c>).</item>
    /// <item>The OTLP, batch, limits, Prometheus and Zipkin options are named options per signal (see
    /// <see cref="TelemetryOptionNames"/>), bound from the <c>FunctionalTelemetry</c> configuration section and
    /// changed with <c>services.Configure&lt;OtlpExporterOptions&gt;("traces", o =&gt; ...)</c>; they are checked at
    /// start, with an error naming the key.</item>
    /// <item><c>service.name</c> is the one set in code (<c>ConfigureResource(r =&gt; r.AddService(...))</c>), else
    /// <c>OTEL_SERVICE_NAME</c>, else <c>IHostEnvironment.ApplicationName</c>; <c>deployment.environment.name</c>
    /// is <c>IHostEnvironment.EnvironmentName</c> unless code or <c>OTEL_RESOURCE_ATTRIBUTES</c> set it.</item>
    /// <item>The running <see cref="TelemetrySdk"/> is a service (to flush it, or for
    /// <c>app.MapPrometheusScrapingEndpoint()</c>); enabling logs registers the SDK's <c>ILoggerProvider</c> (once).</item>
    /// </list>
    /// </summary>
    public static TelemetryBuilder AddFunctionalTelemetry(this IServiceCollection services)
    {
        Guard.NotNull(services, nameof(services));
        if (services.FirstOrDefault(d => d.ServiceType == typeof(TelemetryRegistration))?.ImplementationInstance is TelemetryRegistration existing)
        {
            existing.Services = services;
            return existing.Builder;
        }

        var registration = new TelemetryRegistration(services);
        services.AddSingleton(registration);
        services.AddSingleton<TelemetryEnvironment>();
        services.AddSingleton<TelemetryHost>();
        services.AddSingleton(sp => sp.GetRequiredService<TelemetryHost>().Sdk);

        // First of the hosted services: the host starts them in order (and stops them in reverse), so the SDK runs
        // before any other starts and still runs while the others stop.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, TelemetryHostedService>());

        services.AddOptions();
        AddNamedOptions<OtlpExporterOptions>(services);
        AddNamedOptions<BatchExportOptions>(services);
        AddNamedOptions<SpanLimitsOptions>(services);
        AddNamedOptions<LogRecordLimitsOptions>(services);
        AddNamedOptions<PrometheusExporterOptions>(services);
        AddNamedOptions<ZipkinExporterOptions>(services);
        return registration.Builder;
    }

    private static void AddNamedOptions<TOptions>(IServiceCollection services)
        where TOptions : class
    {
        // The factory starts each named instance from the OTEL_* settings and the configuration section; the
        // services' Configure calls then apply, and the validator checks the result.
        services.AddTransient<IOptionsFactory<TOptions>, TelemetryOptionsFactory<TOptions>>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IValidateOptions<TOptions>), typeof(TelemetryOptionsValidator)));
    }
}
