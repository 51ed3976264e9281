namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// What crosses a process boundary: the span context (when there is one) and the baggage.
type PropagationContext =
    {
        /// The span context to continue; None when there is none.
        SpanContext: SpanContext option
        /// The baggage.
        Baggage: Baggage
    }

/// Building propagation contexts.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PropagationContext =
    /// No span context, empty baggage.
    [<CompiledName("Empty")>]
    val empty: PropagationContext

/// A text-map propagator as pure functions: it never touches a carrier itself.
type TextMapPropagator =
    {
        /// A short name, for example `tracecontext`; a composite joins its parts' names with `,`.
        Name: string
        /// The header names this propagator reads and writes.
        Fields: string list
        /// The headers to set for a context, in order; nothing for what cannot be propagated.
        Inject: PropagationContext -> (string * string) list
        /// Reads headers through a getter (header name -> all its values; carriers compare names
        /// case-insensitively) and returns the context so far updated with what was found; unchanged when nothing valid was found.
        Extract: (string -> string list) -> PropagationContext -> PropagationContext
    }
