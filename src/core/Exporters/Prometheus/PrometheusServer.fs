namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Concurrent
open System.Diagnostics
open System.IO
open System.Net
open System.Net.Sockets
open System.Text
open System.Threading
open System.Threading.Tasks

/// One accepted connection: answering a request, or waiting for one (idle, or receiving a request's head) since
/// `WaitingSince`. The accept loop may close a waiting connection to make room, never one that is answering.
[<Sealed>]
type internal ScrapeConnection(id: int, client: TcpClient) =
    // 0: waiting for a request, 1: answering one, 2: closed to make room.
    let mutable state = 0
    let mutable waitingSince = Stopwatch.GetTimestamp()

    member _.Id = id
    member _.Client = client

    /// When it began waiting: its accept, or the end of its last response.
    member _.WaitingSince = Volatile.Read &waitingSince

    member _.IsWaiting = Volatile.Read &state = 0

    /// Waiting -> answering; false when it was closed to make room meanwhile.
    member _.TryBeginAnswer() = Interlocked.CompareExchange(&state, 1, 0) = 0

    /// Answering -> waiting for the next request.
    member _.EndAnswer() =
        Volatile.Write(&waitingSince, Stopwatch.GetTimestamp())
        Interlocked.CompareExchange(&state, 0, 1) |> ignore

    /// Closes the connection if it is waiting (its pending read then fails and its loop ends); true when it did.
    member _.TryClose() =
        if Interlocked.CompareExchange(&state, 2, 0) = 0 then
            client.Dispose()
            true
        else
            false

