module Functional.Telemetry.Tests.GrpcConventionsTests

open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

[<Theory>]
[<InlineData("/greet.v1.Greeter/SayHello", "greet.v1.Greeter", "SayHello")>]
[<InlineData("greet.v1.Greeter/SayHello", "greet.v1.Greeter", "SayHello")>]
[<InlineData("/Greeter/Say", "Greeter", "Say")>]
let ``a full method name splits into service and method`` (fullName: string, service: string, method: string) =
    match GrpcConventions.tryParseMethod fullName with
    | ValueSome(struct (s, m)) ->
        Assert.Equal(service, s)
        Assert.Equal(method, m)
    | ValueNone -> Assert.Fail $"{fullName} did not parse"

[<Theory>]
[<InlineData("")>]
[<InlineData("/")>]
[<InlineData("//")>]
[<InlineData("/Greeter")>]
[<InlineData("/Greeter/")>]
[<InlineData("//SayHello")>]
[<InlineData("/a/b/c")>]
[<InlineData("Greeter")>]
let ``text that is not /service/method does not parse`` (fullName: string) =
    Assert.True((GrpcConventions.tryParseMethod fullName).IsNone)

[<Fact>]
let ``a null method name does not parse`` () = Assert.True((GrpcConventions.tryParseMethod null).IsNone)

[<Fact>]
let ``the span name is service slash method`` () =
    Assert.Equal("greet.v1.Greeter/SayHello", GrpcConventions.spanName "greet.v1.Greeter" "SayHello")

[<Fact>]
let ``status codes are read from decimal text and integers only`` () =
    Assert.Equal(ValueSome 0, GrpcConventions.tryStatusCode (box "0"))
    Assert.Equal(ValueSome 14, GrpcConventions.tryStatusCode (box "14"))
    Assert.Equal(ValueSome 5, GrpcConventions.tryStatusCode (box 5))
    Assert.Equal(ValueSome 5, GrpcConventions.tryStatusCode (box 5L))
    Assert.Equal(ValueNone, GrpcConventions.tryStatusCode (box "-1"))
    Assert.Equal(ValueNone, GrpcConventions.tryStatusCode (box " 1"))
    Assert.Equal(ValueNone, GrpcConventions.tryStatusCode (box "OK"))
    Assert.Equal(ValueNone, GrpcConventions.tryStatusCode (box -3))
    Assert.Equal(ValueNone, GrpcConventions.tryStatusCode (box 1.0))
    Assert.Equal(ValueNone, GrpcConventions.tryStatusCode null)

[<Fact>]
let ``on the client every code but OK is an error`` () =
    Assert.Equal(Status.Unset, GrpcConventions.status SpanKind.Client 0)

    for code in 1 .. GrpcConventions.MaxStatusCode do
        Assert.Equal(Status.Error "", GrpcConventions.status SpanKind.Client code)

[<Fact>]
let ``on the server only the codes that say the server failed are errors`` () =
    let errors =
        [ 0 .. GrpcConventions.MaxStatusCode ]
        |> List.filter (GrpcConventions.isError SpanKind.Server)

    // UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS
    Assert.Equal<int list>([ 2; 4; 12; 13; 14; 15 ], errors)
    Assert.Equal(Status.Unset, GrpcConventions.status SpanKind.Server 5)
    Assert.Equal(Status.Error "", GrpcConventions.status SpanKind.Server 13)

[<Fact>]
let ``a call's attributes name the system, service and method`` () =
    Assert.Equal<KeyValue list>(
        [
            KeyValue.string "rpc.system" "grpc"
            KeyValue.string "rpc.service" "greet.v1.Greeter"
            KeyValue.string "rpc.method" "SayHello"
        ],
        GrpcConventions.callAttributes "greet.v1.Greeter" "SayHello"
    )
