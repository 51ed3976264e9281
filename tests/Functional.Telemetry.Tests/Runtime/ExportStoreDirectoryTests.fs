/// The export store's directory rules (one subdirectory per signal and destination, symbolic links and foreign
/// owners refused), multi-body entries, the order of files when the clock steps back, the byte count when files
/// vanish, and stores used after they were closed.
module Functional.Telemetry.Tests.ExportStoreDirectoryTests

open Expecto
open System
open System.Diagnostics
open System.IO
open System.Threading
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private kind = "traces;application/x-protobuf"

let private freshDirectory () =
    Path.Combine(Path.GetTempPath(), "ft-store-dir-test-" + Guid.NewGuid().ToString("N"))

let private body (bytes: byte array) = ReadOnlyMemory bytes

let private openAt (directory: string) (maxBytes: int64) (clock: unit -> int64) =
    new DiskStore(directory, maxBytes, TimeSpan.FromHours 1., Timeout.InfiniteTimeSpan, clock) :> IRequestStore

let private prepared root parts =
    match StoreDirectory.prepare root parts with
    | Ok directory -> directory
    | Error reason -> failwith reason

let private refusal root parts =
    match StoreDirectory.prepare root parts with
    | Ok directory -> failwith $"{directory} was accepted"
    | Error reason -> reason

let ``each signal and destination has its own subdirectory`` () =
    let a = StoreDirectory.partsFor kind "http://127.0.0.1:4318/v1/traces"
    let b = StoreDirectory.partsFor kind "http://127.0.0.1:4319/v1/traces"
    let json = StoreDirectory.partsFor "traces;application/json" "http://127.0.0.1:4318/v1/traces"
    let logs = StoreDirectory.partsFor "logs;application/x-protobuf" "http://127.0.0.1:4318/v1/logs"
    Assert.Equal("traces", List.head a)
    Assert.Equal("logs", List.head logs)
    Assert.Equal<string list>(a, StoreDirectory.partsFor kind "http://127.0.0.1:4318/v1/traces")
    Assert.NotEqual<string list>(a, b)
    Assert.NotEqual<string list>(a, json)
    // A kind that is not a plain signal name never becomes a path.
    Assert.Equal("other", List.head (StoreDirectory.partsFor "../x;y" ""))

let ``a symbolic link as the root or as a subdirectory is refused`` () =
    if not (OperatingSystem.IsWindows()) then
        let real = freshDirectory ()
        let link = freshDirectory ()
        Directory.CreateDirectory real |> ignore
        Directory.CreateSymbolicLink(link, real) |> ignore

        try
            Assert.Contains("symbolic link", refusal link [ "traces" ])
            // A subdirectory replaced by a link (to a directory of the same owner) is refused too.
            let root = freshDirectory ()
            Directory.CreateDirectory root |> ignore
            Directory.CreateSymbolicLink(Path.Combine(root, "traces"), real) |> ignore

            try
                Assert.Contains("symbolic link", refusal root [ "traces"; "0011223344556677" ])
            finally
                Directory.Delete(root, true)
        finally
            Directory.Delete link
            Directory.Delete(real, true)

let ``a directory owned by another account is refused`` () =
    if OperatingSystem.IsLinux() then
        if Environment.IsPrivilegedProcess then
            // A superuser can give a directory away: to nobody.
            let root = freshDirectory ()
            Directory.CreateDirectory root |> ignore
            let chown = Process.Start("chown", [ "65534"; root ])
            chown.WaitForExit()
            Assert.Equal(0, chown.ExitCode)

            try
                Assert.Contains("owned by another account", refusal root [ "traces" ])
                Assert.False(Directory.Exists(Path.Combine(root, "traces")))
            finally
                Directory.Delete(root, true)
        else
            // Another account's directory: the system's.
            Assert.Contains("owned by another account", refusal "/usr" [ "traces" ])

