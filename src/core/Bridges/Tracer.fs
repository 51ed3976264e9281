namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Runtime.ExceptionServices
open System.Threading.Tasks

[<Sealed>]
type Tracer(source: ActivitySource) =
    member _.Source = source
    member _.Name = source.Name

    interface IDisposable with
        member _.Dispose() = source.Dispose()

[<Struct; NoEquality; NoComparison>]
type ActiveSpan(activity: Activity) =
    member _.Activity = Option.ofObj activity

    member _.Context =
        match activity with
        | null -> SpanContext.Invalid
        | a -> ActivityConversion.toPropagatedSpanContext a

    member _.IsRecording = not (isNull activity) && activity.IsAllDataRequested

    member _.Dispose() =
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
    let current () = new ActiveSpan(Activity.Current)

    let private whenRecording (span: ActiveSpan) action =
        match span.Activity with
        | Some activity when activity.IsAllDataRequested -> action activity
        | _ -> ()

    [<CompiledName("SetAttribute")>]
    let setAttribute key value span =
        whenRecording span (fun a -> a.SetTag(key, ActivityConversion.ofAnyValue value) |> ignore)

    let private tagsOf (attributes: KeyValue list) =
        let tags = ActivityTagsCollection()

        for attribute in attributes do
            tags[attribute.Key] <- ActivityConversion.ofAnyValue attribute.Value

        tags

    [<CompiledName("AddEvent")>]
    let addEvent name attributes span =
        whenRecording span (fun a ->
            a.AddEvent(ActivityEvent(name, DateTimeOffset.UtcNow, tagsOf attributes))
            |> ignore)

    [<CompiledName("SetStatus")>]
    let setStatus status span =
        whenRecording span (fun a ->
            match status, a.Status with
            | _, ActivityStatusCode.Ok -> ()
            | Status.Unset, _ -> ()
            | Status.Ok, _ -> a.SetStatus(ActivityStatusCode.Ok) |> ignore
            | Status.Error description, _ -> a.SetStatus(ActivityStatusCode.Error, description) |> ignore)

    [<CompiledName("RecordException")>]
    let recordException (error: exn) span =
        // Activity.AddException writes exception.type, exception.message and exception.stacktrace
        // (Exception.ToString(), as the semantic conventions ask) and notifies exception recorders.
        whenRecording span (fun a -> a.AddException error |> ignore)

    [<CompiledName("UpdateName")>]
    let updateName name span = whenRecording span (fun a -> a.DisplayName <- name)

[<RequireQualifiedAccess>]
module Tracer =
    [<CompiledName("Create")>]
    let create (name: string) (version: string option) = new Tracer(new ActivitySource(name, Option.toObj version))

    [<CompiledName("Named")>]
    let named name =
        {
            Name = name
            Kind = SpanKind.Internal
            Attributes = []
            Links = []
            Parent = None
        }

    [<CompiledName("StartSpan")>]
    let startSpan (tracer: Tracer) (start: SpanStart) =
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
