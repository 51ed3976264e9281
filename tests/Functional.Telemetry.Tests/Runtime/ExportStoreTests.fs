/// The export store's parts: the memory budget, the request file format, the disk store's directory rules, leases
/// between processes (two stores on one directory stand for two processes) and unreadable files; its settings.
module Functional.Telemetry.Tests.ExportStoreTests

open Expecto
open System
open System.IO
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private kind = "traces;application/x-protobuf"

let private freshDirectory () =
    Path.Combine(Path.GetTempPath(), "ft-store-test-" + Guid.NewGuid().ToString("N"))

let private openDisk (root: string) =
    match StoreDirectory.prepare root [ "traces" ] with
    | Ok directory -> new DiskStore(directory, 1024L * 1024L, TimeSpan.FromHours 1.) :> IRequestStore, directory
    | Error reason -> failwith reason

let private add (store: IRequestStore) (bytes: byte array) items =
    store.Add([| ReadOnlyMemory bytes |], items, kind) = StoreAdd.Added

let ``a memory store keeps requests oldest first within the SDK's shared budget`` () =
    let budget = StoreBudget 10L
    let first = new MemoryStore(budget) :> IRequestStore
    let second = new MemoryStore(budget) :> IRequestStore
    Assert.True(add first [| 1uy; 2uy; 3uy; 4uy |] 4)
    Assert.True(add second [| 5uy; 6uy; 7uy; 8uy |] 4)
    // The budget is shared: 8 of 10 bytes are used.
    Assert.False(add first [| 9uy; 9uy; 9uy |] 3)
    Assert.True(add first [| 10uy; 11uy |] 2)
    let oldest = first.Take()
    Assert.Equal<byte array>([| 1uy; 2uy; 3uy; 4uy |], oldest.Bodies[0])
    // One request taken at a time; returned, it is the oldest again.
    Assert.Null(first.Take())
    first.Return oldest
    let again = first.Take()
    Assert.Same(oldest, again)
    first.Remove again
    // 4 + 4 + 2 bytes were held; 4 are released.
    Assert.Equal(6L, budget.Used)
    Assert.Equal<byte array>([| 10uy; 11uy |], first.Take().Bodies[0])

let ``a request file reads back whole, and a truncated or altered one reads as nothing`` () =
    let body = [| for i in 0..300 -> byte i |]
    let data = StoredFile.encode [| ReadOnlyMemory body |] 7 kind

    match StoredFile.decode data with
    | Some(items, k, decoded) ->
        Assert.Equal(7, items)
        Assert.Equal(kind, k)
        Assert.Equal<byte array>(body, Array.exactlyOne decoded)
    | None -> failwith "no round trip"

    for cut in [ 0; 1; 8; 20; data.Length / 2; data.Length - 1 ] do
        Assert.True((StoredFile.decode data.[.. cut - 1]).IsNone, $"cut at {cut}")

    let altered = Array.copy data
    altered[data.Length / 2] <- altered[data.Length / 2] ^^^ 0xFFuy
    Assert.True((StoredFile.decode altered).IsNone)
    Assert.True((StoredFile.decode (Text.Encoding.UTF8.GetBytes "hello, not a request")).IsNone)

let ``the disk store creates its directories for the owner only and writes whole files for the owner only`` () =
    let root = freshDirectory ()
    let store, directory = openDisk root

    try
        Assert.True(add store [| 1uy; 2uy |] 2)

        if not (OperatingSystem.IsWindows()) then
            let ownerOnly = UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute
            Assert.Equal(ownerOnly, File.GetUnixFileMode root)
            Assert.Equal(ownerOnly, File.GetUnixFileMode directory)
            let file = Directory.GetFiles(directory, "*.req") |> Array.exactlyOne
            Assert.Equal(UnixFileMode.UserRead ||| UnixFileMode.UserWrite, File.GetUnixFileMode file)

        // No temporary file is left behind.
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"))
    finally
        store.Dispose()
        Directory.Delete(root, true)

