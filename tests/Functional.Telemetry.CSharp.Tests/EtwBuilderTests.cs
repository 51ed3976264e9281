using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using Functional.Telemetry;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>Collects the events of EventSources named <c>CSharpEtw*</c> (enabled at Verbose, every keyword).</summary>
public sealed class CSharpEtwCapture : EventListener
{
    // EventListener calls OnEventSourceCreated from its constructor, before field initializers of this class
    // have run for sources that already exist: the queue is created lazily and the filter is a constant.
    private ConcurrentQueue<EventWrittenEventArgs>? events;

    private ConcurrentQueue<EventWrittenEventArgs> Events =>
        LazyInitializer.EnsureInitialized(ref events, () => new ConcurrentQueue<EventWrittenEventArgs>());

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith("CSharpEtw", StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name.StartsWith("CSharpEtw", StringComparison.Ordinal))
        {
            Events.Enqueue(eventData);
        }
    }

    /// <summary>The events of this provider so far (the test flushes the SDK first: simple mode writes before
    /// ForceFlush returns).</summary>
    public IReadOnlyList<EventWrittenEventArgs> From(string provider) =>
        Events.Where(e => e.EventSource.Name == provider).ToList();
}

/// <summary>The ETW exporter from the C# facade.</summary>
public class EtwBuilderTests
{
    private static IDictionary<string, object?> Part(EventWrittenEventArgs e, string name) =>
        (IDictionary<string, object?>)e.Payload![e.PayloadNames!.IndexOf(name)]!;

    [Fact]
    public async Task AddEtwExporter_writes_logs_as_Log_events()
    {
        using var capture = new CSharpEtwCapture();
        await using var telemetry = Telemetry.Create("csharp-etw")
            .WithoutResourceDetection()
            .WithoutPropagatorInstallation()
            .WithLogging(l => l.AddEtwExporter("CSharpEtw_Logs"))
            .Start();

        telemetry.CreateLogger("Orders").LogWarning(new EventId(3, "Late"), "Order {OrderId} late", 12);
        Assert.True(await telemetry.ForceFlush(TimeSpan.FromSeconds(5)));

        var e = Assert.Single(capture.From("CSharpEtw_Logs"));
        Assert.Equal("Log", e.EventName);
        Assert.Equal(EventLevel.Warning, e.Level);
        Assert.Equal((EventKeywords)1, e.Keywords);
        Assert.Equal(1024, e.Payload![0]);
        var partB = Part(e, "PartB");
        Assert.Equal("Order 12 late", partB["body"]);
        Assert.Equal(13, partB["severityNumber"]);
        Assert.Equal(3L, partB["eventId"]);
        Assert.Equal("Late", partB["name"]);
        Assert.Equal(12L, Part(e, "PartC")["OrderId"]);
        Assert.Equal("csharp-etw", ((IDictionary<string, object?>)Part(e, "PartA")["ext_cloud"]!)["role"]);
    }

    [Fact]
    public async Task AddEtwExporter_options_name_events_and_copy_resource_attributes()
    {
        using var capture = new CSharpEtwCapture();
        using var source = new ActivitySource("CSharpEtw.Source");
        await using var telemetry = Telemetry.Create("csharp-etw")
            .WithoutResourceDetection()
            .WithoutPropagatorInstallation()
            .AddResourceAttribute("deployment.environment", "ci")
            .WithTracing(t => t.AddSource("CSharpEtw.Source").AddEtwExporter("CSharpEtw-Options", o =>
            {
                o.EtwOnlyProviderName = true;
                o.ResourceAttributes.Add("deployment.environment");
            }))
            .WithLogging(l => l.AddEtwExporter("CSharpEtw-Options", o =>
            {
                o.EtwOnlyProviderName = true;
                o.LogEventName = record => record.EventName == "" ? "Other" : record.EventName;
            }))
            .Start();

        string traceId;
        using (var activity = source.StartActivity("op")!)
        {
            traceId = activity.TraceId.ToHexString();
            telemetry.CreateLogger("Orders").LogInformation(new EventId(4, "OrderPlaced"), "placed");
        }

        Assert.True(await telemetry.ForceFlush(TimeSpan.FromSeconds(5)));
        var events = capture.From("CSharpEtw-Options");
        var log = Assert.Single(events, e => e.EventName == "OrderPlaced");
        Assert.Equal(traceId, ((IDictionary<string, object?>)Part(log, "PartA")["ext_dt"]!)["traceId"]);
        var span = Assert.Single(events, e => e.EventName == "Span");
        Assert.Equal((EventKeywords)2, span.Keywords);
        Assert.Equal("op", Part(span, "PartB")["name"]);
        Assert.Equal("ci", Part(span, "PartC")["deployment.environment"]);
    }

    [Fact]
    public void Invalid_provider_names_throw_when_configuring()
    {
        Assert.Throws<ArgumentException>(() => Telemetry.Create("x").WithLogging(l => l.AddEtwExporter("My-App", o => o.EtwOnlyProviderName = false)));
        // The default ETW-only name mode allows '-', as the issue's own example name has it.
        Telemetry.Create("x").WithLogging(l => l.AddEtwExporter("MyCompany-MyApp"));
        Assert.Throws<ArgumentException>(() => Telemetry.Create("x").WithTracing(t => t.AddEtwExporter("")));
        Assert.Throws<ArgumentException>(() => Telemetry.Create("x").WithLogging(l => l.AddEtwExporter("a.b", o => o.EtwOnlyProviderName = true)));
        Assert.Throws<ArgumentNullException>(() => Telemetry.Create("x").WithLogging(l => l.AddEtwExporter(null!)));
    }
}
