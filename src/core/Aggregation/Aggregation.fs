namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open Functional.Telemetry

[<RequireQualifiedAccess>]
type Aggregation =
    | Default
    | Drop
    | Sum
    | LastValue
    | ExplicitBucketHistogram of bounds: float list * recordMinMax: bool
    | Base2ExponentialHistogram of maxSize: int * maxScale: int * recordMinMax: bool

type SumState = { Total: NumberValue }

type LastValueState = { Latest: (NumberValue * int64) option }

type HistogramState =
    {
        Bounds: float list
        Counts: int64 list
        Count: int64
        Sum: float
        Min: float option
        Max: float option
    }

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

/// Helpers shared by the aggregations and the temporality conversion.
module internal Numbers =
    // int64 arithmetic is unchecked, so Long + Long wraps around exactly like Interlocked.Add.
    let add (left: NumberValue) (right: NumberValue) =
        match left, right with
        | NumberValue.Long a, NumberValue.Long b -> NumberValue.Long(a + b)
        | _ -> NumberValue.Double(left.AsDouble + right.AsDouble)

    let subtract (left: NumberValue) (right: NumberValue) =
        match left, right with
        | NumberValue.Long a, NumberValue.Long b -> NumberValue.Long(a - b)
        | _ -> NumberValue.Double(left.AsDouble - right.AsDouble)

    // Math.Min/Max rather than F# min/max: they propagate NaN from either side, so they commute.
    let minOption (left: float option) (right: float option) =
        match left, right with
        | Some a, Some b -> Some(Math.Min(a, b))
        | Some _, None -> left
        | None, _ -> right

    let maxOption (left: float option) (right: float option) =
        match left, right with
        | Some a, Some b -> Some(Math.Max(a, b))
        | Some _, None -> left
        | None, _ -> right

    /// Adds two lists element-wise; the shorter one counts as zeros past its end (so mismatched bounds never throw).
    let rec addCounts (left: int64 list) (right: int64 list) =
        match left, right with
        | a :: restA, b :: restB -> (a + b) :: addCounts restA restB
        | [], rest
        | rest, [] -> rest

    let rec subtractCounts (left: int64 list) (right: int64 list) =
        match left, right with
        | a :: restA, b :: restB -> (a - b) :: subtractCounts restA restB
        | rest, [] -> rest
        | [], rest -> rest |> List.map (fun b -> -b)

    let mergeMaps (combine: int64 -> int64 -> int64) (left: Map<int, int64>) (right: Map<int, int64>) =
        right
        |> Map.fold
            (fun acc index count ->
                match Map.tryFind index acc with
                | Some existing -> Map.add index (combine existing count) acc
                | None -> Map.add index (combine 0L count) acc)
            left

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module SumState =
    let empty kind =
        match kind with
        | NumberKind.Long -> { Total = NumberValue.Long 0L }
        | NumberKind.Double -> { Total = NumberValue.Double 0.0 }

    let record state value = { Total = Numbers.add state.Total value }

    let merge left right = { Total = Numbers.add left.Total right.Total }

    let collect state = state.Total

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module LastValueState =
    let empty = { Latest = None }

    // A total order on values: by magnitude as a double, then a Long above a Double with the same double,
    // then by the exact integer or the bit pattern. Taking the maximum under a total order is what makes
    // merge commutative and associative even for ties.
    let private compareValues (left: NumberValue) (right: NumberValue) =
        let byDouble = left.AsDouble.CompareTo right.AsDouble

        if byDouble <> 0 then
            byDouble
        else
            match left, right with
            | NumberValue.Long a, NumberValue.Long b -> compare a b
            | NumberValue.Long _, NumberValue.Double _ -> 1
            | NumberValue.Double _, NumberValue.Long _ -> -1
            | NumberValue.Double a, NumberValue.Double b ->
                compare (BitConverter.DoubleToInt64Bits a) (BitConverter.DoubleToInt64Bits b)

    let merge left right =
        match left.Latest, right.Latest with
        | Some(leftValue, leftTime), Some(rightValue, rightTime) ->
            if leftTime > rightTime then left
            elif rightTime > leftTime then right
            elif compareValues leftValue rightValue >= 0 then left
            else right
        | Some _, None -> left
        | None, _ -> right

    let record state value time = merge state { Latest = Some(value, time) }

    let collect state = state.Latest |> Option.map fst

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module HistogramState =
    let defaultBounds =
        [
            0.0
            5.0
            10.0
            25.0
            50.0
            75.0
            100.0
            250.0
            500.0
            750.0
            1000.0
            2500.0
            5000.0
            7500.0
            10000.0
        ]

    let empty (bounds: float list) =
        {
            Bounds = bounds
            Counts = List.replicate (bounds.Length + 1) 0L
            Count = 0L
            Sum = 0.0
            Min = None
            Max = None
        }

    let bucketIndex (bounds: float list) (value: float) =
        let rec find index remaining =
            match remaining with
            | bound :: rest -> if value <= bound then index else find (index + 1) rest
            | [] -> index

        find 0 bounds

    let record (state: HistogramState) value =
        let index = bucketIndex state.Bounds value

        { state with
            Counts =
                state.Counts
                |> List.mapi (fun i count -> if i = index then count + 1L else count)
            Count = state.Count + 1L
            Sum = state.Sum + value
            Min = Numbers.minOption state.Min (Some value)
            Max = Numbers.maxOption state.Max (Some value)
        }

    let merge left right =
        {
            Bounds = left.Bounds
            Counts = Numbers.addCounts left.Counts right.Counts
            Count = left.Count + right.Count
            Sum = left.Sum + right.Sum
            Min = Numbers.minOption left.Min right.Min
            Max = Numbers.maxOption left.Max right.Max
        }

    let toPoint attributes startTime time exemplars (state: HistogramState) : HistogramPoint =
        {
            Attributes = attributes
            StartTime = startTime
            Time = time
            Count = state.Count
            Sum = state.Sum
            Min = state.Min
            Max = state.Max
            Bounds = state.Bounds
            BucketCounts = state.Counts
            Exemplars = exemplars
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
            Min = state.Min
            Max = state.Max
            Scale = state.Scale
            ZeroCount = state.ZeroCount
            ZeroThreshold = 0.0
            Positive = toBuckets state.Positive
            Negative = toBuckets state.Negative
            Exemplars = exemplars
        }

