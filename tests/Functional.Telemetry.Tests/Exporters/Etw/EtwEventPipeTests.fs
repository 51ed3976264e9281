/// The ETW exporter out of process: a child .NET process (tests/EtwChild) logs and traces through the exporter,
/// this test reads its events over a real EventPipe session (Microsoft.Diagnostics.NETCore.Client) and parses
/// them with TraceEvent, as dotnet-trace and PerfView would.
module Functional.Telemetry.Tests.EtwEventPipeTests

open Expecto
open System
open System.Collections.Concurrent
open System.Collections.Generic
open System.Diagnostics
open System.Diagnostics.Tracing
open System.IO
open System.Threading.Tasks
open Microsoft.Diagnostics.NETCore.Client
open Microsoft.Diagnostics.Tracing
open Xunit
open Functional.Telemetry.Tests.TestUtil

/// The child's dll: built by the ProjectReference (ReferenceOutputAssembly=false) in the same configuration,
/// next to this test project (tests/<project>/bin/<configuration>/<tfm>/).
let private childDll () =
    let testDir = DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))
    let tfm = testDir.Name
    let configuration = testDir.Parent.Name
    let testsDir = testDir.Parent.Parent.Parent.Parent
    let path = Path.Combine(testsDir.FullName, "EtwChild", "bin", configuration, tfm, "EtwChild.dll")
    Assert.True(File.Exists path, $"EtwChild not built at {path}")
    path

let private timeout = TimeSpan.FromSeconds 30.

/// A payload field; nested structs come back from TraceEvent as string-keyed dictionaries.
let private structOf (value: obj) = value :?> IDictionary<string, obj>

/// The event's top-level fields. On EventPipe, `EventSource.Write<T>` describes the whole payload as one unnamed
/// struct parameter (T itself), so TraceEvent shows one field "" holding `__csver__`, PartA, PartB and PartC.
let private fieldsOf (e: TraceEvent) : IDictionary<string, obj> =
    if e.PayloadNames = [| "" |] then
        structOf (e.PayloadValue 0)
    else
        dict
            [
                for i in 0 .. e.PayloadNames.Length - 1 -> e.PayloadNames[i], e.PayloadValue i
            ]

/// A struct's field names in order (TraceEvent's StructValue enumerates but does not implement Keys).
let private keysOf (value: IDictionary<string, obj>) = value |> Seq.map (fun kv -> kv.Key) |> List.ofSeq

/// PartA, PartB or PartC of an event.
let private partOf (name: string) (e: TraceEvent) = structOf ((fieldsOf e).[name])

