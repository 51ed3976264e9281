namespace Functional.Telemetry.FSharp

open System
open System.Threading.Tasks

/// A started signal pipeline: what the SDK flushes and shuts down.
type internal PipelinePart =
    {
        ForceFlush: TimeSpan -> Task<bool>
        /// Stops producing, exports what is pending, shuts exporters down.
        Shutdown: TimeSpan -> Task<bool>
        /// Shut down after the other parts (logging: what they log while they drain still reaches its exporters).
        ShutsDownLast: bool
    }

/// Waiting for the parts of a pipeline.
module internal PipelinePart =
    /// True when every one of `tasks` answers true.
    let all (tasks: Task<bool> list) =
        task {
            let! results = Task.WhenAll tasks
            return results |> Array.forall id
        }
