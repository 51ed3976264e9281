using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Functional.Telemetry;
using Greet;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Functional.Telemetry.AspNetCore.Tests;

/// <summary>
/// One real Kestrel app, instrumented through the C# builder and exported over OTLP http/protobuf to a receiver the
/// test runs; what arrives is decoded by a decoder nobody here wrote (tests/otlp-peer/decode.js, the OpenTelemetry JS
/// protobuf definitions) and compared, attribute by attribute, with the semantic conventions.
/// </summary>
public sealed class EndToEndTests
{
    private const int Server = 2; // SPAN_KIND_SERVER
    private const int Client = 3; // SPAN_KIND_CLIENT
    private const int Unset = 0; // STATUS_CODE_UNSET
    private const int Error = 2; // STATUS_CODE_ERROR
    private const string AspNetCoreScope = "Microsoft.AspNetCore";

    // The RPC attributes the gRPC mapping writes (docs/instrumentation.md), as OpenTelemetry .NET does. Semantic
    // conventions 1.45.0 deprecate these three (for rpc.system.name, a fully-qualified rpc.method and rpc.status_code),
    // so RpcAttributes has no constant for them.
    private const string RpcSystem = "rpc.system";
    private const string RpcService = "rpc.service";
    private const string RpcGrpcStatusCode = "rpc.grpc.status_code";

