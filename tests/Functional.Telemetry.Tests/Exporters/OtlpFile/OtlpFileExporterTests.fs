/// The OTLP file exporter: JSON Lines of OTLP/JSON to a stream or a file rotated by size, its options, the
/// `otlp/stdout` selection, configuration files' `otlp_file/development`, and the three signals of a pipeline read back
/// line by line by the independent opentelemetry-js decoder (tests/otlp-peer/decode.js).
module Functional.Telemetry.Tests.OtlpFileExporterTests

open Expecto
open System
open System.Buffers
open System.Diagnostics
open System.Diagnostics.Metrics
open System.IO
open System.Text
open System.Text.Json.Nodes
open System.Threading
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private resource: Resource =
    {
        Attributes = [ KeyValue.string "service.name" "file-test" ]
        SchemaUrl = ""
    }

let private span (name: string) =
    {
        Context =
            {
                TraceId = TraceId(7UL, 8UL)
                SpanId = SpanId 9UL
                TraceFlags = TraceFlags.Sampled
                TraceState = TraceState.Empty
                IsRemote = false
            }
        ParentSpanId = SpanId.Empty
        ParentIsRemote = false
        Name = name
        Kind = SpanKind.Internal
        StartTime = 1_000L
        EndTime = 2_000L
        Attributes = [ KeyValue.string "text" "line\nbreak \"quoted\"" ]
        Events = []
        Links = []
        Status = Status.Unset
        DroppedAttributes = 0
        DroppedEvents = 0
        DroppedLinks = 0
        Scope = InstrumentationScope.Named "file-tests"
    }

let private export (exporter: IExporter<Span>) (items: Span array) =
    exporter.Export({ Resource = resource; Items = items }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds 10.)

let private json (items: Span array) =
    let buffer = ArrayBufferWriter<byte>()
    OtlpJson.writeTraces resource items buffer
    Encoding.UTF8.GetString buffer.WrittenSpan

let private spanNames (line: string) =
    (JsonNode.Parse line).["resourceSpans"].AsArray()
    |> Seq.collect (fun r -> r.["scopeSpans"].AsArray())
    |> Seq.collect (fun s -> s.["spans"].AsArray())
    |> Seq.map (fun s -> s.["name"].GetValue<string>())
    |> List.ofSeq

/// A directory of its own under the temporary directory, deleted at the end.
type private TempDirectory() =
    let info = Directory.CreateTempSubdirectory "otlp-file-tests"
    member _.Path = info.FullName
    member _.File(name: string) = Path.Combine(info.FullName, name)

    interface IDisposable with
        member _.Dispose() =
            try
                info.Delete true
            with _ ->
                ()

// ---- options ----

let ``output_stream is stdout or a file URI`` () =
    Assert.Equal(Ok OtlpFileOutput.Stdout, OtlpFileOptions.parseOutputStream "stdout")
    Assert.Equal(Ok OtlpFileOutput.Stdout, OtlpFileOptions.parseOutputStream " STDOUT ")

    Assert.Equal(
        Ok(OtlpFileOutput.File "/var/log/app/traces.jsonl"),
        OtlpFileOptions.parseOutputStream "file:///var/log/app/traces.jsonl"
    )

    for bad in [ "stderr"; "relative/traces.jsonl"; "http://collector:4318"; "" ] do
        match OtlpFileOptions.parseOutputStream bad with
        | Error reason -> Assert.Contains("stdout or a file URI", reason)
        | Ok output -> Assert.Fail $"'{bad}' gave {output}"

let ``options given in code are checked, naming the setting`` () =
    TestUtil.rejects "MaxFileBytes" (OtlpFileOptions.validate { OtlpFileOptions.defaults with MaxFileBytes = 0L })

    TestUtil.rejects "MaxRotatedFiles" (OtlpFileOptions.validate { OtlpFileOptions.defaults with MaxRotatedFiles = -1 })

    TestUtil.rejects
        "Output"
        (OtlpFileOptions.validate
            { OtlpFileOptions.defaults with
                Output = OtlpFileOutput.File " "
            })

    TestUtil.throwsNaming "MaxFileBytes" (fun () ->
        Tracing.addOtlpFileExporter (fun o -> { o with MaxFileBytes = -5L }) Tracing.empty)

    TestUtil.throwsNaming "MaxRotatedFiles" (fun () ->
        Metrics.addOtlpFileExporter (fun o -> { o with MaxRotatedFiles = -1 }) Metrics.empty)

