module Functional.Telemetry.Tests.ItemQueueTests

open Expecto
open System
open System.Threading
open System.Threading.Tasks
open Xunit
open Functional.Telemetry.FSharp

let private takeAll (queue: ItemQueue<'T>) =
    let mutable item = Unchecked.defaultof<'T>

    [
        while queue.TryTake(&item) do
            yield item
    ]

let ``items come out in order, and a full queue refuses until the reader takes`` () =
    let queue = ItemQueue<int> 3
    Assert.True(queue.TryAdd 1 && queue.TryAdd 2 && queue.TryAdd 3)
    Assert.False(queue.TryAdd 4)
    let mutable first = 0
    Assert.True(queue.TryTake(&first))
    Assert.Equal(1, first)
    Assert.True(queue.TryAdd 4)
    Assert.Equal<int list>([ 2; 3; 4 ], takeAll queue)
    Assert.True queue.IsEmpty

    // Around the ring several times.
    for round in 0..40 do
        Assert.True(queue.TryAdd round)
        Assert.Equal<int list>([ round ], takeAll queue)

let ``a closed queue refuses every later add and still gives what was added before`` () =
    let queue = ItemQueue<string> 8
    Assert.True(queue.TryAdd "a")
    queue.Close()
    queue.Close()
    Assert.True queue.IsClosed
    Assert.False(queue.TryAdd "b")
    Assert.Equal(1L, queue.Reserved)
    Assert.Equal<string list>([ "a" ], takeAll queue)
    Assert.True queue.IsEmpty

let ``with many producers and one reader every item added is taken exactly once`` () =
    task {
        let queue = ItemQueue<int> 64
        let producers = 4
        let perProducer = 20_000
        let added = Array.zeroCreate<int> producers
        let taken = Collections.Generic.List<int>()
        use stop = new CancellationTokenSource()

        let reader =
            Task.Run(fun () ->
                let mutable item = 0

                while not stop.IsCancellationRequested || not queue.IsEmpty do
                    if queue.TryTake(&item) then
                        taken.Add item
                    else
                        Thread.Yield() |> ignore)

        let! _ =
            Task.WhenAll(
                [|
                    for p in 0 .. producers - 1 ->
                        Task.Run(fun () ->
                            for i in 0 .. perProducer - 1 do
                                // A full queue refuses: try again, as a producer whose item matters would.
                                while not (queue.TryAdd(p * perProducer + i)) do
                                    Thread.Yield() |> ignore

                                added[p] <- added[p] + 1)
                |]
            )

        stop.Cancel()
        do! reader
        Assert.Equal(producers * perProducer, Array.sum added)
        Assert.Equal(producers * perProducer, taken.Count)
        Assert.Equal<int list>([ 0 .. producers * perProducer - 1 ], taken |> Seq.sort |> List.ofSeq)

        // Each producer's items in the order it added them.
        for p in 0 .. producers - 1 do
            let own = taken |> Seq.filter (fun i -> i / perProducer = p) |> List.ofSeq
            Assert.Equal<int list>(List.sort own, own)
    }

[<Tests>]
let tests =
    testList
        "ItemQueueTests"
        [
            test "items come out in order, and a full queue refuses until the reader takes" {
                ``items come out in order, and a full queue refuses until the reader takes`` ()
            }
            test "a closed queue refuses every later add and still gives what was added before" {
                ``a closed queue refuses every later add and still gives what was added before`` ()
            }
            testTask "with many producers and one reader every item added is taken exactly once" {
                do! ``with many producers and one reader every item added is taken exactly once`` ()
            }
        ]
