namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Diagnostics
open System.Threading

/// A wall clock read through the Stopwatch: Unix nanoseconds of a Stopwatch timestamp, from a pairing of the
/// two clocks made again once a second (so a change of the system clock shows within a second). One clock read
/// per timestamp instead of two (`DateTime.UtcNow` and the Stopwatch): this machine's clock reads are not cheap.
[<Sealed; AllowNullLiteral>]
type internal ClockPair(ticks: int64, unixNanoseconds: int64) =
    member _.Ticks = ticks
    member _.UnixNanoseconds = unixNanoseconds

[<AbstractClass; Sealed>]
type internal DirectClock private () =
    static let nanosecondsPerTick = 1e9 / float Stopwatch.Frequency

    static let pairNow () =
        ClockPair(Stopwatch.GetTimestamp(), ActivityConversion.toUnixNanoseconds DateTime.UtcNow)

    static let mutable pair = pairNow ()

    /// Nanoseconds of a span of Stopwatch ticks.
    static member Nanoseconds(ticks: int64) =
        if Stopwatch.Frequency = 1_000_000_000L then
            ticks
        else
            int64 (float ticks * nanosecondsPerTick)

    /// Unix nanoseconds at the Stopwatch timestamp `stamp` (a current one).
    static member UnixNanoseconds(stamp: int64) =
        let current = Volatile.Read &pair

        let current =
            if stamp - current.Ticks > Stopwatch.Frequency then
                let made = pairNow ()
                Volatile.Write(&pair, made)
                made
            else
                current

        current.UnixNanoseconds + DirectClock.Nanoseconds(stamp - current.Ticks)

