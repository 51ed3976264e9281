namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Runtime.CompilerServices
open System.Threading
open Functional.Telemetry

// Bound handles write into cells of their own thread, with plain stores: no `lock`-prefixed instruction on the
// hot path. A thread has a small slot number (reused once the thread is gone); each bound series keeps an array
// of cells indexed by slot, so a thread finds its cell with two loads, and threads alternating on one handle
// each keep their own cell. The collector sums the cells:
// - sums: each cell holds the running total of its thread, never reset; the collector keeps the total it
//   reported at the last delta collection and reports the difference;
// - explicit-bucket histograms: each cell holds two banks, one per parity of the series' epoch. The writer
//   records into the bank of the epoch it reads (resetting a bank left from two epochs before), with a flag set
//   while it writes. The collector advances the epoch, then one process-wide memory barrier
//   (`Interlocked.MemoryBarrierProcessWide`) makes every writer either see the new epoch or show its flag set;
//   it waits for those flags to clear, and the banks of the old epoch are final: read once, exactly, min and max
//   included, and not written again until their writer reuses them two epochs later.

/// The pool of thread slots: 1, 2, ... handed to threads that write bound series, returned when a thread is gone.
module internal ThreadSlotPool =
    let private gate = obj ()
    let private free = Stack<int>()
    let mutable private highest = 0

    /// A free slot (the lowest returned one, else a new one).
    let take () =
        lock gate (fun () ->
            if free.Count > 0 then
                free.Pop()
            else
                highest <- highest + 1
                highest)

    /// Returns a slot: its thread is gone, so its cells may be written by the thread that takes it next.
    /// (Called by a finalizer: never throws; a slot that cannot be returned is simply not reused.)
    let release (slot: int) =
        try
            lock gate (fun () -> free.Push slot)
        with _ ->
            ()

/// Held by a thread (thread-static) while it lives: collected after the thread ended, it returns the slot.
[<Sealed>]
type internal ThreadSlotLease(slot: int) =
    member _.Slot = slot
    override _.Finalize() = ThreadSlotPool.release slot

/// The calling thread's slot.
[<Sealed; AbstractClass>]
type internal ThreadSlot =
    [<ThreadStatic; DefaultValue>]
    static val mutable private current: int

    [<ThreadStatic; DefaultValue>]
    static val mutable private lease: ThreadSlotLease

    /// The calling thread's slot; 0 until `Assign` (no cell is ever at index 0, so 0 always takes the slow path).
    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    static member Current() = ThreadSlot.current

    /// The calling thread's slot, taken from the pool on first use.
    static member Assign() =
        if ThreadSlot.current = 0 then
            let slot = ThreadSlotPool.take ()
            ThreadSlot.lease <- ThreadSlotLease slot
            ThreadSlot.current <- slot

        ThreadSlot.current

/// Copy-on-write growth of a slot-indexed array of cells (under the owner's lock).
module internal SlotArray =
    /// `cells` with a cell at `slot` (made by `create` when missing): the same array or a grown copy.
    let withCell (cells: 'Cell array) (slot: int) (create: unit -> 'Cell) : 'Cell array =
        let target =
            if slot < cells.Length then
                cells
            else
                let grown = Array.zeroCreate (Math.Max(slot + 1, cells.Length * 2))
                Array.blit cells 0 grown 0 cells.Length
                grown

        if isNull (box target[slot]) then
            Volatile.Write(&target[slot], create ())

        target

/// The per-thread cells of one bound series (made when a handle first binds it, kept while the series lives).
/// `Collect` returns what they hold beyond what the series' shared cell holds; the two are merged.
[<AbstractClass; AllowNullLiteral>]
type internal ThreadCells() =
    /// Whether `Prepare` must be followed by a process-wide memory barrier before `Collect`.
    abstract NeedsBarrier: bool

    /// Starts a collection (a histogram advances its epoch). Called before the barrier.
    abstract Prepare: unit -> unit

    /// The state recorded since the last collection with `reset` (everything, for cumulative streams, which
    /// never reset), and with `reset` starts over. Called after `Prepare` and the barrier.
    abstract Collect: reset: bool -> CellState

    /// How many thread cells exist (for tests).
    abstract CellCount: int

