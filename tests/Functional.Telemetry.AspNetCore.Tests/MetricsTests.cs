using Functional.Telemetry;
using Xunit;

namespace Functional.Telemetry.AspNetCore.Tests;

/// <summary><c>m.AddAspNetCoreInstrumentation()</c>: ASP.NET Core's own meters, collected from a real Kestrel app.</summary>
public sealed class MetricsTests
{
    /// <summary>The buckets the HTTP conventions advise for <c>http.server.request.duration</c>, in seconds.</summary>
    private static readonly double[] AdvisedBounds = { 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10 };

    [Fact]
    public async Task The_request_duration_histogram_has_the_advised_buckets_and_the_conventions_attributes()
    {
        var metrics = new InMemoryExporter<MetricData>();
        await using var sdk = Telemetry.Create("aspnetcore-metrics-tests")
            .WithEnvironment(new Dictionary<string, string>())
            .WithMetrics(m => m.AddAspNetCoreInstrumentation().AddInMemoryExporter(metrics))
            .Start();
        await using var server = await TestServer.StartAsync();
        Assert.Equal("user 1", await server.Client.GetStringAsync("/users/1"));
        Assert.Equal("user 2", await server.Client.GetStringAsync("/users/2"));
        await server.Client.GetAsync("/fail");
        await server.Client.GetAsync("/throw");
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var duration = metrics.Items.Last(m => m.Name == "http.server.request.duration");
        Assert.Equal("s", duration.Unit);
        Assert.Equal("Microsoft.AspNetCore.Hosting", duration.Scope.Name);
        var points = duration.Points.HistogramPoints;
        var users = Assert.Single(points, p => Equals(p.Attributes.GetValueOrNull("http.route"), "/users/{id}"));
        Assert.Equal(2, users.Count);
        Assert.Equal(AdvisedBounds, users.Bounds);
        Assert.Equal("GET", users.Attributes.GetValueOrNull("http.request.method"));
        Assert.Equal(200L, users.Attributes.GetValueOrNull("http.response.status_code"));
        Assert.Equal("http", users.Attributes.GetValueOrNull("url.scheme"));
        Assert.Equal("1.1", users.Attributes.GetValueOrNull("network.protocol.version"));

        var failed = Assert.Single(points, p => Equals(p.Attributes.GetValueOrNull("http.route"), "/fail"));
        Assert.Equal(500L, failed.Attributes.GetValueOrNull("http.response.status_code"));

        // ASP.NET Core names an unhandled exception's type in error.type (a 500 it answered on purpose has none).
        var thrown = Assert.Single(points, p => Equals(p.Attributes.GetValueOrNull("http.route"), "/throw"));
        Assert.Equal("System.InvalidOperationException", thrown.Attributes.GetValueOrNull("error.type"));

        // Kestrel's and routing's meters are on too.
        Assert.Contains(metrics.Items, m => m.Scope.Name == "Microsoft.AspNetCore.Server.Kestrel" && m.Name == "kestrel.connection.duration");
        Assert.Contains(metrics.Items, m => m.Scope.Name == "Microsoft.AspNetCore.Routing" && m.Name == "aspnetcore.routing.match_attempts");
    }

    [Fact]
    public void The_meters_are_ASP_NET_Cores()
    {
        var config = AspNetCoreInstrumentation.AddMetrics(MetricsModule.Empty);
        Assert.Equal(
            new[]
            {
                "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing",
                "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Authentication",
                "Microsoft.AspNetCore.Authorization", "Microsoft.AspNetCore.Http.Connections",
            },
            config.Meters);
    }
}
