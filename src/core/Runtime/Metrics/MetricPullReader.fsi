namespace Functional.Telemetry

open Functional.Telemetry.FSharp

/// A reader that collects when asked (for Prometheus scrapes and tests). Add it to the metrics configuration;
/// once the SDK has started, `Collect` returns the current metrics.
[<Sealed>]
type MetricPullReader =
    /// A pull reader with this temporality preference.
    new: preference: TemporalityPreference -> MetricPullReader

    /// A cumulative pull reader.
    new: unit -> MetricPullReader

    /// The temporality preference.
    member Preference: TemporalityPreference

    /// Whether an SDK has attached this reader (it is running).
    member internal IsAttached: bool

    /// Attaches the SDK's collector; a reader serves one SDK at a time (InvalidOperationException otherwise).
    member internal Attach: c: MetricCollector -> unit

    /// Detaches `c`, if it is still the attached collector.
    member internal Detach: c: MetricCollector -> unit

    /// Collects now, as the runtime uses it (an F# list).
    member internal CollectList: unit -> MetricData list

    /// Collects now; empty before the SDK starts or after it shuts down.
    member Collect: unit -> System.Collections.Generic.IReadOnlyList<MetricData>

    /// This reader's streams (for diagnostics and tests).
    member internal Streams: MetricStream list