let ``an existing subdirectory is set owner-only`` () =
    if not (OperatingSystem.IsWindows()) then
        let root = freshDirectory ()
        let traces = Path.Combine(root, "traces")
        Directory.CreateDirectory traces |> ignore
        File.SetUnixFileMode(root, enum<UnixFileMode> 0o755)
        File.SetUnixFileMode(traces, enum<UnixFileMode> 0o755)

        try
            let directory = prepared root [ "traces" ]
            let ownerOnly = UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute
            Assert.Equal(ownerOnly, File.GetUnixFileMode directory)
            // The root is the user's: checked, not changed.
            Assert.Equal(enum<UnixFileMode> 0o755, File.GetUnixFileMode root)
        finally
            Directory.Delete(root, true)

let ``an entry of several bodies reads back whole, in order`` () =
    let bodies = [| [| 1uy; 2uy |]; [||]; [| for i in 0..300 -> byte i |] |]
    let data = StoredFile.encode (bodies |> Array.map body) 1 kind

    match StoredFile.decode data with
    | Some(items, k, decoded) ->
        Assert.Equal(1, items)
        Assert.Equal(kind, k)
        Assert.Equal<byte array array>(bodies, decoded)
    | None -> failwith "no round trip"

    for cut in [ 0; 20; 30; data.Length / 2; data.Length - 1 ] do
        Assert.True((StoredFile.decode data.[.. cut - 1]).IsNone, $"cut at {cut}")

let ``files keep the order they were written in when the clock steps back`` () =
    let root = freshDirectory ()
    let directory = prepared root [ "traces" ]
    let mutable now = DateTime.UtcNow.Ticks
    let store = openAt directory (1024L * 1024L) (fun () -> now)

    try
        Assert.Equal(StoreAdd.Added, store.Add([| body [| 1uy |] |], 1, kind))
        // The wall clock is set back an hour.
        now <- now - TimeSpan.TicksPerHour
        Assert.Equal(StoreAdd.Added, store.Add([| body [| 2uy |] |], 1, kind))
        now <- now + TimeSpan.TicksPerMillisecond
        Assert.Equal(StoreAdd.Added, store.Add([| body [| 3uy |] |], 1, kind))

        let order =
            [
                for _ in 1..3 do
                    let request = store.Take()
                    store.Remove request
                    request.Bodies[0][0]
            ]

        Assert.Equal<byte list>([ 1uy; 2uy; 3uy ], order)
    finally
        store.Dispose()
        Directory.Delete(root, true)

let ``a taken file removed by someone else frees its bytes, and is counted as lost when returned`` () =
    let root = freshDirectory ()
    let directory = prepared root [ "traces" ]
    let size = int64 (StoredFile.encode [| body (Array.zeroCreate 100) |] 1 kind).Length
    // Room for two files.
    let store = openAt directory (2L * size + 10L) (fun () -> DateTime.UtcNow.Ticks)

    try
        Assert.Equal(StoreAdd.Added, store.Add([| body (Array.zeroCreate 100) |], 1, kind))
        Assert.Equal(StoreAdd.Added, store.Add([| body (Array.zeroCreate 100) |], 2, kind))
        Assert.Equal(StoreAdd.Full, store.Add([| body (Array.zeroCreate 100) |], 1, kind))
        let first = store.Take()
        File.Delete first.Key
        // Sent and removed: its bytes are free although its file was already gone.
        store.Remove first
        Assert.Equal(StoreAdd.Added, store.Add([| body (Array.zeroCreate 100) |], 1, kind))
        Assert.Equal(0L, store.TakeLost())
        // The next one vanishes while it is being sent: returned, it is lost (its 2 items).
        let second = store.Take()
        File.Delete second.Key
        store.Return second
        Assert.Equal(2L, store.TakeLost())
        Assert.Equal(0L, store.TakeLost())
        Assert.Equal(StoreAdd.Added, store.Add([| body (Array.zeroCreate 100) |], 1, kind))
    finally
        store.Dispose()
        Directory.Delete(root, true)

