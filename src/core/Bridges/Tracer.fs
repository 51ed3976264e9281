namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Runtime.ExceptionServices
open System.Threading.Tasks

[<Sealed>]
type Tracer(source: ActivitySource, direct: bool) =
    let scope =
        {
            Name = source.Name
            Version =
                match source.Version with
                | null -> ""
                | v -> v
            SchemaUrl = ""
            Attributes = []
        }

    // A direct tracer's sinks, found again when the running SDKs change.
    let mutable sinksVersion = -1
    let mutable sinks: DirectSink array = [||]

    member _.Source = source
    member _.Name = source.Name
    member _.IsDirect = direct

    /// The instrumentation scope of a direct tracer's spans.
    member internal _.Scope = scope

    /// The sinks of the running SDKs that record this tracer's name.
    member internal _.Sinks =
        let version = DirectSinks.Version

        if version <> sinksVersion then
            sinks <- DirectSinks.For source.Name
            sinksVersion <- version

        sinks

    interface IDisposable with
        member _.Dispose() = source.Dispose()

[<Struct; NoEquality; NoComparison>]
type ActiveSpan internal (activity: Activity, direct: DirectSpan, generation: int, scope: DirectScope) =
    new(activity: Activity) = new ActiveSpan(activity, null, 0, null)

    member _.Activity = Option.ofObj activity

    /// The direct span's generation (see `Direct`).
    member internal _.Generation = generation

    /// The direct span, while it runs (null for an Activity's span or once ended).
    member internal _.Direct =
        if not (isNull direct) && direct.IsLive generation then
            direct
        else
            null

    member _.Context =
        if not (isNull scope) then
            scope.Context
        else
            match activity with
            | null -> SpanContext.Invalid
            | a -> ActivityConversion.toPropagatedSpanContext a

    member x.IsRecording =
        if not (isNull scope) then
            let running = x.Direct
            not (isNull running) && running.Recording
        else
            not (isNull activity) && activity.IsAllDataRequested

    member x.Dispose() =
        if not (isNull scope) then
            DirectTracing.finish direct generation scope
        else
            match activity with
            | null -> ()
            | a -> a.Dispose()

    interface IDisposable with
        member x.Dispose() = x.Dispose()

type SpanStart =
    {
        Name: string
        Kind: SpanKind
        Attributes: KeyValue list
        Links: SpanLink list
        Parent: SpanContext option
    }

[<RequireQualifiedAccess>]
module ActiveSpan =
    [<CompiledName("Current")>]
    let current () =
        match (if DirectContext.Used then DirectContext.Innermost else null) with
        | null -> new ActiveSpan(Activity.Current)
        | scope -> new ActiveSpan(null, scope.Span, scope.Generation, scope)

    let private whenRecording (span: ActiveSpan) action =
        match span.Activity with
        | Some activity when activity.IsAllDataRequested -> action activity
        | _ -> ()

    // A direct span's operations: only while it runs and is recorded (checked again under the span's lock).
    let private recordingDirect (span: ActiveSpan) =
        match span.Direct with
        | null -> null
        | direct when direct.Recording -> direct
        | _ -> null

    let private nowNanoseconds () = ActivityConversion.toUnixNanoseconds DateTime.UtcNow

    [<CompiledName("SetAttribute")>]
    let setAttribute key value (span: ActiveSpan) =
        match recordingDirect span with
        | null -> whenRecording span (fun a -> a.SetTag(key, ActivityConversion.ofAnyValue value) |> ignore)
        | direct -> direct.SetAttributeOf(span.Generation, key, value)

    let private tagsOf (attributes: KeyValue list) =
        let tags = ActivityTagsCollection()

        for attribute in attributes do
            tags[attribute.Key] <- ActivityConversion.ofAnyValue attribute.Value

        tags

    [<CompiledName("AddEvent")>]
    let addEvent name (attributes: KeyValue list) (span: ActiveSpan) =
        match recordingDirect span with
        | null ->
            whenRecording span (fun a ->
                a.AddEvent(ActivityEvent(name, DateTimeOffset.UtcNow, tagsOf attributes))
                |> ignore)
        | direct ->
            direct.AddEventOf(
                span.Generation,
                {
                    Name = name
                    Timestamp = nowNanoseconds ()
                    Attributes = KeyValue.dedupe attributes
                    DroppedAttributes = 0
                }
            )

    [<CompiledName("SetStatus")>]
    let setStatus status (span: ActiveSpan) =
        match recordingDirect span with
        | null ->
            whenRecording span (fun a ->
                match status, a.Status with
                | _, ActivityStatusCode.Ok -> ()
                | Status.Unset, _ -> ()
                | Status.Ok, _ -> a.SetStatus(ActivityStatusCode.Ok) |> ignore
                | Status.Error description, _ -> a.SetStatus(ActivityStatusCode.Error, description) |> ignore)
        | direct -> direct.SetStatusOf(span.Generation, status)

    [<CompiledName("RecordException")>]
    let recordException (error: exn) (span: ActiveSpan) =
        match recordingDirect span with
        | null ->
            // Activity.AddException writes exception.type, exception.message and exception.stacktrace
            // (Exception.ToString(), as the semantic conventions ask) and notifies exception recorders.
            whenRecording span (fun a -> a.AddException error |> ignore)
        | _ -> addEvent "exception" (LogMapping.exceptionAttributes error) span

    [<CompiledName("UpdateName")>]
    let updateName name (span: ActiveSpan) =
        match recordingDirect span with
        | null -> whenRecording span (fun a -> a.DisplayName <- name)
        | direct -> direct.SetNameOf(span.Generation, name)