    /// <summary>The buckets the HTTP conventions advise for request durations, in seconds.</summary>
    private static readonly double[] AdvisedBounds = { 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10 };

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EndToEnd_a_Kestrel_app_exports_over_OTLP_the_spans_and_metrics_the_conventions_ask_for()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var sdk = Telemetry.Create("e2e-checkout")
            .WithEnvironment(new Dictionary<string, string>())
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = context =>
                    context.Request.Path != "/health" && context.Connection.LocalPort != receiver.Port)
                .AddHttpClientInstrumentation()
                .AddGrpcClientInstrumentation()
                .AddOtlpExporter(o =>
                {
                    o.Endpoint = receiver.Endpoint("traces");
                    o.Protocol = OtlpExportProtocol.HttpProtobuf;
                }))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o =>
                {
                    o.Endpoint = receiver.Endpoint("metrics");
                    o.Protocol = OtlpExportProtocol.HttpProtobuf;
                }))
            .Start();
        using var callOut = new HttpClient();
        await using var app = await CheckoutApp.StartAsync(callOut);

        using (var client = new HttpClient { BaseAddress = app.Http1 })
        {
            client.DefaultRequestHeaders.UserAgent.ParseAdd("e2e-tests/1.0");
            Assert.Equal("user 42", await client.GetStringAsync("/users/42"));
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/nowhere")).StatusCode);
            Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync("/fail")).StatusCode);
            Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync("/throw")).StatusCode);
            Assert.Equal("healthy", await client.GetStringAsync("/health"));
            Assert.Equal("checked out for user 7", await client.GetStringAsync("/checkout/7"));
        }

        using (var channel = GrpcChannel.ForAddress(app.H2c))
        {
            var reply = await new Greeter.GreeterClient(channel).SayHelloAsync(new HelloRequest { Name = "e2e" });
            Assert.Equal("Hello e2e", reply.Message);
        }

        // Stopping waits for the requests to end, so every server span has ended and every duration is recorded.
        await app.StopAsync();
        Assert.True(await sdk.ForceFlush(Timeout), "ForceFlush timed out");
        var bodies = await receiver.WaitForAsync(
            received => received.Any(b => b.Signal == "traces") && received.Any(b => b.Signal == "metrics"), Timeout);
        var decoded = await OtlpPeer.DecodeAsync(bodies);

        AssertSpans(OtlpSpan.All(decoded.Where(d => d.Signal == "traces").Select(d => d.Message)), app, receiver);
        AssertMetrics(decoded.Where(d => d.Signal == "metrics").Select(d => d.Message).ToList(), app);
    }

    private static void AssertSpans(IReadOnlyList<OtlpSpan> spans, CheckoutApp app, OtlpReceiver receiver)
    {
        var serverSpans = spans.Where(s => s.Kind == Server && s.Scope == AspNetCoreScope).ToList();
        OtlpSpan ServerSpan(string path) =>
            Assert.Single(serverSpans, s => Equals(s.Attributes.GetValueOrDefault(UrlAttributes.Path), path));

        // Every span has the resource of the SDK, with the schema URL of the conventions the attributes follow.
        Assert.All(spans, s =>
        {
            Assert.Equal(SemanticConventions.SchemaUrl, s.ResourceSchemaUrl);
            Assert.Equal("e2e-checkout", s.Resource[ServiceAttributes.Name]);
        });

        // A route with a parameter: named by its template.
        var user = ServerSpan("/users/42");
        Assert.Equal("GET /users/{id}", user.Name);
        Assert.Equal(Unset, user.StatusCode);
        Assert.Empty(user.Events);
        AssertAttributes(
            new Dictionary<string, object?>
            {
                [HttpAttributes.RequestMethod] = HttpAttributes.RequestMethodValues.Get,
                [UrlAttributes.Scheme] = "http",
                [UrlAttributes.Path] = "/users/42",
                [ServerAttributes.Address] = "127.0.0.1",
                [ServerAttributes.Port] = (long)app.Http1.Port,
                [ClientAttributes.Address] = "127.0.0.1",
                [NetworkAttributes.ProtocolVersion] = "1.1",
                [UserAgentAttributes.Original] = "e2e-tests/1.0",
                [HttpAttributes.Route] = "/users/{id}",
                [HttpAttributes.ResponseStatusCode] = 200L,
            },
            user);

        // No route: the method alone; a 404 is the client's error, not the server's.
        var notFound = ServerSpan("/nowhere");
        Assert.Equal("GET", notFound.Name);
        Assert.Equal(Unset, notFound.StatusCode);
        Assert.Equal(404L, notFound.Attributes[HttpAttributes.ResponseStatusCode]);
        Assert.False(notFound.Attributes.ContainsKey(HttpAttributes.Route));
        Assert.False(notFound.Attributes.ContainsKey(ErrorAttributes.Type));

        // A 500 answered on purpose: an error whose type is the status code, no exception.
        var failed = ServerSpan("/fail");
        Assert.Equal("GET /fail", failed.Name);
        Assert.Equal(Error, failed.StatusCode);
        Assert.Equal("500", failed.Attributes[ErrorAttributes.Type]);
        Assert.Equal(500L, failed.Attributes[HttpAttributes.ResponseStatusCode]);
        Assert.Equal("/fail", failed.Attributes[HttpAttributes.Route]);
        Assert.Empty(failed.Events);

        // An unhandled exception: its type, the Error status with its message, the exception event.
        var thrown = ServerSpan("/throw");
        Assert.Equal("GET /throw", thrown.Name);
        Assert.Equal(Error, thrown.StatusCode);
        Assert.Equal("boom", thrown.StatusMessage);
        Assert.Equal("System.InvalidOperationException", thrown.Attributes[ErrorAttributes.Type]);
        Assert.Equal(500L, thrown.Attributes[HttpAttributes.ResponseStatusCode]);
        Assert.Equal("/throw", thrown.Attributes[HttpAttributes.Route]);
        var exception = Assert.Single(thrown.Events);
        Assert.Equal("exception", exception.Name);
        Assert.Equal("System.InvalidOperationException", exception.Attributes[ExceptionAttributes.Type]);
        Assert.Equal("boom", exception.Attributes[ExceptionAttributes.Message]);
        Assert.StartsWith("System.InvalidOperationException: boom", (string)exception.Attributes[ExceptionAttributes.Stacktrace]!);

        // The filtered health check leaves no server span.
        Assert.DoesNotContain(serverSpans, s => Equals(s.Attributes.GetValueOrDefault(UrlAttributes.Path), "/health"));

        // The call-out: the test's client span -> GET /checkout/{id} -> the app's client span -> GET /users/{id},
        // one trace, each the parent of the next (the traceparent crossed both hops).
        var checkout = ServerSpan("/checkout/7");
        Assert.Equal("GET /checkout/{id}", checkout.Name);
        Assert.Equal("/checkout/{id}", checkout.Attributes[HttpAttributes.Route]);
        var testClient = Assert.Single(spans, s => s.SpanId == checkout.ParentSpanId);
        Assert.Equal(Client, testClient.Kind);
        Assert.Equal($"{app.Http1}checkout/7", testClient.Attributes[UrlAttributes.Full]);
        var callOut = Assert.Single(spans, s => s.ParentSpanId == checkout.SpanId);
        Assert.Equal("GET", callOut.Name);
        Assert.Equal(Client, callOut.Kind);
        Assert.Equal("System.Net.Http", callOut.Scope);
        Assert.Equal(Unset, callOut.StatusCode);
        AssertAttributes(
            new Dictionary<string, object?>
            {
                [HttpAttributes.RequestMethod] = HttpAttributes.RequestMethodValues.Get,
                [ServerAttributes.Address] = "127.0.0.1",
                [ServerAttributes.Port] = (long)app.Http1.Port,
                [UrlAttributes.Full] = $"http://127.0.0.1:{app.Http1.Port}/users/7",
                [NetworkAttributes.ProtocolVersion] = "1.1",
                [HttpAttributes.ResponseStatusCode] = 200L,
            },
            callOut);
        var callee = ServerSpan("/users/7");
        Assert.Equal("GET /users/{id}", callee.Name);
        Assert.Equal(callOut.SpanId, callee.ParentSpanId);
        AssertAttributes(
            new Dictionary<string, object?>
            {
                [HttpAttributes.RequestMethod] = HttpAttributes.RequestMethodValues.Get,
                [UrlAttributes.Scheme] = "http",
                [UrlAttributes.Path] = "/users/7",
                [ServerAttributes.Address] = "127.0.0.1",
                [ServerAttributes.Port] = (long)app.Http1.Port,
                [ClientAttributes.Address] = "127.0.0.1",
                [NetworkAttributes.ProtocolVersion] = "1.1",
                [HttpAttributes.Route] = "/users/{id}",
                [HttpAttributes.ResponseStatusCode] = 200L,
            },
            callee);
        Assert.Single(new[] { testClient, checkout, callOut, callee }.Select(s => s.TraceId).Distinct());
        Assert.Null(testClient.ParentSpanId);
        Assert.NotEqual(user.TraceId, checkout.TraceId);

        // gRPC: the call's client span -> its HTTP/2 POST -> the server span, both ends per the RPC conventions.
        var grpcServer = ServerSpan("/greet.Greeter/SayHello");
        Assert.Equal("greet.Greeter/SayHello", grpcServer.Name);
        Assert.Equal(Unset, grpcServer.StatusCode);
        Assert.Equal(RpcAttributes.SystemNameValues.Grpc, grpcServer.Attributes[RpcSystem]);
        Assert.Equal("greet.Greeter", grpcServer.Attributes[RpcService]);
        Assert.Equal("SayHello", grpcServer.Attributes[RpcAttributes.Method]);
        Assert.Equal(0L, grpcServer.Attributes[RpcGrpcStatusCode]);
        Assert.Equal(HttpAttributes.RequestMethodValues.Post, grpcServer.Attributes[HttpAttributes.RequestMethod]);
        Assert.Equal("2", grpcServer.Attributes[NetworkAttributes.ProtocolVersion]);
        Assert.Equal((long)app.H2c.Port, grpcServer.Attributes[ServerAttributes.Port]);
        Assert.Equal("/greet.Greeter/SayHello", grpcServer.Attributes[HttpAttributes.Route]);
        Assert.Equal(200L, grpcServer.Attributes[HttpAttributes.ResponseStatusCode]);
        Assert.False(grpcServer.Attributes.ContainsKey("grpc.method"));
        Assert.False(grpcServer.Attributes.ContainsKey("grpc.status_code"));

        var transport = Assert.Single(spans, s => s.SpanId == grpcServer.ParentSpanId);
        Assert.Equal(Client, transport.Kind);
        Assert.Equal("POST", transport.Name);
        Assert.Equal($"http://127.0.0.1:{app.H2c.Port}/greet.Greeter/SayHello", transport.Attributes[UrlAttributes.Full]);
        Assert.Equal("2", transport.Attributes[NetworkAttributes.ProtocolVersion]);

        var grpcClient = Assert.Single(spans, s => s.SpanId == transport.ParentSpanId);
        Assert.Equal("Grpc.Net.Client", grpcClient.Scope);
        Assert.Equal("greet.Greeter/SayHello", grpcClient.Name);
        Assert.Equal(Client, grpcClient.Kind);
        Assert.Equal(Unset, grpcClient.StatusCode);
        Assert.Null(grpcClient.ParentSpanId);
        AssertAttributes(
            new Dictionary<string, object?>
            {
                [RpcSystem] = RpcAttributes.SystemNameValues.Grpc,
                [RpcService] = "greet.Greeter",
                [RpcAttributes.Method] = "SayHello",
                [RpcGrpcStatusCode] = 0L,
                [ServerAttributes.Address] = "127.0.0.1",
                [ServerAttributes.Port] = (long)app.H2c.Port,
            },
            grpcClient);
        Assert.Single(new[] { grpcClient, transport, grpcServer }.Select(s => s.TraceId).Distinct());

        // Exporting makes no telemetry of its own: no span of the exporter's requests nor of the receiver's.
        Assert.DoesNotContain(spans, s => Equals(s.Attributes.GetValueOrDefault(ServerAttributes.Port), (long)receiver.Port));
    }

    private static void AssertMetrics(IReadOnlyList<JsonObject> messages, CheckoutApp app)
    {
        // Cumulative: the last collection holds every request.
        var points = OtlpHistogramPoint.All(messages.Last());

        var server = points.Where(p => p.Metric == "http.server.request.duration").ToList();
        Assert.NotEmpty(server);
        Assert.All(server, p =>
        {
            Assert.Equal("s", p.Unit);
            Assert.Equal("Microsoft.AspNetCore.Hosting", p.Scope);
            Assert.Equal(2, p.Temporality); // AGGREGATION_TEMPORALITY_CUMULATIVE
            Assert.Equal(AdvisedBounds, p.Bounds);
            Assert.Equal(AdvisedBounds.Length + 1, p.BucketCounts.Length);
            Assert.Equal(p.Count, p.BucketCounts.Sum());
        });
        OtlpHistogramPoint ServerPoint(string route) =>
            Assert.Single(server, p => Equals(p.Attributes.GetValueOrDefault(HttpAttributes.Route), route));

        // /users/42 from the test and /users/7 from the call-out.
        var users = ServerPoint("/users/{id}");
        Assert.Equal(2, users.Count);
        Assert.Equal(
            new Dictionary<string, object?>
            {
                [HttpAttributes.Route] = "/users/{id}",
                [HttpAttributes.RequestMethod] = HttpAttributes.RequestMethodValues.Get,
                [HttpAttributes.ResponseStatusCode] = 200L,
                [UrlAttributes.Scheme] = "http",
                [NetworkAttributes.ProtocolVersion] = "1.1",
            },
            users.Attributes);
        Assert.Equal(500L, ServerPoint("/fail").Attributes[HttpAttributes.ResponseStatusCode]);
        var thrown = ServerPoint("/throw");
        Assert.Equal(500L, thrown.Attributes[HttpAttributes.ResponseStatusCode]);
        Assert.Equal("System.InvalidOperationException", thrown.Attributes[ErrorAttributes.Type]);
        Assert.Equal(1, ServerPoint("/checkout/{id}").Count);
        var grpc = ServerPoint("/greet.Greeter/SayHello");
        Assert.Equal(HttpAttributes.RequestMethodValues.Post, grpc.Attributes[HttpAttributes.RequestMethod]);
        Assert.Equal("2", grpc.Attributes[NetworkAttributes.ProtocolVersion]);

        // The trace filter leaves metrics alone: the health check is measured.
        Assert.Equal(1, ServerPoint("/health").Count);

        // HttpClient's requests to the app: the test's and the call-out.
        var client = points.Where(p => p.Metric == "http.client.request.duration").ToList();
        var toApp = Assert.Single(client, p =>
            Equals(p.Attributes.GetValueOrDefault(ServerAttributes.Port), (long)app.Http1.Port)
            && Equals(p.Attributes.GetValueOrDefault(HttpAttributes.ResponseStatusCode), 200L));
        Assert.Equal("s", toApp.Unit);
        Assert.Equal("System.Net.Http", toApp.Scope);
        Assert.Equal(AdvisedBounds, toApp.Bounds);
        Assert.Equal(HttpAttributes.RequestMethodValues.Get, toApp.Attributes[HttpAttributes.RequestMethod]);
        Assert.Equal("127.0.0.1", toApp.Attributes[ServerAttributes.Address]);
        Assert.Equal(4, toApp.Count); // /users/42, /health, /checkout/7 and the call-out /users/7
    }

    /// <summary>Asserts the attributes are exactly these, key by key and value by value.</summary>
    private static void AssertAttributes(IReadOnlyDictionary<string, object?> expected, OtlpSpan span)
    {
        foreach (var (key, value) in expected)
        {
            Assert.True(span.Attributes.ContainsKey(key), $"{span.Name}: no attribute {key} in [{string.Join(", ", span.Attributes.Keys)}]");
            Assert.Equal(value, span.Attributes[key]);
        }

        Assert.Equal(expected.Keys.Order(), span.Attributes.Keys.Order());
    }
}

