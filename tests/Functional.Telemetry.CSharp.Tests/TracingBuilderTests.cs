using System.Diagnostics;
using Functional.Telemetry;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>The C# facade, compiled and used as C# users will.</summary>
public class TracingBuilderTests
{
    private static string UniqueSource() => "CSharpTests." + Guid.NewGuid().ToString("N");

    private static TelemetrySdk Start(string source, InMemoryExporter<Span> exporter, Action<TracingBuilder>? extra = null) =>
        Telemetry.Create("csharp-tests")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithTracing(t =>
            {
                t.AddSource(source);
                extra?.Invoke(t);
                t.AddInMemoryExporter(exporter);
            })
            .Start();

    [Fact]
    public async Task Spans_from_a_wildcard_source_reach_the_in_memory_exporter()
    {
        var prefix = UniqueSource();
        var exporter = new InMemoryExporter<Span>();
        await using var sdk = Telemetry.Create("csharp-tests")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(prefix + ".*").SetSampler(Sampler.AlwaysOn).AddInMemoryExporter(exporter))
            .Start();

        using var source = new ActivitySource(prefix + ".Orders");
        using (var activity = source.StartActivity("place order", ActivityKind.Server))
        {
            activity?.SetTag("order.id", 42);
        }

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var span = Assert.Single(exporter.Items);
        Assert.Equal("place order", span.Name);
        Assert.Equal(SpanKind.Server, span.Kind);
        var attribute = Assert.Single(span.Attributes);
        Assert.Equal("order.id", attribute.Key);
        Assert.Equal(42L, attribute.Value.ToObject());
    }

    [Fact]
    public async Task A_processor_returning_null_drops_and_one_returning_a_changed_span_enriches()
    {
        var source = UniqueSource();
        var exporter = new InMemoryExporter<Span>();
        await using var sdk = Start(source, exporter, t => t
            .AddProcessor(span => span.Name == "noise" ? null : span)
            .AddProcessor(span => span.WithAttribute("region", "eu")));

        using var activitySource = new ActivitySource(source);
        activitySource.StartActivity("noise")?.Dispose();
        activitySource.StartActivity("kept")?.Dispose();

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var span = Assert.Single(exporter.Items);
        Assert.Equal("kept", span.Name);
        Assert.Equal("eu", span.Attributes.GetValueOrNull("region"));
    }

    [Fact]
    public async Task Samplers_compose_and_always_off_records_nothing()
    {
        var source = UniqueSource();
        var exporter = new InMemoryExporter<Span>();
        await using var sdk = Start(source, exporter, t => t.SetSampler(Sampler.ParentBased(Sampler.AlwaysOff)));

        using var activitySource = new ActivitySource(source);
        using (var activity = activitySource.StartActivity("root"))
        {
            Assert.NotNull(activity);
            Assert.False(activity!.Recorded);
        }

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.Empty(exporter.Items);
        Assert.Equal("ParentBased{AlwaysOff}", Sampler.ParentBased(Sampler.AlwaysOff).ToString());
    }

    [Fact]
    public async Task A_custom_sampler_decides_from_the_span_name()
    {
        var source = UniqueSource();
        var exporter = new InMemoryExporter<Span>();
        var onlyImportant = Sampler.Create(
            p => p.Name.StartsWith("important") ? SamplingDecision.RecordAndSample : SamplingDecision.Drop,
            "OnlyImportant");
        await using var sdk = Start(source, exporter, t => t.SetSampler(onlyImportant));

        using var activitySource = new ActivitySource(source);
        activitySource.StartActivity("important work")?.Dispose();
        activitySource.StartActivity("chatter")?.Dispose();

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.Equal(new[] { "important work" }, exporter.Items.Select(s => s.Name));
    }

    [Fact]
    public async Task Limits_set_in_code_apply_with_dropped_counts()
    {
        var source = UniqueSource();
        var exporter = new InMemoryExporter<Span>();
        await using var sdk = Start(source, exporter, t => t.SetLimits(l => l.AttributeCountLimit = 1));

        using var activitySource = new ActivitySource(source);
        using (var activity = activitySource.StartActivity("limited"))
        {
            activity?.SetTag("a", 1).SetTag("b", 2);
        }

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var span = Assert.Single(exporter.Items);
        Assert.Single(span.Attributes);
        Assert.Equal(1, span.DroppedAttributes);
    }

    [Fact]
    public async Task The_console_exporter_writes_a_trace_tree_to_the_given_writer()
    {
        var source = UniqueSource();
        var writer = new StringWriter();
        var sdk = Telemetry.Create("csharp-tests")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithTracing(t => t.AddSource(source).AddConsoleExporter(writer))
            .Start();

        using (var activitySource = new ActivitySource(source))
        using (activitySource.StartActivity("outer"))
        using (activitySource.StartActivity("inner"))
        {
        }

        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(10)));
        var text = writer.ToString();
        Assert.Contains("└─ outer [internal]", text);
        Assert.Contains("   └─ inner [internal]", text);
    }

    [Fact]
    public void Bad_arguments_are_clear_errors_at_the_boundary()
    {
        Assert.Throws<ArgumentException>(() => Telemetry.Create(""));
        Assert.Throws<ArgumentException>(() => Telemetry.Create("svc").WithTracing(t => t.AddSource(" ")));
        Assert.Throws<ArgumentNullException>(() => Telemetry.Create("svc").WithTracing(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampler.TraceIdRatio(1.5));
        var error = Assert.Throws<ArgumentException>(() =>
            Telemetry.Create("svc").WithTracing(t => t.AddExporter(new InMemoryExporter<Span>(), o => o.MaxExportBatchSize = 5000)));
        Assert.Contains("MaxExportBatchSize", error.Message);
        var limits = Assert.Throws<ArgumentException>(() =>
            Telemetry.Create("svc").WithTracing(t => t.SetLimits(l => l.EventCountLimit = -1)));
        Assert.Equal("EventCountLimit", limits.ParamName);
    }

    [Fact]
    public async Task Resource_attributes_from_code_win()
    {
        await using var sdk = Telemetry.Create("svc")
            .WithEnvironment(new Dictionary<string, string> { ["OTEL_RESOURCE_ATTRIBUTES"] = "team=env-team" })
            .WithoutPropagatorInstallation()
            .AddResourceAttribute("team", "code-team")
            .Start();

        var team = sdk.Resource.Attributes.Single(a => a.Key == "team");
        Assert.Equal("code-team", team.Value.ToObject());
    }
}
