namespace Functional.Telemetry

/// Counters of what metric recording dropped instead of recording (never thrown at the caller).
[<Sealed>]
type MetricDropCounters =
    /// Counters at zero.
    new: unit -> MetricDropCounters

    /// Measurements dropped for NaN or an infinity.
    member NotFinite: int64

    /// Counter increments dropped for being negative.
    member NegativeIncrements: int64

    /// Synchronous measurements that arrived after their reader's final collection had begun (during shutdown),
    /// dropped because no collection would read them.
    member AfterShutdown: int64

    /// Measurements made on a bound instrument (`BoundCounter`, `BoundHistogram`) after it was disposed, dropped:
    /// counted once for each stream the handle was bound to, as the other drops are.
    member AfterUnbind: int64

    /// Counts a measurement dropped for NaN or an infinity.
    member internal AddNotFinite: unit -> unit

    /// Counts a measurement that arrived after the final collection began.
    member internal AddAfterShutdown: unit -> unit

    /// Counts a negative counter increment.
    member internal AddNegative: unit -> unit

    /// Counts a measurement made on a disposed bound instrument.
    member internal AddAfterUnbind: unit -> unit
