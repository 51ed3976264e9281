namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Diagnostics
open System.Diagnostics.Metrics
open System.Runtime.CompilerServices
open System.Threading
open Functional.Telemetry

/// One stream's share of a bound handle: the stream and the series bound in it (held, so never reclaimed). Its
/// `Record*` is the bound hot path: the stream's fixed choices read once here, the measurement checked, the
/// calling thread's cell of the series updated with plain stores (sums and explicit-bucket histograms: see
/// ThreadCells.fs; other aggregations update the shared cell); a measurement that is dropped (negative
/// increment, not finite, after the final collection began) goes through the stream, which counts it, and so
/// does a zero increment (it marks the series, which a delta reader then reports).
[<Sealed; AllowNullLiteral>]
type internal BoundPart private (stream: MetricStream, series: Series, filtered: KeyValue list) =
    let cell = series.Cell
    let threadCells = series.ThreadCells
    let rejectsNegative = stream.RejectsNegative
    let offersExemplars = stream.OffersExemplars
    let needsSampledSpan = stream.NeedsSampledSpan

    // Sums: an up-down counter's sum may come back to where it was, so its series is marked (a delta reader
    // reports a point of 0); a counter's only grows, and the collector sees the change without a mark.
    let marksSeries = not rejectsNegative

    // The exemplar filter's question, asked here so the common answer (no sampled span) costs no call of ours.
    let wantsExemplar () =
        if needsSampledSpan then
            match Activity.Current with
            | null -> false
            | activity -> activity.Recorded
        else
            true

    /// Binds the series of `tags` in `stream`.
    static member Bind (tags: KeyValuePair<string, obj> array) (stream: MetricStream) =
        let series, filtered = stream.Bind tags
        BoundPart(stream, series, filtered)

    member _.Stream = stream
    member _.Series = series

    // The fast paths below are the thread cells' writes and the exemplar filter's question inline; every other
    // case (the shared cell, a measurement to drop or count, an offered exemplar) is a call, which keeps the
    // inlined code small. They
    // return whether the fast path took the measurement, and end in that value rather than a call (see
    // BoundInstruments.fs: a call in tail position would keep them from being inlined).

    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member x.RecordLong(value: int64) : bool =
        match threadCells with
        | :? LongSumThreadCells as sums when (value > 0L || (value < 0L && marksSeries)) && not stream.IsClosed ->
            sums.Add value

            if marksSeries && series.Touched = 0 then
                series.Touched <- 1

            if offersExemplars && wantsExemplar () then
                stream.OfferBoundLong(series, filtered, value)

            true
        | _ ->
            x.RecordLongOther value
            false

    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member x.RecordDouble(value: float) : bool =
        match threadCells with
        | :? HistogramThreadCells as histogram when
            Double.IsFinite value
            && (value >= 0.0 || not rejectsNegative)
            && not stream.IsClosed
            ->
            histogram.Record value

            if offersExemplars && wantsExemplar () then
                stream.OfferBoundDouble(series, filtered, value)

            true
        | :? DoubleSumThreadCells as sums when
            Double.IsFinite value
            && (value > 0.0 || (value < 0.0 && marksSeries))
            && not stream.IsClosed
            ->
            sums.Add value

            if marksSeries && series.Touched = 0 then
                series.Touched <- 1

            if offersExemplars && wantsExemplar () then
                stream.OfferBoundDouble(series, filtered, value)

            true
        | _ ->
            x.RecordDoubleOther value
            false

    [<MethodImpl(MethodImplOptions.NoInlining)>]
    member private x.OfferLong(value: int64) =
        if wantsExemplar () then
            stream.OfferBoundLong(series, filtered, value)

    [<MethodImpl(MethodImplOptions.NoInlining)>]
    member private x.OfferDouble(value: float) =
        if wantsExemplar () then
            stream.OfferBoundDouble(series, filtered, value)

    // What the fast path leaves: another aggregation's cells, zero, a value to drop.
    [<MethodImpl(MethodImplOptions.NoInlining)>]
    member private x.RecordLongOther(value: int64) =
        if (value > 0L || (value < 0L && not rejectsNegative)) && not stream.IsClosed then
            match threadCells with
            | :? LongSumThreadCells as sums ->
                sums.Add value

                if marksSeries && series.Touched = 0 then
                    series.Touched <- 1
            | :? HistogramThreadCells as histogram -> histogram.Record(float value)
            | :? DoubleSumThreadCells as sums ->
                sums.Add(float value)

                if marksSeries && series.Touched = 0 then
                    series.Touched <- 1
            | _ ->
                cell.RecordLong value

                if series.Touched = 0 then
                    series.Touched <- 1

            if offersExemplars then
                x.OfferLong value
        else
            // Zero (recorded in the shared cell, marking the series), or dropped and counted.
            stream.RecordBoundLong(series, filtered, value)

    [<MethodImpl(MethodImplOptions.NoInlining)>]
    member private x.RecordDoubleOther(value: float) =
        if
            Double.IsFinite value
            && (value > 0.0 || (value < 0.0 && not rejectsNegative))
            && not stream.IsClosed
        then
            match threadCells with
            | :? HistogramThreadCells as histogram -> histogram.Record value
            | :? DoubleSumThreadCells as sums ->
                sums.Add value

                if marksSeries && series.Touched = 0 then
                    series.Touched <- 1
            | :? LongSumThreadCells as sums when int64 value <> 0L ->
                sums.Add(int64 value)

                if marksSeries && series.Touched = 0 then
                    series.Touched <- 1
            | _ ->
                cell.RecordDouble value

                if series.Touched = 0 then
                    series.Touched <- 1

            if offersExemplars then
                x.OfferDouble value
        else
            // Zero (recorded in the shared cell, marking the series), or dropped and counted.
            stream.RecordBoundDouble(series, filtered, value)

    member _.Unbind() = stream.Unbind series

