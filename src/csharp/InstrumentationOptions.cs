using System.Diagnostics;
using Functional.Telemetry.FSharp;
using Microsoft.FSharp.Core;

namespace Functional.Telemetry;

/// <summary>Options of <see cref="TracingBuilder.AddHttpClientInstrumentation(Action{HttpClientTraceInstrumentationOptions})"/>.
/// Callbacks run on the thread that sends the request; one that throws is reported through the SDK's diagnostics
/// and never reaches the application.</summary>
public sealed class HttpClientTraceInstrumentationOptions
{
    /// <summary>Whether to record a request (null, the default: every request). Runs before the request is sent; a
    /// request it rejects, or for which it throws, is not recorded and propagates its trace context as not sampled.</summary>
    public Func<HttpRequestMessage, bool>? FilterHttpRequestMessage { get; set; }

    /// <summary>Called with the span and the request before the request is sent. Default null.</summary>
    public Action<Activity, HttpRequestMessage>? EnrichWithHttpRequestMessage { get; set; }

    /// <summary>Called with the span and the response when it arrives (not for a request that threw). Default null.</summary>
    public Action<Activity, HttpResponseMessage>? EnrichWithHttpResponseMessage { get; set; }

    /// <summary>Called with the span and the exception when the request throws (a cancelled request excepted).
    /// Default null.</summary>
    public Action<Activity, Exception>? EnrichWithException { get; set; }

    /// <summary>Keep the <c>exception</c> event (<c>exception.type</c>, <c>exception.message</c>,
    /// <c>exception.stacktrace</c>) that .NET adds to the span of a request that throws. Default true; false removes
    /// it before export.</summary>
    public bool RecordException { get; set; } = true;

    /// <summary>The core's options.</summary>
    internal HttpClientInstrumentationOptions ToOptions() =>
        new(
            Optional.Of(FilterHttpRequestMessage, f => FuncConvert.FromFunc(f)),
            Optional.Of(EnrichWithHttpRequestMessage, e => FuncConvert.FromAction(e)),
            Optional.Of(EnrichWithHttpResponseMessage, e => FuncConvert.FromAction(e)),
            Optional.Of(EnrichWithException, e => FuncConvert.FromAction(e)),
            RecordException);
}

/// <summary>Options of <see cref="TracingBuilder.AddGrpcClientInstrumentation(Action{GrpcClientTraceInstrumentationOptions})"/>.
/// Callbacks run on the thread that makes the call; one that throws is reported through the SDK's diagnostics and
/// never reaches the application.</summary>
public sealed class GrpcClientTraceInstrumentationOptions
{
    /// <summary>Whether to record a call, given its HTTP request (null, the default: every call). A call it rejects,
    /// or for which it throws, is not recorded.</summary>
    public Func<HttpRequestMessage, bool>? Filter { get; set; }

    /// <summary>Called with the span and the HTTP request of the call when it starts. Default null.</summary>
    public Action<Activity, HttpRequestMessage>? EnrichWithHttpRequestMessage { get; set; }

    /// <summary>Called with the span and the HTTP response when the call ends with one. Default null.</summary>
    public Action<Activity, HttpResponseMessage>? EnrichWithHttpResponseMessage { get; set; }

    /// <summary>The core's options.</summary>
    internal GrpcClientInstrumentationOptions ToOptions() =>
        new(
            Optional.Of(Filter, f => FuncConvert.FromFunc(f)),
            Optional.Of(EnrichWithHttpRequestMessage, e => FuncConvert.FromAction(e)),
            Optional.Of(EnrichWithHttpResponseMessage, e => FuncConvert.FromAction(e)));
}

/// <summary>A C# delegate that may be null as the core's option of an F# function.</summary>
internal static class Optional
{
    public static FSharpOption<TFunction> Of<TDelegate, TFunction>(TDelegate? value, Func<TDelegate, TFunction> convert)
        where TDelegate : Delegate =>
        value is null ? FSharpOption<TFunction>.None : FSharpOption<TFunction>.Some(convert(value));
}
