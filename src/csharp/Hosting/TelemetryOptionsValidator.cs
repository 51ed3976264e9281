using Microsoft.Extensions.Options;

namespace Functional.Telemetry;

/// <summary>
/// Checks the SDK's named options when the host starts the SDK. A failure names the configuration key of the bad
/// property (<c>FunctionalTelemetry:Traces:Batch:MaxQueueSize</c>), whether its value came from that key or from a
/// <c>Configure</c> call, and never a value (header values and endpoints may hold secrets). The checks are the
/// ones the core makes of options given in code.
/// </summary>
internal sealed class TelemetryOptionsValidator :
    IValidateOptions<OtlpExporterOptions>,
    IValidateOptions<BatchExportOptions>,
    IValidateOptions<SpanLimitsOptions>,
    IValidateOptions<LogRecordLimitsOptions>,
    IValidateOptions<PrometheusExporterOptions>,
    IValidateOptions<ZipkinExporterOptions>
{
    public ValidateOptionsResult Validate(string? name, ZipkinExporterOptions options) =>
        name == Signals.Traces
            ? Check(name, "Zipkin", () => Validation.OrThrow("options", ZipkinOptionsModule.Validate(options.ToConfigure().Invoke(ZipkinOptionsModule.Default))))
            : ValidateOptionsResult.Skip;

    public ValidateOptionsResult Validate(string? name, OtlpExporterOptions options) =>
        Check(name, "Otlp", () => Validation.OrThrow("options", OtlpOptionsModule.Validate(options.ToConfigure().Invoke(OtlpOptionsModule.Default))));

    public ValidateOptionsResult Validate(string? name, BatchExportOptions options) =>
        name == Signals.Metrics ? ValidateOptionsResult.Skip : Check(name, "Batch", () => options.ToBatchOptions());

    public ValidateOptionsResult Validate(string? name, SpanLimitsOptions options) =>
        name == Signals.Traces ? Check(name, "Limits", () => options.ToLimits()) : ValidateOptionsResult.Skip;

    public ValidateOptionsResult Validate(string? name, LogRecordLimitsOptions options) =>
        name == Signals.Logs ? Check(name, "Limits", () => options.ToLimits()) : ValidateOptionsResult.Skip;

    public ValidateOptionsResult Validate(string? name, PrometheusExporterOptions options)
    {
        if (name != Signals.Metrics)
        {
            return ValidateOptionsResult.Skip;
        }

        var prefix = Prefix(name, "Prometheus");
        var failures = new List<string>();
        if (options.Host is { } host && string.IsNullOrWhiteSpace(host))
        {
            failures.Add($"{prefix}:Host must not be blank.");
        }

        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{prefix}:Port must be between 0 and 65535.");
        }

        if (options.Path is { } path && !path.StartsWith('/'))
        {
            failures.Add($"{prefix}:Path must start with '/'.");
        }

        if (options.ScrapeTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            failures.Add($"{prefix}:ScrapeTimeout must be positive.");
        }

        if (options.ScrapeResponseCache is { } cache && cache < TimeSpan.Zero)
        {
            failures.Add($"{prefix}:ScrapeResponseCache must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static ValidateOptionsResult Check(string? name, string kind, Action check)
    {
        if (!TelemetryOptionNames.IsSignal(name))
        {
            return ValidateOptionsResult.Skip;
        }

        try
        {
            check();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException error)
        {
            // The core's checks name the bad field in ParamName, which is the options property (and so the key).
            var key = error.ParamName is { Length: > 0 } field ? $"{Prefix(name!, kind)}:{field}" : Prefix(name!, kind);
            var message = error.ParamName is { Length: > 0 } parameter
                ? error.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal)
                : error.Message;
            if (error is ArgumentOutOfRangeException { ActualValue: not null } && message.Contains("Actual value was", StringComparison.Ordinal))
            {
                message = message[..message.IndexOf("Actual value was", StringComparison.Ordinal)].TrimEnd();
            }

            return ValidateOptionsResult.Fail($"{key}: {message}");
        }
    }

    private static string Prefix(string name, string kind) => $"{TelemetryOptionNames.SectionOf(name)}:{kind}";
}