[<RequireQualifiedAccess>]
module Measurement =
    [<RequireQualifiedAccess>]
    type Rejection =
        | NotFinite
        | NegativeIncrement

    let validate kind value =
        let isNegative =
            match value with
            | NumberValue.Long v -> v < 0L
            | NumberValue.Double v -> v < 0.0

        match value with
        | NumberValue.Double v when not (Double.IsFinite v) -> Error Rejection.NotFinite
        | _ ->
            match kind with
            // Counters only go up, and an observable counter reports a cumulative total, which cannot be negative.
            // Histograms accept negative values, as in OpenTelemetry .NET.
            | InstrumentKind.Counter
            | InstrumentKind.ObservableCounter when isNegative -> Error Rejection.NegativeIncrement
            | _ -> Ok value

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Temporality =
    // A series is identified by its attribute set, whatever the order the attributes came in.
    let private seriesKey (attributes: KeyValue list) = attributes |> List.sortBy (fun a -> a.Key)

    /// Previous points by series, grouped by hash: KeyValue has equality but no ordering, so no Map on the key itself.
    type private Index<'Point> = Map<int, (KeyValue list * 'Point) list>

    let private index (attributesOf: 'Point -> KeyValue list) (points: 'Point list) : Index<'Point> =
        points
        |> List.fold
            (fun acc point ->
                let key = seriesKey (attributesOf point)
                let slot = hash key
                let existing = Map.tryFind slot acc |> Option.defaultValue []
                Map.add slot (existing @ [ key, point ]) acc)
            Map.empty

    let private tryFindSeries (idx: Index<'Point>) (attributes: KeyValue list) =
        let key = seriesKey attributes

        Map.tryFind (hash key) idx
        |> Option.bind (List.tryFind (fun (candidate, _) -> candidate = key))
        |> Option.map snd

    // Exponential buckets as a map, at a lower scale, and back to the dense form of the data model.
    let private bucketsToMap (buckets: ExponentialBuckets) =
        buckets.Counts
        |> List.mapi (fun i count -> buckets.Offset + i, count)
        |> List.filter (fun (_, count) -> count <> 0L)
        |> Map.ofList

    let private shiftBuckets by (buckets: Map<int, int64>) =
        buckets
        |> Map.fold
            (fun acc index count ->
                let shifted = index >>> by
                Map.add shifted (count + (Map.tryFind shifted acc |> Option.defaultValue 0L)) acc)
            Map.empty

    /// Combines two exponential points bucket-wise at their common (lower) scale; `combine` adds or subtracts.
    let private combineExponential
        (combine: int64 -> int64 -> int64)
        (left: ExponentialHistogramPoint)
        (right: ExponentialHistogramPoint)
        =
        let scale = min left.Scale right.Scale

        let atScale (point: ExponentialHistogramPoint) (buckets: ExponentialBuckets) =
            shiftBuckets (point.Scale - scale) (bucketsToMap buckets)

        let side (pick: ExponentialHistogramPoint -> ExponentialBuckets) =
            Numbers.mergeMaps combine (atScale left (pick left)) (atScale right (pick right))
            |> ExponentialHistogramState.toBuckets

        scale, side (fun p -> p.Positive), side (fun p -> p.Negative)

    let private subtractNumber (current: NumberPoint) (previous: NumberPoint) =
        { current with
            StartTime = previous.Time
            Value = Numbers.subtract current.Value previous.Value
        }

    let private subtractHistogram (current: HistogramPoint) (previous: HistogramPoint) =
        if current.Bounds <> previous.Bounds then
            // Different buckets cannot be subtracted: the stream was reconfigured, so the point is its own delta.
            current
        else
            { current with
                StartTime = previous.Time
                Count = current.Count - previous.Count
                Sum = current.Sum - previous.Sum
                // The extremes of an interval are not derivable from two cumulative extremes.
                Min = None
                Max = None
                BucketCounts = Numbers.subtractCounts current.BucketCounts previous.BucketCounts
            }

    let private subtractExponential (current: ExponentialHistogramPoint) (previous: ExponentialHistogramPoint) =
        let scale, positive, negative = combineExponential (-) current previous

        { current with
            StartTime = previous.Time
            Count = current.Count - previous.Count
            Sum = current.Sum - previous.Sum
            Min = None
            Max = None
            Scale = scale
            ZeroCount = current.ZeroCount - previous.ZeroCount
            Positive = positive
            Negative = negative
        }

    // Extremes of a union: the extreme of both when both are known; a side with no measurements does not count;
    // an unknown extreme of a side that has measurements makes the result unknown.
    let private combineExtreme pick (leftCount: int64, left: float option) (rightCount: int64, right: float option) =
        match left, right with
        | Some a, Some b -> Some(pick a b)
        | Some _, None when rightCount = 0L -> left
        | None, Some _ when leftCount = 0L -> right
        | _ -> None

    let private addNumber (running: NumberPoint) (delta: NumberPoint) =
        { delta with
            StartTime = running.StartTime
            Value = Numbers.add running.Value delta.Value
        }

    let private addHistogram (running: HistogramPoint) (delta: HistogramPoint) =
        if running.Bounds <> delta.Bounds then
            // Reconfigured buckets restart the series.
            delta
        else
            { delta with
                StartTime = running.StartTime
                Count = running.Count + delta.Count
                Sum = running.Sum + delta.Sum
                Min = combineExtreme (fun a b -> Math.Min(a, b)) (running.Count, running.Min) (delta.Count, delta.Min)
                Max = combineExtreme (fun a b -> Math.Max(a, b)) (running.Count, running.Max) (delta.Count, delta.Max)
                BucketCounts = Numbers.addCounts running.BucketCounts delta.BucketCounts
            }

    // The span of indices a dense bucket range covers once shifted down by `by`.
    let private spanAfter by (buckets: ExponentialBuckets) =
        match buckets.Counts with
        | [] -> 0L
        | counts ->
            let low = buckets.Offset
            let high = buckets.Offset + counts.Length - 1
            int64 (high >>> by) - int64 (low >>> by) + 1L

    /// Lowers the scale of a summed point until each sign spans at most `maxSize` buckets (as the cells do),
    /// never below the lowest scale, -10.
    let private fitExponential (maxSize: int) (scale: int, positive: ExponentialBuckets, negative: ExponentialBuckets) =
        let rec needed by =
            if scale - by <= -10 then
                by
            elif spanAfter by positive <= int64 maxSize && spanAfter by negative <= int64 maxSize then
                by
            else
                needed (by + 1)

        match needed 0 with
        | 0 -> scale, positive, negative
        | by ->
            let lower buckets = bucketsToMap buckets |> shiftBuckets by |> ExponentialHistogramState.toBuckets

            scale - by, lower positive, lower negative

    let private addExponential (maxSize: int) (running: ExponentialHistogramPoint) (delta: ExponentialHistogramPoint) =
        let scale, positive, negative = combineExponential (+) running delta |> fitExponential maxSize

        { delta with
            StartTime = running.StartTime
            Count = running.Count + delta.Count
            Sum = running.Sum + delta.Sum
            Min = combineExtreme (fun a b -> Math.Min(a, b)) (running.Count, running.Min) (delta.Count, delta.Min)
            Max = combineExtreme (fun a b -> Math.Max(a, b)) (running.Count, running.Max) (delta.Count, delta.Max)
            Scale = scale
            ZeroCount = running.ZeroCount + delta.ZeroCount
            Positive = positive
            Negative = negative
        }

    /// Each current point against the previous point of its series, if any.
    let private againstPrevious attributesOf combine (previous: 'Point list) (current: 'Point list) =
        let idx = index attributesOf previous

        current
        |> List.map (fun point ->
            match tryFindSeries idx (attributesOf point) with
            | Some before -> combine point before
            | None -> point)

    /// Each delta point onto its running series; running series with no new point are carried unchanged.
    let private ontoRunning attributesOf combine (running: 'Point list) (delta: 'Point list) =
        let runningIdx = index attributesOf running
        let deltaIdx = index attributesOf delta

        let updated =
            delta
            |> List.map (fun point ->
                match tryFindSeries runningIdx (attributesOf point) with
                | Some total -> combine total point
                | None -> point)

        let carried =
            running
            |> List.filter (fun point -> (tryFindSeries deltaIdx (attributesOf point)).IsNone)

        updated @ carried

    let private numberAttributes (p: NumberPoint) = p.Attributes
    let private histogramAttributes (p: HistogramPoint) = p.Attributes
    let private exponentialAttributes (p: ExponentialHistogramPoint) = p.Attributes

    let cumulativeToDelta previous current =
        match current with
        | MetricPoints.Sum(Temporality.Cumulative, monotonic, points) ->
            let before =
                match previous with
                | Some(MetricPoints.Sum(Temporality.Cumulative, _, p)) -> p
                | _ -> []

            let deltas = againstPrevious numberAttributes subtractNumber before points
            MetricPoints.Sum(Temporality.Delta, monotonic, deltas)
        | MetricPoints.Histogram(Temporality.Cumulative, points) ->
            let before =
                match previous with
                | Some(MetricPoints.Histogram(Temporality.Cumulative, p)) -> p
                | _ -> []

            let deltas = againstPrevious histogramAttributes subtractHistogram before points
            MetricPoints.Histogram(Temporality.Delta, deltas)
        | MetricPoints.ExponentialHistogram(Temporality.Cumulative, points) ->
            let before =
                match previous with
                | Some(MetricPoints.ExponentialHistogram(Temporality.Cumulative, p)) -> p
                | _ -> []

            MetricPoints.ExponentialHistogram(
                Temporality.Delta,
                againstPrevious exponentialAttributes subtractExponential before points
            )
        | _ -> current

    let deltaToCumulativeWith (exponentialMaxSize: int) running delta =
        match delta with
        | MetricPoints.Sum(Temporality.Delta, monotonic, points) ->
            let total =
                match running with
                | Some(MetricPoints.Sum(Temporality.Cumulative, _, p)) -> p
                | _ -> []

            MetricPoints.Sum(Temporality.Cumulative, monotonic, ontoRunning numberAttributes addNumber total points)
        | MetricPoints.Histogram(Temporality.Delta, points) ->
            let total =
                match running with
                | Some(MetricPoints.Histogram(Temporality.Cumulative, p)) -> p
                | _ -> []

            MetricPoints.Histogram(Temporality.Cumulative, ontoRunning histogramAttributes addHistogram total points)
        | MetricPoints.ExponentialHistogram(Temporality.Delta, points) ->
            let total =
                match running with
                | Some(MetricPoints.ExponentialHistogram(Temporality.Cumulative, p)) -> p
                | _ -> []

            MetricPoints.ExponentialHistogram(
                Temporality.Cumulative,
                ontoRunning exponentialAttributes (addExponential exponentialMaxSize) total points
            )
        | _ -> delta

    let deltaToCumulative running delta = deltaToCumulativeWith ExponentialHistogramState.defaultMaxSize running delta
