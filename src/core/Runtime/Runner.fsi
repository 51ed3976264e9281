namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Threading.Tasks

/// One export pipeline: a bounded lock-free queue, a single reader (a thread of its own) that batches, exports with a
/// deadline, retries, and counts every item. Producers never block and never see an exception.
[<Sealed>]
type internal Runner<'T> =
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

    /// Turns of the reader's loop so far (tests check that an idle reader sleeps).
    member ReaderLoops: int64

    /// Faults of the export store's sender so far (observed, reported and retried; 0 without a store).
    member StoreFaults: int64

    interface IAsyncDisposable
    interface IDisposable

/// Starting runners.
[<RequireQualifiedAccess>]
module internal Runner =
    /// Starts a pipeline named `name` (for diagnostics) exporting to `exporter` batches tagged with `resource`.
    [<CompiledName("Start")>]
    val start:
        name: string ->
        mode: ExportMode ->
        retry: RetryPolicy ->
        resource: Resource ->
        exporter: IExporter<'T> ->
            Runner<'T>

    /// Starts a pipeline as `start` does, with the export store (and its age limit) `openStore` gives for the
    /// exporter's request kind (`<signal>;<content type>`) and destination (its endpoint): used when the exporter
    /// encodes requests (OTLP) and retries are on (see RunnerStore).
    [<CompiledName("StartWithStore")>]
    val startWithStore:
        name: string ->
        mode: ExportMode ->
        retry: RetryPolicy ->
        resource: Resource ->
        openStore: (string -> string -> (IRequestStore * TimeSpan) option) ->
        exporter: IExporter<'T> ->
            Runner<'T>
