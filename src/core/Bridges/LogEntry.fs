namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections
open System.Collections.Generic
open System.Diagnostics
open System.Threading
open System.Threading.Tasks
open Microsoft.Extensions.Logging

/// The state of a record written through the native F# `Logger` API: its body and attributes as they are.
/// Other ILogger providers see the attributes as key/value pairs and the body as the message.
[<Sealed>]
type internal NativeLogState(body: AnyValue, attributes: KeyValue list) =
    let pairs =
        lazy
            (attributes
             |> List.map (fun a -> KeyValuePair(a.Key, ActivityConversion.ofAnyValue a.Value))
             |> Array.ofList)

    /// The record's body.
    member _.Body = body

    /// The record's attributes.
    member _.Attributes = attributes

    /// The formatter handed to ILogger.Log: the body's text.
    static member Formatter = Func<NativeLogState, exn, string>(fun state _ -> string state.Body)

    override _.ToString() = string body

    interface IReadOnlyList<KeyValuePair<string, obj>> with
        member _.Count = pairs.Value.Length

        member _.Item
            with get index = pairs.Value[index]

        member _.GetEnumerator() : IEnumerator<KeyValuePair<string, obj>> =
            (pairs.Value :> IEnumerable<KeyValuePair<string, obj>>).GetEnumerator()

        member _.GetEnumerator() : IEnumerator = pairs.Value.GetEnumerator()

/// One ILogger call as captured on the application's thread: the least work there, the record is made later
/// by the export stage on the runner's reader thread. Entries are pooled per state type and reused once every
/// pipeline they were posted to has converted (or refused) them.
[<AbstractClass; AllowNullLiteral>]
type internal LogEntry() =
    [<DefaultValue>]
    val mutable Level: LogLevel

    [<DefaultValue>]
    val mutable EventId: EventId

    [<DefaultValue>]
    val mutable Exception: exn

    /// UTC ticks.
    [<DefaultValue>]
    val mutable Ticks: int64

    [<DefaultValue>]
    val mutable TraceId: ActivityTraceId

    [<DefaultValue>]
    val mutable SpanId: ActivitySpanId

    [<DefaultValue>]
    val mutable TraceFlags: ActivityTraceFlags

    [<DefaultValue>]
    val mutable HasContext: bool

    [<DefaultValue>]
    val mutable Scope: InstrumentationScope

    /// Scope values, outermost first; null when scopes are off or there were none.
    [<DefaultValue>]
    val mutable Scopes: obj array

    /// Pipelines that still have to convert this entry.
    [<DefaultValue>]
    val mutable Pending: int

    /// The state's attributes and template text (null when none), as `LogMapping.stateAttributesOf` gives them,
    /// read without boxing a struct state that is a list of key/value pairs.
    abstract StateAttributes: includeTemplate: bool -> struct (KeyValue list * string)

    /// The state when it is a NativeLogState.
    abstract NativeState: NativeLogState voption

    /// The formatted message; null when there is no formatter or it threw or returned null.
    abstract Format: unit -> string

    /// Clears the entry and returns it to its pool.
    abstract Recycle: unit -> unit

    /// Called by each pipeline once done with the entry; the last one recycles it.
    member x.Release() =
        if Interlocked.Decrement(&x.Pending) = 0 then
            x.Exception <- null
            x.Scope <- Unchecked.defaultof<_>
            x.Scopes <- Unchecked.defaultof<_>
            x.Recycle()

/// Reads the attributes of a state of type 'TState.
[<AbstractClass>]
type internal StateReader<'TState>() =
    abstract Read: state: 'TState * includeTemplate: bool -> struct (KeyValue list * string)

/// Any state: boxed, as `LogMapping.stateAttributesOf` takes it.
[<Sealed>]
type internal BoxedStateReader<'TState>() =
    inherit StateReader<'TState>()

    override _.Read(state, includeTemplate) =
        LogMapping.stateAttributesOf TemplateValues.Get includeTemplate (box state)

