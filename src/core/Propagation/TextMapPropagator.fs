namespace Functional.Telemetry.FSharp

open Functional.Telemetry

type PropagationContext = { SpanContext: SpanContext option; Baggage: Baggage }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PropagationContext =
    [<CompiledName("Empty")>]
    let empty = { SpanContext = None; Baggage = Baggage.empty }

type TextMapPropagator =
    {
        Name: string
        Fields: string list
        Inject: PropagationContext -> (string * string) list
        Extract: (string -> string list) -> PropagationContext -> PropagationContext
    }
