namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Diagnostics.Metrics

[<RequireQualifiedAccess>]
module Instruments =
    let private orNull (text: string) = if String.IsNullOrEmpty text then null else text

    let private tagsOf (attributes: KeyValue list) =
        let mutable tags = TagList()

        for attribute in attributes do
            tags.Add(attribute.Key, ActivityConversion.ofAnyValue attribute.Value)

        tags

    [<CompiledName("Meter")>]
    let meter (name: string) (version: string option) = new Meter(name, Option.toObj version)

    [<CompiledName("Counter")>]
    let counter (meter: Meter) name unit description = meter.CreateCounter<int64>(name, orNull unit, orNull description)

    [<CompiledName("DoubleCounter")>]
    let doubleCounter (meter: Meter) name unit description =
        meter.CreateCounter<float>(name, orNull unit, orNull description)

    [<CompiledName("UpDownCounter")>]
    let upDownCounter (meter: Meter) name unit description =
        meter.CreateUpDownCounter<int64>(name, orNull unit, orNull description)

    [<CompiledName("Histogram")>]
    let histogram (meter: Meter) name unit description (bounds: float list option) =
        let advice =
            match bounds with
            | Some b -> InstrumentAdvice<float>(HistogramBucketBoundaries = List.toArray b)
            | None -> null

        meter.CreateHistogram<float>(name, orNull unit, orNull description, null, advice)

    [<CompiledName("Gauge")>]
    let gauge (meter: Meter) name unit description = meter.CreateGauge<float>(name, orNull unit, orNull description)

    let private measurements (observed: ('T * KeyValue list) list) =
        observed
        |> List.map (fun (value, attributes) ->
            let tags =
                attributes
                |> List.map (fun a -> KeyValuePair<string, obj>(a.Key, ActivityConversion.ofAnyValue a.Value))

            Measurement<'T>(value, tags))
        :> seq<_>

    [<CompiledName("ObservableGauge")>]
    let observableGauge (meter: Meter) name unit description (observe: unit -> (float * KeyValue list) list) =
        meter.CreateObservableGauge<float>(name, (fun () -> measurements (observe ())), orNull unit, orNull description)

    [<CompiledName("ObservableCounter")>]
    let observableCounter (meter: Meter) name unit description (observe: unit -> (int64 * KeyValue list) list) =
        meter.CreateObservableCounter<int64>(
            name,
            (fun () -> measurements (observe ())),
            orNull unit,
            orNull description
        )

    [<CompiledName("Add")>]
    let add attributes (value: int64) (counter: Counter<int64>) =
        let tags = tagsOf attributes
        counter.Add(value, &tags)

    [<CompiledName("AddDouble")>]
    let addDouble attributes (value: float) (counter: Counter<float>) =
        let tags = tagsOf attributes
        counter.Add(value, &tags)

    [<CompiledName("AddUpDown")>]
    let addUpDown attributes (value: int64) (counter: UpDownCounter<int64>) =
        let tags = tagsOf attributes
        counter.Add(value, &tags)

    [<CompiledName("Record")>]
    let record attributes (value: float) (histogram: Histogram<float>) =
        let tags = tagsOf attributes
        histogram.Record(value, &tags)

    [<CompiledName("Set")>]
    let set attributes (value: float) (gauge: Gauge<float>) =
        let tags = tagsOf attributes
        gauge.Record(value, &tags)

    [<CompiledName("Time")>]
    let time attributes (histogram: Histogram<float>) (work: unit -> 'T) =
        let started = Stopwatch.GetTimestamp()

        try
            work ()
        finally
            record attributes (Stopwatch.GetElapsedTime(started).TotalMilliseconds) histogram

[<AutoOpen>]
module InstrumentBinding =
    type Counter<'T when 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> with
        member counter.Bind(attributes: KeyValue list) =
            BoundInstruments.counter<'T> counter (BoundInstruments.tagsOf attributes)

    type UpDownCounter<'T when 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> with
        member counter.Bind(attributes: KeyValue list) =
            BoundInstruments.counter<'T> counter (BoundInstruments.tagsOf attributes)

    type Histogram<'T when 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> with
        member histogram.Bind(attributes: KeyValue list) =
            BoundInstruments.histogram<'T> histogram (BoundInstruments.tagsOf attributes)
