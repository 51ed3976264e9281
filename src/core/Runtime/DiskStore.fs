namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Buffers.Binary
open System.Collections.Generic
open System.IO
open System.Runtime.InteropServices
open System.Security.Cryptography
open System.Text
open System.Threading

/// The file format of a stored entry: a magic, the item count, the request kind, the bodies (a count, then each
/// body's length and bytes) and a checksum (FNV-1a, 64 bits, over everything before it). Reading is total: a short,
/// corrupt or foreign file is None.
module internal StoredFile =
    let private magic = "FTOTLPR2"B

    let private checksum (data: ReadOnlySpan<byte>) =
        let mutable hash = 14695981039346656037UL

        for b in data do
            hash <- (hash ^^^ uint64 b) * 1099511628211UL

        hash

    /// The bytes of a file holding `bodies`.
    let encode (bodies: ReadOnlyMemory<byte> array) (items: int) (kind: string) =
        let kindBytes = Encoding.UTF8.GetBytes kind
        let bodyBytes = bodies |> Array.sumBy (fun body -> 4 + body.Length)
        let length = magic.Length + 4 + 4 + kindBytes.Length + 4 + bodyBytes + 8
        let data = Array.zeroCreate<byte> length
        let span = data.AsSpan()
        magic.CopyTo span
        let mutable at = magic.Length
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice at, items)
        at <- at + 4
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice at, kindBytes.Length)
        at <- at + 4
        kindBytes.CopyTo(span.Slice at)
        at <- at + kindBytes.Length
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice at, bodies.Length)
        at <- at + 4

        for body in bodies do
            BinaryPrimitives.WriteInt32LittleEndian(span.Slice at, body.Length)
            at <- at + 4
            body.Span.CopyTo(span.Slice at)
            at <- at + body.Length

        BinaryPrimitives.WriteUInt64LittleEndian(span.Slice at, checksum (ReadOnlySpan(data, 0, at)))
        data

    /// The items, kind and bodies of a file's bytes; None unless it is whole and its checksum agrees.
    let decode (data: byte array) : (int * string * byte array array) option =
        try
            let span = ReadOnlySpan data

            if
                data.Length < magic.Length + 20
                || not (span.Slice(0, magic.Length).SequenceEqual(ReadOnlySpan magic))
            then
                None
            else
                let mutable at = magic.Length
                let items = BinaryPrimitives.ReadInt32LittleEndian(span.Slice at)
                at <- at + 4
                let kindLength = BinaryPrimitives.ReadInt32LittleEndian(span.Slice at)
                at <- at + 4

                if
                    items < 0
                    || kindLength < 0
                    || kindLength > 1024
                    || int64 at + int64 kindLength + 4L > int64 data.Length - 8L
                then
                    None
                else
                    let kind = Encoding.UTF8.GetString(span.Slice(at, kindLength))
                    at <- at + kindLength
                    let count = BinaryPrimitives.ReadInt32LittleEndian(span.Slice at)
                    at <- at + 4
                    let finish = data.Length - 8

                    // Each body takes at least its 4-byte length.
                    if count < 1 || int64 count * 4L > int64 (finish - at) then
                        None
                    else
                        let bodies = Array.zeroCreate<byte array> count
                        let mutable whole = true
                        let mutable index = 0

                        while whole && index < count do
                            if at + 4 > finish then
                                whole <- false
                            else
                                let length = BinaryPrimitives.ReadInt32LittleEndian(span.Slice at)
                                at <- at + 4

                                if length < 0 || int64 at + int64 length > int64 finish then
                                    whole <- false
                                else
                                    bodies[index] <- span.Slice(at, length).ToArray()
                                    at <- at + length
                                    index <- index + 1

                        if
                            whole
                            && at = finish
                            && BinaryPrimitives.ReadUInt64LittleEndian(span.Slice at) = checksum (span.Slice(0, at))
                        then
                            Some(items, kind, bodies)
                        else
                            None
        with _ ->
            None