let ``the metrics variables of OTLP set the file exporter's temporality and histograms`` () =
    let options, warnings =
        OtlpFileOptions.fromEnvironment (
            Env.ofList
                [
                    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta"
                    "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "base2_exponential_bucket_histogram"
                    // Not the file exporter's: no warning from it.
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon"
                ]
        )

    Assert.Empty warnings
    Assert.Equal(TemporalityPreference.Delta, options.TemporalityPreference)
    Assert.True options.ExponentialHistograms
    Assert.Equal(OtlpFileOutput.Stdout, options.Output)

    let _, bad =
        OtlpFileOptions.fromEnvironment (
            Env.ofList [ "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "sometimes" ]
        )

    Assert.Equal("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", (Assert.Single bad).Source)

// ---- lines ----

let ``each export is one line of the OTLP/JSON request, ending in a newline`` () =
    task {
        use stream = new MemoryStream()
        use exporter = OtlpFileExporter.toStream stream OtlpJson.writeTraces
        let first = [| span "first"; span "second" |]
        let second = [| span "third" |]
        let! a = export exporter first
        let! b = export exporter second
        Assert.Equal(ExportResult.Success, a)
        Assert.Equal(ExportResult.Success, b)

        let text = Encoding.UTF8.GetString(stream.ToArray())
        Assert.EndsWith("\n", text)
        let lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        // A newline inside a value stays escaped: one request, one line.
        Assert.Equal<string array>([| json first; json second |], lines)
        Assert.Equal<string list>([ "first"; "second" ], spanNames lines.[0])
    }

let ``a file is appended to, rotated by size, and only MaxRotatedFiles rotated files are kept`` () =
    task {
        use dir = new TempDirectory()
        let path = dir.File "out/traces.jsonl"
        let lineBytes = Encoding.UTF8.GetByteCount(json [| span "batch-0" |]) + 1

        use exporter =
            OtlpFileExporter.traces
                { OtlpFileOptions.defaults with
                    Output = OtlpFileOutput.File path
                    // Two lines fit, a third rotates.
                    MaxFileBytes = int64 (2 * lineBytes + 1)
                    MaxRotatedFiles = 2
                }

        for index in 0..6 do
            let! result = export exporter [| span $"batch-{index}" |]
            Assert.Equal(ExportResult.Success, result)

        let namesIn file =
            File.ReadAllLines file
            |> Array.collect (spanNames >> Array.ofList)
            |> List.ofArray

        // 7 lines, 2 per file: the current file holds the newest, .1 the two before, .2 the two before those;
        // the oldest file (batch-0) was deleted.
        Assert.Equal<string list>([ "batch-6" ], namesIn path)
        Assert.Equal<string list>([ "batch-4"; "batch-5" ], namesIn (dir.File "out/traces.1.jsonl"))
        Assert.Equal<string list>([ "batch-2"; "batch-3" ], namesIn (dir.File "out/traces.2.jsonl"))
        Assert.False(File.Exists(dir.File "out/traces.3.jsonl"))

        Assert.Equal<string list>(
            [ "traces.1.jsonl"; "traces.2.jsonl"; "traces.jsonl" ],
            Directory.GetFiles(dir.File "out")
            |> Array.map Path.GetFileName
            |> Array.sort
            |> List.ofArray
        )
    }

let ``a line larger than MaxFileBytes goes into a file of its own, and an existing file is appended to`` () =
    task {
        use dir = new TempDirectory()
        let path = dir.File "spans.jsonl"
        File.WriteAllText(path, "{\"resourceSpans\":[]}\n")

        let options =
            { OtlpFileOptions.defaults with
                Output = OtlpFileOutput.File path
                MaxFileBytes = 10L
                MaxRotatedFiles = 1
            }

        use exporter = OtlpFileExporter.traces options
        let! result = export exporter [| span "big" |]
        Assert.Equal(ExportResult.Success, result)
        Assert.Equal<string array>([| json [| span "big" |] |], File.ReadAllLines path)
        Assert.Equal<string array>([| "{\"resourceSpans\":[]}" |], File.ReadAllLines(dir.File "spans.1.jsonl"))
    }

let ``a file that cannot be written is a Failure naming it, and the next export tries again`` () =
    task {
        use dir = new TempDirectory()
        // The path is a directory: opening it as a file fails.
        let path = dir.File "taken"
        Directory.CreateDirectory path |> ignore

        use exporter =
            OtlpFileExporter.traces
                { OtlpFileOptions.defaults with
                    Output = OtlpFileOutput.File path
                }

        let! failed = export exporter [| span "lost" |]

        match failed with
        | ExportResult.Failure reason -> Assert.Contains($"could not write to {path}", reason)
        | other -> Assert.Fail $"expected a failure, got {other}"

        Directory.Delete path
        let! retried = export exporter [| span "kept" |]
        Assert.Equal(ExportResult.Success, retried)
        Assert.Equal<string array>([| json [| span "kept" |] |], File.ReadAllLines path)
        Assert.Equal(path, ExportDestination.ofExporter exporter)
    }

// ---- selection and configuration files ----

let ``otlp/stdout in the selection variables adds the file exporter writing to standard output`` () =
    let env =
        Env.ofList
            [
                "OTEL_TRACES_EXPORTER", "otlp/stdout"
                "OTEL_METRICS_EXPORTER", "OTLP/STDOUT,otlp"
            ]

    let selection, exporters, warnings = ExporterChoice.spans env []
    Assert.Empty warnings
    Assert.Equal(ExporterSelection.Kinds [ ExporterKind.OtlpFile ], selection)
    let entry = Assert.Single exporters
    Assert.Equal(Some ExporterKind.OtlpFile, entry.Kind)
    let exporter, _ = ExporterList.resolve entry.Exporter env
    Assert.Equal("otlp-file", exporter.Name)
    Assert.Equal("stdout", ExportDestination.ofExporter exporter)

    let metricsSelection, readers, _ = ExporterChoice.metrics env []
    Assert.Equal(ExporterSelection.Kinds [ ExporterKind.OtlpFile; ExporterKind.Otlp ], metricsSelection)

    Assert.Equal<ExporterKind option list>(
        [ Some ExporterKind.OtlpFile; Some ExporterKind.Otlp ],
        readers |> List.map Metrics.kindOf
    )

    let _, logs, _ = ExporterChoice.logs (Env.ofList [ "OTEL_LOGS_EXPORTER", "otlp/stdout" ]) []
    Assert.Equal(Some ExporterKind.OtlpFile, (Assert.Single logs).Kind)

let ``a configuration file's otlp_file/development exporters are read for the three signals`` () =
    let model, warnings =
        ConfigMappingTests.parse
            """
file_format: "1.0"
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_file/development:
            output_stream: file:///var/log/app/traces.jsonl
    - simple:
        exporter:
          otlp_file/development:
meter_provider:
  readers:
    - periodic:
        exporter:
          otlp_file/development:
            output_stream: stdout
            temporality_preference: delta
            default_histogram_aggregation: base2_exponential_bucket_histogram
logger_provider:
  processors:
    - batch:
        exporter:
          otlp_file/development:
            output_stream: file:///var/log/app/logs.jsonl
"""

    Assert.Empty warnings

    let outputs (processors: FileProcessor list) =
        processors
        |> List.map (fun p ->
            match p.Exporter with
            | FileExporter.OtlpFile options -> options.Output
            | other -> failwith $"expected the OTLP file exporter, got {other}")

    Assert.Equal<OtlpFileOutput list>(
        [ OtlpFileOutput.File "/var/log/app/traces.jsonl"; OtlpFileOutput.Stdout ],
        outputs model.Tracing.Value.Processors
    )

    Assert.Equal<OtlpFileOutput list>(
        [ OtlpFileOutput.File "/var/log/app/logs.jsonl" ],
        outputs model.Logging.Value.Processors
    )

    match model.Metrics.Value.Readers with
    | [ FileReader.Periodic(_, exporter) ] ->
        Assert.Equal(TemporalityPreference.Delta, exporter.Preference)
        Assert.True exporter.Histograms.IsSome

        match exporter.Exporter with
        | FileExporter.OtlpFile options -> Assert.Equal(OtlpFileOutput.Stdout, options.Output)
        | other -> failwith $"expected the OTLP file exporter, got {other}"
    | other -> failwith $"expected one periodic reader, got {other}"

let ``a configuration file's output_stream that is neither stdout nor a file is an error at its path`` () =
    let errors =
        ConfigMappingTests.errorsOf
            """
file_format: "1.1"
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_file/development:
            output_stream: tcp://collector:4317
"""

    let error = Assert.Single errors
    Assert.Equal("tracer_provider.processors[0].batch.exporter.otlp_file/development.output_stream", error.Path)
    Assert.Contains("stdout or a file URI", error.Message)

// ---- the three signals, read back by the opentelemetry-js decoder ----

/// Decodes every line with `node tests/otlp-peer/decode.js` (one file per line, named `<n>.<signal>.json`); the
/// canonical JSON of each, in order.
let internal decodeLines (signal: string) (lines: string list) =
    let dir = Directory.CreateTempSubdirectory "otlp-file-decode"

    try
        lines
        |> List.iteri (fun index line ->
            File.WriteAllText(Path.Combine(dir.FullName, $"{index:D3}.{signal}.json"), line))

        let info =
            ProcessStartInfo(
                "node",
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false
            )

        info.ArgumentList.Add(Path.Combine(OtlpPeer.peerDirectory (), "decode.js"))
        info.ArgumentList.Add dir.FullName
        use node = Process.Start info
        let errors = node.StandardError.ReadToEndAsync()
        let output = node.StandardOutput.ReadToEnd()
        node.WaitForExit()
        Assert.True(node.ExitCode = 0, $"decode.js failed: {errors.Result}")

        output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        |> Array.map (fun line ->
            let entry = JsonNode.Parse line
            Assert.True(isNull entry.["error"], $"the decoder refused a line: {line}")
            entry.["message"])
        |> List.ofArray
    finally
        dir.Delete true

let ``spans, metrics and logs written as JSON lines are read back by the opentelemetry-js decoder`` () =
    task {
        use dir = new TempDirectory()
        let name = "OtlpFile." + Guid.NewGuid().ToString("N")
        let file signal = dir.File $"{signal}.jsonl"

        let toFile signal (o: OtlpFileOptions) = { o with Output = OtlpFileOutput.File(file signal) }

        let sdk =
            Telemetry.create "otlp-file"
            |> Telemetry.withEnvironment (Env.ofList [ "OTEL_METRIC_EXPORT_INTERVAL", "600000" ])
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withResourceDetection false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpFileExporter (toFile "traces"))
            |> Telemetry.withMetrics (
                Metrics.addMeter name
                >> Metrics.addOtlpFileExporter (fun o ->
                    { toFile "metrics" o with
                        TemporalityPreference = TemporalityPreference.Delta
                    })
            )
            |> Telemetry.withLogging (Logging.addOtlpFileExporter (toFile "logs"))
            |> Telemetry.start

        do
            use source = new ActivitySource(name)
            use meter = new Meter(name)
            let counter = meter.CreateCounter<int64>("file.counter")
            use activity = source.StartActivity("file-span")
            activity.SetTag("order.id", 42) |> ignore
            counter.Add 5L

            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(
                sdk.CreateLogger "file.logs",
                "shipped {Count} items",
                3
            )

        Activity.Current <- null
        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True flushed
        let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True stopped

        let linesOf signal =
            File.ReadAllText(file signal).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            |> List.ofArray

        let traces = decodeLines "traces" (linesOf "traces")

        let spans =
            traces
            |> List.collect (fun m -> OtlpPeer.items m "resourceSpans")
            |> List.collect (fun r -> OtlpPeer.items r "scopeSpans")
            |> List.collect (fun s -> OtlpPeer.items s "spans")

        let decodedSpan = Assert.Single spans
        Assert.Equal("file-span", OtlpPeer.str (OtlpPeer.at decodedSpan [ "name" ]))

        Assert.Equal(Some """{"intValue":"42"}""", (OtlpPeer.attributes decodedSpan).TryFind "order.id")

        let metrics =
            decodeLines "metrics" (linesOf "metrics")
            |> List.collect (fun m -> OtlpPeer.items m "resourceMetrics")
            |> List.collect (fun r -> OtlpPeer.items r "scopeMetrics")
            |> List.filter (fun s -> OtlpPeer.str (OtlpPeer.at s [ "scope"; "name" ]) = name)
            |> List.collect (fun s -> OtlpPeer.items s "metrics")

        let counter =
            metrics
            |> List.find (fun m -> OtlpPeer.str (OtlpPeer.at m [ "name" ]) = "file.counter")

        let point = Assert.Single(OtlpPeer.items (OtlpPeer.at counter [ "sum" ]) "dataPoints")
        Assert.Equal("5", OtlpPeer.str (OtlpPeer.at point [ "asInt" ]))
        // Delta: aggregationTemporality 1.
        Assert.Equal(1, OtlpPeer.num (OtlpPeer.at counter [ "sum"; "aggregationTemporality" ]))

        let records =
            decodeLines "logs" (linesOf "logs")
            |> List.collect (fun m -> OtlpPeer.items m "resourceLogs")
            |> List.collect (fun r -> OtlpPeer.items r "scopeLogs")
            |> List.collect (fun s -> OtlpPeer.items s "logRecords")

        let record = Assert.Single records
        Assert.Equal("shipped 3 items", OtlpPeer.str (OtlpPeer.at record [ "body"; "stringValue" ]))
        Assert.Equal(13, OtlpPeer.num (OtlpPeer.at record [ "severityNumber" ]))
        // The log was written inside the span: its trace id is the span's.
        Assert.Equal(
            OtlpPeer.str (OtlpPeer.at decodedSpan [ "traceId" ]),
            OtlpPeer.str (OtlpPeer.at record [ "traceId" ])
        )
    }

