namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// A processor is a plain function from a record to the record to keep (possibly changed), or None to drop it.
/// Filters, enrichers and redactors are all processors; `>=>` chains them left to right.
type Processor<'T> = 'T -> 'T option

/// Building and composing processors. Pure.
[<RequireQualifiedAccess>]
module Processor =
    /// Keeps everything unchanged.
    [<CompiledName("Identity")>]
    val identity: item: 'T -> 'T option

    /// Keeps the records for which `predicate` is true.
    [<CompiledName("Filter")>]
    val filter: predicate: ('T -> bool) -> Processor<'T>

    /// Changes every record (an enricher or redactor). Plain `'T -> 'T` functions compose with `>>` before lifting.
    [<CompiledName("Map")>]
    val map: change: ('T -> 'T) -> Processor<'T>

    /// Runs `first`, then `second` on what it kept.
    [<CompiledName("AndThen")>]
    val andThen: first: Processor<'T> -> second: Processor<'T> -> Processor<'T>

    /// Chains processors left to right; the empty list is `identity`.
    [<CompiledName("Chain")>]
    val chain: processors: Processor<'T> list -> Processor<'T>

    /// Kleisli composition: `filter isSlow >=> map addTeam >=> map redactTokens`.
    val (>=>): first: Processor<'T> -> second: Processor<'T> -> Processor<'T>

/// Span processors: the usual enrichers and redactors.
[<RequireQualifiedAccess>]
module SpanProcessor =
    /// Adds (or replaces) an attribute on every span.
    [<CompiledName("SetAttribute")>]
    val setAttribute: key: string -> value: AnyValue -> span: Span -> Span

    /// Replaces the values of the attributes with these keys (on spans, events and links) by `replacement`.
    [<CompiledName("Redact")>]
    val redact: keys: string list -> replacement: string -> span: Span -> Span

/// The processor composition operator, available wherever `Functional.Telemetry` is opened.
[<AutoOpen>]
module ProcessorOperators =
    /// Kleisli composition of processors: `Processor.filter isSlow >=> Processor.map addTeam`.
    val (>=>): first: Processor<'T> -> second: Processor<'T> -> Processor<'T>