/// <summary>The app under test on Kestrel, 127.0.0.1: an HTTP/1.1 endpoint and an h2c one (gRPC), both on free
/// ports.</summary>
internal sealed class CheckoutApp : IAsyncDisposable
{
    private readonly WebApplication app;

    private CheckoutApp(WebApplication app, Uri http1, Uri h2c)
    {
        this.app = app;
        Http1 = http1;
        H2c = h2c;
    }

    public Uri Http1 { get; }

    public Uri H2c { get; }

    /// <summary><c>GET /users/{id}</c>, <c>/fail</c> (500), <c>/throw</c>, <c>/health</c>, <c>/checkout/{id}</c>
    /// (calls <c>/users/{id}</c> of this app with <paramref name="callOut"/>) and the Greeter service.</summary>
    public static async Task<CheckoutApp> StartAsync(HttpClient callOut)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        ListenOptions? http1 = null;
        ListenOptions? h2c = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => (http1 = listen).Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, listen => (h2c = listen).Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGet("/users/{id}", (string id) => $"user {id}");
        app.MapGet("/fail", () => Results.StatusCode(500));
        app.MapGet("/throw", string () => throw new InvalidOperationException("boom"));
        app.MapGet("/health", () => "healthy");
        app.MapGet("/checkout/{id}", async (string id, HttpRequest request) =>
            $"checked out for {await callOut.GetStringAsync($"{request.Scheme}://{request.Host}/users/{id}")}");
        app.MapGrpcService<GreeterService>();
        await app.StartAsync();

        // Kestrel writes the bound port back into the endpoint's options.
        static Uri Address(ListenOptions? listen) =>
            new($"http://127.0.0.1:{Assert.IsType<IPEndPoint>(listen?.EndPoint).Port}/");
        return new CheckoutApp(app, Address(http1), Address(h2c));
    }