/// A span of a direct tracer (`Tracer.createDirect`): made without an Activity, filled by `ActiveSpan`'s
/// operations while it runs, and handed to the tracing pipelines when it ends. From then on nothing changes it:
/// every operation on an ended span is ignored. Pooled: reused once every pipeline has read it, so an `ActiveSpan`
/// holds its generation and does nothing to a span of another generation.
[<Sealed; AllowNullLiteral>]
type internal DirectSpan() =
    [<DefaultValue>]
    val mutable Generation: int

    [<DefaultValue>]
    val mutable Context: SpanContext

    [<DefaultValue>]
    val mutable ParentSpanId: SpanId

    [<DefaultValue>]
    val mutable ParentIsRemote: bool

    [<DefaultValue>]
    val mutable Name: string

    [<DefaultValue>]
    val mutable Kind: SpanKind

    [<DefaultValue>]
    val mutable Scope: InstrumentationScope

    /// Unix nanoseconds.
    [<DefaultValue>]
    val mutable StartTime: int64

    /// Stopwatch ticks at the start (the end is measured from it).
    [<DefaultValue>]
    val mutable StartTicks: int64

    [<DefaultValue>]
    val mutable EndTime: int64

    /// The attributes: keys unique (a later set replaces), values `AnyValue`s.
    [<DefaultValue>]
    val mutable Tags: KeyValuePair<string, obj> array

    [<DefaultValue>]
    val mutable TagCount: int

    /// Newest first.
    [<DefaultValue>]
    val mutable Events: SpanEvent list

    [<DefaultValue>]
    val mutable Links: SpanLink list

    [<DefaultValue>]
    val mutable Status: Status

    [<DefaultValue>]
    val mutable Recording: bool

    /// Recorded and sampled: handed to the pipelines when it ends.
    [<DefaultValue>]
    val mutable Sampled: bool

    /// The sinks it goes to when it ends.
    [<DefaultValue>]
    val mutable Sinks: DirectSink array

    /// 1 once ended.
    [<DefaultValue>]
    val mutable Ended: int

    /// Pipelines that still have to read the span.
    [<DefaultValue>]
    val mutable Pending: int

    [<DefaultValue>]
    val mutable Next: DirectSpan

    /// True while the span of this generation runs.
    member x.IsLive(generation: int) = x.Generation = generation && Volatile.Read &x.Ended = 0

    // An `ActiveSpan` may be used from several threads at once (`ActiveSpan.current ()` flows into parallel work, as
    // `Activity.Current` does; Activity's own tag list locks). Each change below takes the span's lock and checks
    // there that the span of this generation still runs and records: ending takes the same lock, and the span is
    // recycled (a new generation) only after it ended, so no change lands in an ended or reused span.

    /// Runs `change` under the span's lock when the span of `generation` still runs and records.
    member inline private x.WhileRecording(generation: int, [<InlineIfLambda>] change: unit -> unit) =
        lock x (fun () ->
            if x.Generation = generation && x.Ended = 0 && x.Recording then
                change ())

    /// Sets an attribute on the running span of `generation` (nothing once it ended).
    member x.SetAttributeOf(generation: int, key: string, value: AnyValue) =
        x.WhileRecording(generation, (fun () -> x.SetAttributeAtStart(key, value)))

    /// Adds an event to the running span of `generation` (nothing once it ended).
    member x.AddEventOf(generation: int, event: SpanEvent) =
        x.WhileRecording(generation, (fun () -> x.Events <- event :: x.Events))

    /// Sets the status of the running span of `generation`: Ok is final, Unset changes nothing.
    member x.SetStatusOf(generation: int, status: Status) =
        x.WhileRecording(
            generation,
            fun () ->
                match status, x.Status with
                | _, Status.Ok -> ()
                | Status.Unset, _ -> ()
                | status, _ -> x.Status <- status
        )

    /// Renames the running span of `generation`.
    member x.SetNameOf(generation: int, name: string) = x.WhileRecording(generation, (fun () -> x.Name <- name))

    /// Ends the running span of `generation` at the Stopwatch timestamp `stamp`: true for the one call that ended it.
    member x.EndOf(generation: int, stamp: int64) =
        lock x (fun () ->
            if x.Generation = generation && x.Ended = 0 then
                x.EndTime <- x.StartTime + DirectClock.Nanoseconds(stamp - x.StartTicks)
                Volatile.Write(&x.Ended, 1)
                true
            else
                false)

    /// Sets an attribute (replacing one with the same key) without the lock: only while the span is being started,
    /// before any other thread can see it (see `SetAttributeOf`).
    member x.SetAttributeAtStart(key: string, value: AnyValue) =
        if not (String.IsNullOrEmpty key) then
            let mutable i = 0
            let mutable found = false

            while not found && i < x.TagCount do
                if String.Equals(x.Tags[i].Key, key, StringComparison.Ordinal) then
                    x.Tags[i] <- KeyValuePair(key, box value)
                    found <- true

                i <- i + 1

            if not found then
                if isNull x.Tags || x.Tags.Length = x.TagCount then
                    let grown = Array.zeroCreate (if isNull x.Tags then 8 else 2 * x.Tags.Length)

                    if not (isNull x.Tags) then
                        Array.Copy(x.Tags, grown, x.TagCount)

                    x.Tags <- grown

                x.Tags[x.TagCount] <- KeyValuePair(key, box value)
                x.TagCount <- x.TagCount + 1

    /// The attributes as a list, in the order set.
    member x.AttributeList() =
        let mutable list = []

        for i in x.TagCount - 1 .. -1 .. 0 do
            let pair = x.Tags[i]

            list <- { Key = pair.Key; Value = pair.Value :?> AnyValue } :: list

        list

    /// The span's record, with the limits applied.
    member x.ToSpan(limits: SpanLimits) =
        SpanLimits.apply
            limits
            {
                Context = x.Context
                ParentSpanId = x.ParentSpanId
                ParentIsRemote = x.ParentIsRemote
                Name = x.Name
                Kind = x.Kind
                StartTime = x.StartTime
                EndTime = x.EndTime
                Attributes = x.AttributeList()
                Events = List.rev x.Events
                Links = x.Links
                Status = x.Status
                DroppedAttributes = 0
                DroppedEvents = 0
                DroppedLinks = 0
                Scope = x.Scope
            }

    /// Shows the ended span in `view`: its attributes copied when the limits keep them as they are and it has no
    /// events or links, else its record.
    member x.ShowIn(view: SpanView, limits: SpanLimits) =
        let fits =
            List.isEmpty x.Events
            && List.isEmpty x.Links
            && x.TagCount <= limits.AttributeCountLimit
            && (limits.AttributeValueLengthLimit.IsNone || x.TagCount = 0)

        if fits then
            let buffer = view.TagBuffer x.TagCount
            Array.Copy(x.Tags, buffer, x.TagCount)

            view.SetFrozen(
                x.Context,
                x.ParentSpanId,
                x.ParentIsRemote,
                x.Name,
                x.Kind,
                x.StartTime,
                x.EndTime,
                x.Status,
                x.Scope,
                x.TagCount
            )
        else
            view.SetRecord(x.ToSpan limits)

    /// Called by each pipeline once done with the span; the last one returns it to its pool.
    member x.Release() =
        if Interlocked.Decrement(&x.Pending) = 0 then
            x.Recycle()

    /// Clears the span and returns it to its pool (a new generation).
    member x.Recycle() =
        lock x (fun () ->
            Array.Clear(x.Tags, 0, x.TagCount)
            x.TagCount <- 0
            x.Events <- []
            x.Links <- []
            x.Name <- null
            x.Scope <- Unchecked.defaultof<InstrumentationScope>
            x.Status <- Status.Unset
            x.Sinks <- null
            x.Generation <- x.Generation + 1)

        DirectSpanPool.Return x

