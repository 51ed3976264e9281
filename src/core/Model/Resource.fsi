namespace Functional.Telemetry

open System
open System.Collections.Generic

/// The entity producing telemetry (a service, a process, a host), as immutable attributes.
/// Build one with the `Resource` module (defaults, detectors, environment, merge).
type Resource =
    {
        /// Resource attributes such as `service.name`, keys unique.
        Attributes: IReadOnlyList<KeyValue>
        /// The semantic-conventions schema URL the attributes follow; empty when unknown.
        SchemaUrl: string
    }

/// The library or component that produced a span, metric or log (an ActivitySource, a Meter, a logger category).
type InstrumentationScope =
    {
        /// The scope name, for example the ActivitySource name.
        Name: string
        /// The scope version; empty when unknown.
        Version: string
        /// The schema URL; empty when unknown.
        SchemaUrl: string
        /// Scope attributes (for example ActivitySource tags).
        Attributes: IReadOnlyList<KeyValue>
    }

    /// A scope with just a name.
    static member Named: name: string -> InstrumentationScope
