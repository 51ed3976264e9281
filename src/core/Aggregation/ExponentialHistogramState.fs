namespace Functional.Telemetry.FSharp

open System
open Functional.Telemetry

type ExponentialHistogramState =
    {
        MaxSize: int
        Scale: int
        ZeroCount: int64
        Positive: Map<int, int64>
        Negative: Map<int, int64>
        Count: int64
        Sum: float
        Min: float option
        Max: float option
    }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module ExponentialHistogramState =
    let defaultMaxSize = 160
    let defaultMaxScale = 20

    // The spec's lowest useful scale: at -10 every finite double maps to one of three buckets per sign.
    let private minScale = -10

    let empty maxSize maxScale =
        {
            MaxSize = maxSize
            Scale = maxScale
            ZeroCount = 0L
            Positive = Map.empty
            Negative = Map.empty
            Count = 0L
            Sum = 0.0
            Min = None
            Max = None
        }

    // magnitude = significand * 2^exponent with the significand in [1, 2): read from the IEEE bits for normal
    // numbers (the hot path), through ILogB/ScaleB (exact for subnormals too) otherwise.
    let inline private decompose (magnitude: float) =
        let bits = BitConverter.DoubleToInt64Bits magnitude
        let biased = int ((bits >>> 52) &&& 0x7FFL)

        if biased <> 0 && biased <> 0x7FF then
            struct (biased - 1023, BitConverter.Int64BitsToDouble((bits &&& 0xFFFFFFFFFFFFFL) ||| 0x3FF0000000000000L))
        else
            let exponent = Math.ILogB magnitude
            struct (exponent, Math.ScaleB(magnitude, -exponent))

    // 2^(k / 2^scale) for 0 <= k <= 2^scale at a positive scale: the bucket bounds within one power of two.
    // `lowerBound` and `bucketIndex` both use this one expression, so a value's bucket and that bucket's bounds
    // agree exactly. The argument k / 2^scale is exact, so bound 2k at scale s is bit for bit bound k at s - 1.
    let private boundWithin scale (k: int) = Math.Pow(2.0, float k / Math.ScaleB(1.0, scale))

    // The bounds at scale 10 (1024 buckets per power of two), their inverses, and for each of 2048 equal slices of
    // [1, 2) (the significand's top 11 bits) the highest k whose bound lies below the slice's start. A slice is
    // narrower than any bucket (2^(1/1024) - 1 > 1/2048), so it holds at most one bound: a significand's bucket is
    // its slice's k or the next one.
    let private tableBounds = Array.init 1025 (fun k -> if k = 1024 then 2.0 else boundWithin 10 k)

    let private tableInverses = tableBounds |> Array.map (fun b -> 1.0 / b)

    let private tableSlices =
        let slices = Array.zeroCreate<int> 2048
        let mutable k = 0

        for slice in 0..2047 do
            let start = 1.0 + float slice / 2048.0

            while k < 1023 && tableBounds[k + 1] < start do
                k <- k + 1

            slices[slice] <- k

        slices

    // Within-bucket positions closer than this to a bound are settled against the bound itself. The estimate's
    // error is below 2e-4 of a bucket at scale 20 (mostly the series' first dropped term, t^3 / 3), so a position
    // further than 1e-3 from a bound is on the right side of it; about one value in 500 is checked.
    let private margin = 1e-3

    let private inverseLn2 = 1.0 / Math.Log 2.0

    // Near a bound (rare): the bucket among coarse's sub-buckets found by
    // comparing with the bounds themselves, starting from the estimate.
    let private settle scale (significand: float) coarse estimate =
        let fine = scale - 10
        let first = coarse <<< fine
        let last = first + (1 <<< fine) - 1
        let mutable k = Math.Clamp(first + estimate, first, last)

        while k > first && boundWithin scale k >= significand do
            k <- k - 1

        while k < last && boundWithin scale (k + 1) < significand do
            k <- k + 1

        k

    // The bucket of a significand in (1, 2) at a positive scale: the highest k with boundWithin scale k < it.
    let private indexWithin scale (significand: float) =
        let mantissa = BitConverter.DoubleToInt64Bits significand &&& 0xFFFFFFFFFFFFFL
        let sliceFirst = tableSlices[int (mantissa >>> 41)]

        let coarse =
            if tableBounds[sliceFirst + 1] < significand then
                sliceFirst + 1
            else
                sliceFirst

        if scale <= 10 then
            // Bound j at this scale is bound j * 2^(10 - scale) at scale 10.
            coarse >>> (10 - scale)
        else
            // significand = bound(coarse) * (1 + t) with 0 <= t < 6.8e-4: log2(1 + t) from two terms of the
            // series of ln(1 + t) (the next is below 1.1e-10), in buckets of this scale.
            let fine = scale - 10
            let t = Math.FusedMultiplyAdd(significand, tableInverses[coarse], -1.0)
            let position = Math.FusedMultiplyAdd(-0.5 * t, t, t) * (inverseLn2 * float (1 <<< scale))

            if position > margin && position < float (1 <<< fine) - margin then
                let within = int position
                let fraction = position - float within

                if fraction > margin && fraction < 1.0 - margin then
                    (coarse <<< fine) + within
                else
                    settle scale significand coarse within
            else
                settle scale significand coarse (if position > 0.0 then int position else 0)

    // Above scale 20 indexes overflow an int; below -10 nothing changes any more.
    let private checkScale (scale: int) =
        if scale < minScale || scale > defaultMaxScale then
            raise (
                ArgumentOutOfRangeException(
                    nameof scale,
                    scale,
                    "The scale of an exponential histogram is in [-10, 20]."
                )
            )

    let bucketIndex scale (value: float) =
        checkScale scale
        let magnitude = Math.Abs value
        let struct (exponent, significand) = decompose magnitude

        if scale <= 0 then
            // Buckets are (base^i, base^(i+1)]: an exact power of two closes the bucket below it.
            let scaleZeroIndex = if significand = 1.0 then exponent - 1 else exponent
            scaleZeroIndex >>> -scale
        elif significand = 1.0 then
            (exponent <<< scale) - 1
        else
            (exponent <<< scale) + indexWithin scale significand

    let lowerBound scale index =
        checkScale scale

        if scale <= 0 then
            // 2^(index * 2^-scale), exactly; clamped so that absurd indexes stay total (0 or +Inf).
            let exponent = int64 index <<< -scale
            Math.ScaleB(1.0, int (Math.Clamp(exponent, -2000L, 2000L)))
        else
            // index = whole * 2^scale + part with 0 <= part < 2^scale:
            // 2^whole is exact and 2^(part / 2^scale) is in [1, 2), so nothing overflows before the last step.
            let whole = index >>> scale
            let part = index - (whole <<< scale)
            Math.ScaleB(boundWithin scale part, whole)

    let private shiftMap by (buckets: Map<int, int64>) =
        if by <= 0 then
            buckets
        else
            buckets
            |> Map.fold
                (fun acc index count ->
                    let shifted = index >>> by

                    match Map.tryFind shifted acc with
                    | Some existing -> Map.add shifted (existing + count) acc
                    | None -> Map.add shifted count acc)
                Map.empty

    let downscale by state =
        let by = max 0 (min by (state.Scale - minScale))

        if by = 0 then
            state
        else
            { state with
                Scale = state.Scale - by
                Positive = shiftMap by state.Positive
                Negative = shiftMap by state.Negative
            }

    let private span (buckets: Map<int, int64>) =
        if Map.isEmpty buckets then
            None
        else
            Some(fst (Map.minKeyValue buckets), fst (Map.maxKeyValue buckets))

    // The smallest shift after which both signs span at most maxSize buckets, but never below the lowest scale.
    // Bounded by scale - minScale (at most 30 steps), not a loop that can run forever.
    let private neededShift maxSize scale (positive: Map<int, int64>) (negative: Map<int, int64>) =
        let spans = [ span positive; span negative ] |> List.choose id

        let fits by =
            spans
            |> List.forall (fun (low, high) -> int64 (high >>> by) - int64 (low >>> by) + 1L <= int64 maxSize)

        let limit = max 0 (scale - minScale)

        let rec search by = if by >= limit || fits by then by else search (by + 1)

        search 0

    let private fit state =
        downscale (neededShift state.MaxSize state.Scale state.Positive state.Negative) state

    let private increment index (buckets: Map<int, int64>) =
        match Map.tryFind index buckets with
        | Some count -> Map.add index (count + 1L) buckets
        | None -> Map.add index 1L buckets

    let record (state: ExponentialHistogramState) value =
        let counted =
            { state with
                Count = state.Count + 1L
                Sum = state.Sum + value
                Min = Numbers.minOption state.Min (Some value)
                Max = Numbers.maxOption state.Max (Some value)
            }

        if value = 0.0 then
            { counted with ZeroCount = counted.ZeroCount + 1L }
        elif value > 0.0 then
            fit
                { counted with
                    Positive = increment (bucketIndex counted.Scale value) counted.Positive
                }
        elif value < 0.0 then
            fit
                { counted with
                    Negative = increment (bucketIndex counted.Scale value) counted.Negative
                }
        else
            // NaN has no bucket; it is counted so that Count stays the number of measurements given.
            counted

    let merge (left: ExponentialHistogramState) (right: ExponentialHistogramState) =
        let scale = min left.Scale right.Scale
        let leftAtScale = downscale (left.Scale - scale) left
        let rightAtScale = downscale (right.Scale - scale) right

        fit
            {
                ExponentialHistogramState.MaxSize = min left.MaxSize right.MaxSize
                // The smaller of the two limits, so that merge commutes even for differently configured states.
                Scale = min leftAtScale.Scale rightAtScale.Scale
                ZeroCount = left.ZeroCount + right.ZeroCount
                Positive = Numbers.mergeMaps (+) leftAtScale.Positive rightAtScale.Positive
                Negative = Numbers.mergeMaps (+) leftAtScale.Negative rightAtScale.Negative
                Count = left.Count + right.Count
                Sum = left.Sum + right.Sum
                Min = Numbers.minOption left.Min right.Min
                Max = Numbers.maxOption left.Max right.Max
            }

    let toBuckets (buckets: Map<int, int64>) =
        let nonZero = buckets |> Map.filter (fun _ count -> count <> 0L)

        if Map.isEmpty nonZero then
            { Offset = 0; Counts = [] }
        else
            let low = fst (Map.minKeyValue nonZero)
            let high = fst (Map.maxKeyValue nonZero)

            {
                Offset = low
                Counts = [ for i in low..high -> Map.tryFind i nonZero |> Option.defaultValue 0L ]
            }

    let toPoint attributes startTime time exemplars (state: ExponentialHistogramState) : ExponentialHistogramPoint =
        {
            Attributes = attributes
            StartTime = startTime
            Time = time
            Count = state.Count
            Sum = state.Sum
            Min = Option.toNullable state.Min
            Max = Option.toNullable state.Max
            Scale = state.Scale
            ZeroCount = state.ZeroCount
            ZeroThreshold = 0.0
            Positive = toBuckets state.Positive
            Negative = toBuckets state.Negative
            Exemplars = exemplars
        }
