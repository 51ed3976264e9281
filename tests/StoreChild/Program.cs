// The child of the export store's kill-and-restart test. Arguments: <store directory> <OTLP endpoint> <spans>.
// It exports spans over OTLP http/protobuf to an endpoint where nothing answers, with a disk export store; once
// every span is in the store (a flush moved the last batch there) it prints one line,
//   "stored <Stored> <span id>,<span id>,..."
// then waits on standard input; the parent kills it there (Process.Kill: no shutdown, no flush).
using System.Diagnostics;
using Functional.Telemetry;

var directory = args[0];
var endpoint = new Uri(args[1]);
var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
using var source = new ActivitySource("StoreChild");

var telemetry = Telemetry.Create("store-child")
    .WithoutResourceDetection()
    .WithoutPropagatorInstallation()
    .WithEnvironment(new Dictionary<string, string>())
    .UseDiskExportStore(directory)
    .WithTracing(t => t.AddSource("StoreChild").AddOtlpExporter(o =>
    {
        o.Endpoint = endpoint;
        o.Protocol = OtlpExportProtocol.HttpProtobuf;
    }))
    .Start();

var ids = new List<string>();
for (var i = 0; i < count; i++)
{
    using var activity = source.StartActivity("child-span")!;
    ids.Add(activity.SpanId.ToHexString());
}

// False (nothing was delivered), but when it returns the queue is empty: every span was sent or stored.
await telemetry.ForceFlush(TimeSpan.FromSeconds(20));
var stats = telemetry.SpanPipelines[0].Stats;
Console.WriteLine($"stored {stats.Stored} {string.Join(',', ids)}");
Console.ReadLine();
GC.KeepAlive(telemetry);
