namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Threading
open Functional.Telemetry

/// One series' aggregator: updated concurrently on the hot path without locks (Interlocked), except the
/// exponential histogram, which guards its rescaling with a spin flag.
[<AbstractClass>]
type internal MetricCell() =
    /// Records an integer measurement (already validated).
    abstract RecordLong: value: int64 -> unit
    /// Records a floating-point measurement (already validated, finite).
    abstract RecordDouble: value: float -> unit
    /// The state so far; with `reset`, the cell starts over (delta temporality). Returns None when a
    /// last-value cell has no value.
    abstract Collect: reset: bool * time: int64 -> CellState option
    /// The histogram bucket a value falls in (for aligned exemplar reservoirs); 0 for other cells.
    abstract BucketOf: value: float -> int
    default _.BucketOf _ = 0

module internal Atomic =
    /// Adds to a double stored as its bits, with a compare-and-swap loop.
    let addDouble (location: int64 byref) (value: float) =
        let mutable seen = Volatile.Read(&location)
        let mutable fin = false

        while not fin do
            let next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble seen + value)
            let actual = Interlocked.CompareExchange(&location, next, seen)

            if actual = seen then fin <- true else seen <- actual

    /// Reads a double stored as bits; with `reset`, swaps in `initial` atomically.
    let takeDouble (location: int64 byref) (reset: bool) (initial: float) =
        let bits =
            if reset then
                Interlocked.Exchange(&location, BitConverter.DoubleToInt64Bits initial)
            else
                Volatile.Read(&location)

        BitConverter.Int64BitsToDouble bits

    /// Lowers (or raises, with `wantSmaller` false) a double stored as bits when the value beats it.
    let extremeDouble (location: int64 byref) (value: float) (wantSmaller: bool) =
        let mutable seen = Volatile.Read(&location)
        let beats current = if wantSmaller then value < current else value > current

        while beats (BitConverter.Int64BitsToDouble seen) do
            let actual = Interlocked.CompareExchange(&location, BitConverter.DoubleToInt64Bits value, seen)

            if actual = seen then
                seen <- BitConverter.DoubleToInt64Bits value
            else
                seen <- actual

/// The explicit-bucket search shared by the shared cell and bound threads' cells.
module internal BucketSearch =
    /// The first bound >= value (buckets are (b[i-1], b[i]]): a branch-light binary search, a handful of
    /// comparisons for the usual 10-20 bounds.
    let inline indexOf (bounds: float array) (value: float) =
        let mutable low = 0
        let mutable high = bounds.Length

        while low < high do
            let middle = (low + high) >>> 1

            if value > bounds[middle] then
                low <- middle + 1
            else
                high <- middle

        low

[<Sealed>]
type internal LongSumCell() =
    inherit MetricCell()

    [<DefaultValue>]
    val mutable Value: int64

    override x.RecordLong value = Interlocked.Add(&x.Value, value) |> ignore
    override x.RecordDouble value = x.RecordLong(int64 value)

    override x.Collect(reset, _) =
        let total =
            if reset then
                Interlocked.Exchange(&x.Value, 0L)
            else
                Volatile.Read(&x.Value)

        Some(CellState.Sum { Total = NumberValue.Long total })

[<Sealed>]
type internal DoubleSumCell() =
    inherit MetricCell()

    [<DefaultValue>]
    val mutable Bits: int64

    override x.RecordLong value = Atomic.addDouble &x.Bits (float value)
    override x.RecordDouble value = Atomic.addDouble &x.Bits value

    override x.Collect(reset, _) =
        let bits =
            if reset then
                Interlocked.Exchange(&x.Bits, 0L)
            else
                Volatile.Read(&x.Bits)

        Some(
            CellState.Sum
                {
                    Total = NumberValue.Double(BitConverter.Int64BitsToDouble bits)
                }
        )

/// Last value: the value bits, then a "has value" flag. Concurrent writers race as last-value semantics allow:
/// a collection sees one of the values written.
[<Sealed>]
type internal LastValueCell(kind: NumberKind) =
    inherit MetricCell()

    [<DefaultValue>]
    val mutable Bits: int64

    [<DefaultValue>]
    val mutable HasValue: int

    override x.RecordLong value =
        Volatile.Write(
            &x.Bits,
            (if kind = NumberKind.Long then
                 value
             else
                 BitConverter.DoubleToInt64Bits(float value))
        )

        Volatile.Write(&x.HasValue, 1)

    override x.RecordDouble value =
        Volatile.Write(
            &x.Bits,
            (if kind = NumberKind.Long then
                 int64 value
             else
                 BitConverter.DoubleToInt64Bits value)
        )

        Volatile.Write(&x.HasValue, 1)

    override x.Collect(reset, time) =
        let had =
            if reset then
                Interlocked.Exchange(&x.HasValue, 0)
            else
                Volatile.Read(&x.HasValue)

        if had = 0 then
            None
        else
            let bits = Volatile.Read(&x.Bits)

            let value =
                if kind = NumberKind.Long then
                    NumberValue.Long bits
                else
                    NumberValue.Double(BitConverter.Int64BitsToDouble bits)

            Some(CellState.LastValue { Latest = Some(value, time) })

