namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Collections.Generic

/// Keeps every exported item in memory, in export order: for tests, including users' own tests.
/// Thread-safe; `Items` returns a snapshot.
[<Sealed>]
type InMemoryExporter<'T> =
    /// An exporter holding nothing yet.
    new: unit -> InMemoryExporter<'T>

    /// A snapshot of the items exported so far.
    member Items: IReadOnlyList<'T>

    /// How many batches Export received.
    member BatchCount: int

    /// How many times Shutdown was called.
    member ShutdownCount: int

    /// Forgets the items exported so far.
    member Clear: unit -> unit

    interface IExporter<'T>

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

/// F#-only members of the in-memory exporter (C# reads `Items`).
[<AutoOpen>]
module InMemoryExporterExtensions =
    type InMemoryExporter<'T> with
        /// The items exported so far, as an F# list.
        member ItemList: 'T list