/// Thread cells kept in a slot-indexed array: what the sums and the histograms share (the array, its growth, the
/// slow path that makes a thread's first cell). The hot paths stay in the subclasses, typed by their cells.
[<AbstractClass; AllowNullLiteral>]
type internal SlotCells<'Cell when 'Cell: null>(create: unit -> 'Cell) =
    inherit ThreadCells()
    let gate = obj ()

    [<VolatileField>]
    let mutable cells: 'Cell array = Array.zeroCreate 4

    /// The cells by slot (null where a slot has none yet).
    member _.Cells = cells

    /// The calling thread's cell, made on its first write (the slow path, under the lock).
    [<MethodImpl(MethodImplOptions.NoInlining)>]
    member _.OwnCell() : 'Cell =
        let slot = ThreadSlot.Assign()

        lock gate (fun () ->
            cells <- SlotArray.withCell cells slot create
            cells[slot])

    override _.CellCount = cells |> Array.sumBy (fun c -> if isNull c then 0 else 1)

/// One thread's running total of an integer sum.
[<Sealed; AllowNullLiteral>]
type internal LongTotalCell() =
    [<DefaultValue>]
    val mutable Total: int64

[<Sealed; AllowNullLiteral>]
type internal LongSumThreadCells() =
    inherit SlotCells<LongTotalCell>(LongTotalCell)

    let mutable reported = 0L

    /// Adds on the calling thread (the hot path; the slow path makes the thread's cell).
    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member x.Add(value: int64) =
        let slot = ThreadSlot.Current()
        let held = x.Cells
        let cell = if slot < held.Length then held[slot] else null
        let cell = if isNull cell then x.OwnCell() else cell
        // Only this thread writes the cell: a plain read-add-store, published for the collector.
        Volatile.Write(&cell.Total, cell.Total + value)

    override _.NeedsBarrier = false
    override _.Prepare() = ()

    override x.Collect(reset) =
        let mutable total = 0L

        for cell in x.Cells do
            if not (isNull cell) then
                total <- total + Volatile.Read(&cell.Total)

        let pending = total - reported

        if reset then
            reported <- total

        CellState.Sum { Total = NumberValue.Long pending }

/// One thread's running total of a floating-point sum.
[<Sealed; AllowNullLiteral>]
type internal DoubleTotalCell() =
    [<DefaultValue>]
    val mutable Total: float

    /// The total the last delta collection reported (the collector's; writers never touch it).
    [<DefaultValue>]
    val mutable Seen: float

[<Sealed>]
type internal DoubleSumThreadCells() =
    inherit SlotCells<DoubleTotalCell>(DoubleTotalCell)

    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member x.Add(value: float) =
        let slot = ThreadSlot.Current()
        let held = x.Cells
        let cell = if slot < held.Length then held[slot] else null
        let cell = if isNull cell then x.OwnCell() else cell
        Volatile.Write(&cell.Total, cell.Total + value)

    override _.NeedsBarrier = false
    override _.Prepare() = ()

    // Each cell's change since the last delta collection, then their sum: the difference of two close totals is
    // exact (Sterbenz), where the difference of two sums of totals would carry their rounding into every interval.
    override x.Collect(reset) =
        let mutable pending = 0.0

        for cell in x.Cells do
            if not (isNull cell) then
                let total = Volatile.Read(&cell.Total)
                pending <- pending + (total - cell.Seen)

                if reset then
                    cell.Seen <- total

        CellState.Sum { Total = NumberValue.Double pending }

/// One epoch's histogram of one thread. `Tag` is the epoch it holds (0: none yet; epochs start at 1).
[<Sealed; AllowNullLiteral>]
type internal HistogramBank(buckets: int) =
    let counts: int64 array = Array.zeroCreate buckets

    [<DefaultValue>]
    val mutable Tag: int64

    [<DefaultValue>]
    val mutable Sum: float

    [<DefaultValue>]
    val mutable Min: float

    [<DefaultValue>]
    val mutable Max: float

    member _.Counts = counts

    /// Empties the bank for `epoch` (by its writer; once per epoch, so kept out of the inlined write).
    [<MethodImpl(MethodImplOptions.NoInlining)>]
    member x.Start(epoch: int64) =
        Array.Clear counts
        x.Sum <- 0.0
        x.Min <- Double.PositiveInfinity
        x.Max <- Double.NegativeInfinity
        x.Tag <- epoch

/// One thread's histogram: a bank per epoch parity, and the flag set while its thread writes.
[<Sealed; AllowNullLiteral>]
type internal HistogramThreadCell(buckets: int) =
    let even = HistogramBank buckets
    let odd = HistogramBank buckets

    /// 1 while the thread writes (constants stored: no chain of loads from one write to the next).
    [<DefaultValue>]
    val mutable Writing: int

    member _.Bank(epoch: int64) = if epoch &&& 1L = 0L then even else odd

[<Sealed>]
type internal HistogramThreadCells private (bounds: float array, recordMinMax: bool) =
    inherit SlotCells<HistogramThreadCell>(fun () -> HistogramThreadCell(bounds.Length + 1))
    let buckets = bounds.Length + 1
    let boundList = List.ofArray bounds

    // What was collected since the last reset (the collector's; never touched by writers).
    let pendingCounts: int64 array = Array.zeroCreate buckets
    let mutable pendingSum = 0.0
    let mutable pendingMin = Double.PositiveInfinity
    let mutable pendingMax = Double.NegativeInfinity
    // The epoch the last `Prepare` closed.
    let mutable closing = 0L

    /// The epoch writers record into; advanced by each collection. Starts at 1 (a bank's tag 0 means empty).
    [<DefaultValue>]
    val mutable Epoch: int64

    static member Create(bounds: float array, recordMinMax: bool) =
        let cells = HistogramThreadCells(bounds, recordMinMax)
        cells.Epoch <- 1L
        cells

    /// Records on the calling thread.
    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member x.Record(value: float) =
        let slot = ThreadSlot.Current()
        let held = x.Cells
        let cell = if slot < held.Length then held[slot] else null
        let cell = if isNull cell then x.OwnCell() else cell
        x.Write(cell, value)

    // The flag is set before the epoch is read: the collector's barrier then either shows it set (the collector
    // waits for it to clear) or makes this read see the new epoch. RyuJIT keeps volatile accesses in program
    // order (ECMA would let this release store and the acquire load after it swap; the runtime's own code relies on
    // it). The bucket is found before, keeping the flagged window short.
    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member x.Write(cell: HistogramThreadCell, value: float) =
        let index = BucketSearch.indexOf bounds value
        Volatile.Write(&cell.Writing, 1)
        let epoch = Volatile.Read(&x.Epoch)
        let bank = cell.Bank epoch

        if bank.Tag <> epoch then
            bank.Start epoch

        let counts = bank.Counts
        counts[index] <- counts[index] + 1L
        bank.Sum <- bank.Sum + value

        if recordMinMax then
            if value < bank.Min then
                bank.Min <- value

            if value > bank.Max then
                bank.Max <- value

        Volatile.Write(&cell.Writing, 0)

    override _.NeedsBarrier = true

    override x.Prepare() =
        closing <- x.Epoch
        Interlocked.Exchange(&x.Epoch, closing + 1L) |> ignore

    override x.Collect(reset) =
        for cell in x.Cells do
            if not (isNull cell) then
                let mutable spinner = SpinWait()

                // A write that began before the barrier is finished once the flag is seen clear (a later one
                // records in the new epoch).
                while Volatile.Read(&cell.Writing) <> 0 do
                    spinner.SpinOnce()

                let bank = cell.Bank closing

                // Nothing closed yet (a cell made after this collection's Prepare read the cells): its banks are
                // the writers' (an unstarted bank's tag is 0, its extremes not yet set).
                if closing <> 0L && Volatile.Read(&bank.Tag) = closing then
                    let counts = bank.Counts

                    for i in 0 .. buckets - 1 do
                        pendingCounts[i] <- pendingCounts[i] + counts[i]

                    pendingSum <- pendingSum + bank.Sum
                    pendingMin <- Math.Min(pendingMin, bank.Min)
                    pendingMax <- Math.Max(pendingMax, bank.Max)

        let taken = List.ofArray pendingCounts
        let count = List.sum taken

        let state =
            CellState.Histogram
                {
                    Bounds = boundList
                    Counts = taken
                    Count = count
                    Sum = pendingSum
                    Min = if recordMinMax && count > 0L then Some pendingMin else None
                    Max = if recordMinMax && count > 0L then Some pendingMax else None
                }

        if reset then
            Array.Clear pendingCounts
            pendingSum <- 0.0
            pendingMin <- Double.PositiveInfinity
            pendingMax <- Double.NegativeInfinity

        state

/// Thread cells for a stream's aggregation, when it has them.
[<RequireQualifiedAccess>]
module internal ThreadCells =
    /// New thread cells for a bound series of this aggregation and number kind; null for the aggregations whose
    /// bound handles write the shared cell (last value, exponential histogram, drop).
    let create (aggregation: Aggregation) (kind: NumberKind) : ThreadCells =
        match aggregation with
        | Aggregation.Sum ->
            if kind = NumberKind.Long then
                LongSumThreadCells() :> ThreadCells
            else
                DoubleSumThreadCells() :> ThreadCells
        | Aggregation.ExplicitBucketHistogram(bounds, recordMinMax) ->
            HistogramThreadCells.Create(Array.ofList bounds, recordMinMax) :> ThreadCells
        | _ -> null

    /// Collects a group of series' thread cells consistently: every one prepared, then (if any needs it) one
    /// process-wide barrier, after which `Collect` may be called on each.
    let prepareAll (all: ThreadCells seq) =
        let mutable barrier = false

        for cells in all do
            if not (isNull cells) then
                cells.Prepare()
                barrier <- barrier || cells.NeedsBarrier

        if barrier then
            Interlocked.MemoryBarrierProcessWide()
