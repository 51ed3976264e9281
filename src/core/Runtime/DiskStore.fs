namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Buffers.Binary
open System.Collections.Generic
open System.IO
open System.Text

/// The file format of a stored request: a magic, the item count, the request kind, the body and a checksum
/// (FNV-1a, 64 bits, over everything before it). Reading is total: a short, corrupt or foreign file is None.
module internal StoredFile =
    let private magic = "FTOTLPR1"B

    let private checksum (data: ReadOnlySpan<byte>) =
        let mutable hash = 14695981039346656037UL

        for b in data do
            hash <- (hash ^^^ uint64 b) * 1099511628211UL

        hash

    /// The bytes of a file holding `body`.
    let encode (body: ReadOnlySpan<byte>) (items: int) (kind: string) =
        let kindBytes = Encoding.UTF8.GetBytes kind
        let length = magic.Length + 4 + 4 + kindBytes.Length + 4 + body.Length + 8
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
        BinaryPrimitives.WriteInt32LittleEndian(span.Slice at, body.Length)
        at <- at + 4
        body.CopyTo(span.Slice at)
        at <- at + body.Length
        BinaryPrimitives.WriteUInt64LittleEndian(span.Slice at, checksum (ReadOnlySpan(data, 0, at)))
        data

    /// The items, kind and body of a file's bytes; None unless it is whole and its checksum agrees.
    let decode (data: byte array) : (int * string * byte array) option =
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
                    || at + kindLength + 4 > data.Length
                then
                    None
                else
                    let kind = Encoding.UTF8.GetString(span.Slice(at, kindLength))
                    at <- at + kindLength
                    let bodyLength = BinaryPrimitives.ReadInt32LittleEndian(span.Slice at)
                    at <- at + 4

                    if bodyLength < 0 || int64 at + int64 bodyLength + 8L <> int64 data.Length then
                        None
                    else
                        let body = span.Slice(at, bodyLength).ToArray()
                        at <- at + bodyLength
                        let stored = BinaryPrimitives.ReadUInt64LittleEndian(span.Slice at)

                        if stored = checksum (span.Slice(0, at)) then
                            Some(items, kind, body)
                        else
                            None
        with _ ->
            None

/// Where a disk store may live. The SDK creates the directory and its signal subdirectory readable, writable and
/// searchable by the owner only (Unix); it refuses a directory everyone may write to, and the shared temporary
/// directory itself (files another local account could plant there would be sent under this application's
/// identity: the official SDK's CVE-2026-42191).
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

    let private create (path: string) =
        if not (Directory.Exists path) then
            if OperatingSystem.IsWindows() then
                Directory.CreateDirectory path |> ignore
            else
                Directory.CreateDirectory(path, ownerOnly) |> ignore

    /// The signal's subdirectory of `root`, created when missing; Error with the reason it is refused.
    let prepare (root: string) (signal: string) : Result<string, string> =
        try
            let root = trimmed root

            if
                sharedTemporary ()
                |> List.exists (fun shared -> String.Equals(shared, root, StringComparison.Ordinal))
            then
                Error $"{root} is the shared temporary directory; configure a directory of the application's own"
            else
                create root

                if worldWritable root then
                    Error $"{root} can be written by every local account"
                else
                    let directory = Path.Combine(root, signal)
                    create directory

                    if worldWritable directory then
                        Error $"{directory} can be written by every local account"
                    else
                        Ok directory
        with e ->
            Error $"{root} cannot be used: {e.GetType().Name}"

