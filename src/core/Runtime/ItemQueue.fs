namespace Functional.Telemetry.FSharp

open System
open System.Threading

/// A runner's queue of items: a bounded ring of `capacity` slots, many producers, one reader, no lock. A producer
/// reserves the next position with one compare-and-swap on `head` (refused when `capacity` items wait, or once the
/// queue is closed), writes its item and publishes the slot with the position it holds; the reader takes slots in
/// order. A closed queue refuses every later add: closing sets a bit of `head` with the same compare-and-swap, so
/// no reservation can race with it, and what was reserved before is still published and read.
[<Sealed>]
type internal ItemQueue<'T>(capacity: int) =
    static let closedBit = 1L <<< 62

    let size =
        let mutable size = 16

        while size < capacity do
            size <- size * 2

        size

    let mask = int64 (size - 1)
    let items: 'T array = Array.zeroCreate size
    // The position (plus one) each slot's item was published for: a slot is readable at position p once it holds p + 1.
    let published: int64 array = Array.zeroCreate size

    // What producers write: reservations so far (the closed bit aside), and the reader's position as they last
    // read it. Then, a cache line apart, what the reader writes: its position, and the reservations as it last read
    // them. Each side reads the other's only when its own copy says the queue is full (producers) or empty (the
    // reader), so a busy queue does not move a cache line between the cores per item.
    [<DefaultValue>]
    val mutable private head: int64

    [<DefaultValue>]
    val mutable private tailSeen: int64

    [<DefaultValue>]
    val mutable private padding: struct (int64 * int64 * int64 * int64 * int64 * int64 * int64 * int64)

    [<DefaultValue>]
    val mutable private tail: int64

    [<DefaultValue>]
    val mutable private headSeen: int64

    /// Items reserved so far (published or about to be).
    member x.Reserved = Volatile.Read &x.head &&& ~~~closedBit

    /// True once `Close` was called.
    member x.IsClosed = Volatile.Read &x.head &&& closedBit <> 0L

    /// True when the reader has taken every item reserved so far.
    member x.IsEmpty = Volatile.Read &x.tail >= x.Reserved

    /// Adds an item; false when `capacity` items wait or the queue is closed. Never blocks.
    member x.TryAdd(item: 'T) =
        let mutable added = false
        let mutable trying = true

        while trying do
            let head = Volatile.Read &x.head

            if head &&& closedBit <> 0L then
                trying <- false
            elif
                head - Volatile.Read &x.tailSeen >= int64 capacity
                && (Volatile.Write(&x.tailSeen, Volatile.Read &x.tail)
                    head - Volatile.Read &x.tailSeen >= int64 capacity)
            then
                trying <- false
            elif Interlocked.CompareExchange(&x.head, head + 1L, head) = head then
                let slot = int (head &&& mask)
                items[slot] <- item
                Volatile.Write(&published[slot], head + 1L)
                added <- true
                trying <- false

        added

    /// The reader's next item, if one was reserved: waits (spinning) for a reserved item to be published, which
    /// its producer does right after reserving. Only the reader calls it.
    member x.TryTake(item: byref<'T>) =
        let tail = x.tail

        if tail >= x.headSeen then
            x.headSeen <- x.Reserved

        if tail >= x.headSeen then
            false
        else
            let slot = int (tail &&& mask)
            let mutable spin = SpinWait()

            while Volatile.Read &published[slot] <> tail + 1L do
                spin.SpinOnce()

            item <- items[slot]
            items[slot] <- Unchecked.defaultof<'T>
            Volatile.Write(&x.tail, tail + 1L)
            true

    /// Refuses every later add (idempotent). Items reserved before are still read.
    member x.Close() =
        let mutable closing = true

        while closing do
            let head = Volatile.Read &x.head

            closing <-
                head &&& closedBit = 0L
                && Interlocked.CompareExchange(&x.head, head ||| closedBit, head) <> head
