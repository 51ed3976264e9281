namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Threading.Tasks

/// How a pipeline hands items to its exporter.
[<RequireQualifiedAccess>]
type ExportMode =
    /// Export each item as soon as it is queued (one item per call, in order), off the caller's thread.
    | Simple
    /// Collect items into batches by size or delay.
    | Batched of BatchOptions

namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading.Tasks

/// Counters of one pipeline. Invariant once shut down: Accepted = Exported + Failed + Dropped.
type RunnerStats =
    {
        /// Items the queue accepted.
        Accepted: int64
        /// Items refused because the queue was full or the pipeline was shut down (never reached the queue).
        Rejected: int64
        /// Items the exporter accepted.
        Exported: int64
        /// Items whose export failed (failure, exception, timeout, retries exhausted).
        Failed: int64
        /// Items still queued when shutdown's deadline passed.
        Dropped: int64
        /// Export calls made (retries included).
        ExportCalls: int64
    }

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Threading.Tasks

/// One export pipeline: a bounded channel, a single reader that batches, exports with a deadline, retries,
/// and counts every item. Producers never block and never see an exception.
[<Sealed>]
type Runner<'T> =
    /// Queues an item; false when it was rejected (queue full, or shut down) and counted. Never blocks or throws.
    member Post: item: 'T -> bool

    /// Exports everything queued before the call; true when that finished within the timeout.
    member ForceFlush: timeout: TimeSpan -> Task<bool>

    /// Stops accepting, drains and exports what is queued, then shuts the exporter down. Idempotent: later calls
    /// return the first call's task. True when everything finished within the timeout; when the exporter hangs,
    /// it still returns at the deadline, counting what was left as dropped.
    member Shutdown: timeout: TimeSpan -> Task<bool>

    /// A snapshot of the counters.
    member Stats: RunnerStats

    /// The pipeline name used in diagnostics.
    member Name: string

    interface IAsyncDisposable
    interface IDisposable

/// Starting runners.
[<RequireQualifiedAccess>]
module Runner =
    /// Starts a pipeline named `name` (for diagnostics) exporting to `exporter` batches tagged with `resource`.
    [<CompiledName("Start")>]
    val start:
        name: string ->
        mode: ExportMode ->
        retry: RetryPolicy ->
        resource: Resource ->
        exporter: IExporter<'T> ->
            Runner<'T>
