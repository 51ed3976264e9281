using Functional.Telemetry.AspNetCore;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Functional.Telemetry.AspNetCore.Tests;

/// <summary>The conventions' pure functions, case by case.</summary>
public sealed class SemanticsTests
{
    private static readonly IReadOnlySet<string> Sensitive =
        new HashSet<string>(AspNetCoreTraceInstrumentationOptions.DefaultSensitiveQueryParameters, StringComparer.Ordinal);

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("?", null)]
    [InlineData("?q=1", "q=1")]
    [InlineData("?sig=abc", "sig=REDACTED")]
    [InlineData("?a=1&sig=abc&b=2", "a=1&sig=REDACTED&b=2")]
    [InlineData("?sig=", "sig=REDACTED")]
    [InlineData("?sig", "sig")]
    [InlineData("?Sig=abc&SIGNATURE=x", "Sig=abc&SIGNATURE=x")]
    [InlineData("?X-Amz-Credential=c&X-Amz-Security-Token=t", "X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED")]
    [InlineData("?si%67=abc", "si%67=REDACTED")]
    [InlineData("?a=1&&sig=x&", "a=1&&sig=REDACTED&")]
    [InlineData("?q=a=b", "q=a=b")]
    public void Query_values_of_sensitive_keys_are_redacted(string? query, string? expected) =>
        Assert.Equal(expected, HttpSemantics.Query(query, Sensitive));

    [Fact]
    public void With_no_sensitive_key_the_query_is_kept_as_it_is() =>
        Assert.Equal("sig=abc", HttpSemantics.Query("?sig=abc", new HashSet<string>()));

    [Theory]
    [InlineData("GET", "GET", null)]
    [InlineData("QUERY", "QUERY", null)]
    [InlineData("Post", "POST", "Post")]
    [InlineData("PURGE", "_OTHER", "PURGE")]
    public void Methods_are_normalized_to_the_known_ones(string method, string expected, string? original)
    {
        var known = HttpSemantics.KnownMethods(null, null);
        Assert.Equal((expected, original), HttpSemantics.NormalizeMethod(method, known));
    }

    [Fact]
    public void The_known_methods_variable_replaces_the_default_list_and_code_replaces_the_variable()
    {
        Assert.Equal(new[] { "GET", "PURGE" }, HttpSemantics.KnownMethods(null, " GET ,PURGE,, ").Order());
        Assert.Equal(new[] { "POST" }, HttpSemantics.KnownMethods(new[] { "POST" }, "GET").Order());
        Assert.Equal(HttpSemantics.DefaultKnownMethods.Order(), HttpSemantics.KnownMethods(null, "  ").Order());
    }

    [Theory]
    [InlineData("_OTHER", null, "HTTP")]
    [InlineData("_OTHER", "/x", "HTTP /x")]
    [InlineData("GET", null, "GET")]
    [InlineData("GET", "/users/{id}", "GET /users/{id}")]
    public void Span_names_follow_the_conventions(string method, string? route, string expected) =>
        Assert.Equal(expected, HttpSemantics.SpanName(method, route));

    [Theory]
    [InlineData("HTTP/1.0", "1.0")]
    [InlineData("HTTP/1.1", "1.1")]
    [InlineData("HTTP/2", "2")]
    [InlineData("HTTP/3", "3")]
    [InlineData("", null)]
    public void Protocol_versions_drop_the_HTTP_prefix(string protocol, string? expected) =>
        Assert.Equal(expected, HttpSemantics.ProtocolVersion(protocol));

    [Theory]
    [InlineData("example.com:8080", "http", 8080)]
    [InlineData("example.com", "http", 80)]
    [InlineData("example.com", "https", 443)]
    [InlineData("example.com", "ws", null)]
    public void The_server_port_is_the_hosts_or_the_schemes_default(string host, string scheme, int? expected) =>
        Assert.Equal(expected, HttpSemantics.ServerPort(new HostString(host), scheme));

    [Fact]
    public void An_empty_route_template_is_the_root()
    {
        var context = new DefaultHttpContext();
        context.SetEndpoint(new Microsoft.AspNetCore.Routing.RouteEndpoint(
            _ => Task.CompletedTask, Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse(""), 0, null, "root"));
        Assert.Equal("/", HttpSemantics.Route(context));
        Assert.Null(HttpSemantics.Route(new DefaultHttpContext()));
    }

    [Theory]
    [InlineData("/greet.Greeter/SayHello", true, "greet.Greeter", "SayHello")]
    [InlineData("greet.Greeter/SayHello", true, "greet.Greeter", "SayHello")]
    [InlineData("/SayHello", false, "", "")]
    [InlineData("/greet.Greeter/", false, "", "")]
    [InlineData("", false, "", "")]
    public void Grpc_methods_split_into_service_and_method(string fullMethod, bool parsed, string service, string method)
    {
        Assert.Equal(parsed, GrpcServerSemantics.TryParseMethod(fullMethod, out var s, out var m));
        Assert.Equal((service, method), (s, m));
    }

    [Fact]
    public void Adding_the_instrumentation_twice_keeps_one_and_the_source_once()
    {
        var config = AspNetCoreInstrumentation.AddTracing(AspNetCoreInstrumentation.AddTracing(TracingModule.Empty));
        Assert.Single(config.Instrumentations);
        Assert.Equal(new[] { "Microsoft.AspNetCore" }, config.Sources);

        var configured = AspNetCoreInstrumentation.AddTracingWith(Microsoft.FSharp.Core.FuncConvert.FromAction<AspNetCoreTraceInstrumentationOptions>(o => o.RecordException = false))
            .Invoke(config);
        Assert.Equal("Microsoft.AspNetCore", Assert.Single(configured.Instrumentations).Name);
    }
}