    /// <summary>Stops the app once its requests have ended.</summary>
    public Task StopAsync() => app.StopAsync();

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

/// <summary>An OTLP/HTTP receiver on Kestrel (127.0.0.1, a free port) keeping each request body by signal.</summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> bodies;
    private readonly SemaphoreSlim arrivals;

    private OtlpReceiver(WebApplication app, ConcurrentQueue<(string, byte[])> bodies, SemaphoreSlim arrivals, int port)
    {
        this.app = app;
        this.bodies = bodies;
        this.arrivals = arrivals;
        Port = port;
    }

    public int Port { get; }

    public Uri Endpoint(string signal) => new($"http://127.0.0.1:{Port}/v1/{signal}");

    public static async Task<OtlpReceiver> StartAsync()
    {
        var bodies = new ConcurrentQueue<(string, byte[])>();
        var arrivals = new SemaphoreSlim(0);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        ListenOptions? endpoint = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => (endpoint = listen).Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            if (request.ContentType != "application/x-protobuf")
            {
                return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
            }

            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            bodies.Enqueue((signal, buffer.ToArray()));
            arrivals.Release();
            return Results.Bytes(Array.Empty<byte>(), "application/x-protobuf");
        });
        await app.StartAsync();
        return new OtlpReceiver(app, bodies, arrivals, Assert.IsType<IPEndPoint>(endpoint?.EndPoint).Port);
    }

    /// <summary>Waits until the bodies received so far satisfy <paramref name="done"/>, then returns them.</summary>
    public async Task<IReadOnlyList<(string Signal, byte[] Body)>> WaitForAsync(
        Func<IReadOnlyCollection<(string Signal, byte[] Body)>, bool> done, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!done(bodies.ToArray()))
        {
            await arrivals.WaitAsync(cancel.Token);
        }

        return bodies.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        arrivals.Dispose();
    }
}