/// A store of request files in one directory (a signal's subdirectory). Each file is written under a temporary
/// name, flushed to disk and renamed, so a file with the final name is whole. A process holds an exclusive lock on
/// `owner-<id>.lock` while its store is open: another process sends a file only when its writer's lock is free (the
/// writer is gone), and every process takes a file first by renaming it to `<name>.lease-<its id>` (a rename
/// succeeds for one process only), so that no two processes send the same file. A lease whose holder's lock is free is taken back. A file
/// that cannot be read is deleted and counted. Every member runs under one lock.
[<Sealed>]
type internal DiskStore(directory: string, maxBytes: int64, maxAge: TimeSpan) =
    let gate = obj ()
    let id = Guid.NewGuid().ToString("N")
    let mutable sequence = 0L
    let mutable unreadable = 0L
    let mutable bytes = 0L

    // Requests this process may send, by file name (the names sort oldest first): the size of each file, and whether
    // this process wrote it.
    let pending = SortedDictionary<string, struct (int64 * bool)>(StringComparer.Ordinal)
    let mutable taken: StoredRequest = null
    let mutable lastScan = 0L

    let path name = Path.Combine(directory, name)
    let lockName (owner: string) = $"owner-{owner}.lock"

    let ownerLock =
        new FileStream(path (lockName id), FileMode.Create, FileAccess.ReadWrite, FileShare.None)

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

    // Files the directory holds that this process may send: its own, those of gone writers, and leases of gone
    // holders (renamed back). Temporary files of gone writers were never whole: deleted.
    let scan () =
        alive.Clear()
        lastScan <- Environment.TickCount64

        for file in Directory.EnumerateFiles directory do
            let name = Path.GetFileName file

            try
                if name.EndsWith(".req", StringComparison.Ordinal) then
                    if not (pending.ContainsKey name) && (isNull taken || taken.Key <> name) then
                        let owner = ownerOf name

                        if owner = id || not (isAlive owner) then
                            let size = FileInfo(file).Length
                            pending[name] <- struct (size, (owner = id))
                            bytes <- bytes + size
                elif name.Contains ".lease-" then
                    if not (isAlive (leaserOf name)) then
                        let original = name.Substring(0, name.LastIndexOf(".lease-", StringComparison.Ordinal))
                        File.Move(file, path original)
                        let size = FileInfo(path original).Length
                        pending[original] <- struct (size, false)
                        bytes <- bytes + size
                elif name.EndsWith(".tmp", StringComparison.Ordinal) then
                    if not (isAlive (ownerOf name)) then
                        File.Delete file
            with _ ->
                // Taken or removed by another process meanwhile.
                ()

    do scan ()

    member _.Directory = directory

    interface IRequestStore with
        member _.Add(body, items, kind) =
            let data = StoredFile.encode body items kind

            lock gate (fun () ->
                if bytes + int64 data.Length > maxBytes then
                    false
                else
                    try
                        sequence <- sequence + 1L
                        let name = $"{DateTime.UtcNow.Ticks:D19}-{id}-{sequence:D10}.req"
                        let temporary = path (name + ".tmp")

                        do
                            use stream = new FileStream(temporary, fileOptions)
                            stream.Write(data, 0, data.Length)
                            stream.Flush true

                        File.Move(temporary, path name)
                        pending[name] <- struct (int64 data.Length, true)
                        bytes <- bytes + int64 data.Length
                        true
                    with e ->
                        SelfDiagnostics.error "export-store" $"could not write a request file: {e.GetType().Name}"
                        false)

        member _.Take() =
            lock gate (fun () ->
                if not (isNull taken) then
                    null
                else
                    // Files of writers that went away meanwhile are looked for when there is nothing else, and
                    // every 30 seconds.
                    if pending.Count = 0 || Environment.TickCount64 - lastScan > 30_000L then
                        scan ()

                    let mutable found: StoredRequest = null

                    while isNull found && pending.Count > 0 do
                        let mutable entry = pending.GetEnumerator()
                        entry.MoveNext() |> ignore
                        let name = entry.Current.Key
                        let struct (size, own) = entry.Current.Value
                        pending.Remove name |> ignore
                        bytes <- bytes - size

                        // Leased first, its own files too (should another process take this one for gone, as it
                        // may where file locks do not work, only one of them gets it): a failed rename means
                        // someone else has it.
                        let current =
                            let lease = path $"{name}.lease-{id}"

                            try
                                File.Move(path name, lease)
                                Some lease
                            with _ ->
                                None

                        match current with
                        | None -> ()
                        | Some file ->
                            let data =
                                try
                                    Some(File.ReadAllBytes file)
                                with _ ->
                                    None

                            match data |> Option.bind StoredFile.decode with
                            | Some(items, kind, body) ->
                                let request = StoredRequest(body, items, own, kind, storedAtOf name, file)
                                // Its size counts again until it is removed.
                                bytes <- bytes + size
                                taken <- request
                                found <- request
                            | None ->
                                if data.IsSome then
                                    unreadable <- unreadable + 1L

                                    try
                                        File.Delete file
                                    with _ ->
                                        ()

                    found)

        member _.Remove request =
            lock gate (fun () ->
                if Object.ReferenceEquals(taken, request) then
                    taken <- null

                    try
                        let size = FileInfo(request.Key).Length
                        File.Delete request.Key
                        bytes <- bytes - size
                    with _ ->
                        ())

        member _.Return request =
            lock gate (fun () ->
                if Object.ReferenceEquals(taken, request) then
                    taken <- null

                    try
                        let size = FileInfo(request.Key).Length
                        bytes <- bytes - size
                        let name = Path.GetFileName request.Key

                        let original = name.Substring(0, name.LastIndexOf(".lease-", StringComparison.Ordinal))
                        File.Move(request.Key, path original)

                        pending[original] <- struct (size, request.Own)
                        bytes <- bytes + size
                    with _ ->
                        ())

        member _.IsEmpty =
            lock gate (fun () ->
                // Another process may have sent a file found here meanwhile: forget those that are gone.
                let gone =
                    pending
                    |> Seq.filter (fun entry ->
                        let struct (_, own) = entry.Value
                        not own && not (File.Exists(path entry.Key)))
                    |> Seq.map (fun entry -> entry.Key, entry.Value)
                    |> List.ofSeq

                for name, struct (size, _) in gone do
                    pending.Remove name |> ignore
                    bytes <- bytes - size

                pending.Count = 0 && isNull taken)

        member _.Durable = true
        member _.Unreadable = lock gate (fun () -> unreadable)
        member _.RemoveOwn() = 0L

        member _.Dispose() =
            lock gate (fun () ->
                try
                    ownerLock.Dispose()
                    File.Delete(path (lockName id))
                with _ ->
                    ())

    /// Requests older than this are dropped rather than sent.
    member _.MaxAge = maxAge

