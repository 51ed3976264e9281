namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections
open System.Collections.Generic
open System.Threading
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

/// What a log call's state leaves in the view at the call. Values that cannot change (strings, numbers and other
/// value types, null) are copied as they are; any other object is converted now, so a collection or an object of
/// the application changed after the call does not change the record.
module internal StateValues =
    /// True for a value the view keeps as it is.
    let isSettled (value: obj) =
        match value with
        | null -> true
        | :? string
        | :? AnyValue -> true
        | _ -> value.GetType().IsValueType

    /// The value the view keeps.
    let settle (value: obj) : obj =
        if isSettled value then
            value
        else
            box (TagValue.toAnyValue value)

    /// The template of a pair when it is `{OriginalFormat}` with a string; null otherwise.
    let templateOf (pair: KeyValuePair<string, obj>) =
        if String.Equals(pair.Key, LogMapping.OriginalFormatKey) then
            match pair.Value with
            | :? string as text -> text
            | _ -> null
        else
            null

    /// True when the template has braces (`{{` would be unescaped by formatting, `{` is an error).
    let hasBraces (template: string) = not (isNull template) && template.AsSpan().IndexOfAny('{', '}') >= 0

    /// Copies the pairs of an enumerable state (until its enumeration throws: what was read is kept) into the view,
    /// settled; returns whether every value was settled as it was, with the count and template.
    let copySequence (view: LogRecordView) (pairs: IEnumerable<KeyValuePair<string, obj>>) =
        let mutable count = 0
        let mutable template: string = null
        let mutable settled = true

        try
            use e = pairs.GetEnumerator()

            while e.MoveNext() do
                let pair = e.Current
                let buffer = view.PairBuffer(count + 1)

                if isNull template then
                    template <- templateOf pair

                if not (isSettled pair.Value) then
                    settled <- false

                buffer[count] <- KeyValuePair(pair.Key, settle pair.Value)
                count <- count + 1
        with _ ->
            ()

        struct (count, template, settled)

/// How the calls of one state type are captured: into the view's pairs now, or kept in the entry.
[<AbstractClass>]
type internal StateCapture<'TState>() =
    /// Copies what the view needs of the state (or keeps the state in `entry`); `formatter` formats it now when the
    /// message cannot be formatted later.
    abstract Capture:
        entry: LogEntry<'TState> * state: 'TState * formatter: Func<'TState, exn, string> * error: exn -> unit

    /// The state's pairs read into the view now (a kept state, read on a pipeline's thread).
    abstract ReadKept: view: LogRecordView * state: 'TState -> unit

    default _.ReadKept(view, _) = view.SetPairs(0, null)

    /// The formatter called now, guarded: null when there is none, it threw or it returned null.
    static member FormatNow(state: 'TState, formatter: Func<'TState, exn, string>, error: exn) =
        match formatter with
        | null -> null
        | formatter ->
            try
                formatter.Invoke(state, error)
            with _ ->
                null

/// One ILogger call: its view (the data of the call) and, for the state types whose values are kept as they are
/// (`LoggerMessage.Define`'s), the state and formatter, read when the view is first read. Entries are pooled per
/// state type and reused once every pipeline they were posted to has released the view.
and [<Sealed; AllowNullLiteral>] internal LogEntry<'TState>() =
    inherit LogOwner()

    [<DefaultValue>]
    val mutable View: LogRecordView

    [<DefaultValue>]
    val mutable State: 'TState

    [<DefaultValue>]
    val mutable Formatter: Func<'TState, exn, string>

    [<DefaultValue>]
    val mutable Error: exn

    [<DefaultValue>]
    val mutable Next: LogEntry<'TState>

    override x.ReadState view = StateCaptures<'TState>.Capture.ReadKept(view, x.State)

    override x.Format() = StateCapture<'TState>.FormatNow(x.State, x.Formatter, x.Error)

    override x.Recycle() =
        x.State <- Unchecked.defaultof<'TState>
        x.Formatter <- null
        x.Error <- null
        LogEntryPool<'TState>.Return x

/// A pool of entries per state type: the reader pushes released entries onto a shared stack; a producer takes
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
                let entry = LogEntry<'TState>()
                entry.View <- LogRecordView(entry)
                entry
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

/// The capture of each state type, chosen once per type.
and [<AbstractClass; Sealed>] internal StateCaptures<'TState> private () =
    static let capture: StateCapture<'TState> =
        let stateType = typeof<'TState>
        let loggingAssembly = typeof<ILogger>.Assembly
        let isList = typeof<IReadOnlyList<KeyValuePair<string, obj>>>.IsAssignableFrom stateType

        // Instantiated by reflection: the generic constraint is known only here. Without generic instantiation at
        // run time (native AOT) the boxed capture reads every state.
        let make (definition: Type) =
            try
                Activator.CreateInstance(definition.MakeGenericType stateType) :?> StateCapture<'TState>
            with _ ->
                BoxedCapture<'TState>() :> StateCapture<'TState>

        if stateType = typeof<NativeLogState> then
            NativeCapture<'TState>() :> StateCapture<'TState>
        elif stateType.IsValueType && isList && stateType.Assembly = loggingAssembly then
            // LoggerExtensions' FormattedLogValues (its values in an array the caller holds: copied now, the message
            // formatted later as it formats it) and LoggerMessage.Define's LogValues (its values in its own fields:
            // kept, when they are value types or strings, which cannot change).
            let arguments =
                if stateType.IsGenericType then
                    stateType.GetGenericArguments()
                else
                    [||]

            if
                stateType.Name.StartsWith("LogValues", StringComparison.Ordinal)
                && arguments |> Array.forall (fun t -> t.IsValueType || t = typeof<string>)
            then
                make typedefof<KeptCapture<IReadOnlyList<KeyValuePair<string, obj>>>>
            elif stateType.Name = "FormattedLogValues" then
                make typedefof<TemplateCapture<IReadOnlyList<KeyValuePair<string, obj>>>>
            else
                make typedefof<ListCapture<IReadOnlyList<KeyValuePair<string, obj>>>>
        elif stateType.IsValueType && isList then
            make typedefof<ListCapture<IReadOnlyList<KeyValuePair<string, obj>>>>
        else
            BoxedCapture<'TState>() :> StateCapture<'TState>

    static member Capture: StateCapture<'TState> = capture

