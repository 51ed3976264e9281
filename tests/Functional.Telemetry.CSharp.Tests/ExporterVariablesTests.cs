using System.Collections.Concurrent;
using Xunit;

namespace Functional.Telemetry.CSharp.Tests;

/// <summary><c>OTEL_TRACES_EXPORTER</c>, <c>OTEL_METRICS_EXPORTER</c> and <c>OTEL_LOGS_EXPORTER</c> from C#: the
/// pipelines an SDK starts for each value, with and without exporters added in code.</summary>
public class ExporterVariablesTests
{
    private static TelemetryBuilder Base(params (string Name, string Value)[] variables)
    {
        // OTLP exporters point at a port nothing listens on; nothing is recorded, so nothing is sent.
        var environment = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" };
        foreach (var (name, value) in variables)
        {
            environment[name] = value;
        }

        return Telemetry.Create("csharp-exporter-variables")
            .WithEnvironment(environment)
            .WithoutPropagatorInstallation()
            .WithoutResourceDetection();
    }

    private static string Unique() => "CSharpExporterVariables." + Guid.NewGuid().ToString("N");

    private static string[] Names(IReadOnlyList<ExportPipeline> pipelines) => pipelines.Select(p => p.Name).ToArray();

    private static async Task<string[]> Spans(Action<TracingBuilder> tracing, params (string, string)[] variables)
    {
        await using var sdk = Base(variables).WithTracing(t => tracing(t.AddSource(Unique()))).Start();
        return Names(sdk.SpanPipelines);
    }

    [Fact]
    public async Task Unset_uses_the_exporters_added_in_code_else_otlp()
    {
        Assert.Equal(new[] { "traces/console", "traces/in-memory" },
            await Spans(t => t.AddConsoleExporter().AddInMemoryExporter(new InMemoryExporter<Span>())));
        Assert.Equal(new[] { "traces/otlp-http-protobuf" }, await Spans(_ => { }));
        Assert.Equal(new[] { "traces/otlp-grpc" }, await Spans(_ => { }, ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")));
    }

    [Theory]
    [InlineData("otlp", new[] { "traces/otlp-http-protobuf" })]
    [InlineData("console", new[] { "traces/console" })]
    [InlineData("CONSOLE , otlp", new[] { "traces/console", "traces/otlp-http-protobuf" })]
    [InlineData("none", new string[0])]
    public async Task Each_value_selects_its_exporters_with_none_in_code(string value, string[] expected) =>
        Assert.Equal(expected, await Spans(_ => { }, ("OTEL_TRACES_EXPORTER", value)));

    [Fact]
    public async Task Set_the_variable_decides_the_kinds_and_code_keeps_its_options_for_them()
    {
        void Code(TracingBuilder t) => t
            .AddConsoleExporter()
            .AddInMemoryExporter(new InMemoryExporter<Span>())
            .AddOtlpExporter(o => o.Protocol = OtlpExportProtocol.HttpJson);

        // otlp: code's OTLP exporter (http/json) stays, code's console goes, in-memory always applies.
        Assert.Equal(new[] { "traces/in-memory", "traces/otlp-http-json" },
            await Spans(Code, ("OTEL_TRACES_EXPORTER", "otlp")));
        Assert.Equal(new[] { "traces/in-memory" }, await Spans(Code, ("OTEL_TRACES_EXPORTER", "none")));
    }

    [Fact]
    public async Task Metrics_and_logs_follow_their_variables()
    {
        var meter = Unique();
        await using var metrics = Base(("OTEL_METRICS_EXPORTER", "console,prometheus"), ("OTEL_EXPORTER_PROMETHEUS_PORT", "0"))
            .WithMetrics(m => m.AddMeter(meter).AddOtlpExporter())
            .Start();
        Assert.Equal(new[] { "metrics/console" }, Names(metrics.MetricPipelines));
        Assert.True(Assert.Single(metrics.PrometheusEndpoints).IsListening);

        await using var logs = Base(("OTEL_LOGS_EXPORTER", "none"))
            .WithLogging(l => l.AddConsoleExporter().AddOtlpExporter())
            .Start();
        Assert.Empty(logs.LogPipelines);

        await using var defaultLogs = Base().WithLogging(_ => { }).Start();
        Assert.Equal(new[] { "logs/otlp-http-protobuf" }, Names(defaultLogs.LogPipelines));
    }

    [Fact]
    public async Task An_unknown_value_is_a_warning_naming_it_and_the_variable()
    {
        var messages = new ConcurrentQueue<(DiagnosticLevel, string)>();
        var sdk = Base(("OTEL_LOGS_EXPORTER", "otlp,zipkin"))
            .WithDiagnostics((level, message) => messages.Enqueue((level, message)))
            .WithLogging(_ => { })
            .Start();
        Assert.Equal(new[] { "logs/otlp-http-protobuf" }, Names(sdk.LogPipelines));
        await sdk.Shutdown(TimeSpan.FromSeconds(5));
        Assert.Contains(messages, m =>
            m.Item1 == DiagnosticLevel.Warning && m.Item2.Contains("OTEL_LOGS_EXPORTER") && m.Item2.Contains("'zipkin'"));
    }
}
