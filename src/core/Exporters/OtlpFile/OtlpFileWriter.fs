namespace Functional.Telemetry.FSharp

open System
open System.IO

/// Writes whole lines to standard output or to a file rotated by size. Each line is written with one call and
/// flushed, under a lock: lines of one writer never interleave, nor, on standard output, lines of the process's
/// other OTLP file exporters. A file is opened at its first line (its directory created), appended to, and closed
/// after a failure so that the next line opens it again. Not thread-bound: callers may write from any thread.
[<Sealed>]
type internal OtlpFileWriter(output: OtlpFileOutput, maxFileBytes: int64, maxRotatedFiles: int, stdout: Stream) =
    static let stdoutLock = obj ()

    let sync = obj ()
    let mutable file: FileStream = null
    let mutable size = 0L
    let mutable disposed = false

    let path =
        match output with
        | OtlpFileOutput.File path -> Path.GetFullPath path
        | OtlpFileOutput.Stdout -> ""

    /// `traces.jsonl` -> `traces.<n>.jsonl` (no extension: `traces.<n>`).
    let rotatedName (index: int) =
        let directory = Path.GetDirectoryName path
        let name = Path.GetFileNameWithoutExtension path
        let extension = Path.GetExtension path
        Path.Combine(directory, $"{name}.{index}{extension}")

    let openFile () =
        match Path.GetDirectoryName path with
        | null
        | "" -> ()
        | directory -> Directory.CreateDirectory directory |> ignore

        let stream =
            new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read ||| FileShare.Delete, 4096)

        file <- stream
        size <- stream.Length

    let closeFile () =
        match file with
        | null -> ()
        | stream ->
            file <- null

            try
                stream.Dispose()
            with _ ->
                ()

    // The current file becomes `.1`, `.1` becomes `.2`, ..., the one past MaxRotatedFiles is deleted.
    let rotate () =
        closeFile ()

        if maxRotatedFiles <= 0 then
            File.Delete path
        else
            let oldest = rotatedName maxRotatedFiles

            if File.Exists oldest then
                File.Delete oldest

            for index in maxRotatedFiles - 1 .. -1 .. 1 do
                let name = rotatedName index

                if File.Exists name then
                    File.Move(name, rotatedName (index + 1))

            File.Move(path, rotatedName 1)

        openFile ()

    let writeFile (line: ReadOnlySpan<byte>) =
        if isNull file then
            openFile ()

        if size > 0L && size + int64 line.Length > maxFileBytes then
            rotate ()

        file.Write line
        file.Flush()
        size <- size + int64 line.Length

    /// A writer over the process's standard output, or the file of `output`.
    new(output, maxFileBytes, maxRotatedFiles) =
        new OtlpFileWriter(
            output,
            maxFileBytes,
            maxRotatedFiles,
            (match output with
             | OtlpFileOutput.Stdout -> Console.OpenStandardOutput()
             | OtlpFileOutput.File _ -> Stream.Null)
        )

    /// `stdout`, or the file's full path.
    member _.Destination =
        match output with
        | OtlpFileOutput.Stdout -> "stdout"
        | OtlpFileOutput.File _ -> path

    /// Writes one line (its `\n` included) and flushes it; Error with what went wrong (the file is closed, to be
    /// opened again by the next line).
    member _.Write(line: ReadOnlySpan<byte>) : Result<unit, string> =
        match output with
        | OtlpFileOutput.Stdout ->
            // Monitor.Enter, not `lock`: a span cannot be captured by the closure `lock` takes.
            Threading.Monitor.Enter stdoutLock

            try
                try
                    stdout.Write line
                    stdout.Flush()
                    Ok()
                with e ->
                    Error $"{e.GetType().Name}: {e.Message}"
            finally
                Threading.Monitor.Exit stdoutLock
        | OtlpFileOutput.File _ ->
            Threading.Monitor.Enter sync

            try
                if disposed then
                    Error "the exporter is shut down"
                else
                    try
                        writeFile line
                        Ok()
                    with e ->
                        closeFile ()
                        Error $"{e.GetType().Name}: {e.Message}"
            finally
                Threading.Monitor.Exit sync

    interface IDisposable with
        member _.Dispose() =
            lock sync (fun () ->
                disposed <- true
                closeFile ())
