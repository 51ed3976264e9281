namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Runtime.CompilerServices
open System.Threading
open Functional.Telemetry

/// One metric stream of one reader: an instrument through a view, with its cells per attribute set.
/// `Record*` is the hot path: validation, an allocation-free series lookup, an Interlocked update, and an
/// exemplar offer only when the filter lets the measurement through.
[<Sealed>]
type internal MetricStream
    internal
    (
        config: StreamConfig,
        temporality: Temporality,
        exemplarFilter: ExemplarFilter,
        drops: MetricDropCounters,
        startTime: int64
    ) =
    let instrument = config.Instrument

    let isObservable =
        match instrument.Kind with
        | InstrumentKind.ObservableCounter
        | InstrumentKind.ObservableUpDownCounter
        | InstrumentKind.ObservableGauge -> true
        | _ -> false

    // Observable instruments report totals: a cell keeps the last observation, whatever the aggregation.
    let cellAggregation =
        match isObservable, config.Aggregation with
        | true, Aggregation.Sum -> Aggregation.LastValue
        | _, aggregation -> aggregation

    let createCell () = (MetricCell.create cellAggregation instrument.NumberKind).Value

    // Bound handles of synchronous instruments write thread cells where the aggregation has them.
    let createThreadCells () =
        if isObservable then
            null
        else
            ThreadCells.create cellAggregation instrument.NumberKind

    let table = SeriesTable(createCell, createThreadCells, config.CardinalityLimit, config.Attributes)

    // Thread cells are prepared together before they are collected: one barrier serves them all.
    let prepare (series: Series list) = ThreadCells.prepareAll (series |> Seq.map _.ThreadCells)

    // Each series' state: its cell's, merged with what its thread cells hold (after `prepare`).
    let collectPrepared (series: Series list) (reset: bool) (time: int64) =
        series
        |> List.choose (fun s ->
            let shared = s.Cell.Collect(reset, time)

            match s.ThreadCells with
            | null -> shared |> Option.map (fun state -> s, state)
            | cells ->
                let own = cells.Collect reset

                match shared with
                | Some state -> Some(s, CellState.merge state own)
                | None -> Some(s, own))

    // Whether a state collected from a series outside the touched ones has anything to report.
    let hasContent (state: CellState) =
        match state with
        | CellState.Sum s -> s.Total <> NumberValue.Long 0L && s.Total <> NumberValue.Double 0.0
        | CellState.Histogram h -> h.Count > 0L
        | CellState.ExponentialHistogram e -> e.Count > 0L
        | CellState.LastValue _ -> true

    let rejectsNegative =
        match instrument.Kind with
        | InstrumentKind.Counter
        | InstrumentKind.ObservableCounter -> true
        | _ -> false

    let isMonotonic =
        match instrument.Kind with
        | InstrumentKind.Counter
        | InstrumentKind.ObservableCounter
        | InstrumentKind.Histogram -> true
        | _ -> false

    let histogramLike =
        match config.Aggregation with
        | Aggregation.ExplicitBucketHistogram _ -> true
        | _ -> false

    let exemplarSlots =
        match config.Aggregation with
        | Aggregation.ExplicitBucketHistogram(bounds, _) -> bounds.Length + 1
        | Aggregation.Base2ExponentialHistogram(maxSize, _, _) -> Math.Min(20, maxSize)
        | _ -> 1

    let reservoirs = Dictionary<Series, ExemplarReservoir>(HashIdentity.Reference)
    let reservoirGate = obj ()

    // Delta: series reclaimed at the previous two collections, collected again in case a writer raced the removal
    // (a writer preempted across one whole collection still lands in the next).
    let mutable retired: Series list = []
    let mutable retiredBefore: Series list = []
    let mutable lastCollection = startTime
    // Observable sums are observed as cumulative totals; delta readers subtract the previous collection.
    let mutable previousCumulative: MetricPoints option = None

    let reservoirOf (series: Series) =
        lock reservoirGate (fun () ->
            match reservoirs.TryGetValue series with
            | true, r -> r
            | _ ->
                let created = ExemplarReservoir(exemplarSlots, histogramLike)
                reservoirs[series] <- created
                created)

    // Decided once: the hot path tests two booleans, not the filter union.
    let offersExemplars = exemplarFilter <> ExemplarFilter.AlwaysOff && not isObservable
    let needsSampledSpan = exemplarFilter = ExemplarFilter.TraceBased

    let wantsExemplar () =
        if needsSampledSpan then
            match Activity.Current with
            | null -> false
            | activity -> activity.Recorded
        else
            true

    // Set when the reader's final collection begins: a synchronous measurement after it is counted, not recorded
    // into a cell no collection will read. (Observable streams are never closed: the final collection runs
    // their callbacks.)
    let mutable closed = false

    /// The stream configuration.
    member _.Config = config

    /// Stops recording synchronous measurements (the reader's final collection is about to run).
    member internal _.Close() =
        if not isObservable then
            Volatile.Write(&closed, true)

    /// The stream's temporality.
    member _.Temporality = temporality

    /// Attribute sets currently held (the overflow series not included).
    member _.SeriesCount = table.Count

    member private _.Offer
        (series: Series, value: NumberValue, asDouble: float, tags: ReadOnlySpan<KeyValuePair<string, obj>>)
        =
        (reservoirOf series).Offer(value, series.Cell.BucketOf asDouble, table.Filtered tags)

    /// Records an integer measurement.
    member x.RecordLong(value: int64, tags: ReadOnlySpan<KeyValuePair<string, obj>>) =
        if closed then
            drops.AddAfterShutdown()
        elif value < 0L && rejectsNegative then
            drops.AddNegative()
        else
            let series = table.GetOrAdd tags
            series.Cell.RecordLong value

            // Written only when it changes, so recording threads do not keep writing the series' cache line.
            if series.Touched = 0 then
                series.Touched <- 1

            if offersExemplars && wantsExemplar () then
                x.Offer(series, NumberValue.Long value, float value, tags)

    /// Records a floating-point measurement.
    member x.RecordDouble(value: float, tags: ReadOnlySpan<KeyValuePair<string, obj>>) =
        if closed then
            drops.AddAfterShutdown()
        elif not (Double.IsFinite value) then
            drops.AddNotFinite()
        elif value < 0.0 && rejectsNegative then
            drops.AddNegative()
        else
            let series = table.GetOrAdd tags
            series.Cell.RecordDouble value

            if series.Touched = 0 then
                series.Touched <- 1

            if offersExemplars && wantsExemplar () then
                x.Offer(series, NumberValue.Double value, value, tags)

    /// Binds the series of these tags for a bound handle (see `SeriesTable.Bind`), with the attributes the view
    /// filters out of them (what an exemplar of the series carries).
    member internal _.Bind(tags: KeyValuePair<string, obj> array) : Series * KeyValue list =
        table.Bind tags, table.Filtered(ReadOnlySpan tags)

    /// Releases a binding made by `Bind`.
    member internal _.Unbind(series: Series) = table.Unbind series

    /// Whether the reader's final collection has begun (synchronous measurements are dropped from then on).
    member _.IsClosed = closed

    /// Whether negative measurements are dropped (counters).
    member _.RejectsNegative = rejectsNegative

    /// Whether measurements may be offered as exemplars (the filter is not AlwaysOff).
    member _.OffersExemplars = offersExemplars

    /// Whether only measurements inside a sampled span are offered (the trace-based filter).
    member _.NeedsSampledSpan = needsSampledSpan

    /// Records an integer measurement into a bound series: `RecordLong` without the lookup (a bound handle's
    /// slow path: it counts what is dropped).
    member x.RecordBoundLong(series: Series, filtered: KeyValue list, value: int64) =
        if closed then
            drops.AddAfterShutdown()
        elif value < 0L && rejectsNegative then
            drops.AddNegative()
        else
            series.Cell.RecordLong value

            if series.Touched = 0 then
                series.Touched <- 1

            if offersExemplars && wantsExemplar () then
                x.OfferBoundLong(series, filtered, value)

    /// Records a floating-point measurement into a bound series: `RecordDouble` without the lookup.
    member x.RecordBoundDouble(series: Series, filtered: KeyValue list, value: float) =
        if closed then
            drops.AddAfterShutdown()
        elif not (Double.IsFinite value) then
            drops.AddNotFinite()
        elif value < 0.0 && rejectsNegative then
            drops.AddNegative()
        else
            series.Cell.RecordDouble value

            if series.Touched = 0 then
                series.Touched <- 1

            if offersExemplars && wantsExemplar () then
                x.OfferBoundDouble(series, filtered, value)

    /// Offers a bound series' integer measurement as an exemplar (the filter let it through; kept out of line).
    [<MethodImpl(MethodImplOptions.NoInlining)>]
    member _.OfferBoundLong(series: Series, filtered: KeyValue list, value: int64) =
        (reservoirOf series).Offer(NumberValue.Long value, series.Cell.BucketOf(float value), filtered)

    /// Offers a bound series' floating-point measurement as an exemplar (the filter let it through).
    [<MethodImpl(MethodImplOptions.NoInlining)>]
    member _.OfferBoundDouble(series: Series, filtered: KeyValue list, value: float) =
        (reservoirOf series).Offer(NumberValue.Double value, series.Cell.BucketOf value, filtered)

    /// Counts a measurement made on a bound handle after it was disposed.
    member internal _.DropAfterUnbind() = drops.AddAfterUnbind()

    // Series already prepared, with their exemplars.
    member private _.CollectPrepared(series: Series list, reset: bool, time: int64) =
        collectPrepared series reset time
        |> List.map (fun (s, state) ->
            let exemplars =
                match
                    lock reservoirGate (fun () ->
                        match reservoirs.TryGetValue s with
                        | true, r -> Some r
                        | _ -> None)
                with
                | Some r -> r.Collect reset
                | None -> []

            s.Attributes, state, exemplars)

    member private x.CollectSeries(series: Series list, reset: bool, time: int64) =
        prepare series
        x.CollectPrepared(series, reset, time)

    /// Collects the stream at `time` (Unix nanoseconds); None when there is nothing to export.
    member x.Collect(time: int64) : MetricData option =
        let current =
            if isObservable then
                // Observable cells are read and cleared every time: only attribute sets observed this round count.
                let observed = x.CollectSeries(table.Snapshot(), true, time)
                table.Reclaim() |> ignore
                observed
            elif temporality = Temporality.Delta then
                let touched, idleBound, untouched = table.Reclaim()

                // Collected together (one barrier for the thread cells): the touched series, then those whose
                // thread cells may hold what no mark shows (bound and idle; reclaimed now, their handles gone),
                // then the series removed at the last two collections, drained for writes that raced removal.
                let others = idleBound @ untouched @ retired @ retiredBefore
                prepare (touched @ others)
                let current = x.CollectPrepared(touched, true, time)

                let late =
                    x.CollectPrepared(others, true, time)
                    |> List.filter (fun (_, state, _) -> hasContent state)

                lock reservoirGate (fun () ->
                    for s in retiredBefore do
                        reservoirs.Remove s |> ignore)

                retiredBefore <- retired
                retired <- untouched

                // A late write's attribute set may have a new series by now: one point per attribute set, the
                // two states merged (the aggregations are monoids).
                late
                |> List.fold
                    (fun (points: (KeyValue list * CellState * Exemplar list) list) (attributes, state, exemplars) ->
                        if points |> List.exists (fun (a, _, _) -> a = attributes) then
                            points
                            |> List.map (fun (a, s, e) ->
                                if a = attributes then
                                    a, CellState.merge s state, e @ exemplars
                                else
                                    a, s, e)
                        else
                            points @ [ attributes, state, exemplars ])
                    current
            else
                x.CollectSeries(table.Snapshot(), false, time)

        let start =
            if temporality = Temporality.Delta then
                lastCollection
            else
                startTime

        lastCollection <- time

        let number (attributes, value, exemplars) =
            {
                Attributes = attributes
                StartTime = start
                Time = time
                Value = value
                Exemplars = exemplars
            }

        let points =
            match config.Aggregation with
            | Aggregation.Sum ->
                let values =
                    current
                    |> List.choose (fun (attributes, state, exemplars) ->
                        match state with
                        | CellState.Sum sum -> Some(number (attributes, SumState.collect sum, exemplars))
                        | CellState.LastValue last ->
                            LastValueState.collect last
                            |> Option.map (fun v -> number (attributes, v, exemplars))
                        | _ -> None)

                if isObservable then
                    let cumulative =
                        MetricPoints.Sum(
                            Temporality.Cumulative,
                            isMonotonic,
                            values |> List.map (fun p -> { p with StartTime = startTime })
                        )

                    if temporality = Temporality.Delta then
                        let delta = Temporality.cumulativeToDelta previousCumulative cumulative

                        // An attribute set the callback skipped this round keeps its last total: when it comes
                        // back, its delta is taken against that, not against nothing (its whole total again).
                        let carried =
                            match previousCumulative, cumulative with
                            | Some(MetricPoints.Sum(_, _, before)), MetricPoints.Sum(t, monotonic, now) ->
                                let seen =
                                    HashSet<KeyValue list>(
                                        now |> Seq.map (fun p -> ReadOnlyList.toList p.Attributes),
                                        HashIdentity.Structural
                                    )

                                MetricPoints.Sum(
                                    t,
                                    monotonic,
                                    ReadOnlyList.toList now
                                    @ (ReadOnlyList.toList before
                                       |> List.filter (fun p -> not (seen.Contains(ReadOnlyList.toList p.Attributes))))
                                )
                            | _ -> cumulative

                        previousCumulative <- Some carried
                        Some delta
                    else
                        Some cumulative
                else
                    Some(MetricPoints.Sum(temporality, isMonotonic, values))
            | Aggregation.LastValue ->
                current
                |> List.choose (fun (attributes, state, exemplars) ->
                    match state with
                    | CellState.LastValue last ->
                        LastValueState.collect last
                        |> Option.map (fun v -> number (attributes, v, exemplars))
                    | _ -> None)
                |> fun points -> Some(MetricPoints.Gauge points)
            | Aggregation.ExplicitBucketHistogram _ ->
                current
                |> List.choose (fun (attributes, state, exemplars) ->
                    match state with
                    | CellState.Histogram h when h.Count > 0L || temporality = Temporality.Cumulative ->
                        Some(HistogramState.toPoint attributes start time exemplars h)
                    | _ -> None)
                |> fun points -> Some(MetricPoints.Histogram(temporality, points))
            | Aggregation.Base2ExponentialHistogram _ ->
                current
                |> List.choose (fun (attributes, state, exemplars) ->
                    match state with
                    | CellState.ExponentialHistogram e when e.Count > 0L || temporality = Temporality.Cumulative ->
                        Some(ExponentialHistogramState.toPoint attributes start time exemplars e)
                    | _ -> None)
                |> fun points -> Some(MetricPoints.ExponentialHistogram(temporality, points))
            | Aggregation.Drop
            | Aggregation.Default -> None

        let isEmpty =
            match points with
            | Some(MetricPoints.Sum(_, _, p))
            | Some(MetricPoints.Gauge p) -> p.Count = 0
            | Some(MetricPoints.Histogram(_, p)) -> p.Count = 0
            | Some(MetricPoints.ExponentialHistogram(_, p)) -> p.Count = 0
            | None -> true

        if isEmpty then
            None
        else
            points
            |> Option.map (fun p ->
                {
                    Name = config.Name
                    Description = config.Description
                    Unit = instrument.Unit
                    Scope = instrument.Scope
                    Points = p
                })

    /// How many thread cells bound handles made in this stream's series (for tests).
    member internal _.ThreadCellCount =
        table.Snapshot()
        |> List.sumBy (fun s -> if isNull s.ThreadCells then 0 else s.ThreadCells.CellCount)

    /// The raw cell states per attribute set, without resetting (for tests that hold the runtime against
    /// the pure aggregation).
    member _.CellStates(time: int64) : (KeyValue list * CellState) list =
        let series = table.Snapshot()
        prepare series

        collectPrepared series false time
        |> List.map (fun (s, state) -> s.Attributes, state)