/// <summary>tests/otlp-peer/decode.js: protobuf bodies in, canonical JSON out.</summary>
internal static class OtlpPeer
{
    public static async Task<IReadOnlyList<(string Signal, JsonObject Message)>> DecodeAsync(
        IReadOnlyList<(string Signal, byte[] Body)> bodies)
    {
        var peer = Directory();
        var dir = Path.Combine(Path.GetTempPath(), "ft-e2e-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        try
        {
            for (var i = 0; i < bodies.Count; i++)
            {
                await File.WriteAllBytesAsync(Path.Combine(dir, $"{i:D4}.{bodies[i].Signal}.pb"), bodies[i].Body);
            }

            var info = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = peer,
            };
            info.ArgumentList.Add(Path.Combine(peer, "decode.js"));
            info.ArgumentList.Add(dir);
            using var node = Process.Start(info) ?? throw new InvalidOperationException("could not start node");
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();
            using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await node.WaitForExitAsync(cancel.Token);
            }

            Assert.True(node.ExitCode == 0, $"decode.js exited with {node.ExitCode}: {await stderr}");
            var results = (await stdout)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonNode.Parse(line)!.AsObject())
                .ToList();
            Assert.Equal(bodies.Count, results.Count);
            return results.Select(result =>
            {
                var file = result["file"]!.GetValue<string>();
                Assert.True(result["error"] is null, $"{file}: {result["error"]}");
                return (file.Split('.')[1], result["message"]!.AsObject());
            }).ToList();
        }
        finally
        {
            System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>tests/otlp-peer, found by walking up from the test assembly to Functional.sln.</summary>
    private static string Directory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Functional.sln")))
        {
            dir = dir.Parent;
        }

        Assert.True(dir is not null, "Functional.sln not found above the test assembly: cannot locate tests/otlp-peer");
        var peer = Path.Combine(dir!.FullName, "tests", "otlp-peer");
        var transformer = Path.Combine(peer, "node_modules", "@opentelemetry", "otlp-transformer", "package.json");
        Assert.True(File.Exists(transformer), $"{transformer} is missing: run ./test.sh (or `npm install` in tests/otlp-peer).");
        return peer;
    }
}

