using Functional.Telemetry;

var builder = WebApplication.CreateBuilder(args);

// The application's telemetry: every signal over OTLP to the collector that configuration names
// (appsettings.json: OTEL_EXPORTER_OTLP_ENDPOINT).
builder.Services.AddFunctionalTelemetry()
    .ConfigureResource(r => r.AddService("hosting-test-app"))
    .WithTracing(t => t.AddSource("Microsoft.AspNetCore"))
    .UseOtlpExporter();

var app = builder.Build();
app.MapGet("/hello", (ILogger<Program> logger) =>
{
    logger.LogInformation("Saying hello");
    return "hello";
});
app.Run();

/// <summary>The entry point, public for WebApplicationFactory.</summary>
public partial class Program;
