namespace Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics.Metrics

/// A `Counter<T>` or `UpDownCounter<T>` bound to one attribute set (made by `Bind` on the instrument): `Add`
/// writes straight into that attribute set's aggregation in every stream that records the instrument (each SDK
/// listening to it, each reader and view), with no attribute lookup, no allocation and (for sums and
/// explicit-bucket histograms) no atomic instruction: each writing thread has a cell of its own, summed at
/// collection. The series stays
/// bound (a delta reader does not reclaim it, it counts toward the cardinality limit) until the handle is
/// disposed. Measurements are validated, filtered by views and sampled for exemplars as unbound ones are. SDKs
/// started or stopped after binding are followed. Other `MeterListener`s of the instrument do not see bound
/// measurements.
[<Sealed>]
type BoundCounter<'T when 'T: struct> =
    internal new: instrument: Instrument * binding: Binding -> BoundCounter<'T>

    /// Sets the parts the handle records into (the registry's `publish`).
    member internal SetParts: newParts: BoundPart array -> unit

    /// Adds `value` to the bound attribute set: what `Add(value, tags)` on the instrument records. A negative
    /// increment of a `Counter<T>` is dropped and counted (`MetricDropCounters.NegativeIncrements`); after
    /// `Dispose` the measurement is dropped and counted (`MetricDropCounters.AfterUnbind`). Never throws.
    member Add: value: 'T -> unit

    /// Unbinds: the series is released (a delta reader reclaims it once idle), and later measurements are dropped
    /// and counted. Disposing twice does nothing.
    member Dispose: unit -> unit

    interface IDisposable

/// A `Histogram<T>` bound to one attribute set (made by `Bind` on the instrument): `Record` writes straight into
/// that attribute set's aggregation (explicit-bucket: a cell of the writing thread's own, merged at collection;
/// exponential: the series' cell) in every stream that records the instrument, with no attribute lookup and no
/// allocation. The series stays bound (never reclaimed by a delta
/// reader, counted toward the cardinality limit) until the handle is disposed. Measurements are validated,
/// filtered by views and sampled for exemplars as unbound ones are. SDKs started or stopped after binding are
/// followed. Other `MeterListener`s of the instrument do not see bound measurements.
[<Sealed>]
type BoundHistogram<'T when 'T: struct> =
    internal new: instrument: Instrument * binding: Binding -> BoundHistogram<'T>

    /// Sets the parts the handle records into (the registry's `publish`).
    member internal SetParts: newParts: BoundPart array -> unit

    /// Records `value` in the bound attribute set: what `Record(value, tags)` on the instrument records. NaN and
    /// infinities are dropped and counted (`MetricDropCounters.NotFinite`); after `Dispose` the measurement is
    /// dropped and counted (`MetricDropCounters.AfterUnbind`). Never throws.
    member Record: value: 'T -> unit

    /// Unbinds: the series is released (a delta reader reclaims it once idle), and later measurements are dropped
    /// and counted. Disposing twice does nothing.
    member Dispose: unit -> unit

    interface IDisposable

/// Binding instruments (what both the F# API and the C# facade call).
module internal BoundInstruments =
    /// The tags of an attribute list, as .NET instruments pass them.
    val tagsOf: attributes: KeyValue list -> KeyValuePair<string, obj> array

    /// Binds a counter or up-down counter to these tags (a copy the binding keeps).
    val counter<'T when 'T: struct> :
        instrument: Instrument -> tags: KeyValuePair<string, obj> array -> BoundCounter<'T>

    /// Binds a histogram to these tags (a copy the binding keeps).
    val histogram<'T when 'T: struct> :
        instrument: Instrument -> tags: KeyValuePair<string, obj> array -> BoundHistogram<'T>

    /// How many bound handles are live on an instrument (for tests). holds a series in any stream (for tests).
    val liveBindings: instrument: Instrument -> int