/// <summary>Reading the decoder's canonical JSON: attribute values as plain objects (strings, longs, bools, doubles,
/// arrays as <c>object?[]</c>).</summary>
internal static class OtlpJson
{
    public static IEnumerable<JsonObject> Items(JsonNode? node, string name) =>
        node?[name]?.AsArray().Select(n => n!.AsObject()) ?? Enumerable.Empty<JsonObject>();

    public static Dictionary<string, object?> Attributes(JsonNode? node) =>
        Items(node, "attributes").ToDictionary(a => a["key"]!.GetValue<string>(), a => Value(a["value"]));

    public static string? Text(JsonNode? node) => node?.GetValue<string>();

    public static long Long(JsonNode? node) => node is null ? 0 : long.Parse(node.GetValue<string>());

    private static object? Value(JsonNode? value) => value switch
    {
        JsonObject o when o["stringValue"] is { } s => s.GetValue<string>(),
        JsonObject o when o["intValue"] is { } i => long.Parse(i.GetValue<string>()),
        JsonObject o when o["boolValue"] is { } b => b.GetValue<bool>(),
        JsonObject o when o["doubleValue"] is { } d => d.GetValue<double>(),
        JsonObject o when o["arrayValue"] is { } a => Items(a, "values").Select(Value).ToArray(),
        null => null,
        _ => value.ToJsonString(),
    };
}

