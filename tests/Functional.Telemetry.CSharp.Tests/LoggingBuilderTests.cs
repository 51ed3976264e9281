using System.Diagnostics;
using Functional.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary>Source-generated high-performance logging, compiled as users write it.</summary>
internal static partial class GeneratedLogs
{
    [LoggerMessage(EventId = 21, EventName = "OrderShipped", Level = LogLevel.Information, Message = "Order {OrderId} shipped to {City}")]
    public static partial void OrderShipped(ILogger logger, int orderId, string city);
}

/// <summary>The logs part of the C# facade, and the ILoggingBuilder registration for hosts.</summary>
public class LoggingBuilderTests
{
    private static readonly Action<ILogger, string, int, Exception?> Hello =
        LoggerMessage.Define<string, int>(LogLevel.Information, new EventId(5, "Hello"), "Hello {Name} {Count}");

    private static readonly Action<ILogger, string, Exception?> Chatty =
        LoggerMessage.Define<string>(LogLevel.Debug, new EventId(6, "Chatty"), "Chatty {Name}");

    private static TelemetrySdk Start(InMemoryExporter<LogRecord> exporter, Action<LoggingBuilder>? extra = null) =>
        Telemetry.Create("csharp-tests")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection()
            .WithLogging(l =>
            {
                extra?.Invoke(l);
                l.AddInMemoryExporter(exporter);
            })
            .Start();

    private static ILoggerFactory FactoryOf(TelemetrySdk sdk, LogLevel minimum = LogLevel.Trace) =>
        LoggerFactory.Create(b => b.SetMinimumLevel(minimum).AddFunctionalTelemetry(sdk));

    private static (string Key, object? Value)[] Attributes(LogRecord record) =>
        record.Attributes.Select(a => (a.Key, a.Value.ToObject())).ToArray();

    [Fact]
    public async Task LoggerMessage_Define_becomes_an_exact_record_and_a_disabled_level_exports_nothing()
    {
        var exporter = new InMemoryExporter<LogRecord>();
        await using var sdk = Start(exporter);
        using var factory = FactoryOf(sdk, LogLevel.Information);
        var logger = factory.CreateLogger("Greeter");

        Hello(logger, "World", 42, null);
        Chatty(logger, "ignored", null);

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var record = Assert.Single(exporter.Items);
        Assert.Equal(9, record.SeverityNumber);
        Assert.Equal("Information", record.SeverityText);
        Assert.Equal("Hello World 42", record.Body.ToObject());
        Assert.Equal("Hello", record.EventName);
        Assert.Equal("Greeter", record.Scope.Name);
        Assert.Equal(
            new (string, object?)[] { ("Name", "World"), ("Count", 42L), ("{OriginalFormat}", "Hello {Name} {Count}"), ("event.id", 5L) },
            Attributes(record));
        Assert.Equal(0, record.DroppedAttributes);
    }

    [Fact]
    public async Task A_source_generated_LoggerMessage_becomes_an_exact_record()
    {
        var exporter = new InMemoryExporter<LogRecord>();
        await using var sdk = Start(exporter, l => l.UseTemplateAsBody());
        using var factory = FactoryOf(sdk);

        GeneratedLogs.OrderShipped(factory.CreateLogger("Shipping"), 7, "Oslo");

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var record = Assert.Single(exporter.Items);
        Assert.Equal("Order {OrderId} shipped to {City}", record.Body.ToObject());
        Assert.Equal("OrderShipped", record.EventName);
        Assert.Equal(
            new (string, object?)[] { ("OrderId", 7L), ("City", "Oslo"), ("event.id", 21L) },
            Attributes(record));
    }

    [Fact]
    public async Task Processors_limits_and_scopes_apply_and_a_log_in_a_span_carries_its_ids()
    {
        var exporter = new InMemoryExporter<LogRecord>();
        await using var sdk = Start(exporter, l => l
            .IncludeScopes()
            .SetLimits(o => o.AttributeValueLengthLimit = 4)
            .AddProcessor(r => r.SeverityNumber < 13 ? null : r));
        using var factory = FactoryOf(sdk);
        var logger = factory.CreateLogger("Api");

        using var source = new ActivitySource("CSharpTests.Logs." + Guid.NewGuid().ToString("N"));
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        ActivityTraceId traceId;
        ActivitySpanId spanId;
        using (var activity = source.StartActivity("request"))
        using (logger.BeginScope(new Dictionary<string, object?> { ["tenant"] = "acme-corp" }))
        {
            traceId = activity!.TraceId;
            spanId = activity.SpanId;
            logger.LogInformation("filtered out");
            logger.LogWarning("Slow {Path}", "/orders/42");
        }

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var record = Assert.Single(exporter.Items);
        Assert.Equal("Slow /orders/42", record.Body.ToObject());
        Assert.Equal(traceId.ToHexString(), record.TraceId.ToHex());
        Assert.Equal(spanId.ToHexString(), record.SpanId.ToHex());
        Assert.Equal(
            new (string, object?)[] { ("Path", "/ord"), ("{OriginalFormat}", "Slow"), ("tenant", "acme") },
            Attributes(record));
    }

    [Fact]
    public async Task A_host_registers_the_provider_with_AddFunctionalTelemetry_and_flushes_on_dispose()
    {
        var exporter = new InMemoryExporter<LogRecord>();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddFunctionalTelemetry("hosted", l => l.AddExporter(exporter));

        using (var host = builder.Build())
        {
            var logger = host.Services.GetRequiredService<ILogger<LoggingBuilderTests>>();
            logger.LogInformation("Started {Port}", 8080);
            var sdk = host.Services.GetRequiredService<TelemetrySdk>();
            Assert.Equal("logs/in-memory", sdk.LogPipelines.Single().Name);
        }

        // Disposing the host's container shut the SDK down, exporting the batch.
        var record = Assert.Single(exporter.Items);
        Assert.Equal("Started 8080", record.Body.ToObject());
        Assert.Equal(typeof(LoggingBuilderTests).FullName, record.Scope.Name);
        Assert.Equal(1, exporter.ShutdownCount);
    }

    [Fact]
    public async Task The_console_exporter_prints_one_line_per_record()
    {
        using var writer = new StringWriter();
        await using var sdk = Telemetry.Create("csharp-tests")
            .WithEnvironment(new Dictionary<string, string>())
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection()
            .WithLogging(l => l.AddConsoleExporter(writer))
            .Start();

        sdk.CreateLogger("Console").LogError("Failed {Code}", 500);

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        var line = Assert.Single(writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith(" Error [Console] Failed 500 {Code=500, {OriginalFormat}=Failed {Code}}", line.TrimEnd('\r'));
    }

    [Fact]
    public void Invalid_arguments_throw_at_the_boundary()
    {
        var builder = new LoggingBuilder();
        Assert.Throws<ArgumentNullException>(() => builder.AddExporter((IExporter<LogRecord>)null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddProcessor(null!));
        // The core's one validation: an ArgumentException naming the setting.
        var limits = Assert.Throws<ArgumentException>(() => builder.SetLimits(o => o.AttributeCountLimit = -1));
        Assert.Equal("AttributeCountLimit", limits.ParamName);
        var spanLimits = Assert.Throws<ArgumentException>(() => new TracingBuilder().SetLimits(o => o.LinkCountLimit = -1));
        Assert.Equal("LinkCountLimit", spanLimits.ParamName);
        Assert.Throws<ArgumentException>(() => Host.CreateApplicationBuilder().Logging.AddFunctionalTelemetry(" ", _ => { }));
    }
}
