using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Functional.Telemetry.AspNetCore;

/// <summary>
/// Names and tags ASP.NET Core's request activity (<c>Microsoft.AspNetCore.Hosting.HttpRequestIn</c>) per the HTTP
/// semantic conventions, from the events of the <c>Microsoft.AspNetCore</c> DiagnosticListener. ASP.NET Core writes
/// them on the request's thread: <c>.Start</c> right after the activity started (sampling done), the exception
/// events while the activity runs, <c>.Stop</c> before it stops, so every tag is set before the SDK's listener
/// sees the stopped activity. Only activities some listener records (<c>IsAllDataRequested</c>) are touched.
/// Nothing here throws into the request: faults are reported through the SDK's diagnostics.
/// </summary>
internal sealed class ServerSpanObserver(ServerSpanSettings settings) : IObserver<KeyValuePair<string, object?>>
{
    public const string ActivityName = "Microsoft.AspNetCore.Hosting.HttpRequestIn";
    public const string StartEvent = ActivityName + ".Start";
    public const string StopEvent = ActivityName + ".Stop";
    public const string HostingUnhandledException = "Microsoft.AspNetCore.Hosting.UnhandledException";
    public const string DiagnosticsUnhandledException = "Microsoft.AspNetCore.Diagnostics.UnhandledException";

    private const string Component = "aspnetcore";

    // The exception recorded on an activity, so that one exception reported by two events (the developer
    // exception page, then hosting when the response had started) or two instrumentations is recorded once.
    private const string RecordedExceptionProperty = "Functional.Telemetry.AspNetCore.Exception";

    // The exception events' payloads are anonymous or internal types with httpContext and exception properties.
    private static readonly ConcurrentDictionary<Type, (PropertyInfo? Context, PropertyInfo? Exception)> PayloadProperties = new();

    /// <summary>The events this observer asks the listener for: not the activity's name itself, so the request
    /// activity is created only when a listener of the <c>Microsoft.AspNetCore</c> source samples it.</summary>
    public static bool IsEnabled(string name, object? arg1, object? arg2) =>
        name is StartEvent or StopEvent or HostingUnhandledException or DiagnosticsUnhandledException;

