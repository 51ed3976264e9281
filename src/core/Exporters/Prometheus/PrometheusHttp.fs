namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Concurrent
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks

/// One parsed request head.
type internal Request =
    {
        Method: string
        Target: string
        Http10: bool
        Headers: (string * string) list
    }

/// The scrape endpoint's limits: fixed for users (the defaults), shorter in tests.
type internal PrometheusServerLimits =
    {
        /// Connections served at once. A connection beyond them closes the connection that has waited longest for
        /// a request (idle, or still sending its request's head); when every connection is answering, the new one
        /// is closed.
        MaxConnections: int
        /// The whole head of a request must arrive within this long: from the accept for a connection's first
        /// request, from the first byte for a kept-alive connection's next one.
        RequestHeadTimeout: TimeSpan
        /// How long a kept-alive connection waits for the first byte of its next request (Prometheus scrapes every
        /// 15 to 60 s over one connection).
        IdleTimeout: TimeSpan
        /// Writing one response takes at most this long (a scraper that stops reading loses its connection).
        WriteTimeout: TimeSpan
    }

    /// 100 connections, 5 s for a request's head, 2 minutes idle between requests, 30 s to write a response.
    static member Default =
        {
            MaxConnections = 100
            RequestHeadTimeout = TimeSpan.FromSeconds 5.
            IdleTimeout = TimeSpan.FromMinutes 2.
            WriteTimeout = TimeSpan.FromSeconds 30.
        }

/// The scrape endpoint's HTTP/1.1: reading and parsing a request head (bounded), header lookup, keep-alive, status
/// reasons.
module internal Http =
    let maxHead = 16 * 1024

    let header (name: string) (request: Request) =
        request.Headers
        |> List.tryFind (fun (n, _) -> String.Equals(n, name, StringComparison.OrdinalIgnoreCase))
        |> Option.map snd

    let parse (head: string) =
        // RFC 9112 2.2: empty lines before the request line are ignored.
        let lines = head.TrimStart('\r', '\n').Split("\r\n")
        let requestLine = lines.[0].Split(' ')

        if requestLine.Length <> 3 || not (requestLine.[2].StartsWith "HTTP/1.") then
            None
        else
            let headers =
                lines
                |> Array.skip 1
                |> Array.choose (fun line ->
                    match line.IndexOf ':' with
                    | i when i > 0 -> Some(line.Substring(0, i).Trim(), line.Substring(i + 1).Trim())
                    | _ -> None)
                |> List.ofArray

            Some
                {
                    Method = requestLine.[0]
                    Target = requestLine.[1]
                    Http10 = requestLine.[2] = "HTTP/1.0"
                    Headers = headers
                }

    /// HTTP/1.0 connections close after the response (we do not echo `Connection: keep-alive`).
    let keepAlive (request: Request) =
        match header "Connection" request with
        | _ when request.Http10 -> false
        | Some value when value.Contains("close", StringComparison.OrdinalIgnoreCase) -> false
        | _ -> true

    let reason status =
        match status with
        | 200 -> "OK"
        | 400 -> "Bad Request"
        | 404 -> "Not Found"
        | 405 -> "Method Not Allowed"
        | 500 -> "Internal Server Error"
        | 501 -> "Not Implemented"
        | 503 -> "Service Unavailable"
        | _ -> "Status"

    let private terminator = "\r\n\r\n"B

    /// Where the head ends, after any empty lines before the request line.
    let headEnd (buffer: byte array) (count: int) =
        let mutable start = 0

        while start < count && (buffer.[start] = '\r'B || buffer.[start] = '\n'B) do
            start <- start + 1

        match MemoryExtensions.IndexOf(ReadOnlySpan(buffer, start, count - start), ReadOnlySpan terminator) with
        | -1 -> -1
        | at -> start + at

    /// Reads up to the end of the head (CRLF CRLF); None at end of stream or past the size limit. `started` is
    /// called when the first bytes of a head arrive into an empty buffer (not when they were already buffered).
    let readHead
        (stream: Stream)
        (buffer: byte array)
        (pending: int ref)
        (started: unit -> unit)
        (token: CancellationToken)
        =
        task {
            let mutable result = None
            let mutable finished = false

            while not finished do
                let at = headEnd buffer pending.Value

                if at >= 0 then
                    let head = Encoding.ASCII.GetString(buffer, 0, at)
                    let consumed = at + 4
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, pending.Value - consumed)
                    pending.Value <- pending.Value - consumed
                    result <- Some head
                    finished <- true
                elif pending.Value >= buffer.Length then
                    finished <- true
                else
                    let! read = stream.ReadAsync(buffer.AsMemory(pending.Value), token)

                    if read = 0 then
                        finished <- true
                    else
                        if pending.Value = 0 then
                            started ()

                        pending.Value <- pending.Value + read

            return result
        }
