namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Threading
open System.Threading.Channels
open System.Threading.Tasks

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

/// What travels through a writer's queue.
[<RequireQualifiedAccess>]
type internal DiagnosticsItem =
    /// A line to write: its level, its text and when it was reported.
    | Line of level: DiagnosticLevel * message: string * reportedAt: DateTimeOffset
    /// Completed once every line posted before it is written.
    | Marker of TaskCompletionSource

/// Writes diagnostics off the reporting thread: `Post` rate-limits and puts the line in a bounded queue, one loop on
/// the thread pool (no thread of its own while idle) hands lines to `write`. A full queue drops the line (the next
/// line written says how many were dropped); a `write` that throws loses its line, never the loop. Nothing here
/// throws into the SDK or the application.
[<Sealed>]
type internal DiagnosticsWriter(write: DiagnosticLevel -> string -> DateTimeOffset -> unit, limit: DiagnosticsRateLimit)
    =
    static let capacity = 1024

    let queue =
        Channel.CreateBounded<DiagnosticsItem>(
            BoundedChannelOptions(
                capacity,
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait
            )
        )

    let mutable dropped = 0L

    let safeWrite level message at =
        try
            write level message at
        with _ ->
            ()

    let loop =
        Task.Run<unit>(fun () ->
            task {
                let reader = queue.Reader
                let mutable running = true

                while running do
                    let! more = reader.WaitToReadAsync()

                    if not more then
                        running <- false
                    else
                        let mutable item = Unchecked.defaultof<DiagnosticsItem>

                        while reader.TryRead(&item) do
                            match item with
                            | DiagnosticsItem.Line(level, message, at) ->
                                let lost = Interlocked.Exchange(&dropped, 0L)

                                if lost > 0L then
                                    safeWrite
                                        DiagnosticLevel.Warning
                                        $"diagnostics: {lost} diagnostics were dropped (the diagnostics queue was full)"
                                        at

                                safeWrite level message at
                            | DiagnosticsItem.Marker written -> written.TrySetResult() |> ignore

                // The summary of what the rate limit held back, once nothing more comes.
                for key, level, count in limit.TakeSuppressed() do
                    safeWrite level $"{key}: {count} more suppressed since the last one written" DateTimeOffset.UtcNow
            })

    /// Rate-limits the line (its `key` names the kind of message) and queues it, with the count of those suppressed
    /// before it.
    member _.Post(level: DiagnosticLevel, key: string, message: string) =
        try
            match limit.Admit(key, level) with
            | ValueNone -> ()
            | ValueSome suppressed ->
                let text =
                    if suppressed > 0L then
                        $"{message} ({suppressed} similar suppressed in the last {int limit.Interval.TotalSeconds} s)"
                    else
                        message

                if not (queue.Writer.TryWrite(DiagnosticsItem.Line(level, text, DateTimeOffset.UtcNow))) then
                    Interlocked.Increment &dropped |> ignore
        with _ ->
            ()

    /// Completes when every line queued before the call is written, or at the timeout (true when written).
    member _.Flush(timeout: TimeSpan) : Task<bool> =
        let written = TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)

        if queue.Writer.TryWrite(DiagnosticsItem.Marker written) then
            task {
                let! winner = Task.WhenAny(written.Task, Task.Delay timeout)
                return Object.ReferenceEquals(winner, written.Task)
            }
        else
            Task.FromResult false

    /// Stops taking lines; the loop writes what is queued (and the summary of suppressed lines) and ends. Completes
    /// when it has, or at the timeout.
    member _.Complete(timeout: TimeSpan) : Task<bool> =
        queue.Writer.TryComplete() |> ignore

        task {
            let! winner = Task.WhenAny(loop, Task.Delay timeout)
            return Object.ReferenceEquals(winner, loop)
        }

/// How diagnostics look on standard error.
module internal DiagnosticsFormat =
    /// One line: `2025-06-01T10:15:30.123Z Functional.Telemetry warn: <message>`.
    let line (level: DiagnosticLevel) (message: string) (at: DateTimeOffset) =
        let time =
            at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", Globalization.CultureInfo.InvariantCulture)

        $"{time} Functional.Telemetry {DiagnosticLevels.name level}: {message}"