    public void OnNext(KeyValuePair<string, object?> value)
    {
        try
        {
            switch (value.Key)
            {
                case StartEvent when value.Value is HttpContext context:
                    OnStart(Activity.Current, context);
                    break;
                case StopEvent when value.Value is HttpContext context:
                    OnStop(RequestActivity(context), context);
                    break;
                case HostingUnhandledException or DiagnosticsUnhandledException:
                    if (TryReadException(value.Value, out var failed, out var exception))
                    {
                        OnException(RequestActivity(failed), exception);
                    }

                    break;
            }
        }
        catch (Exception ex)
        {
            SelfDiagnostics.error(Component, $"tagging the server span of {value.Key} threw {ex.GetType().FullName}; the span keeps what it had");
        }
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    private static Activity? RequestActivity(HttpContext context) =>
        context.Features.Get<IHttpActivityFeature>()?.Activity ?? Activity.Current;

    private static bool IsRecordedRequest(Activity? activity) =>
        activity is { IsAllDataRequested: true, OperationName: ActivityName };

    private void OnStart(Activity? activity, HttpContext context)
    {
        if (!IsRecordedRequest(activity))
        {
            return;
        }

        if (settings.Filter is { } filter && !Guarded(() => filter(context), "Filter", fallback: false))
        {
            // Left out: not exported, and what starts under it is not sampled (parent-based samplers).
            activity!.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            return;
        }

        var request = context.Request;
        var (method, original) = HttpSemantics.NormalizeMethod(request.Method, settings.KnownMethods);
        activity!.DisplayName = HttpSemantics.SpanName(method, null);
        activity.SetTag("http.request.method", method);
        if (original is not null)
        {
            activity.SetTag("http.request.method_original", original);
        }

        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("url.path", request.PathBase.HasValue || request.Path.HasValue ? (request.PathBase + request.Path).ToString() : "/");
        if (HttpSemantics.Query(request.QueryString.Value, settings.SensitiveQueryParameters) is { } query)
        {
            activity.SetTag("url.query", query);
        }

        if (request.Host.HasValue)
        {
            activity.SetTag("server.address", request.Host.Host);
            if (HttpSemantics.ServerPort(request.Host, request.Scheme) is { } port)
            {
                activity.SetTag("server.port", port);
            }
        }

        if (HttpSemantics.ProtocolVersion(request.Protocol) is { } version)
        {
            activity.SetTag("network.protocol.version", version);
        }

        if (request.Headers.TryGetValue(HeaderNames.UserAgent, out var agent) && !string.IsNullOrEmpty(agent.ToString()))
        {
            activity.SetTag("user_agent.original", agent.ToString());
        }

        foreach (var (header, attribute) in settings.RequestHeaders)
        {
            if (request.Headers.TryGetValue(header, out var values) && values.Count > 0)
            {
                activity.SetTag(attribute, values.ToArray());
            }
        }

        if (settings.EnrichWithHttpRequest is { } enrich)
        {
            Guarded(() => { enrich(activity, request); return true; }, "EnrichWithHttpRequest", fallback: true);
        }
    }

    private void OnStop(Activity? activity, HttpContext context)
    {
        if (!IsRecordedRequest(activity))
        {
            return;
        }

        var request = context.Request;
        var response = context.Response;
        var (method, _) = HttpSemantics.NormalizeMethod(request.Method, settings.KnownMethods);
        var route = HttpSemantics.Route(context);
        activity!.DisplayName = HttpSemantics.SpanName(method, route);
        if (route is not null)
        {
            activity.SetTag("http.route", route);
        }

        activity.SetTag("http.response.status_code", response.StatusCode);

        // At the end, so that what the forwarded-headers middleware found is what is recorded.
        if (context.Connection.RemoteIpAddress is { } client)
        {
            activity.SetTag("client.address", client.ToString());
        }

        foreach (var (header, attribute) in settings.ResponseHeaders)
        {
            if (response.Headers.TryGetValue(header, out var values) && values.Count > 0)
            {
                activity.SetTag(attribute, values.ToArray());
            }
        }

        if (HttpSemantics.IsServerError(response.StatusCode))
        {
            // An exception recorded before keeps its type as error.type.
            if (activity.GetTagItem("error.type") is null)
            {
                activity.SetTag("error.type", response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (activity.Status != ActivityStatusCode.Error)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        GrpcServerSemantics.Apply(activity);

        if (settings.EnrichWithHttpResponse is { } enrich)
        {
            Guarded(() => { enrich(activity, response); return true; }, "EnrichWithHttpResponse", fallback: true);
        }
    }

    private void OnException(Activity? activity, Exception exception)
    {
        if (!IsRecordedRequest(activity))
        {
            return;
        }

        activity!.SetTag("error.type", exception.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        if (settings.RecordException && !ReferenceEquals(activity.GetCustomProperty(RecordedExceptionProperty), exception))
        {
            activity.SetCustomProperty(RecordedExceptionProperty, exception);
            activity.AddException(exception);
        }

        if (settings.EnrichWithException is { } enrich)
        {
            Guarded(() => { enrich(activity, exception); return true; }, "EnrichWithException", fallback: true);
        }
    }

    private static bool TryReadException(object? payload, out HttpContext context, out Exception exception)
    {
        context = null!;
        exception = null!;
        if (payload is null)
        {
            return false;
        }

        var (contextProperty, exceptionProperty) = PayloadProperties.GetOrAdd(payload.GetType(), static type => (
            type.GetProperty("httpContext", BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase),
            type.GetProperty("exception", BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)));
        if (contextProperty?.GetValue(payload) is HttpContext found && exceptionProperty?.GetValue(payload) is Exception thrown)
        {
            context = found;
            exception = thrown;
            return true;
        }

        return false;
    }

    /// <summary>Runs a user's callback: what it throws is reported (its type, never its message, which may hold
    /// request data) and <paramref name="fallback"/> is the answer.</summary>
    private static bool Guarded(Func<bool> callback, string name, bool fallback)
    {
        try
        {
            return callback();
        }
        catch (Exception ex)
        {
            SelfDiagnostics.error(Component, $"the {name} callback threw {ex.GetType().FullName}");
            return fallback;
        }
    }
}