/// Explicit-bucket histogram: one Interlocked counter per bucket, the sum by compare-and-swap, min and max
/// only touched when a value beats them. Count is the sum of the buckets, so it is always consistent with them.
[<Sealed>]
type internal HistogramCell private (bounds: float array, recordMinMax: bool) =
    inherit MetricCell()
    let counts: int64 array = Array.zeroCreate (bounds.Length + 1)
    let boundList = List.ofArray bounds

    [<DefaultValue>]
    val mutable SumBits: int64

    [<DefaultValue>]
    val mutable MinBits: int64

    [<DefaultValue>]
    val mutable MaxBits: int64

    member private x.Init() =
        x.MinBits <- BitConverter.DoubleToInt64Bits Double.PositiveInfinity
        x.MaxBits <- BitConverter.DoubleToInt64Bits Double.NegativeInfinity

    static member Create(bounds, recordMinMax) =
        let cell = HistogramCell(bounds, recordMinMax)
        cell.Init()
        cell

    override _.BucketOf value = BucketSearch.indexOf bounds value

    override x.RecordLong value = x.RecordDouble(float value)

    override x.RecordDouble value =
        Interlocked.Increment(&counts[x.BucketOf value]) |> ignore
        Atomic.addDouble &x.SumBits value

        if recordMinMax then
            Atomic.extremeDouble &x.MinBits value true
            Atomic.extremeDouble &x.MaxBits value false

    override x.Collect(reset, _) =
        let taken =
            [
                for i in 0 .. counts.Length - 1 ->
                    if reset then
                        Interlocked.Exchange(&counts[i], 0L)
                    else
                        Volatile.Read(&counts[i])
            ]

        let sum = Atomic.takeDouble &x.SumBits reset 0.0
        let min = Atomic.takeDouble &x.MinBits reset Double.PositiveInfinity
        let max = Atomic.takeDouble &x.MaxBits reset Double.NegativeInfinity
        let count = List.sum taken

        Some(
            CellState.Histogram
                {
                    Bounds = boundList
                    Counts = taken
                    Count = count
                    Sum = sum
                    Min =
                        if recordMinMax && count > 0L && not (Double.IsInfinity min) then
                            Some min
                        else
                            None
                    Max =
                        if recordMinMax && count > 0L && not (Double.IsInfinity max) then
                            Some max
                        else
                            None
                }
        )

