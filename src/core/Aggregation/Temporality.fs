namespace Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open Functional.Telemetry

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Temporality =
    // A series is identified by its attribute set, whatever the order the attributes came in.
    let private seriesKey (attributes: IReadOnlyList<KeyValue>) =
        ReadOnlyList.toList attributes |> List.sortBy (fun a -> a.Key)

    /// Previous points by series, grouped by hash: KeyValue has equality but no ordering, so no Map on the key itself.
    type private Index<'Point> = Map<int, (KeyValue list * 'Point) list>

    let private index (attributesOf: 'Point -> IReadOnlyList<KeyValue>) (points: 'Point list) : Index<'Point> =
        points
        |> List.fold
            (fun acc point ->
                let key = seriesKey (attributesOf point)
                let slot = hash key
                let existing = Map.tryFind slot acc |> Option.defaultValue []
                Map.add slot (existing @ [ key, point ]) acc)
            Map.empty

    let private tryFindSeries (idx: Index<'Point>) (attributes: IReadOnlyList<KeyValue>) =
        let key = seriesKey attributes

        Map.tryFind (hash key) idx
        |> Option.bind (List.tryFind (fun (candidate, _) -> candidate = key))
        |> Option.map snd

    // Exponential buckets as a map, at a lower scale, and back to the dense form of the data model.
    let private bucketsToMap (buckets: ExponentialBuckets) =
        ReadOnlyList.toList buckets.Counts
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
                Min = Nullable()
                Max = Nullable()
                BucketCounts =
                    Numbers.subtractCounts
                        (ReadOnlyList.toList current.BucketCounts)
                        (ReadOnlyList.toList previous.BucketCounts)
            }

    let private subtractExponential (current: ExponentialHistogramPoint) (previous: ExponentialHistogramPoint) =
        let scale, positive, negative = combineExponential (-) current previous

        { current with
            StartTime = previous.Time
            Count = current.Count - previous.Count
            Sum = current.Sum - previous.Sum
            Min = Nullable()
            Max = Nullable()
            Scale = scale
            ZeroCount = current.ZeroCount - previous.ZeroCount
            Positive = positive
            Negative = negative
        }

    // Extremes of a union: the extreme of both when both are known; a side with no measurements does not count;
    // an unknown extreme of a side that has measurements makes the result unknown.
    let private combineExtreme
        pick
        (leftCount: int64, left: Nullable<float>)
        (rightCount: int64, right: Nullable<float>)
        =
        match left.HasValue, right.HasValue with
        | true, true -> Nullable(pick left.Value right.Value)
        | true, false when rightCount = 0L -> left
        | false, true when leftCount = 0L -> right
        | _ -> Nullable()

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
                BucketCounts =
                    Numbers.addCounts
                        (ReadOnlyList.toList running.BucketCounts)
                        (ReadOnlyList.toList delta.BucketCounts)
            }

    // The span of indices a dense bucket range covers once shifted down by `by`.
    let private spanAfter by (buckets: ExponentialBuckets) =
        match ReadOnlyList.toList buckets.Counts with
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
    let private againstPrevious
        attributesOf
        combine
        (previous: IReadOnlyList<'Point>)
        (current: IReadOnlyList<'Point>)
        =
        let idx = index attributesOf (ReadOnlyList.toList previous)

        ReadOnlyList.toList current
        |> List.map (fun point ->
            match tryFindSeries idx (attributesOf point) with
            | Some before -> combine point before
            | None -> point)

    /// Each delta point onto its running series; running series with no new point are carried unchanged.
    let private ontoRunning attributesOf combine (running: IReadOnlyList<'Point>) (delta: IReadOnlyList<'Point>) =
        let running = ReadOnlyList.toList running
        let delta = ReadOnlyList.toList delta
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

        (updated @ carried: 'Point list) :> IReadOnlyList<'Point>

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
