namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections
open System.Collections.Generic
open System.Diagnostics
open System.Buffers
open System.Runtime.CompilerServices
open System.Runtime.InteropServices
open Functional.Telemetry

// One scratch buffer per thread: tags are copied into it, then consed into a list back to front,
// so a span's attribute list costs exactly one cell per attribute.
type internal AttributeScratch() =
    [<ThreadStatic; DefaultValue>]
    static val mutable private buffer: List<KeyValue>

    // The last string values made on this thread, by a cheap slot of the string (length and first character):
    // a tag that holds the same string instance again (a literal such as "GET") reuses its AnyValue.
    [<ThreadStatic; DefaultValue>]
    static val mutable private strings: AnyValue array

    // The last ActivitySource seen on this thread and its scope: spans of one source come in runs.
    [<ThreadStatic; DefaultValue>]
    static val mutable private lastSource: ActivitySource

    [<ThreadStatic; DefaultValue>]
    static val mutable private lastScope: InstrumentationScope

    static member Buffer
        with get () = AttributeScratch.buffer
        and set value = AttributeScratch.buffer <- value

    static member Strings
        with get () = AttributeScratch.strings
        and set value = AttributeScratch.strings <- value

    static member LastSource
        with get () = AttributeScratch.lastSource
        and set value = AttributeScratch.lastSource <- value

    static member LastScope
        with get () = AttributeScratch.lastScope
        and set value = AttributeScratch.lastScope <- value

