using Microsoft.Extensions.Configuration;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>
/// Where one container's SDK reads its <c>OTEL_*</c> settings: the lookup given in code
/// (<see cref="TelemetryBuilder.WithEnvironment"/>), else the host's <c>IConfiguration</c> (keys at its root, as
/// the official SDK reads them; appsettings, environment variables and the command line in .NET's order), else the
/// process environment when the container has no configuration.
/// </summary>
internal sealed class TelemetryEnvironment(TelemetryRegistration registration, IConfiguration? configuration = null)
{
    /// <summary>The host's configuration, if any (the named options bind from its sections).</summary>
    public IConfiguration? Configuration { get; } = configuration;

    /// <summary>The settings lookup; blank values count as unset, as for environment variables.</summary>
    public FSharpFunc<string, FSharpOption<string>> Lookup { get; } =
        registration.Builder.EnvironmentInCode
        ?? (configuration is null ? Env.System : FromConfiguration(configuration));

    private static FSharpFunc<string, FSharpOption<string>> FromConfiguration(IConfiguration configuration) =>
        FuncConvert.FromFunc<string, FSharpOption<string>>(key =>
            configuration[key] is { } value && !string.IsNullOrWhiteSpace(value)
                ? FSharpOption<string>.Some(value)
                : FSharpOption<string>.None);
}
