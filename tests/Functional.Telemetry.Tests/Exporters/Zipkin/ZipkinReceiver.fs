/// A Zipkin receiver the tests control: Kestrel on 127.0.0.1 (port 0) taking `POST /api/v2/spans`, keeping every
/// request, answering as the test says, and letting a test await the n-th request (no sleeps).
module Functional.Telemetry.Tests.ZipkinReceiver

open System
open System.Collections.Concurrent
open System.IO
open System.Net
open System.Text.Json.Nodes
open System.Threading
open System.Threading.Tasks
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Hosting.Server
open Microsoft.AspNetCore.Hosting.Server.Features
open Microsoft.AspNetCore.Http
open Microsoft.AspNetCore.Server.Kestrel.Core
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Logging

/// One request as the receiver saw it.
type Request =
    {
        Method: string
        Path: string
        ContentType: string
        UserAgent: string
        Body: byte array
    }

    /// The body as the JSON array of spans it holds.
    member r.Spans =
        (JsonNode.Parse(r.Body) :?> JsonArray)
        |> Seq.map (fun s -> s :?> JsonObject)
        |> List.ofSeq

type Receiver(app: WebApplication, address: string, received: ConcurrentQueue<Request>, arrivals: SemaphoreSlim) =
    /// `http://127.0.0.1:<port>`.
    member _.Address = address

    /// The URL of Zipkin's span endpoint on this receiver.
    member _.SpansUrl = Uri(address + "/api/v2/spans")

    member _.Requests = List.ofSeq received

    /// Completes once `count` requests (in all) have arrived; fails after `timeout`.
    member _.WaitFor(count: int, timeout: TimeSpan) =
        task {
            let deadline = DateTime.UtcNow + timeout

            while received.Count < count do
                let left = deadline - DateTime.UtcNow

                if left <= TimeSpan.Zero then
                    failwith $"expected {count} requests, got {received.Count}"

                let! _ = arrivals.WaitAsync left
                ()
        }

    interface IAsyncDisposable with
        member _.DisposeAsync() = (app :> IAsyncDisposable).DisposeAsync()

/// Answers 202 Accepted, as a Zipkin server does.
let accepted (_: int) (context: HttpContext) =
    context.Response.StatusCode <- 202
    Task.CompletedTask

/// Starts a receiver on 127.0.0.1:`port` (0: any); `respond n context` answers the n-th request (1-based).
let startOn (port: int) (respond: int -> HttpContext -> Task) =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore

        builder.WebHost.ConfigureKestrel(fun (kestrel: KestrelServerOptions) ->
            kestrel.Listen(IPAddress.Loopback, port, fun listen -> listen.Protocols <- HttpProtocols.Http1))
        |> ignore

        let app = builder.Build()
        let received = ConcurrentQueue<Request>()
        let arrivals = new SemaphoreSlim(0)
        let mutable count = 0

        app.Run(
            RequestDelegate(fun context ->
                task {
                    use body = new MemoryStream()
                    do! context.Request.Body.CopyToAsync body

                    received.Enqueue
                        {
                            Method = context.Request.Method
                            Path = context.Request.Path.Value
                            ContentType = context.Request.ContentType
                            UserAgent = context.Request.Headers.UserAgent.ToString()
                            Body = body.ToArray()
                        }

                    let index = Interlocked.Increment &count
                    do! respond index context
                    arrivals.Release() |> ignore
                }
                :> Task)
        )

        do! app.StartAsync()

        let address =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
            |> Seq.head

        return new Receiver(app, address, received, arrivals)
    }

/// Starts a receiver on any free port; `respond n context` answers the n-th request (1-based).
let start (respond: int -> HttpContext -> Task) = startOn 0 respond
