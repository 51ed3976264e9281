using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Functional.Telemetry.AspNetCore.Tests;

/// <summary><c>AddAspNetCoreInstrumentation</c> inside <c>services.AddFunctionalTelemetry()</c>: it starts and stops with
/// the host, and instruments that host only.</summary>
public sealed class HostedTests
{
    [Fact]
    public async Task A_hosted_SDK_names_and_tags_the_server_spans_of_its_host()
    {
        var spans = new InMemoryExporter<Span>();
        await using var server = await TestServer.StartAsync(services => services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != "/health")
                .ClearExporters()
                .AddInMemoryExporter(spans)));
        Assert.Equal("user 11", await server.Client.GetStringAsync("/users/11"));
        Assert.Equal("healthy", await server.Client.GetStringAsync("/health"));
        await server.StopAsync();

        var span = Assert.Single(Spans.Server(spans));
        Assert.Equal("GET /users/{id}", span.Name);
        Assert.Equal("/users/{id}", span.Attributes.GetValueOrNull("http.route"));
        Assert.Equal(200L, span.Attributes.GetValueOrNull("http.response.status_code"));
    }

    [Fact]
    public async Task A_hosted_instrumentation_leaves_the_requests_of_other_hosts_alone()
    {
        var spans = new InMemoryExporter<Span>();
        await using var instrumented = await TestServer.StartAsync(services => services.AddFunctionalTelemetry()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddAspNetCoreInstrumentation().ClearExporters().AddInMemoryExporter(spans)));
        await using var other = await TestServer.StartAsync();

        await instrumented.Client.GetStringAsync("/users/12");
        await other.Client.GetStringAsync("/users/13");
        await other.StopAsync();
        await instrumented.StopAsync();

        // The hosted SDK records ASP.NET Core's source, so both requests are exported; only its own host's is named.
        var names = Spans.Server(spans).Select(s => s.Name).Order().ToArray();
        Assert.Equal(new[] { "GET /users/{id}", "Microsoft.AspNetCore.Hosting.HttpRequestIn" }, names);
    }
}