/// Where direct spans go: the tracing pipelines of one running SDK (its sources, its sampler, its runners),
/// registered while tracing runs.
and [<Sealed>] internal DirectSink(sources: string list, sampler: Sampler, post: DirectSpan -> unit) =
    /// True when the SDK records spans of this tracer name.
    member _.Records(name: string) = SourceFilter.matchesAny sources name
    member _.Sampler = sampler
    /// Hands an ended span to the pipelines (each holds it until it has read it).
    member _.Post(span: DirectSpan) = post span

/// What a tracing thread keeps for its direct spans, found with one thread-static read per span: its own list of
/// spans taken from the shared pool, and the state of its id generator.
and [<Sealed; AllowNullLiteral>] internal DirectThread() =
    [<ThreadStatic; DefaultValue>]
    static val mutable private current: DirectThread

    /// Spans this thread took from the shared pool, not handed out yet.
    [<DefaultValue>]
    val mutable Free: DirectSpan

    /// The id generator's state (xorshift64*), seeded per thread.
    [<DefaultValue>]
    val mutable Seed: uint64

    /// This thread's.
    static member Current =
        match DirectThread.current with
        | null ->
            let made = DirectThread(Seed = (uint64 (Random.Shared.NextInt64()) ||| 1UL))
            DirectThread.current <- made
            made
        | existing -> existing

    /// A random non-zero 64-bit id (xorshift64*: ids need to be unlikely to repeat, not unpredictable, as .NET's own
    /// Activity ids).
    member x.NextId() =
        let mutable state = x.Seed
        state <- state ^^^ (state >>> 12)
        state <- state ^^^ (state <<< 25)
        state <- state ^^^ (state >>> 27)
        x.Seed <- state

        match state * 0x2545F4914F6CDD1DUL with
        | 0UL -> 1UL
        | id -> id

/// A pool of direct spans: ended spans are pushed onto a shared stack by the pipelines; a tracing thread takes the
/// whole stack at once into its own list and pops from that without synchronisation (as the log entries' pool).
and [<AbstractClass; Sealed>] internal DirectSpanPool private () =
    static let mutable shared: DirectSpan = null

    static member Rent(thread: DirectThread) : DirectSpan =
        let head = thread.Free

        if not (isNull head) then
            thread.Free <- head.Next
            head.Next <- null
            head
        else
            let taken = Interlocked.Exchange(&shared, null)

            if isNull taken then
                DirectSpan(Tags = Array.zeroCreate 8, Events = [], Links = [], Status = Status.Unset)
            else
                thread.Free <- taken.Next
                taken.Next <- null
                taken

    static member Return(span: DirectSpan) : unit =
        let mutable pushed = false

        while not pushed do
            let head = Volatile.Read(&shared)
            span.Next <- head
            pushed <- Object.ReferenceEquals(Interlocked.CompareExchange(&shared, span, head), head)

/// A direct span that is current: what children and log records read (immutable; the span itself may be reused
/// once it ended, so its context is kept here), and the Activity that was current when it started.
[<Sealed; AllowNullLiteral>]
type internal DirectScope
    (span: DirectSpan, generation: int, context: SpanContext, activity: Activity, outer: DirectScope) =
    member _.Span = span
    member _.Generation = generation
    member _.Context = context
    /// `Activity.Current` when the span started: while it is still the current Activity, the direct span is the
    /// innermost span; an Activity started inside it is innermost otherwise.
    member _.Activity = activity
    /// The scope current before this one (restored when the span ends).
    member _.Outer = outer

/// The current direct span, flowing with the execution context as `Activity.Current` does.
[<AbstractClass; Sealed>]
type internal DirectContext private () =
    static let current = AsyncLocal<DirectScope>()
    static let mutable used = false

    /// True once a direct span has been current in this process: until then, nobody needs to look.
    static member Used = Volatile.Read &used

    /// Marks that direct spans are in use.
    static member Use() =
        if not used then
            Volatile.Write(&used, true)

    /// The current direct span's scope (null when none).
    static member Current
        with get () = current.Value
        and set (value: DirectScope) = current.Value <- value

    /// The current direct span's scope when it is the innermost span (no Activity was started inside it), else null.
    static member Innermost =
        match current.Value with
        | null -> null
        | scope when Object.ReferenceEquals(scope.Activity, Activity.Current) -> scope
        | _ -> null

