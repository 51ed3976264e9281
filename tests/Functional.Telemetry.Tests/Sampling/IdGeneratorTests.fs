/// The AWS X-Ray trace-id generator: the pure layout, the process's generator while an SDK configured with it runs
/// (set at start, put back at shutdown), the X-Ray propagator's header over its ids, and the configuration file's
/// `id_generator: xray`. The SDK tests of this module run one at a time (one xunit class), as the generator is
/// process-wide.
module Functional.Telemetry.Tests.IdGeneratorTests

open Expecto
open System
open System.Diagnostics
open System.IO
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let ``an X-Ray trace id is the Unix seconds, big-endian, then the 12 random bytes`` () =
    let random = TraceId(0xFFEEDDCC_BBAA9988UL, 0x7766554433221100UL)
    let id = IdGenerator.xrayTraceId 0x65A1B2C3L random
    Assert.Equal("65a1b2c3bbaa99887766554433221100", id.ToHex())
    Assert.Equal(0x65A1B2C3L, IdGenerator.xrayEpochSeconds id)
    // Seconds past 2106 keep their low 32 bits, as the 8 hex digits of the X-Ray header do.
    Assert.Equal(0x00000005L, IdGenerator.xrayEpochSeconds (IdGenerator.xrayTraceId 0x1_00000005L random))

let private sdkWith (name: string) (configure: TracingConfig -> TracingConfig) =
    Telemetry.create "xray"
    |> Telemetry.withEnvironment (Env.ofList [ "OTEL_TRACES_EXPORTER", "none" ])
    |> Telemetry.withPropagatorInstalled false
    |> Telemetry.withResourceDetection false
    |> Telemetry.withTracing (Tracing.addSource name >> configure)
    |> Telemetry.start

let private uniqueSource () = "XRay.Test." + Guid.NewGuid().ToString("N")

let private seconds () = DateTimeOffset.UtcNow.ToUnixTimeSeconds()

/// The Unix seconds of the first 4 bytes of an Activity's trace id.
let private secondsOf (activity: Activity) = Convert.ToInt64(activity.TraceId.ToHexString().Substring(0, 8), 16)

let ``with AwsXRay, traces started while the SDK runs have X-Ray ids; the generator is put back at shutdown`` () =
    task {
        let before = Activity.TraceIdGenerator
        let name = uniqueSource ()
        let spans = InMemoryExporter<Span>()

        let sdk = sdkWith name (Tracing.withIdGenerator IdGenerator.AwsXRay >> Tracing.addSimpleExporter spans)

        Assert.NotNull Activity.TraceIdGenerator
        use source = new ActivitySource(name)
        let from = seconds ()
        let root = source.StartActivity "root"
        let child = source.StartActivity "child"
        let until = seconds ()
        child.Stop()
        root.Stop()
        Assert.InRange(secondsOf root, from, until)
        Assert.Equal(root.TraceId, child.TraceId)
        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.True(Object.ReferenceEquals(before, Activity.TraceIdGenerator))
        // The spans exported carry the same ids.
        Assert.All(spans.Items, (fun s -> Assert.Equal(root.TraceId.ToHexString(), s.Context.TraceId.ToHex())))
        Assert.Equal(2, spans.Items.Count)
    }

let ``the sampler sees the X-Ray trace id of a new trace`` () =
    task {
        let name = uniqueSource ()
        let seen = Collections.Concurrent.ConcurrentQueue<TraceId>()

        let sampler: Sampler =
            fun parameters ->
                seen.Enqueue parameters.TraceId
                Sampler.alwaysOn parameters

        let sdk = sdkWith name (Tracing.withIdGenerator IdGenerator.AwsXRay >> Tracing.withSampler sampler)

        use source = new ActivitySource(name)
        let from = seconds ()
        let root = source.StartActivity "root"
        root.Stop()
        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
        let traceId = Assert.Single seen
        Assert.Equal(root.TraceId.ToHexString(), traceId.ToHex())
        Assert.InRange(IdGenerator.xrayEpochSeconds traceId, from, seconds ())
    }

let ``the X-Ray propagator's Root carries the trace's start time, and reads back the same ids`` () =
    task {
        let name = uniqueSource ()
        let sdk = sdkWith name (Tracing.withIdGenerator IdGenerator.AwsXRay)
        use source = new ActivitySource(name)
        let from = seconds ()
        let root = source.StartActivity "call"
        let context = ActivityConversion.toPropagatedSpanContext root
        root.Stop()
        let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)

        let header =
            match Propagators.xray.Inject { PropagationContext.empty with SpanContext = Some context } with
            | [ "X-Amzn-Trace-Id", value ] -> value
            | other -> failwith $"unexpected headers {other}"

        // Root=1-<8 hex: seconds>-<24 hex>;Parent=<16 hex>;Sampled=1
        let rootPart = header.Split(';').[0]
        Assert.StartsWith("Root=1-", rootPart)
        Assert.InRange(Convert.ToInt64(rootPart.Substring(7, 8), 16), from, seconds ())

        Assert.Equal(
            $"Root=1-{context.TraceId.ToHex().Substring(0, 8)}-{context.TraceId.ToHex().Substring 8}",
            rootPart
        )

        let extracted =
            Propagators.xray.Extract (Propagators.getterOf [ "X-Amzn-Trace-Id", header ]) PropagationContext.empty

        Assert.Equal(Some context.TraceId, extracted.SpanContext |> Option.map _.TraceId)
        Assert.Equal(Some context.SpanId, extracted.SpanContext |> Option.map _.SpanId)
        // Its low bytes are random: the W3C random-trace-id flag stays on, as with .NET's own ids.
        Assert.True(context.TraceFlags.IsRandom)
    }

