namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics
open Microsoft.Extensions.Logging
open Functional.Telemetry

/// A logger of one category: captures each enabled call into a pooled entry and posts it to the pipelines.
[<Sealed>]
type internal FunctionalLogger(scope: InstrumentationScope, bridge: LoggerBridge) =
    interface ILogger with
        member _.IsEnabled level = bridge.IsEnabled level

        member _.BeginScope<'TState>(state: 'TState) : IDisposable =
            let provider: IExternalScopeProvider = bridge.ScopeProvider
            provider.Push(box state)

        member _.Log<'TState>
            (level: LogLevel, eventId: EventId, state: 'TState, error: exn, formatter: Func<'TState, exn, string>)
            =
            bridge.Emit(scope, level, eventId, state, error, formatter)

/// The ILoggerProvider of the SDK: Microsoft.Extensions.Logging calls (and the native F# `Logger`) become log
/// records. On the application's thread it only captures the call into a pooled view (level, event id, the
/// state's pairs copied, exception, time, the current Activity's ids, scopes when enabled; see `LogEntry`) and
/// posts it to each exporter's runner; the message is formatted, and a record made, only when an exporter or a
/// processor reads one. Never throws into the application; after shutdown the runners refuse (and count) what is
/// posted.
and [<Sealed>] internal LoggerBridge
    (options: LogRecordOptions, includeScopes: bool, pipelines: (Runner<LogRecordView> * IExportInterest) array) =
    let runners = Array.map fst pipelines
    // Per pipeline, its exporter's interest check (null: always interested).
    let interests = Array.map snd pipelines
    // A mask has one bit per pipeline: with more than 64 pipelines, interest checks are not used.
    let gated = runners.Length <= 64 && interests |> Array.exists (isNull >> not)
    let loggers = ConcurrentDictionary<string, ILogger>(StringComparer.Ordinal)
    let mutable scopeProvider: IExternalScopeProvider = LoggerExternalScopeProvider()

    static let collectScope = Action<obj, List<obj>>(fun scope list -> list.Add scope)

    /// A provider with no pipelines: every logger is disabled.
    static member Disabled() =
        new LoggerBridge(
            {
                Limits = LogRecordLimits.defaults
                TemplateAsBody = false
            },
            false,
            [||]
        )

    member _.HasPipelines = runners.Length > 0

    /// The pipelines that want a record of this level now, as a bit mask (pipeline i is bit i); all bits when
    /// no pipeline has an interest check.
    member private _.Wanted(level: LogLevel) =
        if not gated then
            UInt64.MaxValue
        else
            let severity = LogMapping.severityNumber level
            let mutable mask = 0UL

            for i in 0 .. interests.Length - 1 do
                if isNull interests[i] || interests[i].IsInterested severity then
                    mask <- mask ||| (1UL <<< i)

            mask

    /// Whether a call at this level would reach any pipeline now.
    member x.IsEnabled(level: LogLevel) = level <> LogLevel.None && runners.Length > 0 && x.Wanted level <> 0UL

    member _.ScopeProvider = scopeProvider

    member x.Emit<'TState>(scope, level, eventId, state: 'TState, error, formatter: Func<'TState, exn, string>) =
        let wanted =
            if level <> LogLevel.None && runners.Length > 0 && not Suppression.IsSuppressed then
                x.Wanted level
            else
                0UL

        if wanted <> 0UL then
            try
                let entry = LogEntryPool<'TState>.Rent()
                let view = entry.View

                let scopes =
                    if includeScopes then
                        let values = List<obj>()
                        scopeProvider.ForEachScope(collectScope, values)
                        values.ToArray()
                    else
                        null

                match Activity.Current with
                | null ->
                    view.SetCall(
                        options,
                        DateTime.UtcNow.Ticks,
                        level,
                        eventId,
                        error,
                        scope,
                        false,
                        Unchecked.defaultof<ActivityTraceId>,
                        Unchecked.defaultof<ActivitySpanId>,
                        ActivityTraceFlags.None,
                        scopes
                    )
                | activity ->
                    view.SetCall(
                        options,
                        DateTime.UtcNow.Ticks,
                        level,
                        eventId,
                        error,
                        scope,
                        true,
                        activity.TraceId,
                        activity.SpanId,
                        activity.ActivityTraceFlags,
                        scopes
                    )

                // A direct tracer's span current inside the innermost Activity: the record is written in it.
                if DirectContext.Used then
                    match DirectContext.Innermost with
                    | null -> ()
                    | direct -> view.SetSpanContext direct.Context

                StateCaptures<'TState>.Capture.Capture(entry, state, formatter, error)

                if wanted = UInt64.MaxValue then
                    view.SetPending runners.Length

                    for runner in runners do
                        if not (runner.Post view) then
                            view.Release()
                else
                    view.SetPending(Numerics.BitOperations.PopCount wanted)

                    for i in 0 .. runners.Length - 1 do
                        if wanted &&& (1UL <<< i) <> 0UL && not (runners[i].Post view) then
                            view.Release()
            with ex ->
                SelfDiagnostics.error "logs" $"log capture threw {ex.GetType().FullName}; record dropped"

    /// The logger of a category (one instance per category).
    member x.CreateLogger(category: string) : ILogger =
        let category =
            match category with
            | null -> ""
            | c -> c

        loggers.GetOrAdd(category, fun name -> FunctionalLogger(InstrumentationScope.Named name, x) :> ILogger)

    /// Counters of each log export pipeline, by exporter name.
    member _.Pipelines = runners |> Array.map (fun r -> r.Name, r.Stats) |> List.ofArray

    interface ILoggerProvider with
        member x.CreateLogger category = x.CreateLogger category

        // The SDK owns the pipelines: a LoggerFactory disposing its providers does not shut them down.
        member _.Dispose() = ()

    interface ISupportExternalScope with
        member _.SetScopeProvider provider =
            if not (isNull provider) then
                scopeProvider <- provider
