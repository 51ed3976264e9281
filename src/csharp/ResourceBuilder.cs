namespace Functional.Telemetry;

/// <summary>
/// The resource attributes set in code, for <see cref="TelemetryBuilder.ConfigureResource"/>: they win over
/// <c>OTEL_RESOURCE_ATTRIBUTES</c>, <c>OTEL_SERVICE_NAME</c> and the detectors. Without <c>service.name</c> here,
/// <c>OTEL_SERVICE_NAME</c> names the service, else the name given to <c>Telemetry.Create</c> (hosted: the host's
/// <c>IHostEnvironment.ApplicationName</c>).
/// </summary>
public sealed class ResourceBuilder
{
    internal ResourceBuilder()
    {
    }

    internal List<KeyValue> Attributes { get; } = new();

    internal bool DetectionOff { get; private set; }

    /// <summary>Names the service: <c>service.name</c>, and when given <c>service.version</c>,
    /// <c>service.namespace</c> and <c>service.instance.id</c>.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public ResourceBuilder AddService(string serviceName, string? serviceVersion = null, string? serviceNamespace = null, string? serviceInstanceId = null)
    {
        AddAttribute("service.name", Guard.NotBlank(serviceName, nameof(serviceName)));
        AddIfSet("service.version", serviceVersion);
        AddIfSet("service.namespace", serviceNamespace);
        AddIfSet("service.instance.id", serviceInstanceId);
        return this;
    }

    /// <summary>Adds an attribute; a later one with the same key wins. The value may be a string, bool, any integer
    /// or floating type, or an array of those.</summary>
    /// <exception cref="ArgumentException">The key is empty.</exception>
    public ResourceBuilder AddAttribute(string key, object value)
    {
        Guard.NotBlank(key, nameof(key));
        Guard.NotNull(value, nameof(value));
        Attributes.Add(KeyValueModule.Create(key, ActivityConversion.ToAnyValue(value)));
        return this;
    }

    /// <summary>Adds every attribute (see <see cref="AddAttribute"/>).</summary>
    public ResourceBuilder AddAttributes(IEnumerable<KeyValuePair<string, object>> attributes)
    {
        foreach (var (key, value) in Guard.NotNull(attributes, nameof(attributes)))
        {
            AddAttribute(key, value);
        }

        return this;
    }

    /// <summary>Turns the process/host/OS resource detector off (it is on by default).</summary>
    public ResourceBuilder WithoutDetection()
    {
        DetectionOff = true;
        return this;
    }

    private void AddIfSet(string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            AddAttribute(key, value);
        }
    }
}
