// The child of the out-of-process ETW test. Protocol (one line each way, no sleeps):
//   child: "ready <pid>"   parent opens an EventPipe session on <pid>, then writes a line
//   child: logs and ends a span through the ETW exporters, flushes, prints "done <traceId> <spanId>"
//   parent stops its session, then writes a line (or closes stdin): the child exits.
using System.Diagnostics;
using Functional.Telemetry;
using Microsoft.Extensions.Logging;

var provider = args.Length > 0 ? args[0] : "EtwChild";
using var source = new ActivitySource("EtwChild");

await using var telemetry = Telemetry.Create("etw-child")
    .WithoutResourceDetection()
    .WithoutPropagatorInstallation()
    .AddResourceAttribute("service.instance.id", "child-1")
    .WithTracing(t => t.AddSource("EtwChild").AddEtwExporter(provider))
    .WithLogging(l => l.AddEtwExporter(provider))
    .Start();

var logger = telemetry.CreateLogger("EtwChild");
Console.WriteLine($"ready {Environment.ProcessId}");
Console.ReadLine();

logger.LogInformation("outside a span {Count}", 3);
string traceId, spanId;
using (var activity = source.StartActivity("child-work", ActivityKind.Server)!)
{
    traceId = activity.TraceId.ToHexString();
    spanId = activity.SpanId.ToHexString();
    activity.SetTag("http.route", "/child");
    logger.LogError(new EventId(17, "Failed"), "inside a span {Ok}", false);
}

await telemetry.ForceFlush(TimeSpan.FromSeconds(10));
Console.WriteLine($"done {traceId} {spanId}");
Console.ReadLine();
