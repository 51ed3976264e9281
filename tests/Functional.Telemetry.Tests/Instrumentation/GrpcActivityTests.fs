module Functional.Telemetry.Tests.GrpcActivityTests

open Expecto
open System.Diagnostics
open Xunit
open Functional.Telemetry

// Activities made without a source or listener: the functions only read and write tags, whoever made them.
let private call (fullName: string) (code: string) =
    let activity = new Activity("test")

    activity.SetTag("grpc.method", fullName).SetTag("grpc.status_code", code)
    |> ignore

    activity

let ``a call's Activity is named and tagged by the conventions, the grpc tags replaced`` () =
    use activity = call "/greet.v1.Greeter/SayHello" "0"
    GrpcActivity.nameCall activity
    GrpcActivity.endCall SpanKind.Client activity
    Assert.Equal("greet.v1.Greeter/SayHello", activity.DisplayName)
    Assert.Equal(box "grpc", activity.GetTagItem "rpc.system")
    Assert.Equal(box "greet.v1.Greeter", activity.GetTagItem "rpc.service")
    Assert.Equal(box "SayHello", activity.GetTagItem "rpc.method")
    Assert.Equal(box 0, activity.GetTagItem "rpc.grpc.status_code")
    Assert.Null(activity.GetTagItem "grpc.method")
    Assert.Null(activity.GetTagItem "grpc.status_code")
    Assert.Equal(ActivityStatusCode.Unset, activity.Status)

let ``the status follows the side: NOT_FOUND fails the client, not the server; INTERNAL fails both`` () =
    let statusOf kind code =
        use activity = call "/greet.v1.Greeter/SayHello" code
        GrpcActivity.endCall kind activity
        activity.Status

    Assert.Equal(ActivityStatusCode.Error, statusOf SpanKind.Client "5")
    Assert.Equal(ActivityStatusCode.Unset, statusOf SpanKind.Server "5")
    Assert.Equal(ActivityStatusCode.Error, statusOf SpanKind.Client "13")
    Assert.Equal(ActivityStatusCode.Error, statusOf SpanKind.Server "13")

let ``a status set before is kept, and tags that are not gRPC's shape are left alone`` () =
    use activity = call "not-a-method" "unknown"
    activity.SetStatus(ActivityStatusCode.Ok) |> ignore
    GrpcActivity.nameCall activity
    GrpcActivity.endCall SpanKind.Client activity
    Assert.Equal("test", activity.DisplayName)
    Assert.Equal(box "grpc", activity.GetTagItem "rpc.system")
    Assert.Equal(box "not-a-method", activity.GetTagItem "grpc.method")
    Assert.Equal(box "unknown", activity.GetTagItem "grpc.status_code")
    Assert.Null(activity.GetTagItem "rpc.grpc.status_code")
    Assert.Equal(ActivityStatusCode.Ok, activity.Status)

    use failed = call "/s/m" "14"
    failed.SetStatus(ActivityStatusCode.Ok) |> ignore
    GrpcActivity.endCall SpanKind.Client failed
    // A status set by the application wins; the code is still recorded.
    Assert.Equal(ActivityStatusCode.Ok, failed.Status)
    Assert.Equal(box 14, failed.GetTagItem "rpc.grpc.status_code")

[<Tests>]
let tests =
    testList
        "GrpcActivityTests"
        [
            test "a call's Activity is named and tagged by the conventions, the grpc tags replaced" {
                ``a call's Activity is named and tagged by the conventions, the grpc tags replaced`` ()
            }
            test "the status follows the side: NOT_FOUND fails the client, not the server; INTERNAL fails both" {
                ``the status follows the side: NOT_FOUND fails the client, not the server; INTERNAL fails both`` ()
            }
            test "a status set before is kept, and tags that are not gRPC's shape are left alone" {
                ``a status set before is kept, and tags that are not gRPC's shape are left alone`` ()
            }
        ]
