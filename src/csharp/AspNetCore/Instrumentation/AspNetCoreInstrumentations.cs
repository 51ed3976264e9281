using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry.AspNetCore;

/// <summary>What <c>AddAspNetCoreInstrumentation</c> adds, for C# and F# alike: the <c>Microsoft.AspNetCore</c>
/// source and the server-span instrumentation (traces); ASP.NET Core's meters (metrics).</summary>
internal static class AspNetCoreInstrumentations
{
    /// <summary>The instrumentation's name: a second one added replaces the first.</summary>
    public const string Name = "Microsoft.AspNetCore";

    /// <summary>ASP.NET Core's ActivitySource.</summary>
    public const string SourceName = "Microsoft.AspNetCore";

    /// <summary>The semantic conventions' variable for the known HTTP methods.</summary>
    public const string KnownMethodsVariable = "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS";

    /// <summary>ASP.NET Core's meters: requests (<c>http.server.request.duration</c>, <c>http.server.active_requests</c>),
    /// Kestrel's connections, routing, exceptions, rate limiting, authentication/authorization, and SignalR's
    /// connections.</summary>
    public static readonly IReadOnlyList<string> Meters = new[]
    {
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "Microsoft.AspNetCore.Http.Connections",
    };

    /// <summary>The instrumentation with a copy of <paramref name="options"/>; hosted (<paramref name="services"/>
    /// given) it instruments the host of that container, else every ASP.NET Core host in the process.</summary>
    public static TracingInstrumentation Tracing(AspNetCoreTraceInstrumentationOptions options, IServiceProvider? services) =>
        new(Name, ListModule.OfSeq(new[] { SourceName }), FuncConvert.FromFunc<FSharpFunc<string, FSharpOption<string>>, IDisposable>(environment =>
        {
            var variable = environment.Invoke(KnownMethodsVariable);
            var settings = new ServerSpanSettings(options, FSharpOption<string>.get_IsSome(variable) ? variable.Value : null);
            var listener = services?.GetService<DiagnosticListener>();
            return AspNetCoreDiagnosticsSubscription.Start(new ServerSpanObserver(settings), listener);
        }), FSharpOption<FSharpFunc<Span, FSharpOption<Span>>>.None);

    /// <summary>The tracing configuration with ASP.NET Core's source and the instrumentation.</summary>
    public static TracingConfig AddTracing(AspNetCoreTraceInstrumentationOptions options, IServiceProvider? services, TracingConfig config) =>
        TracingModule.AddInstrumentation(Tracing(options, services), WithSource(config));

    /// <summary>The metrics configuration with ASP.NET Core's meters.</summary>
    public static MetricsConfig AddMetrics(MetricsConfig config) =>
        Meters.Aggregate(config, (current, meter) => MetricsModule.AddMeter(meter, current));

    private static TracingConfig WithSource(TracingConfig config) =>
        config.Sources.Contains(SourceName) ? config : TracingModule.AddSource(SourceName, config);
}
