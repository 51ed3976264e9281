namespace Functional.Telemetry

open System
open System.Diagnostics
open System.Threading
open System.Threading.Tasks

/// Starting the SDK's own asynchronous work with no SynchronizationContext current, so that its awaits resume on
/// the thread pool, never on the caller's context: a UI thread that then blocks (in `Dispose`, or on `.Result`)
/// would otherwise wait for itself. The synchronous start of the work still runs on the caller's thread.
module internal NoContext =
    /// Calls `start` with no SynchronizationContext current, and restores the caller's afterwards.
    let run (start: unit -> 'T) : 'T =
        let previous = SynchronizationContext.Current

        if isNull previous then
            start ()
        else
            SynchronizationContext.SetSynchronizationContext null

            try
                start ()
            finally
                SynchronizationContext.SetSynchronizationContext previous

/// Waiting for the SDK's own work with a deadline.
module internal Deadline =
    /// Marks a task's exception as observed once it faults, so that a fault nobody awaits any more (work that
    /// went on past its deadline) never reaches TaskScheduler.UnobservedTaskException.
    let observe (work: Task) =
        if work.IsCompleted then
            work.Exception |> ignore
        else
            work.ContinueWith(
                (fun (finished: Task) -> finished.Exception |> ignore),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted
                ||| TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default
            )
            |> ignore

    /// `work`'s answer, or false if it has not answered within `timeout` (or failed); the work itself goes on.
    /// No task of this wait, nor `work` itself, is left faulted and unobserved: the timeout is a delay that is
    /// cancelled, not a TimeoutException (WaitAsync's), and a fault of `work` is observed whenever it comes.
    let orFalse (timeout: TimeSpan) (work: Task<bool>) : Task<bool> =
        observe work

        if work.IsCompleted then
            Task.FromResult(work.IsCompletedSuccessfully && work.Result)
        else
            // Task.Delay takes at most UInt32.MaxValue - 1 ms; anything longer waits without a deadline.
            let timeout =
                if timeout < TimeSpan.Zero then
                    TimeSpan.Zero
                elif timeout.TotalMilliseconds >= float UInt32.MaxValue - 1.0 then
                    Timeout.InfiniteTimeSpan
                else
                    timeout

            task {
                use cancel = new CancellationTokenSource()
                let! winner = Task.WhenAny(work, Task.Delay(timeout, cancel.Token))
                cancel.Cancel()

                return
                    Object.ReferenceEquals(winner, work)
                    && work.IsCompletedSuccessfully
                    && work.Result
            }

/// Durations on the Stopwatch's clock.
module internal StopwatchTicks =
    /// `span` in Stopwatch ticks, saturating far below overflow (a deadline `now + ticks` never wraps).
    let ofTimeSpan (span: TimeSpan) =
        let ticks = span.TotalSeconds * float Stopwatch.Frequency

        if ticks >= float (Int64.MaxValue / 4L) then
            Int64.MaxValue / 4L
        elif ticks <= 0.0 then
            0L
        else
            int64 ticks