/// Base-2 exponential histogram. Buckets live in a circular array of MaxSize slots per sign; a value outside
/// the current window lowers the scale (merging neighbouring buckets). Rescaling rewrites the arrays, so the
/// cell is guarded by a spin flag taken with Interlocked (held for a few instructions; never blocks on I/O).
[<Sealed>]
type internal ExponentialHistogramCell(maxSize: int, maxScale: int, recordMinMax: bool) =
    inherit MetricCell()
    let mutable busy = 0
    let mutable scale = maxScale
    let mutable zeroCount = 0L
    let mutable count = 0L
    let mutable sum = 0.0
    let mutable min = Double.PositiveInfinity
    let mutable max = Double.NegativeInfinity
    // At scale -10 a sign spans up to 3 buckets, which a max size of 2 cannot hold: the arrays always can.
    let capacity = Math.Max(maxSize, 3)
    let positive: int64 array = Array.zeroCreate capacity
    let negative: int64 array = Array.zeroCreate capacity
    // Lowest and highest used index per sign; low > high when the sign is empty.
    let mutable posLow = Int32.MaxValue
    let mutable posHigh = Int32.MinValue
    let mutable negLow = Int32.MaxValue
    let mutable negHigh = Int32.MinValue
    // Per sign, an index inside its window [low, high] (the first one recorded at this scale; shifted with the
    // window when it is downscaled). The window holds it and spans at most `capacity` buckets, so every index in
    // it is less than `capacity` away: its slot is a subtraction and one comparison, not a division.
    let mutable posOrigin = 0
    let mutable negOrigin = 0
    let minScale = -10

    let slot (origin: int) (index: int) =
        let d = index - origin
        if d < 0 then d + capacity else d

    let enter () =
        let mutable spinner = SpinWait()

        while Interlocked.CompareExchange(&busy, 1, 0) <> 0 do
            spinner.SpinOnce()

    let exit () = Volatile.Write(&busy, 0)

    // Rewrites one sign's buckets at a scale lower by `by`; returns the new window and origin.
    let downscaleSign (counts: int64 array) (low: int) (high: int) (origin: int) (by: int) =
        if low <= high then
            let moved = Array.zeroCreate<int64> capacity
            let shifted = origin >>> by

            for index in low..high do
                let c = counts[slot origin index]

                if c <> 0L then
                    let target = slot shifted (index >>> by)
                    moved[target] <- moved[target] + c

            Array.blit moved 0 counts 0 capacity
            struct (low >>> by, high >>> by, shifted)
        else
            struct (low, high, origin)

    let downscale by =
        if by > 0 then
            let struct (pl, ph, po) = downscaleSign positive posLow posHigh posOrigin by
            let struct (nl, nh, no) = downscaleSign negative negLow negHigh negOrigin by
            posLow <- pl
            posHigh <- ph
            posOrigin <- po
            negLow <- nl
            negHigh <- nh
            negOrigin <- no
            scale <- scale - by

    // The smallest downscale that makes [low, high] span at most maxSize buckets.
    let neededDownscale (low: int) (high: int) =
        let mutable by = 0

        while scale - by > minScale
              && (int64 (high >>> by) - int64 (low >>> by) + 1L) > int64 maxSize do
            by <- by + 1

        by

    // `index` was computed at `atScale` before the flag was taken (keeping the index computation out of the
    // guarded section); if a rescale happened meanwhile it is computed again.
    let insert (magnitude: float) (isPositive: bool) (index: int) (atScale: int) =
        let index =
            if atScale = scale then
                index
            else
                ExponentialHistogramState.bucketIndex scale magnitude

        let low = if isPositive then posLow else negLow
        let high = if isPositive then posHigh else negHigh
        let counts = if isPositive then positive else negative

        if low <= index && index <= high then
            // Inside the current window: the common case, no rescale possible.
            let at = slot (if isPositive then posOrigin else negOrigin) index
            counts[at] <- counts[at] + 1L
        else
            if low > high then
                // The sign's first bucket at this scale anchors its slots.
                if isPositive then
                    posOrigin <- index
                else
                    negOrigin <- index

            let newLow = Math.Min(low, index)
            let newHigh = Math.Max(high, index)
            let by = neededDownscale newLow newHigh

            let index =
                if by > 0 then
                    downscale by
                    index >>> by
                else
                    index

            let at = slot (if isPositive then posOrigin else negOrigin) index
            counts[at] <- counts[at] + 1L

            if isPositive then
                posLow <- Math.Min(posLow, index)
                posHigh <- Math.Max(posHigh, index)
            else
                negLow <- Math.Min(negLow, index)
                negHigh <- Math.Max(negHigh, index)

    let bucketsOf (counts: int64 array) low high origin =
        if low > high then
            Map.empty
        else
            seq {
                for index in low..high do
                    let c = counts[slot origin index]

                    if c <> 0L then
                        yield index, c
            }
            |> Map.ofSeq

    override x.RecordLong value = x.RecordDouble(float value)

    override _.RecordDouble value =
        let magnitude = Math.Abs value
        let atScale = Volatile.Read(&scale)

        let index =
            if value = 0.0 then
                0
            else
                ExponentialHistogramState.bucketIndex atScale magnitude

        enter ()

        try
            count <- count + 1L
            sum <- sum + value

            if recordMinMax then
                if value < min then
                    min <- value

                if value > max then
                    max <- value

            if value = 0.0 then
                zeroCount <- zeroCount + 1L
            else
                insert magnitude (value > 0.0) index atScale
        finally
            exit ()

    override _.Collect(reset, _) =
        enter ()

        try
            let state =
                {
                    MaxSize = maxSize
                    Scale = scale
                    ZeroCount = zeroCount
                    Positive = bucketsOf positive posLow posHigh posOrigin
                    Negative = bucketsOf negative negLow negHigh negOrigin
                    Count = count
                    Sum = sum
                    Min = if recordMinMax && count > 0L then Some min else None
                    Max = if recordMinMax && count > 0L then Some max else None
                }

            if reset then
                Array.Clear positive
                Array.Clear negative
                posLow <- Int32.MaxValue
                posHigh <- Int32.MinValue
                negLow <- Int32.MaxValue
                negHigh <- Int32.MinValue
                zeroCount <- 0L
                count <- 0L
                sum <- 0.0
                min <- Double.PositiveInfinity
                max <- Double.NegativeInfinity
                // A delta interval starts over at the highest scale, as the spec's reference SDKs do.
                scale <- maxScale

            Some(CellState.ExponentialHistogram state)
        finally
            exit ()

/// Cells for a stream's aggregation.
[<RequireQualifiedAccess>]
module internal MetricCell =
    /// A new, empty cell for the aggregation and number kind; None for Drop (and Default, which is resolved
    /// before streams are built).
    [<CompiledName("Create")>]
    let create (aggregation: Aggregation) (kind: NumberKind) : MetricCell option =
        match aggregation with
        | Aggregation.Sum ->
            Some(
                if kind = NumberKind.Long then
                    LongSumCell() :> MetricCell
                else
                    DoubleSumCell() :> MetricCell
            )
        | Aggregation.LastValue -> Some(LastValueCell kind :> MetricCell)
        | Aggregation.ExplicitBucketHistogram(bounds, recordMinMax) ->
            Some(HistogramCell.Create(Array.ofList bounds, recordMinMax) :> MetricCell)
        | Aggregation.Base2ExponentialHistogram(maxSize, maxScale, recordMinMax) ->
            Some(ExponentialHistogramCell(maxSize, maxScale, recordMinMax) :> MetricCell)
        | Aggregation.Drop
        | Aggregation.Default -> None
