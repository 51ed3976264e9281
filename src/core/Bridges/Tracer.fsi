namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics
open System.Threading.Tasks

/// A native F# tracer. Made with `Tracer.create`, it is a named ActivitySource: its spans are Activities that share
/// `Activity.Current` with every .NET library and flow through the same pipeline as ActivitySource spans. Made with
/// `Tracer.createDirect`, its spans are made without an Activity (see there). Either way, add its name to the
/// tracing sources.
[<Sealed>]
type Tracer =
    /// The underlying ActivitySource (a direct tracer's starts no Activity).
    member Source: ActivitySource

    /// The tracer name (the instrumentation scope name).
    member Name: string

    /// True for a tracer made with `Tracer.createDirect`.
    member IsDirect: bool

    interface IDisposable

/// A started span. When no pipeline records the span (sampled out, or the source is not configured), every
/// operation on it is a no-op, so instrumentation costs almost nothing when tracing is off.
[<Struct; NoEquality; NoComparison>]
type ActiveSpan =
    /// The underlying Activity, if the span is recorded (None for a direct tracer's span).
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

    /// A tracer named `name` (and optional version) whose spans are made without an Activity: a span is a pooled
    /// value of the SDK, sampled at start by the sampler of each running SDK that records `name`, filled by
    /// `ActiveSpan`'s operations and handed to that SDK's pipelines when it ends (after which nothing changes it).
    /// It costs a fraction of an Activity. Direct spans nest with each other and with Activities started around
    /// them (a direct span started inside an Activity is its child; log records written inside a direct span carry
    /// its ids), but .NET libraries do not see them: an Activity started inside a direct span (an HttpClient call)
    /// is a child of the Activity around it, not of the direct span. Use it for code of your own; use `create` where
    /// instrumented libraries run inside the span.
    [<CompiledName("CreateDirect")>]
    val createDirect: name: string -> version: string option -> Tracer

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
