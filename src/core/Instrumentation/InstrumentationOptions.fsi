namespace Functional.Telemetry.FSharp

open System
open System.Diagnostics
open System.Net.Http

/// What `Tracing.addHttpClientInstrumentation` does besides recording HttpClient's own spans (the
/// `System.Net.Http` ActivitySource). Callbacks run on the thread that sends the request; one that throws is
/// reported through the SDK's diagnostics and never reaches the application.
type HttpClientInstrumentationOptions =
    {
        /// Whether to record a request (None: every request). Runs before the request is sent; a request it
        /// rejects, or for which it throws, is not recorded and propagates its trace context as not sampled.
        Filter: (HttpRequestMessage -> bool) option
        /// Called with the span and the request before the request is sent.
        EnrichWithRequest: (Activity -> HttpRequestMessage -> unit) option
        /// Called with the span and the response when it arrives (not for a request that threw).
        EnrichWithResponse: (Activity -> HttpResponseMessage -> unit) option
        /// Called with the span and the exception when the request throws (a cancelled request excepted).
        EnrichWithException: (Activity -> exn -> unit) option
        /// Keep the `exception` event (`exception.type`, `exception.message`, `exception.stacktrace`) that .NET 10
        /// adds to the span of a request that throws. Default true; false removes it before export.
        RecordException: bool
    }

/// HttpClient instrumentation options.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module HttpClientInstrumentationOptions =
    /// Every request recorded, no callbacks, exceptions recorded.
    [<CompiledName("Default")>]
    val defaults: HttpClientInstrumentationOptions

/// What `Tracing.addGrpcClientInstrumentation` does besides naming and tagging Grpc.Net.Client's spans per the
/// RPC semantic conventions. Callbacks run on the thread that makes the call; one that throws is reported through
/// the SDK's diagnostics and never reaches the application.
type GrpcClientInstrumentationOptions =
    {
        /// Whether to record a call (None: every call), given its HTTP request. A call it rejects, or for which it
        /// throws, is not recorded.
        Filter: (HttpRequestMessage -> bool) option
        /// Called with the span and the HTTP request of the call when it starts.
        EnrichWithRequest: (Activity -> HttpRequestMessage -> unit) option
        /// Called with the span and the HTTP response when the call ends with one.
        EnrichWithResponse: (Activity -> HttpResponseMessage -> unit) option
    }

/// gRPC client instrumentation options.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module GrpcClientInstrumentationOptions =
    /// Every call recorded, no callbacks.
    [<CompiledName("Default")>]
    val defaults: GrpcClientInstrumentationOptions
