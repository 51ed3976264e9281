using Functional.Telemetry;
using Greet;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Functional.Telemetry.AspNetCore.Tests;

/// <summary>The Greeter of Protos/greet.proto: SayHello answers, Fail ends with the status code asked for.</summary>
internal sealed class GreeterService : Greeter.GreeterBase
{
    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
        Task.FromResult(new HelloReply { Message = $"Hello {request.Name}" });

    public override Task<HelloReply> Fail(FailRequest request, ServerCallContext context) =>
        throw new RpcException(new Grpc.Core.Status((StatusCode)request.StatusCode, "failed on purpose"));
}

/// <summary>gRPC calls served by Grpc.AspNetCore on Kestrel (HTTP/2) and made by Grpc.Net.Client: their server spans
/// follow the RPC conventions.</summary>
public sealed class GrpcServerTests
{
    private readonly InMemoryExporter<Span> spans = new();

    private async Task<(TelemetrySdk Sdk, TestServer Server, GrpcChannel Channel)> StartAsync()
    {
        var sdk = Telemetry.Create("grpc-tests")
            .WithEnvironment(new Dictionary<string, string>())
            .WithTracing(t => t.AddAspNetCoreInstrumentation().AddInMemoryExporter(spans))
            .Start();
        var server = await TestServer.StartAsync(services => services.AddGrpc(), app => app.MapGrpcService<GreeterService>(), http2: true);
        var channel = GrpcChannel.ForAddress(server.Client.BaseAddress!);
        return (sdk, server, channel);
    }

    private Span GrpcSpan(string method) =>
        Assert.Single(Spans.Server(spans), s => Equals(s.Attributes.GetValueOrNull("rpc.method"), method));

    [Fact]
    public async Task A_successful_call_is_named_service_slash_method_with_the_rpc_attributes()
    {
        var (sdk, server, channel) = await StartAsync();
        await using (sdk)
        await using (server)
        using (channel)
        {
            var reply = await new Greeter.GreeterClient(channel).SayHelloAsync(new HelloRequest { Name = "gRPC" });
            Assert.Equal("Hello gRPC", reply.Message);
            await server.StopAsync();
            Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        }

        var span = GrpcSpan("SayHello");
        Assert.Equal("greet.Greeter/SayHello", span.Name);
        Assert.Equal(Status.Unset, span.Status);
        var attributes = Spans.AttributesOf(span);
        Assert.Equal("grpc", attributes["rpc.system"]);
        Assert.Equal("greet.Greeter", attributes["rpc.service"]);
        Assert.Equal("SayHello", attributes["rpc.method"]);
        Assert.Equal(0L, attributes["rpc.grpc.status_code"]);
        Assert.Equal("POST", attributes["http.request.method"]);
        Assert.Equal(200L, attributes["http.response.status_code"]);
        Assert.Equal("2", attributes["network.protocol.version"]);
        Assert.Equal("/greet.Greeter/SayHello", attributes["http.route"]);

        // Grpc.AspNetCore's own tags are mapped, not repeated.
        Assert.False(attributes.ContainsKey("grpc.method"));
        Assert.False(attributes.ContainsKey("grpc.status_code"));
    }

    [Theory]
    [InlineData(StatusCode.Unknown, true)]
    [InlineData(StatusCode.DeadlineExceeded, true)]
    [InlineData(StatusCode.Unimplemented, true)]
    [InlineData(StatusCode.Internal, true)]
    [InlineData(StatusCode.Unavailable, true)]
    [InlineData(StatusCode.DataLoss, true)]
    [InlineData(StatusCode.InvalidArgument, false)]
    [InlineData(StatusCode.NotFound, false)]
    [InlineData(StatusCode.PermissionDenied, false)]
    [InlineData(StatusCode.Cancelled, false)]
    public async Task A_failed_call_is_a_server_error_only_for_the_codes_the_conventions_name(StatusCode code, bool isError)
    {
        var (sdk, server, channel) = await StartAsync();
        await using (sdk)
        await using (server)
        using (channel)
        {
            var failure = await Assert.ThrowsAsync<RpcException>(async () =>
                await new Greeter.GreeterClient(channel).FailAsync(new FailRequest { StatusCode = (int)code }));
            Assert.Equal(code, failure.StatusCode);
            await server.StopAsync();
            Assert.True(await sdk.ForceFlush(TimeSpan.FromSeconds(10)));
        }

        var span = GrpcSpan("Fail");
        Assert.Equal("greet.Greeter/Fail", span.Name);
        Assert.Equal((long)code, span.Attributes.GetValueOrNull("rpc.grpc.status_code"));
        Assert.Equal(isError, span.Status.IsError);
    }
}