/// The running SDKs' direct sinks.
[<AbstractClass; Sealed>]
type internal DirectSinks private () =
    static let gate = obj ()
    static let mutable sinks: DirectSink list = []
    static let mutable version = 0

    /// Changes whenever a sink is added or removed.
    static member Version = Volatile.Read &version

    /// The sinks recording `name`, in the order added.
    static member For(name: string) = sinks |> List.filter (fun s -> s.Records name) |> Array.ofList

    static member Add(sink: DirectSink) =
        lock gate (fun () ->
            sinks <- sinks @ [ sink ]
            Interlocked.Increment &version |> ignore)

    static member Remove(sink: DirectSink) =
        lock gate (fun () ->
            sinks <- sinks |> List.filter (fun s -> not (Object.ReferenceEquals(s, sink)))
            Interlocked.Increment &version |> ignore)

/// Starting and ending direct spans (see `Tracer.createDirect`).
module internal DirectTracing =
    let private randomFlag = 0x02uy

    // The parent of a new span: the one given, else the innermost of the current direct span and Activity.
    let private parentOf (given: SpanContext option) (outer: DirectScope) (activity: Activity) =
        match given with
        | Some context -> context
        | None ->
            if not (isNull outer) && Object.ReferenceEquals(outer.Activity, activity) then
                outer.Context
            else
                match activity with
                | null -> SpanContext.Invalid
                | activity -> ActivityConversion.toPropagatedSpanContext activity

    let private dropped =
        {
            Decision = SamplingDecision.Drop
            Attributes = []
            TraceState = TraceState.Empty
        }

    /// Starts a span sampled by the first sink's sampler and makes it current; None when no sink records it.
    let start
        (sinks: DirectSink array)
        (scope: InstrumentationScope)
        (name: string)
        (kind: SpanKind)
        (attributes: KeyValue list)
        (links: SpanLink list)
        (given: SpanContext option)
        =
        if sinks.Length = 0 || Suppression.IsSuppressed then
            ValueNone
        else
            DirectContext.Use()
            let thread = DirectThread.Current
            let outer = DirectContext.Current
            let activity = Activity.Current
            let parent = parentOf given outer activity

            let traceId =
                if parent.IsValid then
                    parent.TraceId
                else
                    TraceId(thread.NextId(), thread.NextId())

            let result =
                try
                    sinks[0].Sampler
                        {
                            Parent = parent
                            TraceId = traceId
                            Name = name
                            Kind = kind
                            Attributes = attributes
                            Links = links
                        }
                with ex ->
                    SelfDiagnostics.error "sampler" $"sampling threw {ex.GetType().FullName}; span dropped"
                    dropped

            let sampled = result.Decision = SamplingDecision.RecordAndSample

            // The random-trace-id flag: ours when this span starts the trace, else the parent's.
            let random =
                if parent.IsValid then
                    parent.TraceFlags.Value &&& randomFlag
                else
                    randomFlag

            let span = DirectSpanPool.Rent thread

            span.Context <-
                {
                    TraceId = traceId
                    SpanId = SpanId(thread.NextId())
                    TraceFlags = TraceFlags((if sampled then 1uy else 0uy) ||| random)
                    TraceState = result.TraceState
                    IsRemote = false
                }

            span.ParentSpanId <- if parent.IsValid then parent.SpanId else SpanId.Empty
            span.ParentIsRemote <- parent.IsValid && parent.IsRemote
            span.Name <- name
            span.Kind <- kind
            span.Scope <- scope
            span.Recording <- result.Decision <> SamplingDecision.Drop
            span.Sampled <- sampled
            span.Sinks <- sinks
            span.Links <- links
            span.Ended <- 0

            if span.Recording then
                for attribute in attributes do
                    span.SetAttributeAtStart(attribute.Key, attribute.Value)

                for attribute in ReadOnlyList.toList result.Attributes do
                    span.SetAttributeAtStart(attribute.Key, attribute.Value)

            let stamp = Stopwatch.GetTimestamp()
            span.StartTicks <- stamp
            span.StartTime <- DirectClock.UnixNanoseconds stamp
            let current = DirectScope(span, span.Generation, span.Context, activity, outer)
            DirectContext.Current <- current
            ValueSome current

    /// Ends the span of `generation` (nothing when it has ended already): the scope around it is current again, and
    /// a sampled span goes to its sinks' pipelines.
    let finish (span: DirectSpan) (generation: int) (scope: DirectScope) =
        if span.Generation = generation && span.EndOf(generation, Stopwatch.GetTimestamp()) then
            if Object.ReferenceEquals(DirectContext.Current, scope) then
                DirectContext.Current <- scope.Outer

            if span.Sampled then
                // Held by this call until every sink has been handed the span.
                span.Pending <- 1

                for sink in span.Sinks do
                    try
                        sink.Post span
                    with ex ->
                        SelfDiagnostics.error "tracing" $"span hand-off threw {ex.GetType().FullName}; span dropped"

                span.Release()
            else
                span.Recycle()
