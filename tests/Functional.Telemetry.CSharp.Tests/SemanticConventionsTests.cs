using Functional.Telemetry;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The semantic-conventions constants as C# sees them: const fields of static classes in the root namespace
/// (usable in <c>switch</c> cases, which only compile with constants), and the header templates as methods.</summary>
public class SemanticConventionsTests
{
    private static string Kind(string key) => key switch
    {
        HttpAttributes.RequestMethod => "method",
        HttpAttributes.RequestMethodValues.Other => "other method",
        ErrorAttributes.Type => "error",
        ServiceAttributes.Name => "service",
        IncubatingAttributes.Host.Name => "host",
        _ => "unknown",
    };

    [Fact]
    public void The_constants_are_csharp_constants_with_the_conventions_names()
    {
        Assert.Equal("method", Kind("http.request.method"));
        Assert.Equal("other method", Kind("_OTHER"));
        Assert.Equal("error", Kind("error.type"));
        Assert.Equal("service", Kind("service.name"));
        Assert.Equal("host", Kind("host.name"));
        Assert.Equal("unknown", Kind("http.method"));
        Assert.Equal("https://opentelemetry.io/schemas/" + SemanticConventions.Version, SemanticConventions.SchemaUrl);
        Assert.Equal("http.request.header.x-request-id", HttpAttributes.RequestHeader("X-Request-Id"));
        Assert.Equal("http.response.header.content-type", HttpAttributes.ResponseHeader("Content-Type"));
    }

    [Fact]
    public async Task The_sdk_resource_carries_the_schema_url()
    {
        await using var sdk = Telemetry.Create("csharp-semconv")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .Start();

        Assert.Equal(SemanticConventions.SchemaUrl, sdk.Resource.SchemaUrl);
        Assert.Contains(sdk.Resource.Attributes, a => a.Key == TelemetryAttributes.SdkLanguage);
    }
}