/// <summary>One decoded span with its scope and resource.</summary>
internal sealed record OtlpSpan(
    string Name,
    int Kind,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    int StatusCode,
    string? StatusMessage,
    Dictionary<string, object?> Attributes,
    IReadOnlyList<OtlpEvent> Events,
    string Scope,
    string? ResourceSchemaUrl,
    Dictionary<string, object?> Resource)
{
    public static IReadOnlyList<OtlpSpan> All(IEnumerable<JsonObject> messages) =>
        (from message in messages
         from resourceSpans in OtlpJson.Items(message, "resourceSpans")
         from scopeSpans in OtlpJson.Items(resourceSpans, "scopeSpans")
         from span in OtlpJson.Items(scopeSpans, "spans")
         select new OtlpSpan(
             OtlpJson.Text(span["name"])!,
             span["kind"]?.GetValue<int>() ?? 0,
             OtlpJson.Text(span["traceId"])!,
             OtlpJson.Text(span["spanId"])!,
             OtlpJson.Text(span["parentSpanId"]) is { Length: > 0 } parent ? parent : null,
             span["status"]?["code"]?.GetValue<int>() ?? 0,
             OtlpJson.Text(span["status"]?["message"]),
             OtlpJson.Attributes(span),
             OtlpJson.Items(span, "events").Select(e => new OtlpEvent(OtlpJson.Text(e["name"])!, OtlpJson.Attributes(e))).ToList(),
             OtlpJson.Text(scopeSpans["scope"]?["name"])!,
             OtlpJson.Text(resourceSpans["schemaUrl"]),
             OtlpJson.Attributes(resourceSpans["resource"]))).ToList();
}

/// <summary>A decoded span event.</summary>
internal sealed record OtlpEvent(string Name, Dictionary<string, object?> Attributes);

/// <summary>One decoded explicit-bucket histogram point with its metric.</summary>
internal sealed record OtlpHistogramPoint(
    string Metric,
    string Unit,
    string Scope,
    int Temporality,
    long Count,
    long[] BucketCounts,
    double[] Bounds,
    Dictionary<string, object?> Attributes)
{
    public static IReadOnlyList<OtlpHistogramPoint> All(JsonObject message) =>
        (from resourceMetrics in OtlpJson.Items(message, "resourceMetrics")
         from scopeMetrics in OtlpJson.Items(resourceMetrics, "scopeMetrics")
         from metric in OtlpJson.Items(scopeMetrics, "metrics")
         where metric["histogram"] is not null
         from point in OtlpJson.Items(metric["histogram"], "dataPoints")
         select new OtlpHistogramPoint(
             OtlpJson.Text(metric["name"])!,
             OtlpJson.Text(metric["unit"]) ?? "",
             OtlpJson.Text(scopeMetrics["scope"]?["name"])!,
             metric["histogram"]!["aggregationTemporality"]?.GetValue<int>() ?? 0,
             OtlpJson.Long(point["count"]),
             point["bucketCounts"]?.AsArray().Select(OtlpJson.Long).ToArray() ?? Array.Empty<long>(),
             point["explicitBounds"]?.AsArray().Select(b => b!.GetValue<double>()).ToArray() ?? Array.Empty<double>(),
             OtlpJson.Attributes(point))).ToList();
}