/// The owner of a file on Linux, read with statx(2) (its `struct statx` has one layout on every architecture).
module internal UnixOwner =
    [<Literal>]
    let currentDirectory = -100

    [<Literal>]
    let noFollow = 0x100

    [<Literal>]
    let uidMask = 0x8u

    [<DllImport("libc", SetLastError = true)>]
    extern int statx(int dirfd, string pathname, int flags, uint32 mask, byte[] buffer)

    [<DllImport("libc")>]
    extern uint32 geteuid()

/// Where a disk store may live: `<root>/<signal>/<destination hash>`. The SDK creates missing directories readable,
/// writable and searchable by the owner only, and on Unix refuses a root or subdirectory that is a symbolic link, is
/// owned by another account, or that every account may write to, and the shared temporary directory itself as root
/// (files another local account could plant there would be sent under this application's identity: the official
/// SDK's CVE-2026-42191). Its subdirectories are set owner-only. The owner is read on Linux; on another Unix a
/// superuser is not told apart from the owner. On Windows only the temporary-directory rule applies (the
/// directory's ACL is the user's to set).
module internal StoreDirectory =
    let private ownerOnly = UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute

    let private trimmed (path: string) = Path.TrimEndingDirectorySeparator(Path.GetFullPath path)

    let private sharedTemporary () =
        [
            Path.GetTempPath()
            if not (OperatingSystem.IsWindows()) then
                "/tmp"
                "/var/tmp"
                "/dev/shm"
        ]
        |> List.map trimmed

    let private worldWritable (path: string) =
        not (OperatingSystem.IsWindows())
        && (File.GetUnixFileMode path &&& UnixFileMode.OtherWrite) = UnixFileMode.OtherWrite

    let private isLink (path: string) =
        not (OperatingSystem.IsWindows())
        && not (isNull (DirectoryInfo(path).LinkTarget))

    // The account that owns `path` (Linux: statx, not following a link), and this process's effective account;
    // None where that cannot be read (another Unix, an old C library).
    let private ownerAndSelf (path: string) =
        try
            let buffer = Array.zeroCreate<byte> 256

            if
                OperatingSystem.IsLinux()
                && UnixOwner.statx (UnixOwner.currentDirectory, path, UnixOwner.noFollow, UnixOwner.uidMask, buffer) = 0
                && (BitConverter.ToUInt32(buffer, 0) &&& UnixOwner.uidMask) <> 0u
            then
                Some(BitConverter.ToUInt32(buffer, 20), UnixOwner.geteuid ())
            else
                None
        with _ ->
            None

    // True when this account owns `path`. Where the owner cannot be read, chmod (to the mode it has) tells: it
    // succeeds only for the owner, or for a superuser (who is then not told apart).
    let private ownedBySelf (path: string) =
        if OperatingSystem.IsWindows() then
            true
        else
            match ownerAndSelf path with
            | Some(owner, self) -> owner = self
            | None ->
                try
                    File.SetUnixFileMode(path, File.GetUnixFileMode path)
                    true
                with _ ->
                    false

    /// Creates `path` when missing (owner-only), then checks it; `tighten` sets it owner-only.
    let private check (path: string) (tighten: bool) : Result<unit, string> =
        if not (Directory.Exists path) then
            if OperatingSystem.IsWindows() then
                Directory.CreateDirectory path |> ignore
            else
                Directory.CreateDirectory(path, ownerOnly) |> ignore

        if isLink path then
            Error $"{path} is a symbolic link; configure the directory it points to"
        elif not (ownedBySelf path) then
            Error $"{path} is owned by another account"
        else
            if tighten && not (OperatingSystem.IsWindows()) then
                File.SetUnixFileMode(path, ownerOnly)

            if worldWritable path then
                Error $"{path} can be written by every local account"
            else
                Ok()

    /// The subdirectory names of an exporter's store under the root: its signal, then a hash of its request kind and
    /// destination, so that exporters of one signal sending to different endpoints (or with different protocols)
    /// never see each other's files.
    let partsFor (kind: string) (destination: string) =
        let signal =
            match kind.Split(';').[0] with
            | signal when signal.Length > 0 && signal |> Seq.forall Char.IsAsciiLetterLower -> signal
            | _ -> "other"

        let hash = SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + destination))
        [ signal; Convert.ToHexString(hash, 0, 8).ToLowerInvariant() ]

    /// The directory `parts` under `root`, each created when missing; Error with the reason it is refused.
    let prepare (root: string) (parts: string list) : Result<string, string> =
        try
            let root = trimmed root

            if
                sharedTemporary ()
                |> List.exists (fun shared -> String.Equals(shared, root, StringComparison.Ordinal))
            then
                Error $"{root} is the shared temporary directory; configure a directory of the application's own"
            else
                let rec walk (directory: string) (parts: string list) =
                    match parts with
                    | [] -> Ok directory
                    | part :: rest ->
                        let next = Path.Combine(directory, part)
                        check next true |> Result.bind (fun () -> walk next rest)

                check root false |> Result.bind (fun () -> walk root parts)
        with e ->
            Error $"{root} cannot be used: {e.GetType().Name}"

    /// Creates a store's directory again after it was removed (missing levels owner-only) and checks it.
    let recreate (directory: string) : Result<unit, string> =
        try
            check directory true
        with e ->
            Error $"{directory} cannot be created again: {e.GetType().Name}"

