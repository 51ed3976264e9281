namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Threading
open System.Threading.Channels
open System.Threading.Tasks

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

    // Suppressed: telemetry made inside a sink (a log call to an ILogger this SDK exports, say) is not recorded, so
    // the SDK's own diagnostics never feed its pipelines (an export failure logged, exported, failing, logged ...).
    let safeWrite level message at =
        Suppression.Run(fun () ->
            try
                write level message at
            with _ ->
                ()

            Task.FromResult())
        |> ignore

    // Started with no flowing ExecutionContext: the loop lives as long as the writer (the process, for standard
    // error) and must not keep the starting request's Activity.Current and AsyncLocals.
    let loop =
        use _ = ExecutionContext.SuppressFlow()

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
            DiagnosticsWriter.Within(written.Task, timeout)
        else
            Task.FromResult false

    /// Stops taking lines; the loop writes what is queued (and the summary of suppressed lines) and ends. Completes
    /// when it has, or at the timeout.
    member _.Complete(timeout: TimeSpan) : Task<bool> =
        queue.Writer.TryComplete() |> ignore
        DiagnosticsWriter.Within(loop, timeout)

    /// True when `work` completes within `timeout`.
    static member private Within(work: Task, timeout: TimeSpan) : Task<bool> =
        task {
            try
                do! work.WaitAsync timeout
                return true
            with _ ->
                return false
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
