using System.Diagnostics;
using Functional.Telemetry;
using OtelBaseExporter = OpenTelemetry.BaseExporter<System.Diagnostics.Activity>;
using OtelExportResult = OpenTelemetry.ExportResult;

namespace Functional.Telemetry.Bench;

/// <summary>Our exporter that accepts every batch and does nothing: the benchmarks measure the SDK, not I/O. It
/// reads spans as views (as the official SDK's exporter reads the Activity), so no Span record is made for it.</summary>
public sealed class NoOpExporter : IExporter<SpanView>
{
    private static readonly Task<ExportResult> Success = Task.FromResult(ExportResult.Success);
    private static readonly Task Done = Task.CompletedTask;

    private long exported;

    /// <summary>Spans handed to this exporter so far.</summary>
    public long Exported => Interlocked.Read(ref exported);

    public string Name => "noop";

    public Task<ExportResult> Export(Batch<SpanView> batch, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref exported, batch.Items.Length);
        return Success;
    }

    public Task Shutdown(CancellationToken cancellationToken) => Done;
}

/// <summary>The official SDK's exporter that accepts every batch and does nothing.</summary>
public sealed class NoOpActivityExporter : OtelBaseExporter
{
    private long exported;

    /// <summary>Activities handed to this exporter so far.</summary>
    public long Exported => Interlocked.Read(ref exported);

    public override OtelExportResult Export(in OpenTelemetry.Batch<Activity> batch)
    {
        Interlocked.Add(ref exported, batch.Count);
        return OtelExportResult.Success;
    }
}