/// The slow-path state of one bound handle: its tags and the parts it holds per source (one SDK's listener, whose
/// streams of the instrument are one per reader and view). Changed only under the registry's lock. The handle
/// keeps the flat array of parts itself (its hot path); the registry hands it a new one through `publish`.
[<Sealed>]
type internal Binding
    internal
    (tags: KeyValuePair<string, obj> array, handle: WeakReference<obj>, publish: obj -> BoundPart array -> unit) =
    member _.Tags = tags
    member val Sources: (obj * BoundPart array) list = [] with get, set
    /// Set once the handle was disposed (or collected): it records nothing any more.
    member val Released = false with get, set
    /// The parts held when released: a measurement after that is counted on their streams.
    member val HeldAtRelease: BoundPart array = Array.empty with get, set

    member x.Parts = x.Sources |> List.map snd |> Array.concat

    /// Hands the handle (if it is still alive) its current parts.
    member x.Publish() =
        match handle.TryGetTarget() with
        | true, target -> publish target x.Parts
        | _ -> ()

/// The sources of one instrument and the bindings made on it.
[<Sealed; AllowNullLiteral>]
type internal InstrumentBindings() =
    member val Sources: (obj * MetricStream array) list = [] with get, set
    member val Bindings = List<Binding>()

/// Process-wide: which SDK listeners record each instrument into which streams, and the handles bound on it. A
/// bound handle records where an unbound measurement of the instrument would go (every SDK listening now; one
/// starting or stopping later updates the handle), so binding needs no SDK object. Every change happens under
/// one lock (binding, unbinding, an instrument enabled or completed are rare); recording never takes it.
module internal BindingRegistry =
    let private gate = obj ()
    let private entries = ConditionalWeakTable<Instrument, InstrumentBindings>()

    let private partsIn (tags: KeyValuePair<string, obj> array) (streams: MetricStream array) =
        streams |> Array.map (BoundPart.Bind tags)

    let private isSource (source: obj) (candidate: obj, _) = Object.ReferenceEquals(candidate, source)

    /// A listener (`source`) records `instrument` into `streams` from now on: every live binding binds there too.
    let enable (instrument: Instrument) (source: obj) (streams: MetricStream array) =
        lock gate (fun () ->
            let entry = entries.GetOrCreateValue instrument
            entry.Sources <- entry.Sources @ [ source, streams ]

            for binding in entry.Bindings do
                binding.Sources <- binding.Sources @ [ source, partsIn binding.Tags streams ]
                binding.Publish())

    /// The listener no longer records the instrument (it was disposed, or the instrument's meter was): the
    /// bindings release their series there.
    let disable (instrument: Instrument) (source: obj) =
        lock gate (fun () ->
            match entries.TryGetValue instrument with
            | true, entry ->
                entry.Sources <- entry.Sources |> List.filter (isSource source >> not)

                for binding in entry.Bindings do
                    let gone, kept = binding.Sources |> List.partition (isSource source)

                    for _, parts in gone do
                        for part in parts do
                            part.Unbind()

                    binding.Sources <- kept
                    binding.Publish()
            | _ -> ())

    /// Binds `tags` on `instrument` in every stream that records it now. `create` makes the handle (under the
    /// lock, so no source can change before the handle has its first parts); `publish` sets a handle's parts.
    let bind
        (instrument: Instrument)
        (tags: KeyValuePair<string, obj> array)
        (create: Binding -> 'Handle)
        (publish: obj -> BoundPart array -> unit)
        : 'Handle =
        lock gate (fun () ->
            let entry = entries.GetOrCreateValue instrument
            let reference = WeakReference<obj>(null)
            let binding = Binding(tags, reference, publish)

            binding.Sources <-
                entry.Sources
                |> List.map (fun (source, streams) -> source, partsIn tags streams)

            let handle = create binding
            reference.SetTarget(box handle)
            entry.Bindings.Add binding
            binding.Publish()
            handle)

    /// Releases a binding (its handle was disposed, or collected undisposed): every series it held is unbound.
    /// Returns false when it was already released.
    let release (instrument: Instrument) (binding: Binding) =
        lock gate (fun () ->
            if binding.Released then
                false
            else
                let held = binding.Parts

                for part in held do
                    part.Unbind()

                binding.Sources <- []
                binding.HeldAtRelease <- held
                binding.Released <- true

                match entries.TryGetValue instrument with
                | true, entry -> entry.Bindings.Remove binding |> ignore
                | _ -> ()

                binding.Publish()
                true)

    /// How many bindings are live on an instrument (for tests).
    let bindingCount (instrument: Instrument) =
        lock gate (fun () ->
            match entries.TryGetValue instrument with
            | true, entry -> entry.Bindings.Count
            | _ -> 0)

/// Releases a binding when its handle is collected without Dispose (the registry holds handles only weakly). The
/// handle holds it, so both become unreachable together; a finalizer here keeps one off the handle's public type.
[<Sealed>]
type internal BindingGuard(instrument: Instrument, binding: Binding) =
    /// Releases the binding now (the handle's Dispose); the finalizer then has nothing to do.
    member x.Release() =
        BindingRegistry.release instrument binding |> ignore
        GC.SuppressFinalize x

    override _.Finalize() = BindingRegistry.release instrument binding |> ignore
