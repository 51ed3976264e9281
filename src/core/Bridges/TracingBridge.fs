namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Diagnostics
open Functional.Telemetry

/// Sets ActivityCreationOptions.TraceState, an init-only property that F# cannot assign on a byref,
/// through an open-instance delegate over its setter (made once).
type internal TraceStateSetter<'T> = delegate of byref<ActivityCreationOptions<'T>> * string -> unit

module internal CreationOptions =
    let private setterOf<'T> () =
        let setMethod = typeof<ActivityCreationOptions<'T>>.GetProperty("TraceState").SetMethod

        Delegate.CreateDelegate(typeof<TraceStateSetter<'T>>, null, setMethod) :?> TraceStateSetter<'T>

    let private contextSetter = setterOf<ActivityContext> ()
    let private parentIdSetter = setterOf<string> ()

    let setTraceState (options: ActivityCreationOptions<ActivityContext> byref, state: string) =
        contextSetter.Invoke(&options, state)

    let setParentIdTraceState (options: ActivityCreationOptions<string> byref, state: string) =
        parentIdSetter.Invoke(&options, state)

/// Our sampler's last decision on this thread, from `Sample` to the `ActivityStarted` of the Activity it decided
/// (.NET calls both on the creating thread, back to back). An Activity that our sampler did not sample still
/// inherits its parent's Recorded flag in .NET: `ActivityStarted` clears the flag, so such a span is neither
/// exported nor propagated as sampled.
/// The mark names the bridge that left it (one per SDK; other listeners and SDKs sample the same Activity in
/// between), and every Sample call resets it, the suppressed ones included.
type internal SamplingMark private () =
    [<ThreadStatic; DefaultValue>]
    static val mutable private owner: obj

    [<ThreadStatic; DefaultValue>]
    static val mutable private decision: int

    /// 0: sampled (or no mark); 1: recorded only; 2: dropped.
    static member Set(owner: obj, decision: SamplingDecision) =
        SamplingMark.owner <- owner

        SamplingMark.decision <-
            match decision with
            | SamplingDecision.RecordAndSample -> 0
            | SamplingDecision.RecordOnly -> 1
            | SamplingDecision.Drop -> 2

    static member Clear() = SamplingMark.owner <- null

    /// This bridge's mark for the Activity now starting (0 when another bridge left the last one), cleared.
    static member Take(owner: obj) =
        if obj.ReferenceEquals(SamplingMark.owner, owner) then
            SamplingMark.owner <- null
            SamplingMark.decision
        else
            0

/// The ActivityListener that makes every configured ActivitySource (HttpClient, ASP.NET Core, user code) a
/// span producer: sampling at start through the pure Sampler; on stop a sampled Activity is handed to `onEnd`
/// (the export stages), which turn it into a Span record off the application's thread.
[<Sealed>]
type internal TracingBridge(sources: string list, sampler: Sampler, onEnd: Activity -> unit) =
    let listener = new ActivityListener()
    // This bridge's identity in the per-thread sampling mark.
    let mark = obj ()

    let decide (parent: ActivityContext) (traceId: ActivityTraceId) name kind tags links =
        let parentContext =
            // IEquatable, not F# `=`, which would box both structs.
            if parent.Equals(Unchecked.defaultof<ActivityContext>) then
                SpanContext.Invalid
            else
                ActivityConversion.toSpanContext parent

        try
            // Inside the try: the tags and links are the application's (an enumerable that throws, say).
            let parameters =
                {
                    Parent = parentContext
                    TraceId = ActivityConversion.toTraceId traceId
                    Name = name
                    Kind = ActivityConversion.toSpanKind kind
                    Attributes = ActivityConversion.attributesOfTags tags
                    Links =
                        match links with
                        | null -> []
                        | links ->
                            [
                                for (link: ActivityLink) in links ->
                                    {
                                        Context = ActivityConversion.toSpanContext link.Context
                                        Attributes = ActivityConversion.attributesOfTags link.Tags
                                        DroppedAttributes = 0
                                    }
                            ]
                }

            struct (parentContext, sampler parameters)
        with ex ->
            // A user sampler (or tags) that throws must not break the app: the span is dropped and the fault
            // reported.
            SelfDiagnostics.error "sampler" $"sampling threw {ex.GetType().FullName}; span dropped"

            struct (parentContext,
                    {
                        Decision = SamplingDecision.Drop
                        Attributes = []
                        TraceState = TraceState.Empty
                    })

    // Reading SamplingTags creates its collection: callers touch it only when the sampler added attributes.
    let addTags (result: SamplingResult) (samplingTags: ActivityTagsCollection) =
        for attribute in result.Attributes do
            samplingTags[attribute.Key] <- ActivityConversion.ofAnyValue attribute.Value

    let decisionOf (result: SamplingResult) =
        SamplingMark.Set(mark, result.Decision)

        match result.Decision with
        | SamplingDecision.RecordAndSample -> ActivitySamplingResult.AllDataAndRecorded
        | SamplingDecision.RecordOnly -> ActivitySamplingResult.AllData
        // Dropped spans still propagate their context, so downstream services keep the trace id.
        | SamplingDecision.Drop -> ActivitySamplingResult.PropagationData

    // The new Activity inherits its parent's trace state; only a sampler that changed it needs the setter.
    let changedTraceState (parent: SpanContext) (result: SamplingResult) =
        // An invalid (no) parent has the empty trace state.
        let inherited = parent.TraceState

        if result.TraceState = inherited then
            None
        else
            Some(TraceState.format result.TraceState)

    let sampleRecorded (options: ActivityCreationOptions<ActivityContext> byref) =
        let struct (parent, result) =
            decide options.Parent options.TraceId options.Name options.Kind options.Tags options.Links

        match changedTraceState parent result with
        | Some state -> CreationOptions.setTraceState (&options, state)
        | None -> ()

        if not (ReadOnlyList.isEmpty result.Attributes) then
            addTags result options.SamplingTags

        decisionOf result

    // An export in progress (its HttpClient call, for one) produces no spans: nothing is created for it.
    let sample (options: ActivityCreationOptions<ActivityContext> byref) =
        if Suppression.IsSuppressed then
            SamplingMark.Clear()
            ActivitySamplingResult.None
        else
            sampleRecorded &options

    let sampleParentIdRecorded (options: ActivityCreationOptions<string> byref) =
        // A parent given as a string is a `traceparent` read from a carrier: a remote parent, with the trace state
        // that came with it. A non-W3C (hierarchical) parent id carries no usable context: the span is a root.
        let mutable parsed = Unchecked.defaultof<ActivityContext>

        let parentContext =
            if
                not (isNull options.Parent)
                && ActivityContext.TryParse(options.Parent, options.TraceState, true, &parsed)
            then
                parsed
            else
                Unchecked.defaultof<ActivityContext>

        let struct (parent, result) =
            decide parentContext options.TraceId options.Name options.Kind options.Tags options.Links

        match changedTraceState parent result with
        | Some state -> CreationOptions.setParentIdTraceState (&options, state)
        | None -> ()

        if not (ReadOnlyList.isEmpty result.Attributes) then
            addTags result options.SamplingTags

        decisionOf result

    let sampleUsingParentId (options: ActivityCreationOptions<string> byref) =
        if Suppression.IsSuppressed then
            SamplingMark.Clear()
            ActivitySamplingResult.None
        else
            sampleParentIdRecorded &options

    let started (activity: Activity) =
        match SamplingMark.Take mark with
        // Dropped: cleared only when no listener asked for the data (another SDK or listener that sampled it keeps it).
        | 2 when not activity.IsAllDataRequested && activity.Recorded ->
            activity.ActivityTraceFlags <- activity.ActivityTraceFlags &&& ~~~ActivityTraceFlags.Recorded
        // Recorded only: the flag came from the parent (a listener that sampled it would be indistinguishable).
        | 1 when activity.Recorded ->
            activity.ActivityTraceFlags <- activity.ActivityTraceFlags &&& ~~~ActivityTraceFlags.Recorded
        | _ -> ()

    let stopped (activity: Activity) =
        if activity.Recorded then
            try
                onEnd activity
            with ex ->
                SelfDiagnostics.error "tracing" $"span hand-off threw {ex.GetType().FullName}; span dropped"

    do
        listener.ShouldListenTo <- fun source -> SourceFilter.matchesAny sources source.Name
        listener.Sample <- SampleActivity<ActivityContext>(fun options -> sample &options)
        listener.SampleUsingParentId <- SampleActivity<string>(fun options -> sampleUsingParentId &options)
        listener.ActivityStarted <- Action<Activity>(started)
        listener.ActivityStopped <- Action<Activity>(stopped)
        ActivitySource.AddActivityListener listener

    /// The configured source names and patterns.
    member _.Sources = sources

    /// Stops listening: activities started afterwards are not recorded.
    member _.Dispose() = listener.Dispose()

    interface IDisposable with
        member x.Dispose() = x.Dispose()