[<RequireQualifiedAccess>]
module Tracer =
    [<CompiledName("Create")>]
    let create (name: string) (version: string option) =
        new Tracer(new ActivitySource(name, Option.toObj version), false)

    [<CompiledName("CreateDirect")>]
    let createDirect (name: string) (version: string option) =
        new Tracer(new ActivitySource(name, Option.toObj version), true)

    [<CompiledName("Named")>]
    let named name =
        {
            Name = name
            Kind = SpanKind.Internal
            Attributes = []
            Links = []
            Parent = None
        }

    let private startDirect (tracer: Tracer) (start: SpanStart) =
        match
            DirectTracing.start
                tracer.Sinks
                tracer.Scope
                start.Name
                start.Kind
                start.Attributes
                start.Links
                start.Parent
        with
        | ValueSome scope -> new ActiveSpan(null, scope.Span, scope.Generation, scope)
        | ValueNone -> new ActiveSpan(null)

    let private startActivity (tracer: Tracer) (start: SpanStart) =
        let parent =
            match start.Parent with
            | Some context -> ActivityConversion.ofSpanContext context
            | None ->
                match Activity.Current with
                | null -> Unchecked.defaultof<ActivityContext>
                | current -> current.Context

        let tags: KeyValuePair<string, obj> seq =
            match start.Attributes with
            | [] -> null
            | attributes ->
                attributes
                |> List.map (fun a -> KeyValuePair<string, obj>(a.Key, ActivityConversion.ofAnyValue a.Value))
                :> _

        let links: ActivityLink seq =
            match start.Links with
            | [] -> null
            | links ->
                links
                |> List.map (fun l ->
                    let tags =
                        ReadOnlyList.toList l.Attributes
                        |> List.map (fun a -> KeyValuePair<string, obj>(a.Key, ActivityConversion.ofAnyValue a.Value))

                    ActivityLink(ActivityConversion.ofSpanContext l.Context, ActivityTagsCollection tags))
                :> _

        new ActiveSpan(
            tracer.Source.StartActivity(start.Name, ActivityConversion.ofSpanKind start.Kind, parent, tags, links)
        )

    [<CompiledName("StartSpan")>]
    let startSpan (tracer: Tracer) (start: SpanStart) =
        if tracer.IsDirect then
            startDirect tracer start
        else
            startActivity tracer start

    let private fail (span: ActiveSpan) (error: exn) =
        ActiveSpan.recordException error span
        ActiveSpan.setStatus (Status.Error error.Message) span

    [<CompiledName("InSpanWith")>]
    let inSpanWith tracer start (work: ActiveSpan -> 'T) =
        use span = startSpan tracer start

        try
            work span
        with error ->
            fail span error
            reraise ()

    [<CompiledName("InSpan")>]
    let inSpan tracer name work = inSpanWith tracer (named name) work

    [<CompiledName("InSpanTask")>]
    let inSpanTask tracer name (work: ActiveSpan -> Task<'T>) : Task<'T> =
        task {
            use span = startSpan tracer (named name)

            try
                return! work span
            with error ->
                fail span error
                ExceptionDispatchInfo.Throw error
                return Unchecked.defaultof<'T>
        }

    [<CompiledName("InSpanAsync")>]
    let inSpanAsync tracer name (work: ActiveSpan -> Async<'T>) : Async<'T> =
        async {
            use span = startSpan tracer (named name)

            try
                return! work span
            with error ->
                fail span error
                ExceptionDispatchInfo.Throw error
                return Unchecked.defaultof<'T>
        }
