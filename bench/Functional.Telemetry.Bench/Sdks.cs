using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Ours = Functional.Telemetry;
using OursF = Functional.Telemetry.FSharp;

namespace Functional.Telemetry.Bench;

/// <summary>Starts each SDK with the same settings: one source, ParentBased(AlwaysOn), one batch exporter with
/// equal queue and batch sizes. Each benchmark process starts exactly one of them.</summary>
public static class Sdks
{
    /// <summary>The source the SDKs record.</summary>
    public const string ListenedSource = "Bench.Tracing";

    /// <summary>A source no SDK is configured for.</summary>
    public const string UnlistenedSource = "Bench.Unlistened";

    /// <summary>Queue size on both sides. At millions of spans per second a 2048 queue fills and drops on both
    /// SDKs; a dropped span has still done all the hot-path work (sampling, conversion, the enqueue attempt).</summary>
    public const int MaxQueueSize = 65536;

    /// <summary>Export batch size on both sides (the specification's default).</summary>
    public const int MaxExportBatchSize = 512;

    /// <summary>Schedule delay on both sides (the specification's default).</summary>
    public const int ScheduleDelayMilliseconds = 5000;

    /// <summary>Export timeout on both sides (the specification's default).</summary>
    public const int ExportTimeoutMilliseconds = 30000;

    /// <summary>Starts Functional.Telemetry.</summary>
    public static Ours.TelemetrySdk StartOurs(NoOpExporter exporter) =>
        Ours.Telemetry.Create("bench")
            .WithoutResourceDetection()
            .WithoutPropagatorInstallation()
            .WithTracing(t => t
                .AddSource(ListenedSource)
                .SetSampler(Ours.Sampler.ParentBased(Ours.Sampler.AlwaysOn))
                .AddExporter(exporter, o =>
                {
                    o.MaxQueueSize = MaxQueueSize;
                    o.MaxExportBatchSize = MaxExportBatchSize;
                    o.ScheduleDelay = TimeSpan.FromMilliseconds(ScheduleDelayMilliseconds);
                    o.ExportTimeout = TimeSpan.FromMilliseconds(ExportTimeoutMilliseconds);
                }))
            .Start();

    /// <summary>The native F# tracer of the recorded source: a direct tracer (its spans are not Activities).</summary>
    public static Functional.Telemetry.FSharp.Tracer NativeTracer() => TracerModule.CreateDirect(ListenedSource, null);

    /// <summary>Starts the official OpenTelemetry .NET SDK.</summary>
    public static TracerProvider StartOfficial(NoOpActivityExporter exporter) =>
        Sdk.CreateTracerProviderBuilder()
            .AddSource(ListenedSource)
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
            .AddProcessor(new BatchActivityExportProcessor(
                exporter,
                MaxQueueSize,
                ScheduleDelayMilliseconds,
                ExportTimeoutMilliseconds,
                MaxExportBatchSize))
            .Build()!;
}