let ``a rescan counts again the bytes and forgets the files removed by someone else`` () =
    let root = freshDirectory ()
    let directory = prepared root [ "traces" ]
    let size = int64 (StoredFile.encode [| body (Array.zeroCreate 100) |] 1 kind).Length

    let store =
        new DiskStore(
            directory,
            2L * size + 10L,
            TimeSpan.FromHours 1.,
            Timeout.InfiniteTimeSpan,
            (fun () -> DateTime.UtcNow.Ticks)
        )

    let requests = store :> IRequestStore

    try
        Assert.Equal(StoreAdd.Added, requests.Add([| body (Array.zeroCreate 100) |], 3, kind))
        Assert.Equal(StoreAdd.Added, requests.Add([| body (Array.zeroCreate 100) |], 4, kind))

        for file in Directory.GetFiles(directory, "*.req") do
            File.Delete file

        store.Rescan()
        Assert.Equal(7L, requests.TakeLost())
        Assert.True requests.IsEmpty
        Assert.Equal(StoreAdd.Added, requests.Add([| body (Array.zeroCreate 100) |], 1, kind))
        Assert.Equal(StoreAdd.Added, requests.Add([| body (Array.zeroCreate 100) |], 1, kind))
    finally
        requests.Dispose()
        Directory.Delete(root, true)

let ``a closed store takes nothing and never throws: a memory store gives its bytes back`` () =
    let budget = StoreBudget 100L
    let memory = new MemoryStore(budget) :> IRequestStore
    Assert.Equal(StoreAdd.Added, memory.Add([| body [| 1uy; 2uy |] |], 1, kind))
    Assert.Equal(StoreAdd.Added, memory.Add([| body [| 3uy |] |], 1, kind))
    let taken = memory.Take()
    memory.Dispose()
    Assert.Equal(0L, budget.Used)

    match memory.Add([| body [| 4uy |] |], 1, kind) with
    | StoreAdd.Unavailable _ -> ()
    | other -> failwith $"{other}"

    // The request being sent when it closed is forgotten: neither back in the store nor released twice.
    memory.Return taken
    memory.Remove taken
    Assert.Equal(0L, budget.Used)
    Assert.Null(memory.Take())

    let root = freshDirectory ()
    let directory = prepared root [ "traces" ]
    let disk = openAt directory 1024L (fun () -> DateTime.UtcNow.Ticks)
    disk.Dispose()

    try
        match disk.Add([| body [| 4uy |] |], 1, kind) with
        | StoreAdd.Unavailable _ -> ()
        | other -> failwith $"{other}"

        Assert.Empty(Directory.GetFiles(directory, "*.req"))
        Assert.Null(disk.Take())
    finally
        Directory.Delete(root, true)

[<Tests>]
let tests =
    testList
        "ExportStoreDirectoryTests"
        [
            test "each signal and destination has its own subdirectory" {
                ``each signal and destination has its own subdirectory`` ()
            }
            test "a symbolic link as the root or as a subdirectory is refused" {
                ``a symbolic link as the root or as a subdirectory is refused`` ()
            }
            test "a directory owned by another account is refused" {
                ``a directory owned by another account is refused`` ()
            }
            test "an existing subdirectory is set owner-only" { ``an existing subdirectory is set owner-only`` () }
            test "an entry of several bodies reads back whole, in order" {
                ``an entry of several bodies reads back whole, in order`` ()
            }
            test "files keep the order they were written in when the clock steps back" {
                ``files keep the order they were written in when the clock steps back`` ()
            }
            test "a taken file removed by someone else frees its bytes, and is counted as lost when returned" {
                ``a taken file removed by someone else frees its bytes, and is counted as lost when returned`` ()
            }
            test "a rescan counts again the bytes and forgets the files removed by someone else" {
                ``a rescan counts again the bytes and forgets the files removed by someone else`` ()
            }
            test "a closed store takes nothing and never throws: a memory store gives its bytes back" {
                ``a closed store takes nothing and never throws: a memory store gives its bytes back`` ()
            }
        ]
