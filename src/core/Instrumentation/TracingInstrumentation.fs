namespace Functional.Telemetry.FSharp

open System
open Functional.Telemetry

[<Sealed>]
type TracingInstrumentation
    internal (name: string, sources: string list, start: EnvLookup -> IDisposable, processor: Processor<Span> option) =
    static member Create(name: string, start: EnvLookup -> IDisposable) =
        if String.IsNullOrWhiteSpace name then
            invalidArg (nameof name) "TracingInstrumentation.Name: an instrumentation needs a name."

        TracingInstrumentation(name, [], start, None)

    member _.Name = name
    member _.Sources = sources
    member internal _.Start(env: EnvLookup) = start env
    member internal _.Processor = processor