let ``a child process's logs and spans are read over an EventPipe session and parsed by TraceEvent`` () =
    task {
        let provider = "EtwChild-EventPipe"

        let dotnet =
            match Environment.GetEnvironmentVariable "DOTNET_HOST_PATH" with
            | null
            | "" -> "dotnet"
            | path -> path

        let info = ProcessStartInfo(dotnet, [ childDll (); provider ])
        info.RedirectStandardInput <- true
        info.RedirectStandardOutput <- true
        info.UseShellExecute <- false
        use child = Process.Start info

        try
            let! ready = child.StandardOutput.ReadLineAsync() |> within timeout
            Assert.StartsWith("ready ", ready)
            let pid = int (ready.Substring 6)
            Assert.Equal(child.Id, pid)

            let client = DiagnosticsClient pid

            use session =
                client.StartEventPipeSession([ EventPipeProvider(provider, EventLevel.Verbose, -1L) ], false)

            use source = new EventPipeEventSource(session.EventStream)
            let events = ConcurrentQueue<TraceEvent>()

            let seen = ConcurrentQueue<string>()

            source.Dynamic.add_All (fun e ->
                seen.Enqueue $"{e.ProviderName}/{e.EventName}"

                if e.ProviderName = provider then
                    // TraceEvent reuses the event object; keep a copy.
                    events.Enqueue(e.Clone()))

            let processing = Task.Run(fun () -> source.Process() |> ignore)

            // The session is on (the IPC answer comes after the runtime enabled the provider): go.
            do! child.StandardInput.WriteLineAsync()
            do! child.StandardInput.FlushAsync()
            let! (``done``: string) = child.StandardOutput.ReadLineAsync() |> within timeout
            let parts = ``done``.Split ' '
            Assert.Equal("done", parts[0])
            let traceId, spanId = parts[1], parts[2]

            session.Stop()
            do! processing.WaitAsync timeout

            let received = List.ofSeq events
            let logs = received |> List.filter (fun e -> e.EventName = "Log")
            let spans = received |> List.filter (fun e -> e.EventName = "Span")
            Assert.True(logs.Length = 2, String.Join("; ", seen |> Seq.distinct))
            Assert.Equal(1, spans.Length)

            for e in received do
                let fields = fieldsOf e
                Assert.Equal<string list>([ "__csver__"; "PartA"; "PartB"; "PartC" ], keysOf fields)
                Assert.Equal(box 1024, fields["__csver__"])

            let outside, inside = logs[0], logs[1]
            Assert.Equal(TraceEventLevel.Informational, outside.Level)
            Assert.Equal(TraceEventLevel.Error, inside.Level)
            Assert.Equal(1L, int64 outside.Keywords &&& 0xFFL)

            let outsideB = partOf "PartB" outside
            Assert.Equal(box "Log", outsideB["_typeName"])
            Assert.Equal(box "outside a span 3", outsideB["body"])
            Assert.Equal(box 9, outsideB["severityNumber"])
            Assert.Equal(box "Information", outsideB["severityText"])
            let outsideA = partOf "PartA" outside
            Assert.DoesNotContain("ext_dt", keysOf outsideA)
            let cloud = structOf outsideA["ext_cloud"]
            Assert.Equal(box "etw-child", cloud["role"])
            Assert.Equal(box "child-1", cloud["roleInstance"])
            Assert.Equal(box 3L, (partOf "PartC" outside)["Count"])

            let insideB = partOf "PartB" inside
            Assert.Equal(box "inside a span False", insideB["body"])
            Assert.Equal(box 17, insideB["severityNumber"])
            Assert.Equal(box 17L, insideB["eventId"])
            Assert.Equal(box "Failed", insideB["name"])
            let insideA = partOf "PartA" inside
            let dt = structOf insideA["ext_dt"]
            Assert.Equal(box traceId, dt["traceId"])
            Assert.Equal(box spanId, dt["spanId"])
            // bool as a 32-bit integer: TraceEvent reads it right.
            Assert.Equal(box 0, (partOf "PartC" inside)["Ok"])

            let span = spans.Head
            Assert.Equal(2L, int64 span.Keywords &&& 0xFFL)
            let spanB = partOf "PartB" span
            Assert.Equal(box "Span", spanB["_typeName"])
            Assert.Equal(box "child-work", spanB["name"])
            Assert.Equal(box 1, spanB["kind"])
            Assert.Equal(box 1, spanB["success"])
            let spanA = partOf "PartA" span
            let spanDt = structOf spanA["ext_dt"]
            Assert.Equal(box spanId, spanDt["spanId"])
            Assert.Equal(box "/child", (partOf "PartC" span)["http.route"])
        finally
            if not child.HasExited then
                try
                    child.StandardInput.WriteLine()
                    child.StandardInput.Close()
                with _ ->
                    ()

                if not (child.WaitForExit(TimeSpan.FromSeconds 10.)) then
                    child.Kill true
    }

[<Tests>]
let tests =
    testList
        "EtwEventPipeTests"
        [
            testTask "a child process's logs and spans are read over an EventPipe session and parsed by TraceEvent" {
                do! ``a child process's logs and spans are read over an EventPipe session and parsed by TraceEvent`` ()
            }
        ]
