namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic

/// The same diagnostic at most once per interval: the first of a key is written; later ones within the interval
/// are counted; the first after it is written with that count. Keys name a kind of message (a pipeline's export
/// failures, say), not its exact text, so failures whose reasons differ in a number are still one message.
/// Thread-safe; diagnostics are rare, so a lock is enough.
[<Sealed>]
type internal DiagnosticsRateLimit(interval: TimeSpan, clock: unit -> int64) =
    // Per key: when it was last written (the clock's milliseconds), how many were suppressed since, and the most
    // severe level among them.
    let entries = Dictionary<string, struct (int64 * int64 * DiagnosticLevel)>(StringComparer.Ordinal)

    let gate = obj ()
    let intervalMs = int64 interval.TotalMilliseconds

    // Keys are kinds of messages, but a generic message is its own key: bound the table by forgetting keys whose
    // interval is over and that hold nothing suppressed, then, if that is not enough, everything.
    let prune now =
        if entries.Count >= 1024 then
            let stale =
                entries
                |> Seq.filter (fun kv ->
                    let struct (last, suppressed, _) = kv.Value
                    now - last >= intervalMs && suppressed = 0L)
                |> Seq.map _.Key
                |> Array.ofSeq

            for key in stale do
                entries.Remove key |> ignore

            if entries.Count >= 1024 then
                entries.Clear()

    /// A rate limit of `interval` on the process's tick count.
    new(interval: TimeSpan) = DiagnosticsRateLimit(interval, fun () -> Environment.TickCount64)

    /// The interval.
    member _.Interval = interval

    /// ValueSome with the number suppressed since the last write when a diagnostic of `key` is to be written now;
    /// ValueNone when it is suppressed (and counted).
    member _.Admit(key: string, level: DiagnosticLevel) : int64 voption =
        let now = clock ()

        lock gate (fun () ->
            match entries.TryGetValue key with
            | true, struct (last, suppressed, worst) when now - last < intervalMs ->
                let worst =
                    if suppressed = 0L || int level < int worst then
                        level
                    else
                        worst

                entries.[key] <- struct (last, suppressed + 1L, worst)
                ValueNone
            | true, struct (_, suppressed, _) ->
                entries.[key] <- struct (now, 0L, level)
                ValueSome suppressed
            | _ ->
                prune now
                entries.[key] <- struct (now, 0L, level)
                ValueSome 0L)

    /// The keys with suppressed diagnostics, with the most severe level among them and their count, which is reset
    /// (for a summary at the end).
    member _.TakeSuppressed() : (string * DiagnosticLevel * int64) list =
        lock gate (fun () ->
            let pending =
                entries
                |> Seq.choose (fun kv ->
                    let struct (_, suppressed, worst) = kv.Value

                    if suppressed > 0L then
                        Some(kv.Key, worst, suppressed)
                    else
                        None)
                |> List.ofSeq

            for key, level, _ in pending do
                let struct (last, _, _) = entries.[key]
                entries.[key] <- struct (last, 0L, level)

            pending)
