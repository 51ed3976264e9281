#nowarn "9" // QueuePositions: an explicit layout that keeps the producers' and the reader's counters on cache lines of their own

namespace Functional.Telemetry.FSharp

open System
open System.Runtime.InteropServices
open System.Threading

/// An ItemQueue's positions, laid out so that what producers write and what the reader writes are on cache lines of
/// their own (the runtime would otherwise put the four counters side by side).
[<Struct; StructLayout(LayoutKind.Explicit, Size = 256)>]
type internal QueuePositions =
    /// Reservations so far (the closed bit aside); producers write it.
    [<FieldOffset(64)>]
    val mutable Head: int64

    /// The reader's position as producers last read it.
    [<FieldOffset(72)>]
    val mutable TailSeen: int64

    /// The reader's position; the reader writes it.
    [<FieldOffset(192)>]
    val mutable Tail: int64

    /// The reservations as the reader last read them.
    [<FieldOffset(200)>]
    val mutable HeadSeen: int64

/// A runner's queue of items: a bounded ring of `capacity` slots, many producers, one reader, no lock. A producer
/// reserves the next position with one compare-and-swap on `head` (refused when `capacity` items wait, or once the
/// queue is closed), writes its item and publishes the slot with the position it holds; the reader takes slots in
/// order. A closed queue refuses every later add: closing sets a bit of `head` with the same compare-and-swap, so
/// no reservation can race with it, and what was reserved before is still published and read.
[<Sealed>]
type internal ItemQueue<'T>(capacity: int) =
    static let closedBit = 1L <<< 62

    // The next power of two (BatchOptions keeps `capacity` at most 2^24, so this cannot overflow).
    let size =
        if capacity <= 0 || capacity > (1 <<< 30) then
            invalidArg (nameof capacity) $"must be between 1 and 2^30, got {capacity}."

        let mutable size = 16

        while size < capacity do
            size <- size * 2

        size

    let mask = int64 (size - 1)
    let items: 'T array = Array.zeroCreate size
    // The position (plus one) each slot's item was published for: a slot is readable at position p once it holds p + 1.
    let published: int64 array = Array.zeroCreate size

    // What producers write and, on another cache line, what the reader writes. Each side reads the other's only
    // when its own copy says the queue is full (producers) or when it wakes (the reader), so a busy queue does not
    // move a cache line between the cores per item.
    [<DefaultValue>]
    val mutable private at: QueuePositions

    /// Items reserved so far (published or about to be).
    member x.Reserved = Volatile.Read &x.at.Head &&& ~~~closedBit

    /// True once `Close` was called.
    member x.IsClosed = Volatile.Read &x.at.Head &&& closedBit <> 0L

    /// True when the reader has taken every item reserved so far.
    member x.IsEmpty = Volatile.Read &x.at.Tail >= x.Reserved

    /// Adds an item; false when `capacity` items wait or the queue is closed. Never blocks.
    member x.TryAdd(item: 'T) =
        let mutable added = false
        let mutable trying = true

        while trying do
            let head = Volatile.Read &x.at.Head

            if head &&& closedBit <> 0L then
                trying <- false
            elif
                head - Volatile.Read &x.at.TailSeen >= int64 capacity
                && (let tail = Volatile.Read &x.at.Tail
                    // Decided on the tail read here: another producer may overwrite TailSeen with an older one.
                    Volatile.Write(&x.at.TailSeen, tail)
                    head - tail >= int64 capacity)
            then
                trying <- false
            elif Interlocked.CompareExchange(&x.at.Head, head + 1L, head) = head then
                let slot = int (head &&& mask)
                items[slot] <- item
                Volatile.Write(&published[slot], head + 1L)
                added <- true
                trying <- false

        added

    /// The reader's next item, if one was reserved: waits (spinning) for a reserved item to be published, which
    /// its producer does right after reserving. Only the reader calls it.
    member x.TryTake(item: byref<'T>) =
        if x.at.Tail >= x.at.HeadSeen then
            x.at.HeadSeen <- x.Reserved

        x.TryTakeBefore(x.at.HeadSeen, &item)

    /// The reader's next item if its position is below `limit` (a `Reserved` the reader read): a reader that takes
    /// what was queued when it woke does not chase the producers through the slots they are writing.
    member x.TryTakeBefore(limit: int64, item: byref<'T>) =
        let tail = x.at.Tail

        if tail >= limit then
            false
        else
            let slot = int (tail &&& mask)
            let mutable spin = SpinWait()

            while Volatile.Read &published[slot] <> tail + 1L do
                spin.SpinOnce()

            item <- items[slot]
            items[slot] <- Unchecked.defaultof<'T>
            Volatile.Write(&x.at.Tail, tail + 1L)
            true

    /// Refuses every later add (idempotent). Items reserved before are still read.
    member x.Close() =
        let mutable closing = true

        while closing do
            let head = Volatile.Read &x.at.Head

            closing <-
                head &&& closedBit = 0L
                && Interlocked.CompareExchange(&x.at.Head, head ||| closedBit, head) <> head