/// Opening an SDK's export stores from its setting.
module internal ExportStores =
    let private memoryFallback = 64L * 1024L * 1024L

    /// One SDK's store opener, by request kind (`<signal>;<content type>`): memory stores share one byte budget; a
    /// directory gives each signal its subdirectory. A directory that is refused or cannot be opened is reported
    /// (a warning) and memory is used instead.
    let opener (setting: ExportStore) : string -> (IRequestStore * TimeSpan) option =
        match setting with
        | ExportStore.Off -> fun _ -> None
        | ExportStore.Memory maxBytes ->
            let budget = StoreBudget maxBytes
            fun _ -> Some(new MemoryStore(budget) :> IRequestStore, TimeSpan.MaxValue)
        | ExportStore.Disk(root, maxBytes, maxAge) ->
            let budget = lazy (StoreBudget memoryFallback)

            let inMemory (reason: string) =
                SelfDiagnostics.warning "export-store" $"{reason}; keeping requests in memory instead"
                Some(new MemoryStore(budget.Value) :> IRequestStore, TimeSpan.MaxValue)

            fun kind ->
                let signal = kind.Split(';').[0]

                match StoreDirectory.prepare root signal with
                | Ok directory ->
                    try
                        Some(new DiskStore(directory, maxBytes, maxAge) :> IRequestStore, maxAge)
                    with e ->
                        inMemory $"the export store directory {directory} cannot be opened ({e.GetType().Name})"
                | Error reason -> inMemory $"the export store directory is refused: {reason}"
