using System.Diagnostics.Tracing;
using BenchmarkDotNet.Attributes;
using Microsoft.FSharp.Collections;
using Ours = Functional.Telemetry;
using OursF = Functional.Telemetry.FSharp;

namespace Functional.Telemetry.Bench;

/// <summary>Enables every EventSource whose name starts with <c>EtwBench</c> and counts the events it receives.</summary>
public sealed class EtwBenchListener : EventListener
{
    private long received;

    /// <summary>Events received so far.</summary>
    public long Received => Interlocked.Read(ref received);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith("EtwBench", StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData) => Interlocked.Increment(ref received);
}

/// <summary>
/// The ETW log exporter writing one record (a body, four attributes, inside a span): with no session listening
/// (the exporter only asks <c>IsEnabled</c>) and with an in-process <see cref="EventListener"/> (layout, payload
/// object, <c>EventSource.Write</c> and the listener's dispatch). The app thread's log call is measured by
/// <see cref="LoggingBenchmarks"/>; this is the export thread's cost per record.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class EtwBenchmarks
{
    private Ours.IExporter<Ours.LogRecord> quiet = null!;
    private Ours.IExporter<Ours.LogRecord> listened = null!;
    private EtwBenchListener? listener;
    private Ours.Batch<Ours.LogRecord> batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        listener = new EtwBenchListener();
        quiet = new OursF.EtwLogExporter(OursF.EtwOptionsModule.Create("EtwQuiet_NoListener"));
        listened = new OursF.EtwLogExporter(OursF.EtwOptionsModule.Create("EtwBench_Listened"));
        var attributes = ListModule.OfSeq(new[]
        {
            OursF.KeyValueModule.OfString("Name", "World"),
            OursF.KeyValueModule.OfInt("Count", 42),
            OursF.KeyValueModule.OfBool("Retried", false),
            OursF.KeyValueModule.OfString("{OriginalFormat}", "Hello {Name} {Count}"),
        });
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var record = new Ours.LogRecord(
            now, now, 9, "Information", Ours.AnyValue.NewString("Hello World 42"), attributes, 0,
            new Ours.TraceId(0x0123456789abcdefUL, 0xfedcba9876543210UL), new Ours.SpanId(0x1122334455667788UL),
            Ours.TraceFlags.Sampled, "", Ours.InstrumentationScope.Named("Bench"));
        var resource = new Ours.Resource(
            ListModule.OfSeq(new[] { OursF.KeyValueModule.OfString("service.name", "bench") }), "");
        batch = new Ours.Batch<Ours.LogRecord>(resource, new[] { record });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        quiet.Shutdown(CancellationToken.None).Wait();
        listened.Shutdown(CancellationToken.None).Wait();
        listener?.Dispose();
    }

    /// <summary>No session: one IsEnabled check.</summary>
    [Benchmark(Baseline = true)]
    public Task<Ours.ExportResult> Etw_NoListener() => quiet.Export(batch, CancellationToken.None);

    /// <summary>An in-process EventListener at Verbose: the whole write.</summary>
    [Benchmark]
    public Task<Ours.ExportResult> Etw_InProcessListener() => listened.Export(batch, CancellationToken.None);
}
