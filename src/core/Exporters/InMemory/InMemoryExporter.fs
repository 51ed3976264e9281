namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Collections.Generic
open System.Threading
open System.Threading.Tasks

/// Keeps every exported item in memory, in export order: for tests, including users' own tests.
/// Thread-safe; `Items` returns a snapshot.
[<Sealed>]
type InMemoryExporter<'T>() =
    let items = List<'T>()
    let gate = obj ()
    let mutable batches = 0
    let mutable shutdowns = 0

    /// A snapshot of the items exported so far.
    member _.Items: IReadOnlyList<'T> = lock gate (fun () -> items.ToArray() :> IReadOnlyList<'T>)

    /// The items exported so far, as an F# list.
    member x.ItemList: 'T list = List.ofSeq x.Items

    /// How many batches Export received.
    member _.BatchCount = lock gate (fun () -> batches)

    /// How many times Shutdown was called.
    member _.ShutdownCount = lock gate (fun () -> shutdowns)

    /// Forgets the items exported so far.
    member _.Clear() = lock gate (fun () -> items.Clear())

    interface IExporter<'T> with
        member _.Name = "in-memory"

        member _.Export(batch, _) =
            lock gate (fun () ->
                items.AddRange batch.Items
                batches <- batches + 1)

            Task.FromResult ExportResult.Success

        member _.Shutdown(_: CancellationToken) =
            lock gate (fun () -> shutdowns <- shutdowns + 1)
            Task.CompletedTask
