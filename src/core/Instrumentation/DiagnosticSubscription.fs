namespace Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Reflection

/// Callbacks the user gave an instrumentation (filters, enrichers), run on the application's thread: one that
/// throws is reported through the SDK's diagnostics (rate-limited) and never reaches the instrumented library.
[<RequireQualifiedAccess>]
module internal UserCallback =
    let private report (instrumentation: string) (callback: string) (error: exn) =
        SelfDiagnostics.error instrumentation $"the {callback} callback threw {error.GetType().FullName}; ignored"

    /// Runs an enricher.
    let run (instrumentation: string) (callback: string) (action: unit -> unit) =
        try
            action ()
        with error ->
            report instrumentation callback error

    /// Asks a filter; a filter that throws answers `onError`.
    let test (instrumentation: string) (callback: string) (onError: bool) (predicate: unit -> bool) =
        try
            predicate ()
        with error ->
            report instrumentation callback error
            onError

/// Reads a property of a DiagnosticListener payload by name: the libraries write private payload types (HttpClient's
/// `ActivityStartData`, gRPC's), whose public properties are kept for their listeners. The getter is looked up once
/// per payload type. Null when the payload has no such property or its value is not a `'T`.
[<Sealed>]
type internal PayloadProperty<'T when 'T: null>(name: string) =
    // The last payload type and its property, replaced as one reference.
    [<VolatileField>]
    let mutable cached: Type * PropertyInfo = (null, null)

    member _.Read(payload: obj) : 'T =
        if isNull payload then
            null
        else
            let payloadType = payload.GetType()
            let cachedType, cachedProperty = cached

            let property =
                if obj.ReferenceEquals(cachedType, payloadType) then
                    cachedProperty
                else
                    let found = payloadType.GetProperty(name, BindingFlags.Public ||| BindingFlags.Instance)
                    cached <- (payloadType, found)
                    found

            if isNull property then
                null
            else
                match property.GetValue payload with
                | :? 'T as value -> value
                | _ -> null

/// A subscription to the DiagnosticListener named `listenerName`, whether it exists now or is made later: the
/// events `isEnabled` admits go to `onEvent` with their payload. A handler that throws is reported, never thrown
/// into the library that writes the event; events written while the SDK exports (its own HTTP calls) are ignored.
/// Disposing unsubscribes.
[<Sealed>]
type internal DiagnosticSubscription
    private (instrumentation: string, listenerName: string, isEnabled: string -> bool, onEvent: string -> obj -> unit) =
    let gate = obj ()
    let subscriptions = List<IDisposable>()
    let mutable disposed = false
    let mutable allListeners: IDisposable = null

    let enabled = Func<string, obj, obj, bool>(fun name _ _ -> isEnabled name)

    let events =
        { new IObserver<KeyValuePair<string, obj>> with
            member _.OnNext event =
                if not Suppression.IsSuppressed then
                    try
                        onEvent event.Key event.Value
                    with error ->
                        SelfDiagnostics.error
                            instrumentation
                            $"handling the event {event.Key} threw {error.GetType().FullName}; ignored"

            member _.OnError _ = ()
            member _.OnCompleted() = ()
        }

    let listeners =
        { new IObserver<DiagnosticListener> with
            member _.OnNext listener =
                if String.Equals(listener.Name, listenerName, StringComparison.Ordinal) then
                    lock gate (fun () ->
                        if not disposed then
                            subscriptions.Add(listener.Subscribe(events, enabled)))

            member _.OnError _ = ()
            member _.OnCompleted() = ()
        }

    member private _.Subscribe() = allListeners <- DiagnosticListener.AllListeners.Subscribe listeners

    /// Subscribes now (to a listener that already exists) and to one made later.
    static member Start(instrumentation, listenerName, isEnabled, onEvent) =
        let subscription = new DiagnosticSubscription(instrumentation, listenerName, isEnabled, onEvent)

        subscription.Subscribe()
        subscription

    member _.Dispose() =
        let current =
            lock gate (fun () ->
                disposed <- true
                let current = subscriptions.ToArray()
                subscriptions.Clear()
                current)

        if not (isNull allListeners) then
            allListeners.Dispose()

        for subscription in current do
            subscription.Dispose()

    interface IDisposable with
        member x.Dispose() = x.Dispose()
