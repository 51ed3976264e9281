namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// Which measurement attributes a stream keeps.
[<RequireQualifiedAccess>]
type AttributeFilter =
    /// Every attribute.
    | All
    /// Only these keys.
    | Allow of keys: string list
    /// Every key but these.
    | Deny of keys: string list

/// Selects instruments for a view; every criterion given must match (None matches anything).
type InstrumentSelector =
    {
        /// Instrument name, exact (case-insensitive) or with `*` / `?` wildcards.
        Name: string option
        /// Instrument kind.
        Kind: InstrumentKind option
        /// Meter name, exact.
        MeterName: string option
        /// Meter version, exact.
        MeterVersion: string option
        /// Unit, exact.
        Unit: string option
    }

/// A view: how matching instruments become metric streams (spec: View).
type View =
    {
        /// The instruments it applies to.
        Selector: InstrumentSelector
        /// A new stream name (only allowed when the selector names one instrument exactly, without wildcards).
        Name: string option
        /// A new description.
        Description: string option
        /// Which attributes to keep.
        Attributes: AttributeFilter
        /// A different aggregation (or Drop); None keeps the instrument's default.
        Aggregation: Aggregation option
        /// Most attribute sets per stream, the overflow series included; None keeps the reader's default (2000).
        CardinalityLimit: int option
    }

/// A resolved metric stream: one instrument, through zero or one view.
type StreamConfig =
    {
        /// The instrument.
        Instrument: InstrumentDescriptor
        /// The stream name.
        Name: string
        /// The stream description.
        Description: string
        /// The aggregation, resolved (never Default).
        Aggregation: Aggregation
        /// The attribute filter.
        Attributes: AttributeFilter
        /// Most attribute sets, the overflow series included.
        CardinalityLimit: int
    }

/// Views: pure selection of streams for an instrument.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module View =
    /// The default cardinality limit per stream: 2000.
    val defaultCardinalityLimit: int

    /// A selector matching everything.
    val anyInstrument: InstrumentSelector

    /// A view for instruments named `name` (wildcards allowed) that changes nothing yet.
    val forInstrument: name: string -> View

    /// Checks a view given in code: a rename with a wildcard selector (`Name`), bucket bounds that are not
    /// ascending, distinct and finite, a max size below 2 or a max scale outside [-10, 20] (`Aggregation`), or a
    /// cardinality limit below 1 (`CardinalityLimit`). Error with one message per problem (see `Validation`).
    val validate: view: View -> Result<View, string list>

    /// True when the selector matches the instrument: the name by case-insensitive wildcard match (`*` any run,
    /// `?` one character); kind, meter name, meter version and unit exactly.
    val matches: selector: InstrumentSelector -> instrument: InstrumentDescriptor -> bool

    /// The instrument kind's default aggregation: Sum for counters and up-down counters (observable too), LastValue
    /// for gauges, ExplicitBucketHistogram with min/max for histograms, with the advised boundaries when they are
    /// ascending, distinct and finite (else the default bounds).
    val defaultAggregation: instrument: InstrumentDescriptor -> Aggregation

    /// The streams for an instrument: one per matching view (none when every matching view drops it), or the
    /// default stream when no view matches. `cardinalityLimit` is the reader's default. A view's aggregation of
    /// None or Default resolves to `defaultAggregation`; a histogram aggregation on an observable instrument
    /// falls back to the default too (an observation is a total or a current value, not a distribution).
    val streams: views: View list -> cardinalityLimit: int -> instrument: InstrumentDescriptor -> StreamConfig list

    /// Applies a stream's attribute filter; returns the kept and the filtered-out attributes.
    val filterAttributes: filter: AttributeFilter -> attributes: KeyValue list -> KeyValue list * KeyValue list
