// The Functional.Telemetry demo: a Kestrel server and an HttpClient in one process, traced end to end.
// Run it with `dotnet run --project examples/Demo`. It needs no server or configuration: log records are
// printed one line each, with the ids of the span they were written in; spans as trace trees and metrics
// as a table. Everything is flushed when the demo ends. While it runs, its metrics are also served to Prometheus
// on http://127.0.0.1:9464/metrics (OTEL_EXPORTER_PROMETHEUS_HOST/_PORT change that). With `-- --serve` it keeps
// running, making a few requests every second, until Ctrl+C or SIGTERM, so that a Prometheus can scrape it.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Functional.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var demoSource = new ActivitySource("Demo", "1.0.0");
using var demoMeter = new Meter("Demo", "1.0.0");
var ordersRequested = demoMeter.CreateCounter<long>("demo.orders.requested", "{order}", "Orders asked for");
var requestDuration = demoMeter.CreateHistogram<double>("demo.request.duration", "ms", "Server time per request");
demoMeter.CreateObservableGauge("demo.process.working_set", () => Environment.WorkingSet, "By", "Process working set");

// With OTEL_EXPORTER_OTLP_ENDPOINT set (for example http://localhost:4318 for a Collector or Jaeger), everything
// goes there over OTLP (OTEL_EXPORTER_OTLP_PROTOCOL chooses http/protobuf, http/json or grpc); otherwise to the
// console.
var serve = args.Contains("--serve");
args = args.Where(a => a != "--serve").ToArray();
var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
Console.WriteLine(otlp
    ? $"Exporting over OTLP to {Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")}"
    : "Exporting to the console (set OTEL_EXPORTER_OTLP_ENDPOINT to export over OTLP)");

// `-- --etw MyCompany-Demo` also writes logs and spans as ETW events to that provider (EventPipe on Linux and
// macOS: `dotnet-trace collect --providers MyCompany-Demo -- ...`; see docs/etw.md).
var etwIndex = Array.IndexOf(args, "--etw");
var etwProvider = etwIndex >= 0 && etwIndex + 1 < args.Length ? args[etwIndex + 1] : null;
if (etwIndex >= 0 && etwProvider is null)
{
    Console.Error.WriteLine("--etw needs a provider name, for example --etw MyCompany-Demo");
    Environment.Exit(2);
}

if (etwProvider is not null)
{
    Console.WriteLine($"Also writing logs and spans to the ETW provider {etwProvider}");
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
// ILogger records of the "Demo" category (Information and up) go to the SDK's log pipeline.
builder.Logging.AddFilter("Demo", LogLevel.Information);
builder.Logging.ClearProviders();
builder.WebHost.UseUrls("http://127.0.0.1:0");

// Telemetry through the host: it starts with the host (before the other hosted services), reads OTEL_* settings
// through IConfiguration (appsettings, environment, command line), registers the ILogger provider, and flushes and
// shuts down when the host stops.
builder.Services.AddFunctionalTelemetry()
    .ConfigureResource(r => r.AddService("functional-telemetry-demo").AddAttribute("deployment.environment.name", "demo"))
    .WithTracing(t =>
    {
        // ASP.NET Core's server spans named by route (GET /orders/{id:int}) with the HTTP conventions' attributes.
        t.AddSource("Demo").AddSource("System.Net.Http").AddAspNetCoreInstrumentation();
        if (otlp) t.AddOtlpExporter(); else t.AddConsoleExporter();
        if (etwProvider is not null) t.AddEtwExporter(etwProvider);
    })
    .WithMetrics(m =>
    {
        // ASP.NET Core's own meters: http.server.request.duration by route, Kestrel's connections, routing.
        m.AddMeter("Demo").AddAspNetCoreInstrumentation();
        if (otlp) m.AddOtlpExporter(); else m.AddConsoleExporter();
        // Next to the exporter above (each reader has its own temporality): a scrape endpoint for Prometheus.
        m.AddPrometheusEndpoint();
    })
    .WithLogging(l =>
    {
        if (otlp) l.AddOtlpExporter(); else l.AddConsoleExporter();
        if (etwProvider is not null) l.AddEtwExporter(etwProvider);
    });

await using var app = builder.Build();
var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Demo");

app.MapGet("/orders/{id:int}", async (int id) =>
{
    var started = Stopwatch.GetTimestamp();
    using var lookup = demoSource.StartActivity("load order");
    lookup?.SetTag("order.id", id);
    log.LogInformation("Loading order {OrderId}", id);
    await Task.Yield();
    ordersRequested.Add(1, new KeyValuePair<string, object?>("order.kind", id % 2 == 0 ? "even" : "odd"));
    requestDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("http.route", "/orders/{id}"));
    return Results.Ok(new { id, status = "shipped" });
});
app.MapGet("/fail", () => Results.Problem("the demo fails on purpose", statusCode: 500));

await app.StartAsync();
var telemetry = app.Services.GetRequiredService<TelemetrySdk>();
foreach (var endpoint in telemetry.PrometheusEndpoints)
{
    Console.WriteLine(endpoint.IsListening
        ? $"Prometheus metrics served on {endpoint.Url}"
        : $"Prometheus endpoint {endpoint.Url} could not listen (port in use?); the demo goes on without it");
}

var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"Demo server listening on {address}");

using var client = new HttpClient { BaseAddress = new Uri(address) };
using (var checkout = demoSource.StartActivity("checkout"))
{
    checkout?.SetTag("customer.tier", "gold");
    log.LogInformation("Checkout started for a {Tier} customer", "gold");
    foreach (var id in new[] { 1, 2 })
    {
        var body = await client.GetStringAsync($"/orders/{id}");
        Console.WriteLine($"GET /orders/{id} -> {body}");
    }

    var failed = await client.GetAsync("/fail");
    Console.WriteLine($"GET /fail -> {(int)failed.StatusCode}");
    log.LogWarning("Checkout saw a failed request: {StatusCode}", (int)failed.StatusCode);
    checkout?.AddEvent(new ActivityEvent("all orders loaded"));
}

if (serve)
{
    // Traffic every second until Ctrl+C or SIGTERM, for a Prometheus to scrape (see docs/prometheus.md).
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
        System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
    Console.WriteLine("Serving: a few requests every second; Ctrl+C or SIGTERM stops.");
    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
    var tick = 0;
    try
    {
        while (await timer.WaitForNextTickAsync(stop.Token))
        {
            tick++;
            await client.GetStringAsync($"/orders/{tick % 7}", stop.Token);
            if (tick % 5 == 0)
            {
                await client.GetAsync("/fail", stop.Token);
            }
        }
    }
    catch (OperationCanceledException)
    {
    }

    Console.WriteLine($"Stopping after {tick} seconds of traffic.");
}

Console.WriteLine();
if (otlp)
{
    Console.WriteLine("Sending the logs, traces and metrics of the run over OTLP (retried for up to 5 s at exit).");
}
else
{
    Console.WriteLine("The traces (client and server spans share one trace id through the traceparent header),");
    Console.WriteLine("the metrics of the run (the demo's counter, histogram and gauge, ASP.NET Core's meters), then the log records");
    Console.WriteLine("(one line each, with the ids of the span they were written in; logging shuts down last):");
}

// Stopping the host shuts telemetry down: the log and span exporters flush, which prints the trace trees, and a
// final metrics collection prints the metrics table.
await app.StopAsync();
