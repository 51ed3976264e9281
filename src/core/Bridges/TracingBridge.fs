namespace Functional.Telemetry

open System
open System.Diagnostics

/// The ActivityListener that makes every configured ActivitySource (HttpClient, ASP.NET Core, user code) a
/// span producer: sampling at start through the pure Sampler, and on stop the Activity becomes a Span record
/// handed to `onEnd`.
[<Sealed>]
type TracingBridge(sources: string list, sampler: Sampler, limits: SpanLimits, onEnd: Span -> unit) =
    let listener = new ActivityListener()

    let decide (parent: ActivityContext) (traceId: ActivityTraceId) name kind tags links =
        let parentContext =
            if parent = Unchecked.defaultof<ActivityContext> then None
            else Some(ActivityConversion.toSpanContext parent)

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
                        [ for (link: ActivityLink) in links ->
                              {
                                  Context = ActivityConversion.toSpanContext link.Context
                                  Attributes = ActivityConversion.attributesOfTags link.Tags
                                  DroppedAttributes = 0
                              } ]
            }

        try
            sampler parameters
        with ex ->
            // A user sampler that throws must not break the app: the span is dropped and the fault reported.
            SelfDiagnostics.error "sampler" $"sampler threw {ex.GetType().FullName}; span dropped"

            {
                Decision = SamplingDecision.Drop
                Attributes = []
                TraceState = TraceState.Empty
            }

    let apply (result: SamplingResult) (samplingTags: ActivityTagsCollection) (setTraceState: string -> unit) =
        for attribute in result.Attributes do
            samplingTags[attribute.Key] <- ActivityConversion.ofAnyValue attribute.Value

        if not result.TraceState.Entries.IsEmpty then
            setTraceState (TraceState.format result.TraceState)

        match result.Decision with
        | SamplingDecision.RecordAndSample -> ActivitySamplingResult.AllDataAndRecorded
        | SamplingDecision.RecordOnly -> ActivitySamplingResult.AllData
        // Dropped spans still propagate their context, so downstream services keep the trace id.
        | SamplingDecision.Drop -> ActivitySamplingResult.PropagationData

    let sample (options: ActivityCreationOptions<ActivityContext> byref) =
        let result =
            decide options.Parent options.TraceId options.Name options.Kind options.Tags options.Links

        let mutable copy = options

        let samplingResult =
            apply result options.SamplingTags (fun state -> copy.TraceState <- state)

        if not result.TraceState.Entries.IsEmpty then
            options.TraceState <- copy.TraceState

        samplingResult

    let sampleUsingParentId (options: ActivityCreationOptions<string> byref) =
        // A non-W3C (hierarchical) parent id carries no usable context: treat the span as a root.
        let mutable parsed = Unchecked.defaultof<ActivityContext>

        let parent =
            if not (isNull options.Parent) && ActivityContext.TryParse(options.Parent, null, &parsed) then
                parsed
            else
                Unchecked.defaultof<ActivityContext>

        let result =
            decide parent options.TraceId options.Name options.Kind options.Tags options.Links

        apply result options.SamplingTags ignore

    let stopped (activity: Activity) =
        if activity.Recorded then
            try
                onEnd (ActivityConversion.toSpan limits activity)
            with ex ->
                SelfDiagnostics.error "tracing" $"span processing threw {ex.GetType().FullName}; span dropped"

    do
        listener.ShouldListenTo <- fun source -> SourceFilter.matchesAny sources source.Name
        listener.Sample <- SampleActivity<ActivityContext>(fun options -> sample &options)
        listener.SampleUsingParentId <- SampleActivity<string>(fun options -> sampleUsingParentId &options)
        listener.ActivityStopped <- Action<Activity>(stopped)
        ActivitySource.AddActivityListener listener

    /// The configured source names and patterns.
    member _.Sources = sources

    /// Stops listening: activities started afterwards are not recorded.
    member _.Dispose() = listener.Dispose()

    interface IDisposable with
        member x.Dispose() = x.Dispose()
