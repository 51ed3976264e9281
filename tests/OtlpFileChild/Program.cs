// The child of the OTLP file exporter's standard-output test. It adds no exporter in code: the parent sets
// OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER and OTEL_LOGS_EXPORTER to otlp/stdout. It records one span (named by
// the first argument), a counter and a log written inside the span, shuts the SDK down and exits; everything on its
// standard output is the exporters' JSON lines.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Functional.Telemetry;
using Microsoft.Extensions.Logging;

var marker = args[0];
using var source = new ActivitySource("OtlpFileChild");
using var meter = new Meter("OtlpFileChild");

var telemetry = Telemetry.Create("otlp-file-child")
    .WithoutResourceDetection()
    .WithoutPropagatorInstallation()
    .WithTracing(t => t.AddSource("OtlpFileChild"))
    .WithMetrics(m => m.AddMeter("OtlpFileChild"))
    .WithLogging(_ => { })
    .Start();

using (var activity = source.StartActivity(marker))
{
    meter.CreateCounter<long>("child.counter").Add(7);
    telemetry.CreateLogger("OtlpFileChild").LogWarning("child log {Marker}", marker);
}

return await telemetry.Shutdown(TimeSpan.FromSeconds(20)) ? 0 : 1;
