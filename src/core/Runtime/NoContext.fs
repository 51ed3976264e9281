namespace Functional.Telemetry

open System
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
    /// `work`'s answer, or false if it has not answered within `timeout` (or failed); the work itself goes on.
    let orFalse (timeout: TimeSpan) (work: Task<bool>) : Task<bool> =
        // WaitAsync takes at most UInt32.MaxValue - 1 ms; anything longer waits without a deadline.
        let timeout =
            if timeout < TimeSpan.Zero then
                TimeSpan.Zero
            elif timeout.TotalMilliseconds >= float UInt32.MaxValue - 1.0 then
                Timeout.InfiniteTimeSpan
            else
                timeout

        work
            .WaitAsync(timeout)
            .ContinueWith((fun (t: Task<bool>) -> t.IsCompletedSuccessfully && t.Result), TaskScheduler.Default)
