module Functional.Telemetry.Tests.GrpcConventionsTests

open Expecto
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``a full method name splits into service and method`` (fullName: string, service: string, method: string) =
    match GrpcConventions.tryParseMethod fullName with
    | ValueSome(struct (s, m)) ->
        Assert.Equal(service, s)
        Assert.Equal(method, m)
    | ValueNone -> Assert.Fail $"{fullName} did not parse"

let ``text that is not /service/method does not parse`` (fullName: string) =
    Assert.True((GrpcConventions.tryParseMethod fullName).IsNone)

let ``a null method name does not parse`` () = Assert.True((GrpcConventions.tryParseMethod null).IsNone)

let ``the span name is service slash method`` () =
    Assert.Equal("greet.v1.Greeter/SayHello", GrpcConventions.spanName "greet.v1.Greeter" "SayHello")

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

let ``on the client every code but OK is an error`` () =
    Assert.Equal(Status.Unset, GrpcConventions.status SpanKind.Client 0)

    for code in 1 .. GrpcConventions.MaxStatusCode do
        Assert.Equal(Status.Error "", GrpcConventions.status SpanKind.Client code)

let ``on the server only the codes that say the server failed are errors`` () =
    let errors =
        [ 0 .. GrpcConventions.MaxStatusCode ]
        |> List.filter (GrpcConventions.isError SpanKind.Server)

    // UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS
    Assert.Equal<int list>([ 2; 4; 12; 13; 14; 15 ], errors)
    Assert.Equal(Status.Unset, GrpcConventions.status SpanKind.Server 5)
    Assert.Equal(Status.Error "", GrpcConventions.status SpanKind.Server 13)

let ``a call's attributes name the system, service and method`` () =
    Assert.Equal<KeyValue list>(
        [
            KeyValue.string "rpc.system" "grpc"
            KeyValue.string "rpc.service" "greet.v1.Greeter"
            KeyValue.string "rpc.method" "SayHello"
        ],
        GrpcConventions.callAttributes "greet.v1.Greeter" "SayHello"
    )

[<Tests>]
let tests =
    testList
        "GrpcConventionsTests"
        [
            test
                "a full method name splits into service and method(fullName: \"/greet.v1.Greeter/SayHello\", service: \"greet.v1.Greeter\", method: \"SayHello\")" {
                ``a full method name splits into service and method`` (
                    "/greet.v1.Greeter/SayHello",
                    "greet.v1.Greeter",
                    "SayHello"
                )
            }
            test
                "a full method name splits into service and method(fullName: \"greet.v1.Greeter/SayHello\", service: \"greet.v1.Greeter\", method: \"SayHello\")" {
                ``a full method name splits into service and method`` (
                    "greet.v1.Greeter/SayHello",
                    "greet.v1.Greeter",
                    "SayHello"
                )
            }
            test
                "a full method name splits into service and method(fullName: \"/Greeter/Say\", service: \"Greeter\", method: \"Say\")" {
                ``a full method name splits into service and method`` ("/Greeter/Say", "Greeter", "Say")
            }
            test "text that is not /service/method does not parse(fullName: \"\")" {
                ``text that is not /service/method does not parse`` ("")
            }
            test "text that is not /service/method does not parse(fullName: \"/\")" {
                ``text that is not /service/method does not parse`` ("/")
            }
            test "text that is not /service/method does not parse(fullName: \"//\")" {
                ``text that is not /service/method does not parse`` ("//")
            }
            test "text that is not /service/method does not parse(fullName: \"/Greeter\")" {
                ``text that is not /service/method does not parse`` ("/Greeter")
            }
            test "text that is not /service/method does not parse(fullName: \"/Greeter/\")" {
                ``text that is not /service/method does not parse`` ("/Greeter/")
            }
            test "text that is not /service/method does not parse(fullName: \"//SayHello\")" {
                ``text that is not /service/method does not parse`` ("//SayHello")
            }
            test "text that is not /service/method does not parse(fullName: \"/a/b/c\")" {
                ``text that is not /service/method does not parse`` ("/a/b/c")
            }
            test "text that is not /service/method does not parse(fullName: \"Greeter\")" {
                ``text that is not /service/method does not parse`` ("Greeter")
            }
            test "a null method name does not parse" { ``a null method name does not parse`` () }
            test "the span name is service slash method" { ``the span name is service slash method`` () }
            test "status codes are read from decimal text and integers only" {
                ``status codes are read from decimal text and integers only`` ()
            }
            test "on the client every code but OK is an error" { ``on the client every code but OK is an error`` () }
            test "on the server only the codes that say the server failed are errors" {
                ``on the server only the codes that say the server failed are errors`` ()
            }
            test "a call's attributes name the system, service and method" {
                ``a call's attributes name the system, service and method`` ()
            }
        ]