let ``a world-writable directory and the shared temporary directory are refused, and memory is used instead`` () =
    Assert.True(
        match StoreDirectory.prepare (Path.GetTempPath()) [ "traces" ] with
        | Error reason -> reason.Contains "temporary"
        | Ok _ -> false
    )

    Assert.True((StoreDirectory.prepare "/tmp" [ "traces" ]) |> Result.isError)

    if not (OperatingSystem.IsWindows()) then
        let root = freshDirectory ()
        Directory.CreateDirectory root |> ignore
        File.SetUnixFileMode(root, enum<UnixFileMode> 0o777)

        try
            Assert.True(
                match StoreDirectory.prepare root [ "traces" ] with
                | Error reason -> reason.Contains "every local account"
                | Ok _ -> false
            )

            // The SDK's opener warns and keeps requests in memory.
            match ExportStores.opener (ExportStore.disk root) kind "" with
            | Some(store, _) ->
                Assert.IsType<MemoryStore>(store) |> ignore
                store.Dispose()
            | None -> failwith "no store"
        finally
            Directory.Delete(root, true)

let ``two processes on one directory never send the same file: a live writer's files stay its own, a gone writer's are leased once``
    ()
    =
    let root = freshDirectory ()
    let writer, _ = openDisk root
    let other, _ = openDisk root
    let third, _ = openDisk root

    try
        Assert.True(add writer [| 1uy |] 1)
        Assert.True(add writer [| 2uy |] 1)
        // The writer is alive: the others see nothing they may send.
        Assert.Null(other.Take())
        Assert.True other.IsEmpty
        // The writer goes away (its lock is released, as when a process dies).
        writer.Dispose()
        let leased = other.Take()
        Assert.NotNull leased
        Assert.Equal<byte array>([| 1uy |], leased.Bodies[0])
        Assert.False leased.Own
        // The third sees only the second file while the first is leased by a live process.
        let next = third.Take()
        Assert.Equal<byte array>([| 2uy |], next.Bodies[0])
        third.Remove next
        Assert.Null(third.Take())
        // A lease returned unsent goes back to its place; then taken and removed once.
        other.Return leased
        let again = other.Take()
        Assert.Equal<byte array>([| 1uy |], again.Bodies[0])
        other.Remove again
        // The second file, which the third sent, is found gone by the next take.
        Assert.Null(other.Take())
        Assert.True other.IsEmpty
        Assert.True third.IsEmpty
    finally
        other.Dispose()
        third.Dispose()
        Directory.Delete(root, true)

let ``a lease whose holder went away is taken back by the next process`` () =
    let root = freshDirectory ()
    let writer, _ = openDisk root
    Assert.True(add writer [| 7uy |] 3)
    writer.Dispose()
    let holder, _ = openDisk root
    let leased = holder.Take()
    Assert.NotNull leased
    // The holder dies mid-send: its lease is not returned.
    holder.Dispose()
    let next, _ = openDisk root

    try
        let taken = next.Take()
        Assert.Equal<byte array>([| 7uy |], taken.Bodies[0])
        Assert.Equal(3, taken.Items)
        next.Remove taken
        Assert.True next.IsEmpty
    finally
        next.Dispose()
        Directory.Delete(root, true)

let ``a truncated or corrupt file is skipped, counted and deleted, never a crash`` () =
    let root = freshDirectory ()
    let writer, directory = openDisk root
    Assert.True(add writer [| 1uy; 2uy; 3uy |] 1)
    Assert.True(add writer [| 4uy; 5uy; 6uy |] 1)
    writer.Dispose()
    let files = Directory.GetFiles(directory, "*.req") |> Array.sort
    // The first is cut short; a stranger's file looks like a request but is not one.
    let bytes = File.ReadAllBytes files[0]
    File.WriteAllBytes(files[0], bytes.[.. bytes.Length - 4])
    File.WriteAllText(Path.Combine(directory, "0000000000000000001-deadbeef-0000000001.req"), "garbage")
    let reader, _ = openDisk root

    try
        let taken = reader.Take()
        Assert.Equal<byte array>([| 4uy; 5uy; 6uy |], taken.Bodies[0])
        reader.Remove taken
        Assert.Null(reader.Take())
        Assert.Equal(2L, reader.Unreadable)
        Assert.Empty(Directory.GetFiles(directory, "*.req"))
    finally
        reader.Dispose()
        Directory.Delete(root, true)