/// What the disk store knows of a file it may send: its size, whether this process wrote it, and (its own) items.
[<Struct>]
type internal PendingFile = { Size: int64; Own: bool; Items: int }

/// A store of request files in one directory (an exporter's subdirectory). Each file is written under a temporary
/// name, flushed to disk and renamed, so a file with the final name is whole. A process holds an exclusive lock on
/// `owner-<id>.lock` while its store is open: another process sends a file only when its writer's lock is free (the
/// writer is gone), and every process takes a file first by renaming it to `<name>.lease-<its id>` (a rename
/// succeeds for one process only), so that no two processes send the same file. A lease whose holder's lock is
/// free is taken back. A file that cannot be read is deleted and counted.
///
/// File names start with the time they were written (UTC ticks, never lower than the previous name's within the
/// process, so that a clock stepped back keeps the order), then the writer's id and a sequence number; they sort
/// oldest first. The directory is looked at again when the store has nothing to send, every 30 s while it holds
/// something (when a file is taken), and every `rescanEvery` by a timer (files a process that went away left);
/// each look recounts the bytes held. A directory removed under the store is created again; the files this process
/// had in it are counted as lost (TakeLost). Every member runs under one lock and none throws.
[<Sealed>]
type internal DiskStore
    (directory: string, maxBytes: int64, maxAge: TimeSpan, rescanEvery: TimeSpan, clock: unit -> int64) =
    let gate = obj ()
    let id = Guid.NewGuid().ToString("N")
    let mutable sequence = 0L
    let mutable lastTicks = 0L
    let mutable unreadable = 0L
    let mutable lost = 0L
    let mutable bytes = 0L
    let mutable disposed = false
    let mutable onFound: unit -> unit = ignore

    // Files this process may send, by name (the names sort oldest first).
    let pending = SortedDictionary<string, PendingFile>(StringComparer.Ordinal)
    // Bodies already sent of files returned midway, by name.
    let progress = Dictionary<string, int>(StringComparer.Ordinal)
    let mutable taken: StoredRequest = null
    let mutable takenSize = 0L
    let mutable lastScan = 0L

    let path name = Path.Combine(directory, name)
    let lockName (owner: string) = $"owner-{owner}.lock"

    let openLock () =
        new FileStream(path (lockName id), FileMode.Create, FileAccess.ReadWrite, FileShare.None)

    let mutable ownerLock = openLock ()

    let fileOptions =
        let options =
            FileStreamOptions(Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None)

        if not (OperatingSystem.IsWindows()) then
            options.UnixCreateMode <- Nullable(UnixFileMode.UserRead ||| UnixFileMode.UserWrite)

        options

    // Who wrote or leased a file: the id in its name.
    let ownerOf (name: string) =
        let parts = name.Split('-', '.')
        if parts.Length >= 2 then parts[1] else ""

    let leaserOf (name: string) =
        let at = name.LastIndexOf(".lease-", StringComparison.Ordinal)
        if at < 0 then "" else name.Substring(at + 7)

    let originalOf (lease: string) =
        let name = Path.GetFileName lease
        name.Substring(0, name.LastIndexOf(".lease-", StringComparison.Ordinal))

    let addPending (name: string) (entry: PendingFile) =
        match pending.TryGetValue name with
        | true, known -> bytes <- bytes - known.Size
        | _ -> ()

        pending[name] <- entry
        bytes <- bytes + entry.Size

    // The directory was removed under the store: created again (owner-only, checked), with this process's lock, so
    // that other processes keep seeing it alive. False when that failed (reported).
    let ensureDirectory () =
        if Directory.Exists directory then
            true
        else
            match StoreDirectory.recreate directory with
            | Ok() ->
                try
                    ownerLock.Dispose()
                with _ ->
                    ()

                try
                    ownerLock <- openLock ()
                with _ ->
                    ()

                SelfDiagnostics.warning
                    "export-store"
                    $"the export store directory {directory} was removed; created again"

                true
            | Error reason ->
                SelfDiagnostics.error "export-store" $"the export store directory was removed: {reason}"
                false

    // True while the process with this id holds its lock (its store is open).
    let alive = Dictionary<string, bool>()

    let isAlive (owner: string) =
        if owner = id then
            true
        else
            match alive.TryGetValue owner with
            | true, known -> known
            | _ ->
                let file = path (lockName owner)

                let living =
                    try
                        use probe = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None)
                        false
                    with
                    | :? FileNotFoundException -> false
                    | :? IOException -> true
                    | _ -> false

                if not living then
                    try
                        File.Delete file
                    with _ ->
                        ()

                alive[owner] <- living
                living

    let storedAtOf (name: string) =
        match Int64.TryParse(name.AsSpan(0, min 19 name.Length)) with
        | true, ticks -> ticks
        | _ -> 0L

    // Looks at the directory: files this process may send (those of gone writers, and leases of gone holders,
    // renamed back) are added; files it knew that are gone are forgotten (its own counted as lost); temporary files
    // of gone writers (never whole) are deleted; the bytes held are counted again.
    let scan () =
        alive.Clear()
        lastScan <- Environment.TickCount64

        if ensureDirectory () then
            let seen = HashSet<string>(StringComparer.Ordinal)

            let files =
                try
                    Directory.GetFiles directory
                with _ ->
                    [||]

            for file in files do
                let name = Path.GetFileName file

                try
                    if name.EndsWith(".req", StringComparison.Ordinal) then
                        seen.Add name |> ignore
                        let owner = ownerOf name

                        if not (pending.ContainsKey name) && owner <> id && not (isAlive owner) then
                            addPending name { Size = FileInfo(file).Length; Own = false; Items = 0 }
                    elif name.Contains ".lease-" then
                        if not (isAlive (leaserOf name)) then
                            let original = originalOf name
                            File.Move(file, path original)
                            seen.Add original |> ignore

                            addPending
                                original
                                {
                                    Size = FileInfo(path original).Length
                                    Own = false
                                    Items = 0
                                }
                    elif name.EndsWith(".tmp", StringComparison.Ordinal) then
                        if not (isAlive (ownerOf name)) then
                            File.Delete file
                with _ ->
                    // Taken or removed by another process meanwhile.
                    ()

            let gone = pending.Keys |> Seq.filter (fun name -> not (seen.Contains name)) |> List.ofSeq

            for name in gone do
                let entry = pending[name]
                pending.Remove name |> ignore

                // Another process sent a file it found; this process's own files do not leave but through it.
                if entry.Own then
                    lost <- lost + int64 entry.Items

            bytes <- takenSize + (pending.Values |> Seq.sumBy _.Size)

    let rescan () =
        let found =
            lock gate (fun () ->
                if disposed then
                    false
                else
                    scan ()
                    pending.Count > 0)

        if found then
            try
                onFound ()
            with e ->
                SelfDiagnostics.error "export-store" $"the store's sender could not be started: {e.GetType().Name}"

    let timer =
        if rescanEvery > TimeSpan.Zero && rescanEvery <> Timeout.InfiniteTimeSpan then
            Some(QuietTimer.create rescan rescanEvery rescanEvery)
        else
            None

    // Writes one file; under the lock.
    let write (data: byte array) =
        let now = max (clock ()) lastTicks
        lastTicks <- now
        sequence <- sequence + 1L
        let name = $"{now:D19}-{id}-{sequence:D10}.req"
        let temporary = path (name + ".tmp")

        try
            do
                use stream = new FileStream(temporary, fileOptions)
                stream.Write(data, 0, data.Length)
                stream.Flush true

            File.Move(temporary, path name)
            name
        with _ ->
            try
                File.Delete temporary
            with _ ->
                ()

            reraise ()

    do lock gate scan

    /// Stores in `directory`, at most `maxBytes`, none older than `maxAge`, looking at the directory every 30 s.
    new(directory, maxBytes, maxAge) =
        new DiskStore(directory, maxBytes, maxAge, TimeSpan.FromSeconds 30., (fun () -> DateTime.UtcNow.Ticks))

    member _.Directory = directory

    /// Requests older than this are dropped rather than sent.
    member _.MaxAge = maxAge

    /// Looks at the directory now (the timer does so every `rescanEvery`): when it holds requests this process may
    /// send, `OnFound` is called.
    member _.Rescan() = rescan ()

    interface IRequestStore with
        member _.Add(bodies, items, kind) =
            if Volatile.Read &disposed then
                StoreAdd.Unavailable "the store is closed"
            else
                let data = StoredFile.encode bodies items kind

                lock gate (fun () ->
                    if disposed then
                        StoreAdd.Unavailable "the store is closed"
                    elif bytes + int64 data.Length > maxBytes then
                        StoreAdd.Full
                    else
                        let keep name =
                            addPending name { Size = int64 data.Length; Own = true; Items = items }

                            StoreAdd.Added

                        try
                            keep (write data)
                        with
                        | :? DirectoryNotFoundException when ensureDirectory () ->
                            try
                                keep (write data)
                            with e ->
                                StoreAdd.Unavailable $"could not write a request file: {e.GetType().Name}"
                        | e -> StoreAdd.Unavailable $"could not write a request file: {e.GetType().Name}")

        member _.Take() =
            lock gate (fun () ->
                if disposed || not (isNull taken) then
                    null
                else
                    if pending.Count = 0 || Environment.TickCount64 - lastScan > 30_000L then
                        scan ()

                    let mutable found: StoredRequest = null
                    let mutable looking = true

                    while looking && pending.Count > 0 do
                        let mutable entry = pending.GetEnumerator()
                        entry.MoveNext() |> ignore
                        let name = entry.Current.Key
                        let file = entry.Current.Value
                        pending.Remove name |> ignore
                        bytes <- bytes - file.Size

                        // Leased first, its own files too (should another process take this one for gone, as it
                        // may where file locks do not work, only one of them gets it): a failed rename means
                        // someone else has it, or, for a file of this process, that it was removed.
                        let lease = path $"{name}.lease-{id}"

                        let leased =
                            try
                                File.Move(path name, lease)
                                true
                            with
                            | :? DirectoryNotFoundException ->
                                ensureDirectory () |> ignore
                                false
                            | _ -> false

                        if not leased then
                            progress.Remove name |> ignore

                            if file.Own then
                                lost <- lost + int64 file.Items
                        else
                            let data =
                                try
                                    Some(File.ReadAllBytes lease)
                                with _ ->
                                    None

                            match data with
                            | None ->
                                // Not readable now: back in its place, tried again by the next Take.
                                try
                                    File.Move(lease, path name)
                                    addPending name file
                                with _ ->
                                    if file.Own then
                                        lost <- lost + int64 file.Items

                                looking <- false
                            | Some data ->
                                match StoredFile.decode data with
                                | Some(items, kind, bodies) ->
                                    let request = StoredRequest(bodies, items, file.Own, kind, storedAtOf name, lease)

                                    match progress.TryGetValue name with
                                    | true, sent -> request.Sent <- sent
                                    | _ -> ()

                                    // Its size counts until it is removed.
                                    takenSize <- file.Size
                                    bytes <- bytes + file.Size
                                    taken <- request
                                    found <- request
                                    looking <- false
                                | None ->
                                    unreadable <- unreadable + 1L
                                    progress.Remove name |> ignore

                                    if file.Own then
                                        lost <- lost + int64 file.Items

                                    try
                                        File.Delete lease
                                    with _ ->
                                        ()

                    found)

        member _.Remove request =
            lock gate (fun () ->
                if Object.ReferenceEquals(taken, request) then
                    taken <- null
                    bytes <- bytes - takenSize
                    takenSize <- 0L
                    progress.Remove(originalOf request.Key) |> ignore

                    try
                        File.Delete request.Key
                    with _ ->
                        ())

        member _.Return request =
            lock gate (fun () ->
                if Object.ReferenceEquals(taken, request) then
                    taken <- null
                    let size = takenSize
                    bytes <- bytes - size
                    takenSize <- 0L
                    let original = originalOf request.Key

                    try
                        File.Move(request.Key, path original)

                        addPending original { Size = size; Own = request.Own; Items = request.Items }

                        if request.Sent > 0 then
                            progress[original] <- request.Sent
                    with _ ->
                        progress.Remove original |> ignore

                        if request.Own then
                            lost <- lost + int64 request.Items)

        member _.IsEmpty = lock gate (fun () -> pending.Count = 0 && isNull taken)
        member _.Durable = true
        member _.Unreadable = lock gate (fun () -> unreadable)
        member _.RemoveOwn() = 0L

        member _.TakeLost() =
            lock gate (fun () ->
                let count = lost
                lost <- 0L
                count)

        member _.OnFound
            with get () = lock gate (fun () -> onFound)
            and set callback = lock gate (fun () -> onFound <- callback)

        member _.Dispose() =
            lock gate (fun () ->
                if not disposed then
                    disposed <- true
                    timer |> Option.iter _.Dispose()

                    try
                        ownerLock.Dispose()
                        File.Delete(path (lockName id))
                    with _ ->
                        ())

