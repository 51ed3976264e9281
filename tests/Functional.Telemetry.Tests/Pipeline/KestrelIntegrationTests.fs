module Functional.Telemetry.Tests.KestrelIntegrationTests

open Expecto
open System
open System.Diagnostics
open System.Net.Http
open Microsoft.AspNetCore.Builder
open Microsoft.AspNetCore.Hosting
open Microsoft.AspNetCore.Hosting.Server
open Microsoft.AspNetCore.Hosting.Server.Features
open Microsoft.AspNetCore.Http
open Microsoft.Extensions.DependencyInjection
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.TracingTests

/// A real Kestrel server and HttpClient, traced end to end through our propagator.
type KestrelIntegrationTests() =

    member _.``a request crosses client and server in one trace with parent-child linkage``() =
        task {
            let name = uniqueSource ()
            let exporter = InMemoryExporter<Span>()

            // Installs our propagator, before the host and the HttpClient are built (both capture it).
            use sdk =
                Telemetry.create "kestrel-test"
                |> Telemetry.withEnvironment (Env.ofList [])
                |> Telemetry.withTracing (
                    Tracing.addSource name
                    >> Tracing.addSource "System.Net.Http"
                    >> Tracing.addSource "Microsoft.AspNetCore"
                    >> Tracing.addSimpleExporter exporter
                )
                |> Telemetry.start

            let builder = WebApplication.CreateSlimBuilder()
            builder.Logging.ClearProviders() |> ignore
            builder.WebHost.UseUrls("http://127.0.0.1:0") |> ignore
            let app = builder.Build()

            app.MapGet("/hello/{who}", Func<string, string>(fun who -> $"hello {who}"))
            |> ignore

            do! app.StartAsync()

            try
                let address =
                    app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses
                    |> Seq.head

                use client = new HttpClient(BaseAddress = Uri address)
                use source = new ActivitySource(name)

                let! body, rootTraceId =
                    task {
                        use root = source.StartActivity "checkout"
                        let! body = client.GetStringAsync "/hello/world"
                        return body, ActivityConversion.toTraceId root.TraceId
                    }

                Assert.Equal("hello world", body)
                do! app.StopAsync()
                let! ok = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
                Assert.True ok

                let trace = exporter.ItemList |> List.filter (fun s -> s.Context.TraceId = rootTraceId)
                let root = trace |> List.find (fun s -> s.Name = "checkout")
                let clientSpan = trace |> List.find (fun s -> s.Kind = SpanKind.Client)
                let serverSpan = trace |> List.find (fun s -> s.Kind = SpanKind.Server)

                Assert.Equal("System.Net.Http", clientSpan.Scope.Name)
                Assert.Equal("Microsoft.AspNetCore", serverSpan.Scope.Name)
                Assert.Equal(root.Context.SpanId, clientSpan.ParentSpanId)
                Assert.False clientSpan.ParentIsRemote
                // The server's parent is the client span, received through the traceparent header.
                Assert.Equal(clientSpan.Context.SpanId, serverSpan.ParentSpanId)
                Assert.True serverSpan.ParentIsRemote
                // The server starts after the client sent the request. (Their ends are not ordered: the client's
                // span ends when the response arrives, which can be before the server's span has stopped.)
                Assert.True(serverSpan.StartTime >= clientSpan.StartTime)
                Assert.True(serverSpan.StartTime <= clientSpan.EndTime)

                Assert.Equal(
                    Some(AnyValue.Int 200L),
                    KeyValue.tryFind "http.response.status_code" (ReadOnlyList.toList clientSpan.Attributes)
                )

                Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn", serverSpan.Name)
            finally
                (app :> IAsyncDisposable).DisposeAsync().AsTask().Wait()
        }

[<Tests>]
let tests =
    testList
        "KestrelIntegrationTests"
        [
            testSequencedGroup
                "global-propagator"
                (testList
                    "KestrelIntegrationTests"
                    [
                        testTask "a request crosses client and server in one trace with parent-child linkage" {
                            let instance = KestrelIntegrationTests()

                            do!
                                instance.``a request crosses client and server in one trace with parent-child linkage`` ()
                        }
                    ])
        ]
