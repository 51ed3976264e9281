namespace Functional.Telemetry.FSharp

open System
open System.Diagnostics
open System.Net.Http

type HttpClientInstrumentationOptions =
    {
        Filter: (HttpRequestMessage -> bool) option
        EnrichWithRequest: (Activity -> HttpRequestMessage -> unit) option
        EnrichWithResponse: (Activity -> HttpResponseMessage -> unit) option
        EnrichWithException: (Activity -> exn -> unit) option
        RecordException: bool
    }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module HttpClientInstrumentationOptions =
    [<CompiledName("Default")>]
    let defaults =
        {
            Filter = None
            EnrichWithRequest = None
            EnrichWithResponse = None
            EnrichWithException = None
            RecordException = true
        }

type GrpcClientInstrumentationOptions =
    {
        Filter: (HttpRequestMessage -> bool) option
        EnrichWithRequest: (Activity -> HttpRequestMessage -> unit) option
        EnrichWithResponse: (Activity -> HttpResponseMessage -> unit) option
    }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module GrpcClientInstrumentationOptions =
    [<CompiledName("Default")>]
    let defaults =
        {
            Filter = None
            EnrichWithRequest = None
            EnrichWithResponse = None
        }
