using System.Diagnostics;
using Functional.Telemetry;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>Reading and changing spans, log records and attribute values in C# processors and samplers, with no
/// F# type: extension methods of the facade.</summary>
public class ModelAccessTests
{
    private static string Unique() => "CSharpModel." + Guid.NewGuid().ToString("N");

    private static TelemetryBuilder Base() =>
        Telemetry.Create("csharp-model")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection();

    private static async Task<Span> OneSpan(Action<Activity> tag, Action<TracingBuilder>? configure = null)
    {
        var source = Unique();
        var exporter = new InMemoryExporter<Span>();
        await using var sdk = Base()
            .WithTracing(t =>
            {
                t.AddSource(source);
                configure?.Invoke(t);
                t.AddInMemoryExporter(exporter);
            })
            .Start();
        using (var activitySource = new ActivitySource(source))
        using (var activity = activitySource.StartActivity("work"))
        {
            tag(activity!);
        }

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        return Assert.Single(exporter.Items);
    }

    [Fact]
    public async Task Attribute_values_of_every_kind_are_read_with_TryGet_GetKind_and_ToObject()
    {
        var span = await OneSpan(a => a
            .SetTag("s", "text")
            .SetTag("b", true)
            .SetTag("i", 42)
            .SetTag("d", 1.5)
            .SetTag("bytes", new byte[] { 1, 2 })
            .SetTag("array", new[] { 1, 2 })
            .SetTag("map", new Dictionary<string, object?> { ["k"] = "v" }));
        AnyValue Value(string key) => span.Attributes.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

        Assert.True(Value("s").TryGetString(out var s));
        Assert.Equal("text", s);
        Assert.False(Value("s").TryGetInt64(out _));
        Assert.True(Value("b").TryGetBool(out var b) && b);
        Assert.True(Value("i").TryGetInt64(out var i));
        Assert.Equal(42, i);
        Assert.False(Value("i").TryGetDouble(out _));
        Assert.True(Value("d").TryGetDouble(out var d));
        Assert.Equal(1.5, d);
        Assert.True(Value("bytes").TryGetBytes(out var bytes));
        Assert.Equal(new byte[] { 1, 2 }, bytes);
        Assert.True(Value("array").TryGetArray(out var items));
        Assert.Equal(new object?[] { 1L, 2L }, items.Select(v => v.ToObject()));
        Assert.True(Value("map").TryGetMap(out var entries));
        Assert.Equal("k", Assert.Single(entries).Key);
        Assert.False(Value("map").TryGetString(out _));

        Assert.Equal(
            new[] { AnyValueKind.String, AnyValueKind.Bool, AnyValueKind.Int, AnyValueKind.Double, AnyValueKind.Bytes, AnyValueKind.Array, AnyValueKind.Map },
            new[] { "s", "b", "i", "d", "bytes", "array", "map" }.Select(k => Value(k).GetKind()));
        Assert.Equal(new object?[] { 1L, 2L }, (object?[])Value("array").ToObject()!);
        Assert.Equal(new[] { new KeyValuePair<string, object?>("k", "v") }, (KeyValuePair<string, object?>[])Value("map").ToObject()!);
        Assert.Equal(true, span.Attributes.GetValueOrNull("b"));
        Assert.Null(span.Attributes.GetValueOrNull("missing"));
        Assert.False(span.Attributes.TryGetValue("missing", out _));
    }

    [Fact]
    public async Task A_CSharp_span_processor_renames_sets_removes_redacts_and_sets_the_status()
    {
        var seen = new List<(string Name, int Attributes)>();
        var span = await OneSpan(
            a => a.SetTag("user.email", "a@b.c").SetTag("debug", "x").SetTag("region", "us"),
            t => t.AddProcessor(original =>
            {
                var changed = original
                    .WithName("renamed")
                    .WithAttribute("region", "eu")
                    .WithAttribute("retries", 3)
                    .WithAttribute("none", null)
                    .WithoutAttribute("debug")
                    .RedactAttributes(new[] { "user.email" }, "****")
                    .WithStatusError("boom");
                seen.Add((original.Name, original.Attributes.Count()));
                return changed;
            }));

        Assert.Equal(("work", 3), Assert.Single(seen));
        Assert.Equal("renamed", span.Name);
        Assert.Equal(
            new (string, object?)[] { ("user.email", "****"), ("region", "eu"), ("retries", 3L), ("none", null) },
            span.Attributes.Select(a => (a.Key, a.Value.ToObject())));
        Assert.True(span.Attributes.TryGetValue("none", out var none));
        Assert.Equal(AnyValueKind.Empty, none.GetKind());
        Assert.True(span.Status.IsError);
        Assert.Equal("boom", span.Status.GetErrorDescription());
        Assert.Null(span.WithStatusOk().Status.GetErrorDescription());
        Assert.True(span.WithStatusOk().Status.IsOk);
        Assert.Same(span, span.WithoutAttribute("not-there"));
    }

