module Functional.Telemetry.Tests.RuntimeInstrumentationTests

open Expecto
open System
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``the runtime instrumentation collects .NET's dotnet.* metrics`` () =
    let reader = MetricPullReader()

    use _ =
        Telemetry.create "runtime-tests"
        |> Telemetry.withEnvironment (Env.ofList [])
        |> Telemetry.withPropagatorInstalled false
        |> Telemetry.withMetrics (Metrics.addRuntimeInstrumentation >> Metrics.addReader reader)
        |> Telemetry.start

    GC.Collect()
    let metrics = reader.Collect() |> List.ofSeq
    Assert.NotEmpty metrics
    Assert.All(metrics, fun m -> Assert.Equal("System.Runtime", m.Scope.Name))
    Assert.All(metrics, fun m -> Assert.StartsWith("dotnet.", m.Name))

    let names = metrics |> List.map _.Name |> Set.ofList

    for expected in
        [
            "dotnet.gc.collections"
            "dotnet.process.cpu.count"
            "dotnet.process.cpu.time"
            "dotnet.assembly.count"
            "dotnet.thread_pool.thread.count"
            "dotnet.process.memory.working_set"
        ] do
        Assert.Contains(expected, names)

    let cpus = metrics |> List.find (fun m -> m.Name = "dotnet.process.cpu.count")

    match cpus.Points with
    | MetricPoints.Sum(_, false, points) ->
        let point = Seq.exactlyOne points
        Assert.Equal(NumberValue.Long(int64 Environment.ProcessorCount), point.Value)
    | other -> Assert.Fail $"dotnet.process.cpu.count: {other}"

let ``instrumentations add their meters once`` () =
    let config =
        Metrics.empty
        |> Metrics.addHttpClientInstrumentation
        |> Metrics.addRuntimeInstrumentation
        |> Metrics.addHttpClientInstrumentation
        |> Metrics.addRuntimeInstrumentation

    Assert.Equal<string list>([ "System.Net.Http"; "System.Net.NameResolution"; "System.Runtime" ], config.Meters)

[<Tests>]
let tests =
    testList
        "RuntimeInstrumentationTests"
        [
            test "the runtime instrumentation collects .NET's dotnet.* metrics" {
                ``the runtime instrumentation collects .NET's dotnet.* metrics`` ()
            }
            test "instrumentations add their meters once" { ``instrumentations add their meters once`` () }
        ]