/// Opening an SDK's export stores from its setting.
module internal ExportStores =
    let private memoryFallback = 64L * 1024L * 1024L

    /// One SDK's store opener, by request kind (`<signal>;<content type>`) and destination (the exporter's
    /// endpoint): memory stores share one byte budget; a directory gives each signal and destination its
    /// subdirectory (see StoreDirectory.partsFor). A directory that is refused or cannot be opened is reported (a
    /// warning) and memory is used instead.
    let opener (setting: ExportStore) : string -> string -> (IRequestStore * TimeSpan) option =
        match setting with
        | ExportStore.Off -> fun _ _ -> None
        | ExportStore.Memory maxBytes ->
            let budget = StoreBudget maxBytes
            fun _ _ -> Some(new MemoryStore(budget) :> IRequestStore, TimeSpan.MaxValue)
        | ExportStore.Disk(root, maxBytes, maxAge) ->
            let budget = lazy (StoreBudget memoryFallback)

            let inMemory (reason: string) =
                SelfDiagnostics.warning "export-store" $"{reason}; keeping requests in memory instead"
                Some(new MemoryStore(budget.Value) :> IRequestStore, TimeSpan.MaxValue)

            fun kind destination ->
                match StoreDirectory.prepare root (StoreDirectory.partsFor kind destination) with
                | Ok directory ->
                    try
                        Some(new DiskStore(directory, maxBytes, maxAge) :> IRequestStore, maxAge)
                    with e ->
                        inMemory $"the export store directory {directory} cannot be opened ({e.GetType().Name})"
                | Error reason -> inMemory $"the export store directory is refused: {reason}"