[<Sealed>]
type PrometheusServer
    private
    (
        options: PrometheusEndpointOptions,
        handler: PrometheusScrapeHandler,
        listener: TcpListener option,
        url: Uri,
        limits: PrometheusServerLimits
    ) =
    let stop = new CancellationTokenSource()
    let connections = ConcurrentDictionary<int, ScrapeConnection>()
    let mutable nextConnection = 0
    let mutable warnedEvicting = 0
    let mutable warnedFull = 0
    let mutable listening = listener.IsSome

    let pathOf (target: string) =
        // The absolute form (`GET http://host:port/metrics`) is legal HTTP/1.1 too.
        match Uri.TryCreate(target, UriKind.Absolute) with
        | true, uri when uri.Scheme = Uri.UriSchemeHttp -> uri.AbsolutePath
        | _ ->
            match target.IndexOf '?' with
            | -1 -> target
            | i -> target.Substring(0, i)

    let write
        (stream: Stream)
        (request: Request option)
        status
        (headers: (string * string) list)
        (body: ReadOnlyMemory<byte>)
        close
        =
        task {
            let head = StringBuilder()
            head.Append($"HTTP/1.1 {status} {Http.reason status}\r\n") |> ignore

            for name, value in headers do
                head.Append($"{name}: {value}\r\n") |> ignore

            head.Append($"Content-Length: {body.Length}\r\n") |> ignore

            if close then
                head.Append("Connection: close\r\n") |> ignore

            head.Append("\r\n") |> ignore
            let bytes = Encoding.ASCII.GetBytes(head.ToString())
            // A scraper that stops reading must not hold the connection (and its buffers) forever.
            use deadline = CancellationTokenSource.CreateLinkedTokenSource stop.Token
            deadline.CancelAfter limits.WriteTimeout
            do! stream.WriteAsync(ReadOnlyMemory bytes, deadline.Token)

            let isHead = request |> Option.exists (fun r -> r.Method = "HEAD")

            if not isHead then
                do! stream.WriteAsync(body, deadline.Token)

            do! stream.FlushAsync deadline.Token
        }

    let plain (message: string) = ReadOnlyMemory(Encoding.UTF8.GetBytes(message + "\n"))
    let textType = "text/plain; charset=utf-8"

    /// Answers one request; returns whether the connection stays open.
    let respond (stream: Stream) (request: Request) =
        task {
            let keepAlive = Http.keepAlive request

            let hasBody =
                (Http.header "Content-Length" request |> Option.exists (fun v -> v.Trim() <> "0"))
                || (Http.header "Transfer-Encoding" request).IsSome

            if hasBody then
                // A scrape has no body; rather than parse one, answer and close.
                do!
                    write
                        stream
                        (Some request)
                        400
                        [ "Content-Type", textType ]
                        (plain "Request bodies are not accepted.")
                        true

                return false
            elif not (String.Equals(pathOf request.Target, options.Path, StringComparison.Ordinal)) then
                do! write stream (Some request) 404 [ "Content-Type", textType ] (plain "Not found.") (not keepAlive)
                return keepAlive
            elif request.Method <> "GET" && request.Method <> "HEAD" then
                do!
                    write
                        stream
                        (Some request)
                        405
                        [ "Content-Type", textType; "Allow", "GET, HEAD" ]
                        (plain "Method not allowed.")
                        (not keepAlive)

                return keepAlive
            else
                let accept = Http.header "Accept" request |> Option.defaultValue ""
                let encoding = Http.header "Accept-Encoding" request |> Option.defaultValue ""
                let! response = handler.ScrapeAsync(accept, encoding, stop.Token)

                let headers =
                    [
                        "Content-Type", response.ContentType
                        if response.ContentEncoding <> "" then
                            "Content-Encoding", response.ContentEncoding
                        "Vary", "Accept, Accept-Encoding"
                    ]

                do! write stream (Some request) response.StatusCode headers response.Body (not keepAlive)
                return keepAlive
        }

    let serve (connection: ScrapeConnection) =
        task {
            let client = connection.Client
            use _ = client
            client.NoDelay <- true
            use stream = client.GetStream()
            let buffer = Array.zeroCreate<byte> Http.maxHead
            let pending = ref 0
            let mutable open' = true
            let mutable first = true

            while open' && not stop.IsCancellationRequested do
                // A connection's first request must arrive whole within the head timeout of its accept, so a peer
                // that connects and sends nothing (or drips a byte at a time) holds its slot for seconds, not
                // minutes. A kept-alive connection may then wait the idle timeout between scrapes, and each later
                // request's head has the head timeout from its first byte (or at once, when already buffered).
                use deadline = CancellationTokenSource.CreateLinkedTokenSource stop.Token

                deadline.CancelAfter(
                    if first || pending.Value > 0 then
                        limits.RequestHeadTimeout
                    else
                        limits.IdleTimeout
                )

                let started () =
                    if not first then
                        deadline.CancelAfter limits.RequestHeadTimeout

                let! head = Http.readHead stream buffer pending started deadline.Token
                first <- false

                match head |> Option.bind Http.parse with
                | Some request when connection.TryBeginAnswer() ->
                    let! keep = respond stream request
                    connection.EndAnswer()
                    open' <- keep
                | Some _ -> open' <- false
                | None ->
                    if head.IsSome || pending.Value >= buffer.Length then
                        do! write stream None 400 [ "Content-Type", textType ] (plain "Bad request.") true

                    open' <- false
        }

    let runConnection (client: TcpClient) =
        let connection = ScrapeConnection(Interlocked.Increment &nextConnection, client)
        connections.[connection.Id] <- connection

        task {
            try
                try
                    do! serve connection
                with
                | :? OperationCanceledException
                | :? IOException
                | :? SocketException
                | :? ObjectDisposedException -> ()
                | ex -> SelfDiagnostics.error "prometheus" $"a scrape connection failed: {ex.GetType().FullName}"
            finally
                connections.TryRemove connection.Id |> ignore
        }
        |> ignore

    /// Closes the connection that has waited longest for a request; false when every connection is answering.
    let makeRoom () =
        let mutable closed = false
        let mutable candidates = true

        // A connection may start answering between the look and the close; then the next oldest is tried.
        while not closed && candidates do
            let mutable oldest: ScrapeConnection = Unchecked.defaultof<_>

            for KeyValue(_, c) in connections do
                if c.IsWaiting && (isNull (box oldest) || c.WaitingSince < oldest.WaitingSince) then
                    oldest <- c

            if isNull (box oldest) then
                candidates <- false
            elif oldest.TryClose() then
                connections.TryRemove oldest.Id |> ignore
                closed <- true

        closed

    /// Serves a new connection, making room when the cap is reached; closes it when every connection is answering.
    let admit (client: TcpClient) =
        if connections.Count < limits.MaxConnections then
            runConnection client
        elif makeRoom () then
            if Interlocked.Exchange(&warnedEvicting, 1) = 0 then
                SelfDiagnostics.warning
                    "prometheus"
                    $"more than {limits.MaxConnections} scrape connections at once; for each new one the connection idle longest is closed (reported once)"

            runConnection client
        else
            client.Dispose()

            if Interlocked.Exchange(&warnedFull, 1) = 0 then
                SelfDiagnostics.warning
                    "prometheus"
                    $"{limits.MaxConnections} scrape connections are all answering; new ones are closed until one is free (reported once)"

    let acceptLoop =
        match listener with
        | None -> Task.CompletedTask
        | Some l ->
            task {
                let mutable running = true
                let mutable failed = false

                while running do
                    if failed then
                        // A failed accept backs off instead of spinning (it spun a core when accepts kept failing).
                        failed <- false

                        try
                            do! Task.Delay(100, stop.Token)
                        with _ ->
                            running <- false

                    try
                        let! client = l.AcceptTcpClientAsync stop.Token
                        admit client
                    with
                    | :? OperationCanceledException
                    | :? ObjectDisposedException -> running <- false
                    | :? SocketException when stop.IsCancellationRequested -> running <- false
                    // The listener no longer listens: nothing will ever be accepted again.
                    | :? InvalidOperationException -> running <- false
                    | _ when stop.IsCancellationRequested || not l.Server.IsBound -> running <- false
                    | ex ->
                        // A failed accept (resources exhausted) must not end the endpoint.
                        SelfDiagnostics.error
                            "prometheus"
                            $"accepting a scrape connection failed: {ex.GetType().FullName}"

                        failed <- true
            }
            :> Task

    static let address (host: string) =
        match host.Trim().Trim('[', ']') with
        | "*"
        | "+"
        | "0.0.0.0" -> Some IPAddress.Any
        | "::" -> Some IPAddress.IPv6Any
        | h when String.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase) -> Some IPAddress.Loopback
        | h ->
            match IPAddress.TryParse h with
            | true, ip -> Some ip
            | _ ->
                try
                    let all = Dns.GetHostAddresses h

                    all
                    |> Array.tryFind (fun a -> a.AddressFamily = AddressFamily.InterNetwork)
                    |> Option.orElse (Array.tryHead all)
                with _ ->
                    None

    // Never throws: options are validated, but the URL is only informative and must not stop the SDK.
    static let urlOf (host: string) (port: int) (path: string) =
        let host = host.Trim()
        let host = if host = "*" || host = "+" then "localhost" else host

        let host =
            if host.Contains ':' && not (host.StartsWith "[") then
                $"[{host}]"
            else
                host

        let build (host: string) =
            try
                Some(UriBuilder(Uri.UriSchemeHttp, host, port, path).Uri)
            with _ ->
                None

        build host
        |> Option.orElse (build "localhost")
        |> Option.defaultWith (fun () -> UriBuilder(Uri.UriSchemeHttp, "localhost", port).Uri)

    member _.Url = url
    member _.IsListening = listening
    member _.Handler = handler
    member internal _.ConnectionCount = connections.Count

    static member internal StartWith
        (options: PrometheusEndpointOptions, handler: PrometheusScrapeHandler, limits: PrometheusServerLimits)
        =
        let bound =
            match address options.Host with
            | None ->
                SelfDiagnostics.error
                    "prometheus"
                    "the Prometheus endpoint's host could not be resolved; the endpoint is not serving"

                None
            | Some ip ->
                try
                    let listener = new TcpListener(ip, options.Port)

                    if ip.Equals IPAddress.IPv6Any then
                        listener.Server.DualMode <- true

                    listener.Start()
                    Some listener
                with :? SocketException as ex ->
                    SelfDiagnostics.error
                        "prometheus"
                        $"the Prometheus endpoint could not listen on port {options.Port} ({ex.SocketErrorCode}); the endpoint is not serving, the SDK goes on"

                    None

        let port =
            match bound with
            | Some l -> (l.LocalEndpoint :?> IPEndPoint).Port
            | None -> options.Port

        new PrometheusServer(options, handler, bound, urlOf options.Host port options.Path, limits)

    static member internal Start(options: PrometheusEndpointOptions, handler: PrometheusScrapeHandler) =
        PrometheusServer.StartWith(options, handler, PrometheusServerLimits.Default)

    member internal _.Stop() =
        task {
            listening <- false
            stop.Cancel()
            listener |> Option.iter (fun l -> l.Stop())

            for KeyValue(_, connection) in connections do
                try
                    connection.Client.Dispose()
                with _ ->
                    ()

            do! acceptLoop
        }
        :> Task