/// A running SDK's place in the process-wide list of diagnostics sinks; `Close` takes it out.
[<Sealed; AllowNullLiteral>]
type internal DiagnosticsRegistration(close: TimeSpan -> Task<bool>) =
    let mutable closed = 0

    /// Takes the sink out of the list, then waits (at most `timeout`) for what it queued to be written.
    member _.Close(timeout: TimeSpan) : Task<bool> =
        if Interlocked.Exchange(&closed, 1) = 0 then
            close (if timeout < TimeSpan.Zero then TimeSpan.Zero else timeout)
        else
            Task.FromResult true

/// The diagnostics sinks of the running SDKs. Diagnostics are process-wide, as the `Functional-Telemetry` event
/// source is (the runners, exporters and bridges that report them do not know their SDK): every sink registered
/// receives each diagnostic its threshold admits. A writer registered by several SDKs (standard error) gets each
/// diagnostic once, under the most verbose of their thresholds.
module internal DiagnosticsSinks =
    [<NoEquality; NoComparison>]
    type private Registration = { Writer: DiagnosticsWriter; Threshold: DiagnosticLevel }

    let private gate = obj ()
    let mutable private registrations: Registration array = [||]

    /// The rate limit of every sink: the same kind of message at most once per 30 seconds.
    let interval = TimeSpan.FromSeconds 30.

    /// The process's standard error writer, shared by the SDKs that use it; made when first needed. Standard error
    /// is looked up at each write, so `Console.SetError` redirects it.
    let standardError =
        lazy
            DiagnosticsWriter(
                (fun level message at -> Console.Error.WriteLine(DiagnosticsFormat.line level message at)),
                DiagnosticsRateLimit interval
            )

    /// A writer handing each line to `sink` (a sink given in code), rate-limited.
    let ofSink (sink: DiagnosticLevel -> string -> unit) =
        DiagnosticsWriter((fun level message _ -> sink level message), DiagnosticsRateLimit interval)

    /// Whether any sink is registered (a diagnostic reported with none costs this check).
    let any () = (Volatile.Read &registrations).Length > 0

    /// Hands a diagnostic to every registered writer whose threshold admits it, once per writer.
    let publish (level: DiagnosticLevel) (key: string) (message: string) =
        let current = Volatile.Read &registrations

        for i in 0 .. current.Length - 1 do
            let writer = current.[i].Writer
            let mutable first = true
            let mutable admitted = false

            for j in 0 .. current.Length - 1 do
                if Object.ReferenceEquals(current.[j].Writer, writer) then
                    if j < i then
                        first <- false

                    if int level <= int current.[j].Threshold then
                        admitted <- true

            if first && admitted then
                writer.Post(level, key, message)

    /// Adds `writer` with this threshold. Closing the registration takes it out and waits for what it queued:
    /// a writer of its own (`completeWriter`) is completed, a shared one flushed.
    let register (writer: DiagnosticsWriter) (threshold: DiagnosticLevel) (completeWriter: bool) =
        let registration = { Writer = writer; Threshold = threshold }
        lock gate (fun () -> registrations <- Array.append registrations [| registration |])

        DiagnosticsRegistration(fun timeout ->
            lock gate (fun () ->
                registrations <-
                    registrations
                    |> Array.filter (fun r -> not (Object.ReferenceEquals(r, registration))))

            if completeWriter then
                writer.Complete timeout
            else
                writer.Flush timeout)

    /// Registers an SDK's sink (`sink`, else standard error) under `threshold`; with no threshold (`OTEL_LOG_LEVEL`
    /// `none`) nothing is registered.
    let start (threshold: DiagnosticLevel option) (sink: (DiagnosticLevel -> string -> unit) option) =
        match threshold, sink with
        | None, _ -> DiagnosticsRegistration(fun _ -> Task.FromResult true)
        | Some threshold, Some sink -> register (ofSink sink) threshold true
        | Some threshold, None -> register standardError.Value threshold false