/// Conversions between System.Diagnostics (Activity, ActivityContext, tag objects) and the model.
/// This is the only place that reads an Activity; the rest of the SDK sees Span records.
[<RequireQualifiedAccess>]
module internal ActivityConversion =
    let private unixEpochTicks = DateTime.UnixEpoch.Ticks

    /// A UTC DateTime as Unix nanoseconds.
    [<CompiledName("ToUnixNanoseconds")>]
    let toUnixNanoseconds (time: DateTime) = (time.Ticks - unixEpochTicks) * 100L

    /// Unix nanoseconds as a UTC DateTime (100 ns resolution).
    [<CompiledName("OfUnixNanoseconds")>]
    let ofUnixNanoseconds (nanoseconds: int64) = DateTime(unixEpochTicks + nanoseconds / 100L, DateTimeKind.Utc)

    /// Our trace id of an ActivityTraceId.
    [<CompiledName("ToTraceId")>]
    let toTraceId (id: ActivityTraceId) = ActivityIds.toTraceId id

    /// Our span id of an ActivitySpanId.
    [<CompiledName("ToSpanId")>]
    let toSpanId (id: ActivitySpanId) = ActivityIds.toSpanId id

    /// The ActivityTraceId of our trace id.
    [<CompiledName("OfTraceId")>]
    let ofTraceId (id: TraceId) = ActivityTraceId.CreateFromString(id.ToHex().AsSpan())

    /// The ActivitySpanId of our span id.
    [<CompiledName("OfSpanId")>]
    let ofSpanId (id: SpanId) = ActivitySpanId.CreateFromString(id.ToHex().AsSpan())

    let private traceStateOf (text: string) =
        if String.IsNullOrEmpty text then
            TraceState.Empty
        else
            TraceState.tryParse text |> Option.defaultValue TraceState.Empty

    /// Our span context of an ActivityContext.
    [<CompiledName("ToSpanContext")>]
    let toSpanContext (context: ActivityContext) =
        {
            TraceId = toTraceId context.TraceId
            SpanId = toSpanId context.SpanId
            TraceFlags = TraceFlags(byte context.TraceFlags)
            TraceState = traceStateOf context.TraceState
            IsRemote = context.IsRemote
        }

    let private randomFlag = 0x02uy

    // The outermost in-process activity of the same trace: the one started from the extracted context, or the root.
    let rec private localRoot (activity: Activity) =
        match activity.Parent with
        | null -> activity
        | parent when parent.TraceId.Equals activity.TraceId -> localRoot parent
        | _ -> activity

    /// The W3C trace flags to propagate for an activity: its own, and the random-trace-id flag of Trace Context
    /// Level 2, which .NET keeps only on the activity started from the extracted context (a child's
    /// ActivityTraceFlags has just the sampled bit). Set when the trace's local root has it (the trace id came in
    /// with it), or when the trace started here with .NET's random trace ids (no parent at all and no custom
    /// `Activity.TraceIdGenerator`); clear when the trace came in without it, or from a parent context that no
    /// longer says. Whether trace ids made in this process are random is given (.NET's own generator's are; a custom
    /// `Activity.TraceIdGenerator`'s may not be).
    [<CompiledName("PropagatedTraceFlagsWith")>]
    let propagatedTraceFlagsWith (localTraceIdsRandom: bool) (activity: Activity) =
        let own = byte activity.ActivityTraceFlags

        if own &&& randomFlag <> 0uy then
            TraceFlags own
        else
            let root = localRoot activity

            let random =
                if byte root.ActivityTraceFlags &&& randomFlag <> 0uy then
                    true
                elif
                    root.HasRemoteParent
                    || not (root.ParentSpanId.Equals Unchecked.defaultof<ActivitySpanId>)
                    || not (isNull root.ParentId)
                then
                    false
                else
                    localTraceIdsRandom

            TraceFlags(if random then own ||| randomFlag else own)

    /// `propagatedTraceFlagsWith`, trace ids made here being random when no custom `Activity.TraceIdGenerator` is set
    /// or the one set is the SDK's X-Ray generator (its low 12 bytes are random).
    [<CompiledName("PropagatedTraceFlags")>]
    let propagatedTraceFlags (activity: Activity) =
        propagatedTraceFlagsWith (TraceIdGeneration.lowBytesRandom Activity.TraceIdGenerator) activity

    /// The span context to propagate for an activity: its context with `propagatedTraceFlags`.
    [<CompiledName("ToPropagatedSpanContext")>]
    let toPropagatedSpanContext (activity: Activity) =
        { toSpanContext activity.Context with
            TraceFlags = propagatedTraceFlags activity
        }

    /// The ActivityContext of our span context.
    [<CompiledName("OfSpanContext")>]
    let ofSpanContext (context: SpanContext) =
        let traceState =
            if ReadOnlyList.isEmpty context.TraceState.Entries then
                null
            else
                TraceState.format context.TraceState

        ActivityContext(
            ofTraceId context.TraceId,
            ofSpanId context.SpanId,
            enum<ActivityTraceFlags> (int context.TraceFlags.Value),
            traceState,
            context.IsRemote
        )

    let private kindOf kind =
        match kind with
        | ActivityKind.Server -> SpanKind.Server
        | ActivityKind.Client -> SpanKind.Client
        | ActivityKind.Producer -> SpanKind.Producer
        | ActivityKind.Consumer -> SpanKind.Consumer
        | _ -> SpanKind.Internal

    /// The ActivityKind of a span kind.
    [<CompiledName("OfSpanKind")>]
    let ofSpanKind kind =
        match kind with
        | SpanKind.Server -> ActivityKind.Server
        | SpanKind.Client -> ActivityKind.Client
        | SpanKind.Producer -> ActivityKind.Producer
        | SpanKind.Consumer -> ActivityKind.Consumer
        | SpanKind.Internal -> ActivityKind.Internal

    /// The span kind of an ActivityKind.
    [<CompiledName("ToSpanKind")>]
    let toSpanKind kind = kindOf kind

    /// Converts a tag object to a value (see `TagValue.toAnyValue`): strings, booleans, every integer and floating
    /// type, byte arrays, AnyValue itself, arrays and lists of those, key/value sequences as maps; anything else by
    /// ToString. Never throws.
    [<CompiledName("ToAnyValue")>]
    let toAnyValue (value: obj) : AnyValue = TagValue.toAnyValue value

    /// Converts a value to the object an Activity tag holds: primitives as themselves, arrays of one primitive
    /// type as typed arrays (as OpenTelemetry .NET expects), anything else as the AnyValue itself.
    [<CompiledName("OfAnyValue")>]
    let ofAnyValue (value: AnyValue) : obj =
        match value with
        | AnyValue.String s -> box s
        | AnyValue.Bool b -> box b
        | AnyValue.Int i -> box i
        | AnyValue.Double d -> box d
        | AnyValue.Bytes b -> box b
        | AnyValue.Empty -> null
        | AnyValue.Array items when
            items
            |> Seq.forall (function
                | AnyValue.String _ -> true
                | _ -> false)
            ->
            items
            |> Seq.map (function
                | AnyValue.String s -> s
                | _ -> "")
            |> Array.ofSeq
            |> box
        | AnyValue.Array items when
            items
            |> Seq.forall (function
                | AnyValue.Int _ -> true
                | _ -> false)
            ->
            items
            |> Seq.map (function
                | AnyValue.Int i -> i
                | _ -> 0L)
            |> Array.ofSeq
            |> box
        | AnyValue.Array items when
            items
            |> Seq.forall (function
                | AnyValue.Double _ -> true
                | _ -> false)
            ->
            items
            |> Seq.map (function
                | AnyValue.Double d -> d
                | _ -> 0.0)
            |> Array.ofSeq
            |> box
        | AnyValue.Array items when
            items
            |> Seq.forall (function
                | AnyValue.Bool _ -> true
                | _ -> false)
            ->
            items
            |> Seq.map (function
                | AnyValue.Bool b -> b
                | _ -> false)
            |> Array.ofSeq
            |> box
        | other -> box other

    // Taken, not shared: a tag's ToString that starts an Activity on this thread converts tags while the outer
    // call is still filling its buffer, and gets a buffer of its own instead of clearing the outer one.
    let private buffer () =
        match AttributeScratch.Buffer with
        | null -> List<KeyValue>(16)
        | existing ->
            AttributeScratch.Buffer <- null
            existing

    // The list of the buffer's attributes; the buffer is cleared and handed back for the next call.
    let private toList (items: List<KeyValue>) =
        let rec build i acc = if i < 0 then acc else build (i - 1) (items[i] :: acc)

        let result = build (items.Count - 1) []
        items.Clear()
        AttributeScratch.Buffer <- items
        result

    /// The attributes of tag objects, in order.
    [<CompiledName("AttributesOfTags")>]
    let attributesOfTags (tags: IEnumerable<KeyValuePair<string, obj>>) : KeyValue list =
        match tags with
        | null -> []
        | tags ->
            let items = buffer ()

            for KeyValue(key, value) in tags do
                if not (String.IsNullOrEmpty key) then
                    items.Add { Key = key; Value = toAnyValue value }

            toList items

    let private emptyString = AnyValue.String ""

    [<Literal>]
    let private stringSlots = 64

    // Only short strings are kept, so the cache holds at most 64 small strings per thread.
    [<Literal>]
    let private longestCachedString = 256

    let private stringValue (s: string) =
        if s.Length = 0 then
            emptyString
        elif s.Length > longestCachedString then
            AnyValue.String s
        else
            let slots =
                match AttributeScratch.Strings with
                | null ->
                    let created = Array.zeroCreate stringSlots
                    AttributeScratch.Strings <- created
                    created
                | existing -> existing

            let slot = (s.Length * 31 + int s[0]) &&& (stringSlots - 1)
            let cached = slots[slot]

            match box cached with
            | null ->
                let value = AnyValue.String s
                slots[slot] <- value
                value
            | _ ->
                match cached with
                | AnyValue.String c when Object.ReferenceEquals(c, s) -> cached
                | _ ->
                    let value = AnyValue.String s
                    slots[slot] <- value
                    value

    // Reader-side tag values: strings through the per-thread cache, the rest as toAnyValue.
    let private tagValue (value: obj) =
        match value with
        | :? string as s -> stringValue s
        | other -> toAnyValue other

    let private tagAttributes (tags: Activity.Enumerator<KeyValuePair<string, obj>> byref) =
        let items = buffer ()

        while tags.MoveNext() do
            let tag = tags.Current

            if not (String.IsNullOrEmpty tag.Key) then
                items.Add { Key = tag.Key; Value = tagValue tag.Value }

        toList items

    let private activityAttributes (activity: Activity) =
        let mutable tags = activity.EnumerateTagObjects()
        tagAttributes &tags

    let private eventAttributes (event: ActivityEvent) =
        let mutable tags = event.EnumerateTagObjects()
        tagAttributes &tags

    let private linkAttributes (link: ActivityLink) =
        let mutable tags = link.EnumerateTagObjects()
        tagAttributes &tags

    let private events (activity: Activity) =
        let mutable reversed = []
        let mutable e = activity.EnumerateEvents()

        while e.MoveNext() do
            let event = e.Current

            reversed <-
                {
                    Name = event.Name
                    Timestamp = toUnixNanoseconds event.Timestamp.UtcDateTime
                    Attributes = eventAttributes event
                    DroppedAttributes = 0
                }
                :: reversed

        List.rev reversed

    let private links (activity: Activity) =
        let mutable reversed = []
        let mutable e = activity.EnumerateLinks()

        while e.MoveNext() do
            let link = e.Current

            reversed <-
                {
                    Context = toSpanContext link.Context
                    Attributes = linkAttributes link
                    DroppedAttributes = 0
                }
                :: reversed

        List.rev reversed

    let private status (activity: Activity) =
        match activity.Status with
        | ActivityStatusCode.Ok -> Status.Ok
        | ActivityStatusCode.Error ->
            Status.Error(
                match activity.StatusDescription with
                | null -> ""
                | d -> d
            )
        | _ -> Status.Unset

    let private scopes = ConditionalWeakTable<ActivitySource, InstrumentationScope>()

    // One delegate for the cache (a lambda at the call site would allocate per span).
    let private createScope =
        ConditionalWeakTable<ActivitySource, InstrumentationScope>.CreateValueCallback(fun source ->
            {
                Name = source.Name
                Version =
                    match source.Version with
                    | null -> ""
                    | v -> v
                SchemaUrl =
                    match source.TelemetrySchemaUrl with
                    | null -> ""
                    | v -> v
                Attributes = attributesOfTags source.Tags
            })

    let private scopeOf (source: ActivitySource) = scopes.GetValue(source, createScope)

    // The reader's lookup: the thread's last source first, then the table.
    let private spanScopeOf (source: ActivitySource) =
        if Object.ReferenceEquals(AttributeScratch.LastSource, source) then
            AttributeScratch.LastScope
        else
            let scope = scopes.GetValue(source, createScope)
            AttributeScratch.LastScope <- scope
            AttributeScratch.LastSource <- source
            scope

    // A root span's parent id holds no string: it is the empty id without decoding.
    let private parentSpanIdOf (activity: Activity) =
        let parent = activity.ParentSpanId

        if parent.Equals(Unchecked.defaultof<ActivitySpanId>) then
            SpanId.Empty
        else
            toSpanId parent

    /// The scope of an ActivitySource (cached per source).
    [<CompiledName("ScopeOf")>]
    let scope (source: ActivitySource) = scopeOf source

    /// Makes the immutable span record of a stopped Activity and applies the limits.
    [<CompiledName("ToSpan")>]
    let toSpan (limits: SpanLimits) (activity: Activity) : Span =
        let start = toUnixNanoseconds activity.StartTimeUtc

        let span =
            {
                Context =
                    {
                        TraceId = toTraceId activity.TraceId
                        SpanId = toSpanId activity.SpanId
                        TraceFlags = TraceFlags(byte activity.ActivityTraceFlags)
                        TraceState = traceStateOf activity.TraceStateString
                        IsRemote = false
                    }
                ParentSpanId = parentSpanIdOf activity
                ParentIsRemote = activity.HasRemoteParent
                Name = activity.DisplayName
                Kind = kindOf activity.Kind
                StartTime = start
                EndTime = start + activity.Duration.Ticks * 100L
                Attributes = activityAttributes activity
                Events = events activity
                Links = links activity
                Status = status activity
                DroppedAttributes = 0
                DroppedEvents = 0
                DroppedLinks = 0
                Scope = spanScopeOf activity.Source
            }

        SpanLimits.apply limits span

    // The attributes a view can show as they are: at most this many (more take the record's path).
    [<Literal>]
    let private mostFrozenTags = 64

    /// Fills `view` with a stopped Activity as it is now, copying what could change (see SpanView). A span that
    /// the limits would change (too many attributes, a repeated key, a value over the length limit), or that has
    /// events or links, is shown through its record (`toSpan`); any other is shown from the copy: its ids, times,
    /// name, status and scope, and its tags, each a settled object (`TagValue.settle`). Both show what `toSpan`
    /// makes.
    [<CompiledName("Freeze")>]
    let freeze (limits: SpanLimits) (view: SpanView) (activity: Activity) =
        let mutable events = activity.EnumerateEvents()
        let mutable links = activity.EnumerateLinks()
        let mutable frozen = not (events.MoveNext()) && not (links.MoveNext())

        let countLimit = min limits.AttributeCountLimit mostFrozenTags

        let lengthLimit =
            match limits.AttributeValueLengthLimit with
            | Some limit -> max 0 limit
            | None -> Int32.MaxValue

        let mutable count = 0

        if frozen then
            let mutable tags = activity.EnumerateTagObjects()

            while frozen && tags.MoveNext() do
                let tag = tags.Current

                if not (String.IsNullOrEmpty tag.Key) then
                    if count = countLimit then
                        frozen <- false
                    else
                        let buffer = view.TagBuffer(count + 1)
                        let mutable j = 0

                        while frozen && j < count do
                            frozen <- not (String.Equals(buffer[j].Key, tag.Key, StringComparison.Ordinal))
                            j <- j + 1

                        let value = TagValue.settle tag.Value

                        if lengthLimit < Int32.MaxValue && not (TagValue.fitsLength lengthLimit value) then
                            frozen <- false

                        buffer[count] <- KeyValuePair(tag.Key, value)
                        count <- count + 1

        if frozen then
            let start = toUnixNanoseconds activity.StartTimeUtc

            view.SetFrozen(
                {
                    TraceId = toTraceId activity.TraceId
                    SpanId = toSpanId activity.SpanId
                    TraceFlags = TraceFlags(byte activity.ActivityTraceFlags)
                    TraceState = traceStateOf activity.TraceStateString
                    IsRemote = false
                },
                parentSpanIdOf activity,
                activity.HasRemoteParent,
                activity.DisplayName,
                kindOf activity.Kind,
                start,
                start + activity.Duration.Ticks * 100L,
                status activity,
                spanScopeOf activity.Source,
                count
            )
        else
            Array.Clear(view.TagBuffer count, 0, count)
            view.SetRecord(toSpan limits activity)
