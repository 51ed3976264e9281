using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Functional.Telemetry;
using Xunit;

namespace Functional.Telemetry.AspNetCore.Tests;

/// <summary>Server spans of a real Kestrel app with <c>AddAspNetCoreInstrumentation</c> on an SDK of
/// <c>Telemetry.Create(...)</c>, compared attribute by attribute with the HTTP semantic conventions.</summary>
public sealed class ServerSpanTests
{
    private readonly InMemoryExporter<Span> spans = new();
    private readonly ConcurrentQueue<string> diagnostics = new();

    /// <summary>Starts the SDK (before the host, which captures the propagator) with the instrumentation.</summary>
    private TelemetrySdk StartSdk(Action<AspNetCoreTraceInstrumentationOptions>? configure = null, Dictionary<string, string>? environment = null) =>
        Telemetry.Create("aspnetcore-tests")
            .WithEnvironment(environment ?? new Dictionary<string, string>())
            .WithoutResourceDetection()
            .WithDiagnostics((level, message) => diagnostics.Enqueue($"{level}: {message}"))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(configure ?? (_ => { }))
                .AddSource(TestServer.ChildSource)
                .AddInMemoryExporter(spans))
            .Start();

    [Fact]
    public async Task A_routed_request_is_named_by_its_route_and_carries_the_conventions_attributes()
    {
        await using var sdk = StartSdk(o =>
        {
            o.CapturedRequestHeaders.Add("X-Request-Id");
            o.CapturedResponseHeaders.Add("x-served-by");
        });
        await using var server = await TestServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/42?q=telemetry");
        request.Headers.Add("X-Request-Id", "req-1");
        using var response = await server.Client.SendAsync(request);
        Assert.Equal("user 42", await response.Content.ReadAsStringAsync());
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var span = Spans.ServerSpan(spans, "/users/42");
        Assert.Equal("GET /users/{id}", span.Name);
        Assert.Equal(SpanKind.Server, span.Kind);
        Assert.Equal(Status.Unset, span.Status);
        Assert.Empty(span.Events);
        Spans.AssertAttributes(
            new Dictionary<string, object?>
            {
                ["http.request.method"] = "GET",
                ["url.scheme"] = "http",
                ["url.path"] = "/users/42",
                ["url.query"] = "q=telemetry",
                ["server.address"] = "127.0.0.1",
                ["server.port"] = (long)server.Port,
                ["client.address"] = "127.0.0.1",
                ["network.protocol.version"] = "1.1",
                ["user_agent.original"] = "aspnetcore-tests/1.0",
                ["http.route"] = "/users/{id}",
                ["http.response.status_code"] = 200L,
                ["http.request.header.x-request-id"] = new object?[] { "req-1" },
                ["http.response.header.x-served-by"] = new object?[] { "test-server" },
            },
            span);
    }

    [Fact]
    public async Task A_request_no_route_matched_is_named_by_its_method_and_a_404_is_not_a_server_error()
    {
        await using var sdk = StartSdk();
        await using var server = await TestServer.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/nowhere")).StatusCode);
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var span = Spans.ServerSpan(spans, "/nowhere");
        Assert.Equal("GET", span.Name);
        Assert.Equal(Status.Unset, span.Status);
        var attributes = Spans.AttributesOf(span);
        Assert.Equal(404L, attributes["http.response.status_code"]);
        Assert.False(attributes.ContainsKey("http.route"));
        Assert.False(attributes.ContainsKey("error.type"));
    }

    [Fact]
    public async Task A_500_answer_is_an_error_whose_type_is_the_status_code()
    {
        await using var sdk = StartSdk();
        await using var server = await TestServer.StartAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, (await server.Client.GetAsync("/fail")).StatusCode);
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var span = Spans.ServerSpan(spans, "/fail");
        Assert.Equal("GET /fail", span.Name);
        Assert.True(span.Status.IsError);
        var attributes = Spans.AttributesOf(span);
        Assert.Equal("500", attributes["error.type"]);
        Assert.Equal(500L, attributes["http.response.status_code"]);
        Assert.Empty(span.Events);
    }

    [Fact]
    public async Task An_unhandled_exception_becomes_an_exception_event_and_the_error_type()
    {
        await using var sdk = StartSdk();
        await using var server = await TestServer.StartAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, (await server.Client.GetAsync("/throw")).StatusCode);
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var span = Spans.ServerSpan(spans, "/throw");
        Assert.Equal("GET /throw", span.Name);
        Assert.Equal("boom", span.Status.GetErrorDescription());
        var attributes = Spans.AttributesOf(span);
        Assert.Equal("System.InvalidOperationException", attributes["error.type"]);
        Assert.Equal(500L, attributes["http.response.status_code"]);
        Assert.Equal("/throw", attributes["http.route"]);

        var exception = Assert.Single(span.Events);
        Assert.Equal("exception", exception.Name);
        var recorded = exception.Attributes.ToDictionary(a => a.Key, a => a.Value.ToObject());
        Assert.Equal("System.InvalidOperationException", recorded["exception.type"]);
        Assert.Equal("boom", recorded["exception.message"]);
        Assert.StartsWith("System.InvalidOperationException: boom", (string)recorded["exception.stacktrace"]!);
    }

    [Fact]
    public async Task Without_RecordException_an_unhandled_exception_still_sets_the_error_but_adds_no_event()
    {
        await using var sdk = StartSdk(o => o.RecordException = false);
        await using var server = await TestServer.StartAsync();
        await server.Client.GetAsync("/throw");
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var span = Spans.ServerSpan(spans, "/throw");
        Assert.True(span.Status.IsError);
        Assert.Equal("System.InvalidOperationException", span.Attributes.GetValueOrNull("error.type"));
        Assert.Empty(span.Events);
    }

    [Fact]
    public async Task A_filtered_request_exports_no_span_nor_the_spans_started_under_it()
    {
        await using var sdk = StartSdk(o => o.Filter = context => context.Request.Path != "/health");
        await using var server = await TestServer.StartAsync();
        Assert.Equal("healthy", await server.Client.GetStringAsync("/health"));
        Assert.Equal("user 1", await server.Client.GetStringAsync("/users/1"));
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var server1 = Assert.Single(Spans.Server(spans));
        Assert.Equal("GET /users/{id}", server1.Name);
        Assert.DoesNotContain(spans.Items, s => s.Scope.Name == TestServer.ChildSource);
    }

    [Fact]
    public async Task Without_a_filter_the_health_check_and_its_child_span_are_exported()
    {
        await using var sdk = StartSdk();
        await using var server = await TestServer.StartAsync();
        Assert.Equal("healthy", await server.Client.GetStringAsync("/health"));
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var parent = Spans.ServerSpan(spans, "/health");
        var child = Assert.Single(spans.Items, s => s.Scope.Name == TestServer.ChildSource);
        Assert.Equal(parent.Context.SpanId, child.ParentSpanId);
    }

    [Fact]
    public async Task A_non_standard_method_is_recorded_as_OTHER_with_the_original_and_the_span_named_HTTP()
    {
        await using var sdk = StartSdk();
        await using var server = await TestServer.StartAsync();
        using (var custom = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod("FOO"), "/custom")))
        {
            Assert.Equal("custom", await custom.Content.ReadAsStringAsync());
        }

        // HttpClient sends known methods in capitals: the lower-case one goes over a socket as it is.
        Assert.StartsWith("HTTP/1.1 200", await server.SendRawAsync("get /users/5 HTTP/1.1"));

        await server.StopAsync();

        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var other = Spans.ServerSpan(spans, "/custom");
        Assert.Equal("HTTP /custom", other.Name);
        Assert.Equal("_OTHER", other.Attributes.GetValueOrNull("http.request.method"));
        Assert.Equal("FOO", other.Attributes.GetValueOrNull("http.request.method_original"));

        // A known method in other letter case: the known one, with the original beside it.
        var lowerCase = Spans.ServerSpan(spans, "/users/5");
        Assert.Equal("GET /users/{id}", lowerCase.Name);
        Assert.Equal("GET", lowerCase.Attributes.GetValueOrNull("http.request.method"));
        Assert.Equal("get", lowerCase.Attributes.GetValueOrNull("http.request.method_original"));
    }

    [Fact]
    public async Task Known_methods_come_from_the_options_else_from_OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS()
    {
        await using (var sdk = StartSdk(environment: new() { ["OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS"] = "GET, FOO" }))
        await using (var server = await TestServer.StartAsync())
        {
            await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod("FOO"), "/custom"));
            await server.StopAsync();
            Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        }

        var fromVariable = Assert.Single(Spans.Server(spans));
        Assert.Equal("FOO /custom", fromVariable.Name);
        Assert.Equal("FOO", fromVariable.Attributes.GetValueOrNull("http.request.method"));
        Assert.Null(fromVariable.Attributes.GetValueOrNull("http.request.method_original"));

        var more = new InMemoryExporter<Span>();
        await using (var sdk = Telemetry.Create("aspnetcore-tests").WithEnvironment(new Dictionary<string, string>())
                         .WithTracing(t => t.AddAspNetCoreInstrumentation(o => o.KnownHttpMethods = new[] { "POST" }).AddInMemoryExporter(more))
                         .Start())
        await using (var server = await TestServer.StartAsync())
        {
            await server.Client.GetAsync("/users/9");
            await server.StopAsync();
            Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        }

        var notKnown = Assert.Single(Spans.Server(more));
        Assert.Equal("HTTP /users/{id}", notKnown.Name);
        Assert.Equal("_OTHER", notKnown.Attributes.GetValueOrNull("http.request.method"));
        Assert.Equal("GET", notKnown.Attributes.GetValueOrNull("http.request.method_original"));
    }

    [Fact]
    public async Task The_values_of_sensitive_query_keys_are_redacted_and_the_keys_kept()
    {
        await using var sdk = StartSdk();
        await using var server = await TestServer.StartAsync();
        await server.Client.GetAsync("/users/7?q=1&sig=secret&Signature=s2&X-Goog-Signature=g&AWSAccessKeyId=AKIA&X-Amz-Signature=a&SIG=kept&empty");
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        // Keys match case-sensitively, as the conventions ask: SIG is not sig.
        Assert.Equal(
            "q=1&sig=REDACTED&Signature=REDACTED&X-Goog-Signature=REDACTED&AWSAccessKeyId=REDACTED&X-Amz-Signature=REDACTED&SIG=kept&empty",
            Spans.ServerSpan(spans, "/users/7").Attributes.GetValueOrNull("url.query"));
    }

    [Fact]
    public async Task The_sensitive_query_keys_are_the_options_set()
    {
        await using var sdk = StartSdk(o =>
        {
            o.SensitiveQueryParameters.Clear();
            o.SensitiveQueryParameters.Add("token");
        });
        await using var server = await TestServer.StartAsync();
        await server.Client.GetAsync("/users/8?token=t0k3n&sig=visible");
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        Assert.Equal("token=REDACTED&sig=visible", Spans.ServerSpan(spans, "/users/8").Attributes.GetValueOrNull("url.query"));
    }

    [Fact]
    public async Task The_enrich_callbacks_see_the_request_the_response_and_the_exception()
    {
        await using var sdk = StartSdk(o =>
        {
            o.EnrichWithHttpRequest = (activity, request) => activity.SetTag("test.request.path", request.Path.Value);
            o.EnrichWithHttpResponse = (activity, response) =>
                activity.SetTag("test.response.status", response.StatusCode).SetTag("test.name.at.end", activity.DisplayName);
            o.EnrichWithException = (activity, exception) => activity.SetTag("test.exception", exception.Message);
        });
        await using var server = await TestServer.StartAsync();
        await server.Client.GetAsync("/users/3");
        await server.Client.GetAsync("/throw");
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var ok = Spans.AttributesOf(Spans.ServerSpan(spans, "/users/3"));
        Assert.Equal("/users/3", ok["test.request.path"]);
        Assert.Equal(200L, ok["test.response.status"]);
        Assert.Equal("GET /users/{id}", ok["test.name.at.end"]);
        Assert.False(ok.ContainsKey("test.exception"));

        var failed = Spans.AttributesOf(Spans.ServerSpan(spans, "/throw"));
        Assert.Equal("boom", failed["test.exception"]);
        Assert.Equal(500L, failed["test.response.status"]);
    }

    [Fact]
    public async Task Callbacks_that_throw_never_reach_the_request_and_are_reported()
    {
        await using var sdk = StartSdk(o =>
        {
            o.EnrichWithHttpRequest = (_, _) => throw new FormatException("request enricher");
            o.EnrichWithHttpResponse = (_, _) => throw new FormatException("response enricher");
            o.EnrichWithException = (_, _) => throw new FormatException("exception enricher");
        });
        await using var server = await TestServer.StartAsync();
        Assert.Equal("user 4", await server.Client.GetStringAsync("/users/4"));
        Assert.Equal(HttpStatusCode.InternalServerError, (await server.Client.GetAsync("/throw")).StatusCode);
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var span = Spans.ServerSpan(spans, "/users/4");
        Assert.Equal("GET /users/{id}", span.Name);
        Assert.Equal(200L, span.Attributes.GetValueOrNull("http.response.status_code"));
        Assert.Single(Spans.ServerSpan(spans, "/throw").Events);
        foreach (var callback in new[] { "EnrichWithHttpRequest", "EnrichWithHttpResponse", "EnrichWithException" })
        {
            Assert.Contains(diagnostics, d => d.Contains($"the {callback} callback threw System.FormatException"));
        }
    }

    [Fact]
    public async Task A_filter_that_throws_leaves_the_request_out_and_is_reported()
    {
        await using var sdk = StartSdk(o => o.Filter = _ => throw new InvalidOperationException("filter"));
        await using var server = await TestServer.StartAsync();
        Assert.Equal("user 6", await server.Client.GetStringAsync("/users/6"));
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        Assert.Empty(Spans.Server(spans));
        Assert.Contains(diagnostics, d => d.Contains("the Filter callback threw System.InvalidOperationException"));
    }

    [Fact]
    public async Task After_shutdown_the_instrumentation_no_longer_touches_requests()
    {
        var sdk = StartSdk();
        Assert.True(await sdk.Shutdown(TimeSpan.FromSeconds(10)));

        // Another SDK records ASP.NET Core's source without the instrumentation: its spans keep ASP.NET Core's name.
        var plain = new InMemoryExporter<Span>();
        await using var other = Telemetry.Create("plain").WithEnvironment(new Dictionary<string, string>())
            .WithTracing(t => t.AddSource("Microsoft.AspNetCore").AddInMemoryExporter(plain))
            .Start();
        await using var server = await TestServer.StartAsync();
        await server.Client.GetAsync("/users/2");
        await server.StopAsync();
        Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));

        var span = Assert.Single(Spans.Server(plain));
        Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn", span.Name);
        Assert.Null(span.Attributes.GetValueOrNull("http.route"));
        Assert.Empty(Spans.Server(spans));
    }
}
