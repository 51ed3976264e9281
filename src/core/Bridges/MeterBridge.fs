namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics.Metrics
open Functional.Telemetry

/// The MeterListener that makes every configured Meter's instruments (Counter, UpDownCounter, Histogram, Gauge and
/// the observable ones, for every numeric type .NET allows) feed the readers' streams.
[<Sealed>]
type internal MeterBridge(meters: string list, collectors: MetricCollector list) =
    let listener = new MeterListener()
    let observeGate = obj ()
    let published = ConcurrentDictionary<string, InstrumentDescriptor>(StringComparer.OrdinalIgnoreCase)

    static let kindOf (instrument: Instrument) =
        let definition =
            let t = instrument.GetType()
            if t.IsGenericType then t.GetGenericTypeDefinition() else t

        if definition = typedefof<Counter<int>> then
            Some InstrumentKind.Counter
        elif definition = typedefof<UpDownCounter<int>> then
            Some InstrumentKind.UpDownCounter
        elif definition = typedefof<Histogram<int>> then
            Some InstrumentKind.Histogram
        elif definition = typedefof<Gauge<int>> then
            Some InstrumentKind.Gauge
        elif definition = typedefof<ObservableCounter<int>> then
            Some InstrumentKind.ObservableCounter
        elif definition = typedefof<ObservableUpDownCounter<int>> then
            Some InstrumentKind.ObservableUpDownCounter
        elif definition = typedefof<ObservableGauge<int>> then
            Some InstrumentKind.ObservableGauge
        else
            None

    static let numberKindOf (instrument: Instrument) =
        let t = instrument.GetType()

        if t.IsGenericType then
            let argument = t.GetGenericArguments()[0]

            if
                argument = typeof<float>
                || argument = typeof<float32>
                || argument = typeof<decimal>
            then
                Some NumberKind.Double
            elif
                argument = typeof<int64>
                || argument = typeof<int>
                || argument = typeof<int16>
                || argument = typeof<byte>
            then
                Some NumberKind.Long
            else
                None
        else
            None

    static let adviceOf (instrument: Instrument) : float list option =
        // InstrumentAdvice<T> is exposed as Advice on the typed instrument base classes.
        let property = instrument.GetType().GetProperty "Advice"

        match property with
        | null -> None
        | p ->
            match p.GetValue instrument with
            | null -> None
            | advice ->
                match advice.GetType().GetProperty("HistogramBucketBoundaries") with
                | null -> None
                | b ->
                    match b.GetValue advice with
                    | :? System.Collections.IEnumerable as bounds ->
                        Some [ for bound in bounds -> Convert.ToDouble bound ]
                    | _ -> None

    let scopeOf (meter: Meter) =
        {
            Name = meter.Name
            Version =
                match meter.Version with
                | null -> ""
                | v -> v
            SchemaUrl =
                match meter.TelemetrySchemaUrl with
                | null -> ""
                | v -> v
            Attributes = ActivityConversion.attributesOfTags meter.Tags
        }

    let describe (instrument: Instrument) =
        match kindOf instrument, numberKindOf instrument with
        | Some kind, Some numberKind ->
            Some
                {
                    Name = instrument.Name
                    Description =
                        match instrument.Description with
                        | null -> ""
                        | d -> d
                    Unit =
                        match instrument.Unit with
                        | null -> ""
                        | u -> u
                    Kind = kind
                    NumberKind = numberKind
                    Scope = scopeOf instrument.Meter
                    AdvisedBoundaries =
                        match adviceOf instrument with
                        | Some bounds -> bounds :> IReadOnlyList<float>
                        | None -> null
                }
        | _ -> None

    let published (instrument: Instrument) (l: MeterListener) =
        if SourceFilter.matchesAny meters instrument.Meter.Name then
            if not (InstrumentName.isValid instrument.Name) then
                SelfDiagnostics.warning
                    "metrics"
                    $"instrument name '{instrument.Name}' of meter '{instrument.Meter.Name}' is invalid (letters, digits, _ . - /; at most 255; starting with a letter): ignored"
            else
                match describe instrument with
                | None ->
                    SelfDiagnostics.warning "metrics" $"instrument '{instrument.Name}' has an unsupported type: ignored"
                | Some descriptor ->
                    let key = instrument.Meter.Name + "\u0000" + instrument.Name

                    match published.TryGetValue key with
                    | true, earlier when earlier.Kind <> descriptor.Kind || earlier.Unit <> descriptor.Unit ->
                        SelfDiagnostics.warning
                            "metrics"
                            $"duplicate instrument '{instrument.Name}' in meter '{instrument.Meter.Name}' with a different kind or unit: both streams are kept"
                    | _ -> published[key] <- descriptor

                    let streams = collectors |> List.collect (fun c -> c.StreamsFor descriptor) |> Array.ofList

                    if streams.Length > 0 then
                        // Handles bound on the instrument record into these streams too (see BoundInstruments).
                        BindingRegistry.enable instrument l streams
                        l.EnableMeasurementEvents(instrument, streams)

    do
        listener.InstrumentPublished <- Action<Instrument, MeterListener>(published)

        // The listener is disposed (shutdown) or the instrument's meter is: bound handles stop recording here.
        listener.MeasurementsCompleted <-
            Action<Instrument, obj>(fun instrument _ -> BindingRegistry.disable instrument listener)

        listener.SetMeasurementEventCallback<int64>(
            MeasurementCallback<int64>(fun _ v t s -> MeterBridge.Long(v, t, s))
        )

        listener.SetMeasurementEventCallback<int>(
            MeasurementCallback<int>(fun _ v t s -> MeterBridge.Long(int64 v, t, s))
        )

        listener.SetMeasurementEventCallback<int16>(
            MeasurementCallback<int16>(fun _ v t s -> MeterBridge.Long(int64 v, t, s))
        )

        listener.SetMeasurementEventCallback<byte>(
            MeasurementCallback<byte>(fun _ v t s -> MeterBridge.Long(int64 v, t, s))
        )

        listener.SetMeasurementEventCallback<float>(
            MeasurementCallback<float>(fun _ v t s -> MeterBridge.Double(v, t, s))
        )

        listener.SetMeasurementEventCallback<float32>(
            MeasurementCallback<float32>(fun _ v t s -> MeterBridge.Double(float v, t, s))
        )

        listener.SetMeasurementEventCallback<decimal>(
            MeasurementCallback<decimal>(fun _ v t s -> MeterBridge.Double(float v, t, s))
        )

        listener.Start()

    static member private Long(value: int64, tags: ReadOnlySpan<KeyValuePair<string, obj>>, state: obj) =
        let streams = state :?> MetricStream array

        for i in 0 .. streams.Length - 1 do
            streams[i].RecordLong(value, tags)

    static member private Double(value: float, tags: ReadOnlySpan<KeyValuePair<string, obj>>, state: obj) =
        let streams = state :?> MetricStream array

        for i in 0 .. streams.Length - 1 do
            streams[i].RecordDouble(value, tags)

    /// Runs the observable instruments' callbacks (their measurements go to every reader's streams). One round at
    /// a time: two readers collecting at once (a scrape and a periodic export) never run a callback concurrently.
    member _.Observe() = lock observeGate (fun () -> listener.RecordObservableInstruments())

    /// Stops listening.
    member _.Dispose() = listener.Dispose()

    interface IDisposable with
        member x.Dispose() = x.Dispose()