    [Fact]
    public async Task A_CSharp_log_processor_changes_the_body_and_the_attributes()
    {
        var exporter = new InMemoryExporter<LogRecord>();
        await using var sdk = Base()
            .WithLogging(l => l
                .AddProcessor(r => r.WithBody("redacted").WithAttribute("tenant", "acme").WithoutAttribute("{OriginalFormat}"))
                .AddInMemoryExporter(exporter))
            .Start();

        sdk.CreateLogger("Model").LogWarning("Card {Card}", "4111");

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var record = Assert.Single(exporter.Items);
        Assert.True(record.Body.TryGetString(out var body));
        Assert.Equal("redacted", body);
        Assert.Equal(
            new (string, object?)[] { ("Card", "4111"), ("tenant", "acme") },
            record.Attributes.Select(a => (a.Key, a.Value.ToObject())));
    }

    [Fact]
    public async Task A_CSharp_sampler_reads_the_parent_delegates_and_adds_attributes()
    {
        var source = Unique();
        var exporter = new InMemoryExporter<Span>();
        var parents = new List<bool>();
        var sampler = Sampler.Create(
            p =>
            {
                var parent = p.GetParentContext();
                lock (parents)
                {
                    parents.Add(parent is { IsValid: true });
                }

                return parent is not null ? Sampler.AlwaysOn.ShouldSample(p)
                    : p.Name == "dropped root" ? Sampler.AlwaysOff.ShouldSample(p)
                    : p.CreateResult(SamplingDecision.RecordAndSample, new Dictionary<string, object?> { ["sampler.root"] = true });
            },
            "RootsTagged");
        await using var sdk = Base().WithTracing(t => t.AddSource(source).SetSampler(sampler).AddInMemoryExporter(exporter)).Start();

        using (var activitySource = new ActivitySource(source))
        {
            using (activitySource.StartActivity("root"))
            {
                activitySource.StartActivity("kept child")?.Dispose();
            }

            activitySource.StartActivity("dropped root")?.Dispose();
        }

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.Equal(new[] { false, true, false }, parents);
        Assert.Equal(new[] { "kept child", "root" }, exporter.Items.Select(s => s.Name).OrderBy(n => n));
        var root = exporter.Items.Single(s => s.Name == "root");
        Assert.Equal(true, root.Attributes.GetValueOrNull("sampler.root"));
        Assert.Equal("RootsTagged", sampler.ToString());
    }

    [Fact]
    public async Task A_decision_sampler_keeps_the_remote_parent_trace_state()
    {
        var source = Unique();
        var exporter = new InMemoryExporter<Span>();
        SpanContext? seenParent = null;
        var sampler = Sampler.Create(
            p =>
            {
                seenParent = p.GetParentContext();
                return SamplingDecision.RecordAndSample;
            },
            "Everything");
        await using var sdk = Base().WithTracing(t => t.AddSource(source).SetSampler(sampler).AddInMemoryExporter(exporter)).Start();

        var parent = new ActivityContext(
            ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, "vendor=1", isRemote: true);
        using (var activitySource = new ActivitySource(source))
        {
            activitySource.StartActivity("from remote", ActivityKind.Server, parent)?.Dispose();
        }

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var span = Assert.Single(exporter.Items);
        Assert.Equal(parent.TraceId.ToHexString(), span.Context.TraceId.ToHex());
        Assert.True(seenParent is { IsRemote: true });
        Assert.Equal(parent.SpanId.ToHexString(), seenParent!.Value.SpanId.ToHex());
        Assert.Equal(new[] { "vendor=1" }, span.Context.TraceState.Entries.Select(e => $"{e.Item1}={e.Item2}"));
        Assert.Equal(SamplingDecision.RecordOnly, Sampler.Create(_ => SamplingDecision.RecordOnly, "x").ShouldSample(default).Decision);
    }
}
