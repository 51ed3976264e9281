namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics.Metrics

/// The native F# metrics API: System.Diagnostics.Metrics instruments created and used with F# values
/// (attribute lists, options), feeding the same MeterListener pipeline as any .NET instrument.
/// Add the meter's name to the metrics configuration (`Metrics.addMeter`).
[<RequireQualifiedAccess>]
module Instruments =
    /// A meter named `name` (and optional version). Dispose it with the component that owns it.
    [<CompiledName("Meter")>]
    val meter: name: string -> version: string option -> Meter

    /// A monotonic integer counter.
    [<CompiledName("Counter")>]
    val counter: meter: Meter -> name: string -> unit: string -> description: string -> Counter<int64>

    /// A floating-point counter.
    [<CompiledName("DoubleCounter")>]
    val doubleCounter: meter: Meter -> name: string -> unit: string -> description: string -> Counter<float>

    /// An integer up-down counter.
    [<CompiledName("UpDownCounter")>]
    val upDownCounter: meter: Meter -> name: string -> unit: string -> description: string -> UpDownCounter<int64>

    /// A histogram; `bounds` advises bucket boundaries (a view may still override them).
    [<CompiledName("Histogram")>]
    val histogram:
        meter: Meter ->
        name: string ->
        unit: string ->
        description: string ->
        bounds: float list option ->
            Histogram<float>

    /// A synchronous gauge (the last value set).
    [<CompiledName("Gauge")>]
    val gauge: meter: Meter -> name: string -> unit: string -> description: string -> Gauge<float>

    /// An observable gauge: `observe` runs at each collection and returns values with their attributes.
    [<CompiledName("ObservableGauge")>]
    val observableGauge:
        meter: Meter ->
        name: string ->
        unit: string ->
        description: string ->
        observe: (unit -> (float * KeyValue list) list) ->
            ObservableGauge<float>

    /// An observable counter: `observe` returns cumulative totals with their attributes.
    [<CompiledName("ObservableCounter")>]
    val observableCounter:
        meter: Meter ->
        name: string ->
        unit: string ->
        description: string ->
        observe: (unit -> (int64 * KeyValue list) list) ->
            ObservableCounter<int64>

    /// Adds to a counter with attributes.
    [<CompiledName("Add")>]
    val add: attributes: KeyValue list -> value: int64 -> counter: Counter<int64> -> unit

    /// Adds to a floating-point counter with attributes.
    [<CompiledName("AddDouble")>]
    val addDouble: attributes: KeyValue list -> value: float -> counter: Counter<float> -> unit

    /// Adds (or subtracts) to an up-down counter with attributes.
    [<CompiledName("AddUpDown")>]
    val addUpDown: attributes: KeyValue list -> value: int64 -> counter: UpDownCounter<int64> -> unit

    /// Records a histogram value with attributes.
    [<CompiledName("Record")>]
    val record: attributes: KeyValue list -> value: float -> histogram: Histogram<float> -> unit

    /// Sets a gauge with attributes.
    [<CompiledName("Set")>]
    val set: attributes: KeyValue list -> value: float -> gauge: Gauge<float> -> unit

    /// Times `work` and records its duration in milliseconds on the histogram, also when it throws.
    [<CompiledName("Time")>]
    val time: attributes: KeyValue list -> histogram: Histogram<float> -> work: (unit -> 'T) -> 'T

/// Binding instruments to one attribute set: `counter.Bind [ KeyValue.string "method" "GET" ]` returns a handle
/// whose `Add` records with no attribute lookup (see `BoundCounter`, `BoundHistogram`). Dispose the handle to
/// unbind. Views and the cardinality limit apply as they do to `Instruments.add`.
[<AutoOpen>]
module InstrumentBinding =
    type Counter<'T when 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> with
        /// Binds the counter to these attributes, in every SDK that listens to it now or later, until the handle
        /// is disposed.
        member Bind: attributes: KeyValue list -> BoundCounter<'T>

    type UpDownCounter<'T when 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> with
        /// Binds the up-down counter to these attributes, in every SDK that listens to it now or later, until the
        /// handle is disposed.
        member Bind: attributes: KeyValue list -> BoundCounter<'T>

    type Histogram<'T when 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType> with
        /// Binds the histogram to these attributes, in every SDK that listens to it now or later, until the
        /// handle is disposed.
        member Bind: attributes: KeyValue list -> BoundHistogram<'T>
