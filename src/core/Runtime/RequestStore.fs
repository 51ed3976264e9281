namespace Functional.Telemetry

open System
open System.Collections.Generic
open System.Threading

/// One encoded request an export store holds: its body, how many of the runner's items it carries, whether this
/// process stored it (`Own`) or found it (a file an earlier process left), and when it was stored (UTC ticks).
[<Sealed; AllowNullLiteral>]
type internal StoredRequest(body: byte array, items: int, own: bool, kind: string, storedAt: int64, key: string) =
    member _.Body = body
    member _.Items = items
    member _.Own = own
    /// `<signal>;<content type>` (see IRequestExporter.RequestKind).
    member _.Kind = kind
    member _.StoredAt = storedAt
    /// The store's handle on it (a file name for the disk store).
    member _.Key = key

/// A bounded store of encoded requests, oldest first. One reader takes from it (the runner's), at most one
/// request at a time; adds may come from an export the runner abandoned at its deadline, so every member is safe
/// to call concurrently.
type internal IRequestStore =
    inherit IDisposable

    /// Keeps a copy of `body`; false when it would pass the store's budget (the caller drops it, newest first).
    abstract Add: body: ReadOnlySpan<byte> * items: int * kind: string -> bool

    /// The oldest request held, now taken (no one else sends it); null when there is none.
    abstract Take: unit -> StoredRequest

    /// A taken request that was sent or given up: gone for good.
    abstract Remove: request: StoredRequest -> unit

    /// A taken request that could not be sent: back in its place, still the oldest.
    abstract Return: request: StoredRequest -> unit

    /// Nothing held that this process may send.
    abstract IsEmpty: bool

    /// True when what it holds outlives the process (a directory).
    abstract Durable: bool

    /// Stored files it skipped because they could not be read (truncated, corrupt, another format).
    abstract Unreadable: int64

    /// Takes every request of this process out (a memory store at shutdown), returning their item count.
    abstract RemoveOwn: unit -> int64

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

/// The default store: request bodies in memory, within the SDK's shared byte budget. Lost with the process.
[<Sealed>]
type internal MemoryStore(budget: StoreBudget) =
    let gate = obj ()
    let held = LinkedList<StoredRequest>()
    let mutable taken: StoredRequest = null

    interface IRequestStore with
        member _.Add(body, items, kind) =
            if not (budget.TryReserve(int64 body.Length)) then
                false
            else
                let request = StoredRequest(body.ToArray(), items, true, kind, DateTime.UtcNow.Ticks, "")
                lock gate (fun () -> held.AddLast request |> ignore)
                true

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
                    budget.Release(int64 request.Body.Length))

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
                    budget.Release(int64 request.Body.Length)

                held.Clear()
                items)

        member _.Dispose() = ()
