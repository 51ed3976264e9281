module Functional.Telemetry.Tests.GrpcClientInstrumentationTests

open Expecto
open System
open System.Net
open System.Net.Http
open System.Text
open System.Threading.Tasks
open Grpc.Core
open Grpc.Net.Client
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Server.Kestrel.Core
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.HttpClientInstrumentationTests

/// A gRPC service written by hand (no code generation): strings as UTF-8 messages, the service base that
/// Grpc.AspNetCore binds through `BindService`, as generated code would.
module Greeter =
    let private text =
        Marshallers.Create(
            (fun (s: string) -> Encoding.UTF8.GetBytes s),
            (fun (bytes: byte[]) -> Encoding.UTF8.GetString bytes)
        )

    let sayHello = Method<string, string>(MethodType.Unary, "test.v1.Greeter", "SayHello", text, text)
    let find = Method<string, string>(MethodType.Unary, "test.v1.Greeter", "Find", text, text)

[<BindServiceMethod(typeof<GreeterBase>, "BindService")>]
type GreeterBase() =
    abstract SayHello: request: string * context: ServerCallContext -> Task<string>
    default _.SayHello(_, _) = raise (RpcException(Status(StatusCode.Unimplemented, "")))
    abstract Find: request: string * context: ServerCallContext -> Task<string>
    default _.Find(_, _) = raise (RpcException(Status(StatusCode.Unimplemented, "")))

    static member BindService(binder: ServiceBinderBase, service: GreeterBase) =
        binder.AddMethod(
            Greeter.sayHello,
            UnaryServerMethod<string, string>(fun request context -> service.SayHello(request, context))
        )

        binder.AddMethod(
            Greeter.find,
            UnaryServerMethod<string, string>(fun request context -> service.Find(request, context))
        )

type GreeterService() =
    inherit GreeterBase()
    override _.SayHello(request, _) = Task.FromResult $"hello {request}"
    override _.Find(_, _) = raise (RpcException(Status(StatusCode.NotFound, "no such greeting")))

/// A Grpc.AspNetCore server on 127.0.0.1, HTTP/2 without TLS.
let private startServer () =
    task {
        let builder = WebApplication.CreateSlimBuilder()
        builder.Logging.ClearProviders() |> ignore

        builder.WebHost.ConfigureKestrel(fun kestrel ->
            kestrel.Listen(IPAddress.Loopback, 0, fun listen -> listen.Protocols <- HttpProtocols.Http2))
        |> ignore

        builder.Services.AddGrpc() |> ignore
        let app = builder.Build()
        app.MapGrpcService<GreeterService>() |> ignore
        do! app.StartAsync()
        let address = app.Urls |> Seq.head
        return app, address, Uri(address).Port
    }

let private grpcSpansTo (port: int) (sdk: TelemetrySdk) (exporter: InMemoryExporter<Span>) =
    task {
        let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(ok, "flush timed out")

        let mine =
            exporter.ItemList
            |> List.filter (fun span -> attribute "server.port" span.Attributes = Some(AnyValue.Int(int64 port)))

        return
            mine |> List.filter (fun span -> span.Scope.Name = "Grpc.Net.Client"),
            mine |> List.filter (fun span -> span.Scope.Name = "System.Net.Http")
    }

let private startTracing (configure: TracingConfig -> TracingConfig) =
    let exporter = InMemoryExporter<Span>()

    let sdk =
        Telemetry.create "grpc-client-tests"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withTracing (configure >> Tracing.addSimpleExporter exporter)
        |> Telemetry.start

    sdk, exporter

let private expectCall (span: Span) (methodName: string) (port: int) (code: int) =
    Assert.Equal($"test.v1.Greeter/{methodName}", span.Name)
    Assert.Equal(SpanKind.Client, span.Kind)
    Assert.Equal(Some(AnyValue.String "grpc"), attribute "rpc.system" (ReadOnlyList.toList span.Attributes))
    Assert.Equal(Some(AnyValue.String "test.v1.Greeter"), attribute "rpc.service" (ReadOnlyList.toList span.Attributes))
    Assert.Equal(Some(AnyValue.String methodName), attribute "rpc.method" (ReadOnlyList.toList span.Attributes))
    Assert.Equal(Some(AnyValue.Int(int64 code)), attribute "rpc.grpc.status_code" (ReadOnlyList.toList span.Attributes))
    Assert.Equal(Some(AnyValue.String "127.0.0.1"), attribute "server.address" (ReadOnlyList.toList span.Attributes))
    Assert.Equal(Some(AnyValue.Int(int64 port)), attribute "server.port" (ReadOnlyList.toList span.Attributes))
    // The library's own tags, replaced by the conventions' attributes.
    Assert.Equal(None, attribute "grpc.method" (ReadOnlyList.toList span.Attributes))
    Assert.Equal(None, attribute "grpc.status_code" (ReadOnlyList.toList span.Attributes))