let ``the generator stays while any SDK that asked for it runs; Random leaves the process's generator alone`` () =
    task {
        let before = Activity.TraceIdGenerator
        let first = sdkWith (uniqueSource ()) (Tracing.withIdGenerator IdGenerator.AwsXRay)
        let second = sdkWith (uniqueSource ()) (Tracing.withIdGenerator IdGenerator.AwsXRay)
        let installed = Activity.TraceIdGenerator
        Assert.NotNull installed
        let! _ = first.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.True(Object.ReferenceEquals(installed, Activity.TraceIdGenerator))
        let random = sdkWith (uniqueSource ()) id
        Assert.True(Object.ReferenceEquals(installed, Activity.TraceIdGenerator))
        let! _ = random.Shutdown(TimeSpan.FromSeconds 5.)
        let! _ = second.Shutdown(TimeSpan.FromSeconds 5.)
        Assert.True(Object.ReferenceEquals(before, Activity.TraceIdGenerator))
    }

let ``a generator someone set while the SDK ran is left in place at shutdown`` () =
    task {
        let before = Activity.TraceIdGenerator
        let sdk = sdkWith (uniqueSource ()) (Tracing.withIdGenerator IdGenerator.AwsXRay)
        let theirs = Func<ActivityTraceId>(fun () -> ActivityTraceId.CreateRandom())
        Activity.TraceIdGenerator <- theirs

        try
            let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.True(Object.ReferenceEquals(theirs, Activity.TraceIdGenerator))
        finally
            Activity.TraceIdGenerator <- before
    }

let ``a configuration file's id_generator: xray (file_format 1.1) makes X-Ray ids; random and no setting do not`` () =
    task {
        let name = uniqueSource ()

        let file (generator: string) =
            $"""
file_format: "1.1"
tracer_provider:
  processors:
    - simple:
        exporter:
          console:
  {generator}
  tracer_configurator/development:
    default_config:
      enabled: false
    tracers:
      - name: {name}
        config:
          enabled: true
"""

        let generatorOf (yaml: string) =
            match ConfigFile.parse (Env.ofList []) yaml with
            | Ok(config, warnings) ->
                Assert.Empty warnings
                config.Tracing.Value.IdGenerator
            | Error errors -> failwith $"{errors}"

        Assert.Equal(IdGenerator.AwsXRay, generatorOf (file "id_generator:\n    xray:"))
        Assert.Equal(IdGenerator.Random, generatorOf (file "id_generator:\n    random:"))
        Assert.Equal(IdGenerator.Random, generatorOf (file ""))

        let path = Path.GetTempFileName()

        try
            File.WriteAllText(path, file "id_generator:\n    xray:")

            let sdk =
                Telemetry.create "xray"
                |> Telemetry.withPropagatorInstalled false
                |> Telemetry.withConfigFile path
                |> Telemetry.start

            use source = new ActivitySource(name)
            let from = seconds ()
            let root = source.StartActivity "root"
            root.Stop()
            let! _ = sdk.Shutdown(TimeSpan.FromSeconds 5.)
            Assert.InRange(secondsOf root, from, seconds ())
        finally
            File.Delete path
    }

[<Tests>]
let tests =
    // Alone, after the parallel tests: Activity.TraceIdGenerator is process-wide.
    testSequenced (
        testList
            "IdGeneratorTests"
            [
                test "an X-Ray trace id is the Unix seconds, big-endian, then the 12 random bytes" {
                    ``an X-Ray trace id is the Unix seconds, big-endian, then the 12 random bytes`` ()
                }
                testTask
                    "with AwsXRay, traces started while the SDK runs have X-Ray ids; the generator is put back at shutdown" {
                    do!
                        ``with AwsXRay, traces started while the SDK runs have X-Ray ids; the generator is put back at shutdown`` ()
                }
                testTask "the sampler sees the X-Ray trace id of a new trace" {
                    do! ``the sampler sees the X-Ray trace id of a new trace`` ()
                }
                testTask "the X-Ray propagator's Root carries the trace's start time, and reads back the same ids" {
                    do! ``the X-Ray propagator's Root carries the trace's start time, and reads back the same ids`` ()
                }
                testTask
                    "the generator stays while any SDK that asked for it runs; Random leaves the process's generator alone" {
                    do!
                        ``the generator stays while any SDK that asked for it runs; Random leaves the process's generator alone`` ()
                }
                testTask "a generator someone set while the SDK ran is left in place at shutdown" {
                    do! ``a generator someone set while the SDK ran is left in place at shutdown`` ()
                }
                testTask
                    "a configuration file's id_generator: xray (file_format 1.1) makes X-Ray ids; random and no setting do not" {
                    do!
                        ``a configuration file's id_generator: xray (file_format 1.1) makes X-Ray ids; random and no setting do not`` ()
                }
            ]
    )