let ``the disk store refuses a request past its byte budget`` () =
    let root = freshDirectory ()

    match StoreDirectory.prepare root [ "logs" ] with
    | Ok directory ->
        let store = new DiskStore(directory, 200L, TimeSpan.FromHours 1.) :> IRequestStore

        try
            Assert.True(add store (Array.zeroCreate 100) 1)
            Assert.False(add store (Array.zeroCreate 100) 1)
        finally
            store.Dispose()
            Directory.Delete(root, true)
    | Error reason -> failwith reason

let ``the official SDK's variables choose the store, and disk without a directory keeps memory with a warning`` () =
    let read pairs = ExportStore.fromEnvironment (Env.ofList pairs)
    Assert.Equal((None, []), read [])
    Assert.Equal(Some ExportStore.defaults, fst (read [ "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory" ]))

    Assert.Equal(
        Some(ExportStore.disk "/var/lib/app/otlp"),
        fst (
            read
                [
                    "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "disk"
                    "OTEL_DOTNET_EXPERIMENTAL_OTLP_DISK_RETRY_DIRECTORY_PATH", "/var/lib/app/otlp"
                ]
        )
    )

    let store, warnings = read [ "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "disk" ]
    Assert.Equal(Some ExportStore.defaults, store)
    Assert.Contains("OTEL_DOTNET_EXPERIMENTAL_OTLP_DISK_RETRY_DIRECTORY_PATH", (List.exactlyOne warnings).Message)
    let _, unknown = read [ "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "cloud" ]
    Assert.Equal(1, unknown.Length)

let ``stores given in code are validated`` () =
    TestUtil.rejects "MaxBytes" (ExportStore.validate (ExportStore.memory 0L))
    TestUtil.rejects "Directory" (ExportStore.validate (ExportStore.disk " "))

    TestUtil.throwsNaming "MaxAge" (fun () ->
        Telemetry.create "x"
        |> Telemetry.withExportStore (ExportStore.Disk("/srv/otlp", 1L, TimeSpan.Zero)))

[<Tests>]
let tests =
    testList
        "ExportStoreTests"
        [
            test "a memory store keeps requests oldest first within the SDK's shared budget" {
                ``a memory store keeps requests oldest first within the SDK's shared budget`` ()
            }
            test "a request file reads back whole, and a truncated or altered one reads as nothing" {
                ``a request file reads back whole, and a truncated or altered one reads as nothing`` ()
            }
            test "the disk store creates its directories for the owner only and writes whole files for the owner only" {
                ``the disk store creates its directories for the owner only and writes whole files for the owner only`` ()
            }
            test "a world-writable directory and the shared temporary directory are refused, and memory is used instead" {
                ``a world-writable directory and the shared temporary directory are refused, and memory is used instead`` ()
            }
            test
                "two processes on one directory never send the same file: a live writer's files stay its own, a gone writer's are leased once" {
                ``two processes on one directory never send the same file: a live writer's files stay its own, a gone writer's are leased once`` ()
            }
            test "a lease whose holder went away is taken back by the next process" {
                ``a lease whose holder went away is taken back by the next process`` ()
            }
            test "a truncated or corrupt file is skipped, counted and deleted, never a crash" {
                ``a truncated or corrupt file is skipped, counted and deleted, never a crash`` ()
            }
            test "the disk store refuses a request past its byte budget" {
                ``the disk store refuses a request past its byte budget`` ()
            }
            test
                "the official SDK's variables choose the store, and disk without a directory keeps memory with a warning" {
                ``the official SDK's variables choose the store, and disk without a directory keeps memory with a warning`` ()
            }
            test "stores given in code are validated" { ``stores given in code are validated`` () }
        ]
