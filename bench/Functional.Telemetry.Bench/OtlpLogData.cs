using System.Reflection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using Ours = Functional.Telemetry;
using OursF = Functional.Telemetry.FSharp;

namespace Functional.Telemetry.Bench;

/// <summary>
/// The same 512 log calls recorded once by each SDK, kept for the OTLP log export benchmark: ours as
/// <c>LogRecord</c> records (captured by an exporter), the official SDK's as copies of its pooled
/// <c>LogRecord</c>s (its internal <c>Copy</c>, the one its in-memory exporter uses).
/// </summary>
public static class OtlpLogData
{
    private static void LogAll(ILogger logger, int count)
    {
        for (var i = 0; i < count; i++)
        {
            logger.LogInformation("Order {OrderId} shipped to {City} in {Duration} ms", 1000 + i, "Berlin", 12.5 + i);
        }
    }

    private sealed class Capture : Ours.IExporter<Ours.LogRecord>
    {
        public readonly List<Ours.LogRecord> Records = [];

        public string Name => "capture";

        public Task<Ours.ExportResult> Export(Ours.Batch<Ours.LogRecord> batch, CancellationToken cancellationToken)
        {
            lock (Records)
            {
                Records.AddRange(batch.Items);
            }

            return Task.FromResult(Ours.ExportResult.Success);
        }

        public Task Shutdown(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class OfficialCapture : BaseProcessor<OpenTelemetry.Logs.LogRecord>
    {
        private static readonly MethodInfo Copy =
            typeof(OpenTelemetry.Logs.LogRecord).GetMethod("Copy", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new InvalidOperationException("OpenTelemetry.Logs.LogRecord has no Copy method");

        public readonly List<OpenTelemetry.Logs.LogRecord> Records = [];

        public override void OnEnd(OpenTelemetry.Logs.LogRecord data) => Records.Add((OpenTelemetry.Logs.LogRecord)Copy.Invoke(data, null)!);
    }

    /// <summary>Our records of <paramref name="count"/> log calls.</summary>
    public static Ours.LogRecord[] OursRecords(int count)
    {
        var capture = new Capture();
        var sdk = Ours.Telemetry.Create("bench")
            .WithoutResourceDetection()
            .WithoutPropagatorInstallation()
            .WithLogging(l => l.UseTemplateAsBody().AddExporter(capture, o => o.MaxExportBatchSize = count))
            .Start();
        using (var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Information).AddFunctionalTelemetry(sdk)))
        {
            LogAll(factory.CreateLogger("Bench.Orders"), count);
        }

        ((IDisposable)sdk).Dispose();
        return capture.Records.Take(count).ToArray();
    }

    /// <summary>The official SDK's records of the same <paramref name="count"/> log calls.</summary>
    public static OpenTelemetry.Logs.LogRecord[] OfficialRecords(int count)
    {
        var capture = new OfficialCapture();
        using (var factory = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddOpenTelemetry(o => o.AddProcessor(capture))))
        {
            LogAll(factory.CreateLogger("Bench.Orders"), count);
        }

        return capture.Records.ToArray();
    }
}