/// Any state: its pairs copied (settled) from the boxed state when it has pairs, the message formatted now.
and [<Sealed>] internal BoxedCapture<'TState>() =
    inherit StateCapture<'TState>()

    override _.Capture(entry, state, formatter, error) =
        let view = entry.View

        let struct (count, template, _) =
            match box state with
            | :? IEnumerable<KeyValuePair<string, obj>> as pairs -> StateValues.copySequence view pairs
            | _ -> struct (0, null, true)

        view.SetState(count, template, LogBody.Text, StateCapture<'TState>.FormatNow(state, formatter, error))

/// A struct list of pairs (source-generated states): read in place by index, the message formatted now.
and [<Sealed>] internal ListCapture<'TState when 'TState :> IReadOnlyList<KeyValuePair<string, obj>>>() =
    inherit StateCapture<'TState>()

    /// Copies the pairs by index (settled); ValueNone when the indexer throws.
    static member CopyList(view: LogRecordView, state: 'TState) =
        let mutable list = state

        try
            let count = list.Count
            let buffer = view.PairBuffer count
            let mutable template: string = null
            let mutable settled = true

            for i in 0 .. count - 1 do
                let pair = list[i]

                if isNull template then
                    template <- StateValues.templateOf pair

                if not (StateValues.isSettled pair.Value) then
                    settled <- false

                buffer[i] <- KeyValuePair(pair.Key, StateValues.settle pair.Value)

            ValueSome(struct (count, template, settled))
        with _ ->
            ValueNone

    /// The pairs by index, or by enumeration (of the boxed state) when the indexer throws.
    static member Copy(view: LogRecordView, state: 'TState) =
        match ListCapture<'TState>.CopyList(view, state) with
        | ValueSome copied -> copied
        | ValueNone -> StateValues.copySequence view (box state :?> IEnumerable<KeyValuePair<string, obj>>)

    override _.Capture(entry, state, formatter, error) =
        let view = entry.View
        let struct (count, template, _) = ListCapture<'TState>.Copy(view, state)
        view.SetState(count, template, LogBody.Text, StateCapture<'TState>.FormatNow(state, formatter, error))

/// `LoggerExtensions`' state: the pairs copied now (by index, in place), the message formatted from them when
/// first read, as `FormattedLogValues` formats it. Formatted now instead when a value had to be converted (it
/// is not one that cannot change), or when there are no holes and the template has braces (whether formatting
/// unescapes them depends on values the state does not show).
and [<Sealed>] internal TemplateCapture<'TState when 'TState :> IReadOnlyList<KeyValuePair<string, obj>>>() =
    inherit StateCapture<'TState>()

    override _.Capture(entry, state, formatter, error) =
        let view = entry.View
        let struct (count, template, settled) = ListCapture<'TState>.Copy(view, state)

        let lastIsTemplate =
            count > 0
            && not (isNull template)
            && Object.ReferenceEquals(StateValues.templateOf (view.PairBuffer(count).[count - 1]), template)

        if settled && lastIsTemplate && (count > 1 || not (StateValues.hasBraces template)) then
            view.SetState(count, template, LogBody.Template, null)
        else
            view.SetState(count, template, LogBody.Text, StateCapture<'TState>.FormatNow(state, formatter, error))

/// `LoggerMessage.Define`'s state with value-type or string values: kept as it is (its fields are the values);
/// its pairs are read, and its message formatted, when the view is first read.
and [<Sealed>] internal KeptCapture<'TState when 'TState :> IReadOnlyList<KeyValuePair<string, obj>>>() =
    inherit StateCapture<'TState>()

    override _.Capture(entry, state, formatter, error) =
        entry.State <- state
        entry.Formatter <- formatter
        entry.Error <- error
        entry.View.SetStateKept()

    override _.ReadKept(view, state) =
        let struct (count, template, _) = ListCapture<'TState>.Copy(view, state)
        view.SetPairs(count, template)

/// The native F# `Logger`'s state: its body and attributes as they are (immutable).
and [<Sealed>] internal NativeCapture<'TState>() =
    inherit StateCapture<'TState>()

    override _.Capture(entry, state, _, _) =
        match box state with
        | :? NativeLogState as native -> entry.View.SetNative(native.Body, native.Attributes)
        | _ -> entry.View.SetState(0, null, LogBody.Text, null)
