using Functional.Telemetry.AspNetCore;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry.FSharp;

/// <summary>The F# API of the ASP.NET Core instrumentation: functions over the F# configuration, composed with
/// <c>&gt;&gt;</c> inside <c>Telemetry.withTracing</c> and <c>Telemetry.withMetrics</c>. (The C# API is
/// <c>AddAspNetCoreInstrumentation</c> on the builders.) The instrumentation of an SDK of <c>Telemetry.start</c>
/// instruments every ASP.NET Core host of the process.</summary>
public static class AspNetCoreInstrumentation
{
    /// <summary><c>Tracing.addSource "Microsoft.AspNetCore"</c> and the server-span instrumentation with the
    /// default options: spans named <c>{method} {route}</c> with the HTTP conventions' attributes (see
    /// docs/instrumentation.md). Adding it again replaces the earlier one.</summary>
    public static TracingConfig AddTracing(TracingConfig config) =>
        AspNetCoreInstrumentations.AddTracing(new AspNetCoreTraceInstrumentationOptions(), null, config);

    /// <summary>The same with options set by <paramref name="configure"/>
    /// (<c>fun o -> o.Filter &lt;- fun context -> context.Request.Path.Value &lt;&gt; "/health"</c>), read when the
    /// SDK starts.</summary>
    public static FSharpFunc<TracingConfig, TracingConfig> AddTracingWith(FSharpFunc<AspNetCoreTraceInstrumentationOptions, Unit> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return FuncConvert.FromFunc<TracingConfig, TracingConfig>(config =>
        {
            var options = new AspNetCoreTraceInstrumentationOptions();
            configure.Invoke(options);
            return AspNetCoreInstrumentations.AddTracing(options, null, config);
        });
    }

    /// <summary><c>Metrics.addMeter</c> for each of ASP.NET Core's meters (<c>Microsoft.AspNetCore.Hosting</c>,
    /// <c>Microsoft.AspNetCore.Server.Kestrel</c>, <c>Microsoft.AspNetCore.Routing</c>,
    /// <c>Microsoft.AspNetCore.Diagnostics</c>, ...).</summary>
    public static MetricsConfig AddMetrics(MetricsConfig config) => AspNetCoreInstrumentations.AddMetrics(config);
}
