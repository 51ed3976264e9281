namespace Functional.Telemetry.FSharp

open System
open Functional.Telemetry

[<Sealed>]
type TracingInstrumentation
    internal (name: string, sources: string list, start: unit -> IDisposable, processor: Processor<Span> option) =
    member _.Name = name
    member _.Sources = sources
    member internal _.Start() = start ()
    member internal _.Processor = processor
