namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics
open System.Threading.Tasks

/// A native F# tracer: a named ActivitySource, so its spans share `Activity.Current` with every .NET library
/// and flow through the same pipeline as ActivitySource spans. Add its name to the tracing sources.
[<Sealed>]
type Tracer =
    /// The underlying ActivitySource.
    member Source: ActivitySource

    /// The tracer name (the instrumentation scope name).
    member Name: string

    interface IDisposable

/// A started span. When no pipeline records the span (sampled out, or the source is not configured), every
/// operation on it is a no-op, so instrumentation costs almost nothing when tracing is off.
[<Struct; NoEquality; NoComparison>]
type ActiveSpan =
    /// The underlying Activity, if the span is recorded.
    member Activity: Activity option

    /// The span's context, as it propagates (with the random-trace-id flag of its trace, which the Activity of a
    /// child span does not carry); `SpanContext.Invalid` when not recorded.
    member Context: SpanContext

    /// True when the span is recorded (its attributes and events will be kept).
    member IsRecording: bool

    /// Ends the span (idempotent).
    member Dispose: unit -> unit

    interface IDisposable

/// How to start a span.
type SpanStart =
    {
        /// The span name.
        Name: string
        /// The span kind. Default Internal.
        Kind: SpanKind
        /// Attributes known at start (the sampler sees them).
        Attributes: KeyValue list
        /// Links to other spans (only possible at start).
        Links: SpanLink list
        /// An explicit parent (for example one extracted from a message); None uses `Activity.Current`.
        Parent: SpanContext option
    }

/// Starting spans and running code inside them.
[<RequireQualifiedAccess>]
module Tracer =
    /// A tracer named `name` (and optional version).
    [<CompiledName("Create")>]
    val create: name: string -> version: string option -> Tracer

    /// Start options with just a name: kind Internal, no attributes, links or explicit parent.
    [<CompiledName("Named")>]
    val named: name: string -> SpanStart

    /// Starts a span as the current one; dispose it (or use `use`) to end it.
    [<CompiledName("StartSpan")>]
    val startSpan: tracer: Tracer -> start: SpanStart -> ActiveSpan

    /// Runs `work` inside a span named `name`. An exception is recorded on the span (an `exception` event and
    /// Error status), then rethrown.
    [<CompiledName("InSpan")>]
    val inSpan: tracer: Tracer -> name: string -> work: (ActiveSpan -> 'T) -> 'T

    /// Like inSpan with full start options.
    [<CompiledName("InSpanWith")>]
    val inSpanWith: tracer: Tracer -> start: SpanStart -> work: (ActiveSpan -> 'T) -> 'T

    /// Runs a task-returning function inside a span that ends when the task completes; a faulted task is
    /// recorded as an exception and Error status. Context flows through awaits with `Activity.Current`.
    [<CompiledName("InSpanTask")>]
    val inSpanTask: tracer: Tracer -> name: string -> work: (ActiveSpan -> Task<'T>) -> Task<'T>

    /// Runs an F# async workflow inside a span that ends when the workflow completes.
    [<CompiledName("InSpanAsync")>]
    val inSpanAsync: tracer: Tracer -> name: string -> work: (ActiveSpan -> Async<'T>) -> Async<'T>

/// Operations on a started span.
[<RequireQualifiedAccess>]
module ActiveSpan =
    /// The current span (`Activity.Current`), if any.
    [<CompiledName("Current")>]
    val current: unit -> ActiveSpan

    /// Sets an attribute (replacing one with the same key).
    [<CompiledName("SetAttribute")>]
    val setAttribute: key: string -> value: AnyValue -> span: ActiveSpan -> unit

    /// Adds a timestamped event.
    [<CompiledName("AddEvent")>]
    val addEvent: name: string -> attributes: KeyValue list -> span: ActiveSpan -> unit

    /// Sets the status. Per the spec, Ok is final, and Unset never overrides a set status.
    [<CompiledName("SetStatus")>]
    val setStatus: status: Status -> span: ActiveSpan -> unit

    /// Records an exception as an `exception` event with `exception.type`, `exception.message` and
    /// `exception.stacktrace`. The status is not changed (set it to Error if the exception failed the operation).
    [<CompiledName("RecordException")>]
    val recordException: error: exn -> span: ActiveSpan -> unit

    /// Changes the span name.
    [<CompiledName("UpdateName")>]
    val updateName: name: string -> span: ActiveSpan -> unit
