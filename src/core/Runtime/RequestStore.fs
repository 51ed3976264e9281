namespace Functional.Telemetry

open System
open System.Collections.Generic
open System.Threading

/// One entry an export store holds: the encoded request bodies of one or more of the runner's items (several bodies
/// when an item was split across requests, as a metrics collection over the size limit is), sent in order; how many
/// of the runner's items it carries; whether this process stored it (`Own`) or found it (a file an earlier process
/// left); and when it was stored (UTC ticks).
[<Sealed; AllowNullLiteral>]
type internal StoredRequest(bodies: byte array array, items: int, own: bool, kind: string, storedAt: int64, key: string)
    =
    member _.Bodies = bodies
    member _.Items = items
    member _.Own = own
    /// `<signal>;<content type>` (see IRequestExporter.RequestKind).
    member _.Kind = kind
    member _.StoredAt = storedAt
    /// The store's handle on it (a lease file's path for the disk store).
    member _.Key = key
    /// Bodies already accepted by the backend (a sender that stopped midway resumes after them).
    member val Sent = 0 with get, set
    /// Bytes of its bodies.
    member _.Size = bodies |> Array.sumBy (fun body -> int64 body.Length)

/// What an export store did with a request.
[<RequireQualifiedAccess>]
type internal StoreAdd =
    | Added
    /// It would pass the store's budget.
    | Full
    /// The store cannot take anything (closed, or its directory cannot be written): the reason, for diagnostics.
    | Unavailable of reason: string

/// A bounded store of encoded requests, oldest first. One reader takes from it (the runner's), at most one
/// request at a time; adds may come from an export the runner abandoned at its deadline, so every member is safe
/// to call concurrently, and none throws.
type internal IRequestStore =
    inherit IDisposable

    /// Keeps a copy of `bodies` (one entry, sent in order) holding `items` of the runner's items. After Dispose it
    /// takes nothing (Unavailable).
    abstract Add: bodies: ReadOnlyMemory<byte> array * items: int * kind: string -> StoreAdd

    /// The oldest request held, now taken (no one else sends it); null when there is none.
    abstract Take: unit -> StoredRequest

    /// A taken request that was sent or given up: gone for good.
    abstract Remove: request: StoredRequest -> unit

    /// A taken request that could not be sent (wholly: see `Sent`): back in its place, still the oldest.
    abstract Return: request: StoredRequest -> unit

    /// Nothing held that this process may send. Cheap: no I/O.
    abstract IsEmpty: bool

    /// True when what it holds outlives the process (a directory).
    abstract Durable: bool

    /// Stored files it skipped because they could not be read (truncated, corrupt, another format).
    abstract Unreadable: int64

    /// Takes every request of this process out (a memory store at shutdown), returning their item count.
    abstract RemoveOwn: unit -> int64

    /// Items of requests this process stored that vanished from the store since the last call (their files were
    /// removed by someone else): lost, for the runner to count as dropped.
    abstract TakeLost: unit -> int64

    /// Called (on a timer's thread, never under the store's lock) when the store found requests it may send that it
    /// did not know of (files another process left): the runner's sender then tries them.
    abstract OnFound: (unit -> unit) with get, set

/// Timers of the export store that do not carry the starting thread's ExecutionContext (its Activity.Current and
/// AsyncLocals): they live as long as the store.
module internal QuietTimer =
    /// A timer calling `callback` after `due` and then every `period` (Timeout.InfiniteTimeSpan: never).
    let create (callback: unit -> unit) (due: TimeSpan) (period: TimeSpan) =
        let suppress = not (ExecutionContext.IsFlowSuppressed())

        let flow =
            if suppress then
                ExecutionContext.SuppressFlow()
            else
                Unchecked.defaultof<_>

        try
            new Timer(TimerCallback(fun _ -> callback ()), null, due, period)
        finally
            if suppress then
                flow.Undo()

/// A byte budget shared by the memory stores of one SDK (every signal's pipelines).
[<Sealed>]
type internal StoreBudget(maxBytes: int64) =
    let mutable used = 0L

    member _.MaxBytes = maxBytes

    /// Reserves `bytes`; false (nothing reserved) when that would pass the budget.
    member _.TryReserve(bytes: int64) =
        let mutable reserved = false
        let mutable looping = true

        while looping do
            let current = Volatile.Read &used

            if current + bytes > maxBytes then
                looping <- false
            elif Interlocked.CompareExchange(&used, current + bytes, current) = current then
                reserved <- true
                looping <- false

        reserved

    member _.Release(bytes: int64) = Interlocked.Add(&used, -bytes) |> ignore

    member _.Used = Volatile.Read &used

/// The default store: request bodies in memory, within the SDK's shared byte budget. Lost with the process. Once
/// disposed it takes nothing and gives its bytes back to the budget.
[<Sealed>]
type internal MemoryStore(budget: StoreBudget) =
    let gate = obj ()
    let held = LinkedList<StoredRequest>()
    let mutable taken: StoredRequest = null
    let mutable disposed = false

    interface IRequestStore with
        member _.Add(bodies, items, kind) =
            let size = bodies |> Array.sumBy (fun body -> int64 body.Length)

            if Volatile.Read &disposed then
                StoreAdd.Unavailable "the store is closed"
            elif not (budget.TryReserve size) then
                StoreAdd.Full
            else
                let request =
                    StoredRequest(bodies |> Array.map _.ToArray(), items, true, kind, DateTime.UtcNow.Ticks, "")

                lock gate (fun () ->
                    if disposed then
                        budget.Release size
                        StoreAdd.Unavailable "the store is closed"
                    else
                        held.AddLast request |> ignore
                        StoreAdd.Added)

        member _.Take() =
            lock gate (fun () ->
                if not (isNull taken) || held.Count = 0 then
                    null
                else
                    let first = held.First.Value
                    held.RemoveFirst()
                    taken <- first
                    first)

        member _.Remove request =
            lock gate (fun () ->
                if Object.ReferenceEquals(taken, request) then
                    taken <- null
                    budget.Release request.Size)

        member _.Return request =
            lock gate (fun () ->
                if Object.ReferenceEquals(taken, request) then
                    taken <- null
                    held.AddFirst request |> ignore)

        member _.IsEmpty = lock gate (fun () -> held.Count = 0 && isNull taken)
        member _.Durable = false
        member _.Unreadable = 0L

        member _.RemoveOwn() =
            lock gate (fun () ->
                let mutable items = 0L

                for request in held do
                    items <- items + int64 request.Items
                    budget.Release request.Size

                held.Clear()
                items)

        member _.TakeLost() = 0L

        member _.OnFound
            with get () = ignore
            and set _ = ()

        member _.Dispose() =
            lock gate (fun () ->
                if not disposed then
                    disposed <- true

                    for request in held do
                        budget.Release request.Size

                    held.Clear()

                    // A request being sent is forgotten too: its Remove or Return finds nothing.
                    if not (isNull taken) then
                        budget.Release taken.Size
                        taken <- null)