let ``a gRPC call is a client span named service/method with the rpc attributes, its HTTP/2 request under it`` () =
    task {
        let! app, address, port = startServer ()

        try
            let sdk, exporter =
                startTracing (
                    Tracing.addGrpcClientInstrumentation id
                    >> Tracing.addHttpClientInstrumentation id
                )

            use _ = sdk
            use channel = GrpcChannel.ForAddress(address: string)
            let invoker = channel.CreateCallInvoker()
            let! reply = invoker.AsyncUnaryCall(Greeter.sayHello, null, CallOptions(), "bob").ResponseAsync
            Assert.Equal("hello bob", reply)

            let! failure =
                Assert.ThrowsAsync<RpcException>(fun () ->
                    invoker.AsyncUnaryCall(Greeter.find, null, CallOptions(), "x").ResponseAsync :> Task)

            Assert.Equal(StatusCode.NotFound, failure.StatusCode)

            let! calls, requests = grpcSpansTo port sdk exporter
            Assert.Equal(2, calls.Length)

            let hello = calls |> List.find (fun s -> s.Name.EndsWith "SayHello")
            expectCall hello "SayHello" port 0
            Assert.Equal(Status.Unset, hello.Status)

            // NOT_FOUND: an error on the client side, as every code but OK.
            let find = calls |> List.find (fun s -> s.Name.EndsWith "Find")
            expectCall find "Find" port 5
            Assert.True(find.Status.IsError, $"{find.Status}")

            // Each call's HTTP/2 POST is HttpClient's span, a child of the call's span.
            Assert.Equal(2, requests.Length)

            for call in calls do
                let request = requests |> List.find (fun r -> r.ParentSpanId = call.Context.SpanId)

                Assert.Equal("POST", request.Name)
                Assert.Equal(call.Context.TraceId, request.Context.TraceId)

                Assert.Equal(
                    Some(AnyValue.String "2"),
                    attribute "network.protocol.version" (ReadOnlyList.toList request.Attributes)
                )

                Assert.Equal(
                    Some(AnyValue.String $"http://127.0.0.1:{port}/test.v1.Greeter/{call.Name.Split('/')[1]}"),
                    attribute "url.full" (ReadOnlyList.toList request.Attributes)
                )
        finally
            app.StopAsync().Wait()
    }

let ``a call to a server that is not there is UNAVAILABLE and an error`` () =
    task {
        let port = refusedPort ()
        let sdk, exporter = startTracing (Tracing.addGrpcClientInstrumentation id)
        use _ = sdk
        use channel = GrpcChannel.ForAddress $"http://127.0.0.1:{port}"
        let invoker = channel.CreateCallInvoker()

        let! failure =
            Assert.ThrowsAsync<RpcException>(fun () ->
                invoker.AsyncUnaryCall(Greeter.sayHello, null, CallOptions(), "bob").ResponseAsync :> Task)

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode)
        let! calls, requests = grpcSpansTo port sdk exporter
        // Only the gRPC instrumentation: HttpClient's spans are not recorded.
        Assert.Empty requests
        let call = List.exactlyOne calls
        expectCall call "SayHello" port 14
        Assert.True(call.Status.IsError)
    }

let ``the gRPC filter drops calls and the enrichers see the request and the response`` () =
    task {
        let! app, address, port = startServer ()

        try
            let sdk, exporter =
                startTracing (
                    Tracing.addGrpcClientInstrumentation (fun o ->
                        { o with
                            Filter = Some(fun request -> not (request.RequestUri.AbsolutePath.EndsWith "/Find"))
                            EnrichWithRequest =
                                Some(fun activity request ->
                                    activity.SetTag("test.request.version", string request.Version) |> ignore)
                            EnrichWithResponse =
                                Some(fun activity response ->
                                    activity.SetTag("test.response.status", int response.StatusCode) |> ignore)
                        })
                )

            use _ = sdk
            use channel = GrpcChannel.ForAddress(address: string)
            let invoker = channel.CreateCallInvoker()
            let! _ = invoker.AsyncUnaryCall(Greeter.sayHello, null, CallOptions(), "bob").ResponseAsync

            let! _ =
                Assert.ThrowsAsync<RpcException>(fun () ->
                    invoker.AsyncUnaryCall(Greeter.find, null, CallOptions(), "x").ResponseAsync :> Task)

            let! calls, _ = grpcSpansTo port sdk exporter
            let call = List.exactlyOne calls
            expectCall call "SayHello" port 0

            Assert.Equal(
                Some(AnyValue.String "2.0"),
                attribute "test.request.version" (ReadOnlyList.toList call.Attributes)
            )

            Assert.Equal(
                Some(AnyValue.Int 200L),
                attribute "test.response.status" (ReadOnlyList.toList call.Attributes)
            )
        finally
            app.StopAsync().Wait()
    }

[<Tests>]
let tests =
    testSequencedGroup
        "GrpcClientInstrumentationTests"
        (testList
            "GrpcClientInstrumentationTests"
            [
                testTask
                    "a gRPC call is a client span named service/method with the rpc attributes, its HTTP/2 request under it" {
                    do!
                        ``a gRPC call is a client span named service/method with the rpc attributes, its HTTP/2 request under it`` ()
                }
                testTask "a call to a server that is not there is UNAVAILABLE and an error" {
                    do! ``a call to a server that is not there is UNAVAILABLE and an error`` ()
                }
                testTask "the gRPC filter drops calls and the enrichers see the request and the response" {
                    do! ``the gRPC filter drops calls and the enrichers see the request and the response`` ()
                }
            ])