[<Tests>]
let tests =
    testList
        "OtlpFileExporterTests"
        [
            test "output_stream is stdout or a file URI" { ``output_stream is stdout or a file URI`` () }
            test "options given in code are checked, naming the setting" {
                ``options given in code are checked, naming the setting`` ()
            }
            test "the metrics variables of OTLP set the file exporter's temporality and histograms" {
                ``the metrics variables of OTLP set the file exporter's temporality and histograms`` ()
            }
            testTask "each export is one line of the OTLP/JSON request, ending in a newline" {
                do! ``each export is one line of the OTLP/JSON request, ending in a newline`` ()
            }
            testTask "a file is appended to, rotated by size, and only MaxRotatedFiles rotated files are kept" {
                do! ``a file is appended to, rotated by size, and only MaxRotatedFiles rotated files are kept`` ()
            }
            testTask "a line larger than MaxFileBytes goes into a file of its own, and an existing file is appended to" {
                do!
                    ``a line larger than MaxFileBytes goes into a file of its own, and an existing file is appended to`` ()
            }
            testTask "a file that cannot be written is a Failure naming it, and the next export tries again" {
                do! ``a file that cannot be written is a Failure naming it, and the next export tries again`` ()
            }
            test "otlp/stdout in the selection variables adds the file exporter writing to standard output" {
                ``otlp/stdout in the selection variables adds the file exporter writing to standard output`` ()
            }
            test "a configuration file's otlp_file/development exporters are read for the three signals" {
                ``a configuration file's otlp_file/development exporters are read for the three signals`` ()
            }
            test "a configuration file's output_stream that is neither stdout nor a file is an error at its path" {
                ``a configuration file's output_stream that is neither stdout nor a file is an error at its path`` ()
            }
            testTask "spans, metrics and logs written as JSON lines are read back by the opentelemetry-js decoder" {
                do! ``spans, metrics and logs written as JSON lines are read back by the opentelemetry-js decoder`` ()
            }
        ]