/// A struct list of key/value pairs (FormattedLogValues, LoggerMessage and source-generated states): read in
/// place, boxed only for the rare fallback to enumeration (an indexer that threw).
[<Sealed>]
type internal ListStateReader<'TState when 'TState :> IReadOnlyList<KeyValuePair<string, obj>>>() =
    inherit StateReader<'TState>()

    override _.Read(state, includeTemplate) =
        match LogMapping.listAttributes TemplateValues.Get includeTemplate state with
        | struct ([], null) as result ->
            let mutable copy = state

            if
                (try
                    copy.Count > 0
                 with _ ->
                     false)
            then
                LogMapping.sequenceAttributes
                    TemplateValues.Get
                    includeTemplate
                    (box state :?> IEnumerable<KeyValuePair<string, obj>>)
            else
                result
        | result -> result

/// The reader for 'TState, chosen once per state type.
[<AbstractClass; Sealed>]
type internal StateReaders<'TState> private () =
    static let reader: StateReader<'TState> =
        let stateType = typeof<'TState>

        if
            stateType.IsValueType
            && typeof<IReadOnlyList<KeyValuePair<string, obj>>>.IsAssignableFrom stateType
        then
            try
                Activator.CreateInstance(
                    typedefof<ListStateReader<IReadOnlyList<KeyValuePair<string, obj>>>>.MakeGenericType stateType
                )
                :?> StateReader<'TState>
            with _ ->
                // No generic instantiation at run time (native AOT): box.
                BoxedStateReader<'TState>()
        else
            BoxedStateReader<'TState>()

    static member Reader = reader

/// A captured call with its state kept unboxed.
[<Sealed; AllowNullLiteral>]
type internal LogEntry<'TState>() =
    inherit LogEntry()

    [<DefaultValue>]
    val mutable State: 'TState

    [<DefaultValue>]
    val mutable Formatter: Func<'TState, exn, string>

    [<DefaultValue>]
    val mutable Next: LogEntry<'TState>

    override x.StateAttributes includeTemplate = StateReaders<'TState>.Reader.Read(x.State, includeTemplate)

    override x.NativeState =
        if typeof<'TState>.IsValueType then
            ValueNone
        else
            match box x.State with
            | :? NativeLogState as native -> ValueSome native
            | _ -> ValueNone

    override x.Format() =
        match x.Formatter with
        | null -> null
        | formatter ->
            try
                formatter.Invoke(x.State, x.Exception)
            with _ ->
                null

    override x.Recycle() =
        x.State <- Unchecked.defaultof<'TState>
        x.Formatter <- null
        LogEntryPool<'TState>.Return x

/// A pool of entries per state type: the reader pushes converted entries onto a shared stack; a producer takes
/// the whole stack at once into its thread's own list and pops from that without synchronisation. Push-only
/// CAS plus take-all exchange has no ABA problem.
and [<Sealed>] internal PoolHead<'TState>() =
    [<DefaultValue>]
    val mutable Head: LogEntry<'TState>

and [<Sealed>] internal LogEntryPool<'TState>() =
    [<ThreadStatic; DefaultValue>]
    static val mutable private local: LogEntry<'TState>

    static let shared = PoolHead<'TState>()

    static member Rent() : LogEntry<'TState> =
        let head = LogEntryPool<'TState>.local

        if not (isNull head) then
            LogEntryPool<'TState>.local <- head.Next
            head.Next <- null
            head
        else
            let taken = Interlocked.Exchange(&shared.Head, null)

            if isNull taken then
                LogEntry<'TState>()
            else
                LogEntryPool<'TState>.local <- taken.Next
                taken.Next <- null
                taken

    static member Return(entry: LogEntry<'TState>) : unit =
        let mutable pushed = false

        while not pushed do
            let head = Volatile.Read(&shared.Head)
            entry.Next <- head
            pushed <- Object.ReferenceEquals(Interlocked.CompareExchange(&shared.Head, entry, head), head)
