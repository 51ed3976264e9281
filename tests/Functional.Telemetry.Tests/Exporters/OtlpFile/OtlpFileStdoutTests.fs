/// The OTLP file exporter on a real standard output: a child process (tests/OtlpFileChild) configured only by
/// `OTEL_TRACES_EXPORTER`, `OTEL_METRICS_EXPORTER` and `OTEL_LOGS_EXPORTER` = `otlp/stdout` writes its three signals,
/// and every line it prints is read back by the opentelemetry-js decoder.
module Functional.Telemetry.Tests.OtlpFileStdoutTests

open Expecto
open System
open System.Diagnostics
open System.IO
open System.Text.Json.Nodes
open Xunit

let private childDll () =
    let testDir = DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))
    let tfm = testDir.Name
    let configuration = testDir.Parent.Name
    let testsDir = testDir.Parent.Parent.Parent.Parent

    let path =
        Path.Combine(testsDir.FullName, "OtlpFileChild", "bin", configuration, tfm, "OtlpFileChild.dll")

    Assert.True(File.Exists path, $"OtlpFileChild not built at {path}")
    path

let ``otlp/stdout: a process's spans, metrics and logs on its standard output, one decodable line per export`` () =
    task {
        let marker = "stdout-span-" + Guid.NewGuid().ToString("N")

        let dotnet =
            match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
            | null
            | "" -> "dotnet"
            | path -> path

        let info = ProcessStartInfo(dotnet, [ childDll (); marker ])
        info.RedirectStandardOutput <- true
        info.RedirectStandardError <- true
        info.UseShellExecute <- false

        for signal in [ "TRACES"; "METRICS"; "LOGS" ] do
            info.Environment[$"OTEL_{signal}_EXPORTER"] <- "otlp/stdout"

        info.Environment["OTEL_METRIC_EXPORT_INTERVAL"] <- "600000"
        use child = Process.Start info
        let errors = child.StandardError.ReadToEndAsync()
        let! output = child.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds 60.)
        do! child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds 60.)
        Assert.True(child.ExitCode = 0, $"the child failed ({child.ExitCode}): {errors.Result}")

        let lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray

        // Nothing else is on standard output: every line is one JSON object of one signal.
        let signalOf (line: string) =
            let root = JsonNode.Parse(line).AsObject()

            match List.ofSeq root |> List.map (fun p -> p.Key) with
            | [ "resourceSpans" ] -> "traces"
            | [ "resourceMetrics" ] -> "metrics"
            | [ "resourceLogs" ] -> "logs"
            | keys -> failwith $"not an OTLP/JSON line: {keys}"

        let bySignal =
            lines
            |> List.groupBy signalOf
            |> List.map (fun (signal, lines) -> signal, OtlpFileExporterTests.decodeLines signal lines)
            |> Map.ofList

        let collect (signal: string) (path: string list) =
            bySignal
            |> Map.tryFind signal
            |> Option.defaultValue []
            |> List.collect (fun message ->
                path
                |> List.fold (fun nodes key -> nodes |> List.collect (fun n -> OtlpPeer.items n key)) [ message ])

        let span = collect "traces" [ "resourceSpans"; "scopeSpans"; "spans" ] |> List.exactlyOne

        Assert.Equal(marker, OtlpPeer.str (OtlpPeer.at span [ "name" ]))

        let counter =
            collect "metrics" [ "resourceMetrics"; "scopeMetrics"; "metrics" ]
            |> List.find (fun m -> OtlpPeer.str (OtlpPeer.at m [ "name" ]) = "child.counter")

        let point = OtlpPeer.items (OtlpPeer.at counter [ "sum" ]) "dataPoints" |> List.exactlyOne

        Assert.Equal("7", OtlpPeer.str (OtlpPeer.at point [ "asInt" ]))

        let record = collect "logs" [ "resourceLogs"; "scopeLogs"; "logRecords" ] |> List.exactlyOne

        Assert.Equal($"child log {marker}", OtlpPeer.str (OtlpPeer.at record [ "body"; "stringValue" ]))

        Assert.Equal(OtlpPeer.str (OtlpPeer.at span [ "traceId" ]), OtlpPeer.str (OtlpPeer.at record [ "traceId" ]))
    }

[<Tests>]
let tests =
    testList
        "OtlpFileStdoutTests"
        [
            testTask
                "otlp/stdout: a process's spans, metrics and logs on its standard output, one decodable line per export" {
                do!
                    ``otlp/stdout: a process's spans, metrics and logs on its standard output, one decodable line per export`` ()
            }
        ]
