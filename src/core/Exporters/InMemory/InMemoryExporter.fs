namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System.Collections.Generic
open System.Threading
open System.Threading.Tasks

[<Sealed>]
type InMemoryExporter<'T>() =
    let items = List<'T>()
    let gate = obj ()
    let mutable batches = 0
    let mutable shutdowns = 0

    member _.Items: IReadOnlyList<'T> = lock gate (fun () -> items.ToArray() :> IReadOnlyList<'T>)

    member _.BatchCount = lock gate (fun () -> batches)

    member _.ShutdownCount = lock gate (fun () -> shutdowns)

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

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

[<AutoOpen>]
module InMemoryExporterExtensions =
    type InMemoryExporter<'T> with
        member x.ItemList: 'T list = List.ofSeq x.Items
