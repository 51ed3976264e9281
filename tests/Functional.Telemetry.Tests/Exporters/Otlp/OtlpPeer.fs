/// The OTLP peer nobody here wrote: tests/otlp-peer/receiver.js (a @grpc/grpc-js server and a node:http server
/// decoding with the OpenTelemetry JS protobuf definitions, installed by ./test.sh) run as a child process, and the
/// readers of the canonical OTLP JSON it answers with. Shared by the interop tests of both F# test executables
/// (tests/Functional.Telemetry.Interop.Tests links this file).
module Functional.Telemetry.Tests.OtlpPeer

open System
open System.Diagnostics
open System.IO
open System.Net.Http
open System.Text.Json.Nodes
open System.Threading.Tasks

// ---- the Node receiver ----

/// The directory tests/otlp-peer, found by walking up from the test assembly to Functional.sln.
let peerDirectory () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            failwith "Functional.sln not found above the test assembly: cannot locate tests/otlp-peer"
        elif File.Exists(Path.Combine(dir.FullName, "Functional.sln")) then
            Path.Combine(dir.FullName, "tests", "otlp-peer")
        else
            up dir.Parent

    let peer = up (DirectoryInfo AppContext.BaseDirectory)

    for package in [ "@grpc/grpc-js"; "@opentelemetry/otlp-transformer" ] do
        let path = Path.Combine(peer, "node_modules", package, "package.json")

        if not (File.Exists path) then
            failwith $"{path} is missing: run ./test.sh (or `npm install` in tests/otlp-peer) to install the OTLP peer."

    peer

/// A running `node tests/otlp-peer/receiver.js`; disposing closes its stdin (it exits) and waits for it.
type NodeReceiver private (node: Process, grpcPort: int, httpPort: int, errors: Text.StringBuilder) =
    static let client = new HttpClient(Timeout = TimeSpan.FromSeconds 10.)

    member _.GrpcEndpoint = $"http://127.0.0.1:{grpcPort}"
    member _.HttpEndpoint = $"http://127.0.0.1:{httpPort}"

    /// Every request decoded so far: {signal, transport, contentType, encoding, message | error}.
    member _.Received() : Task<JsonObject list> =
        task {
            let! text = client.GetStringAsync($"http://127.0.0.1:{httpPort}/received")
            return (JsonNode.Parse text).AsArray() |> Seq.map (fun n -> n.AsObject()) |> List.ofSeq
        }

    member _.Errors = lock errors (fun () -> errors.ToString())

    static member Start() : NodeReceiver =
        let peer = peerDirectory ()

        let info =
            ProcessStartInfo(
                "node",
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = peer
            )

        info.ArgumentList.Add(Path.Combine(peer, "receiver.js"))

        let node =
            try
                Process.Start info
            with e ->
                failwith $"Could not start node ({e.Message}): install Node.js and run ./test.sh."

        let errors = Text.StringBuilder()

        node.ErrorDataReceived.Add(fun e ->
            if not (isNull e.Data) then
                lock errors (fun () -> errors.AppendLine e.Data |> ignore))

        node.BeginErrorReadLine()

        let line =
            try
                node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds 15.).GetAwaiter().GetResult()
            with e ->
                (try
                    node.Kill true
                 with _ ->
                     ())

                failwith $"receiver.js did not report its ports ({e.Message}): {errors}"

        if isNull line then
            node.WaitForExit 5000 |> ignore
            failwith $"receiver.js exited before reporting its ports: {errors}"

        let ports = JsonNode.Parse(line: string)
        new NodeReceiver(node, ports.["grpc"].GetValue<int>(), ports.["http"].GetValue<int>(), errors)

    interface IDisposable with
        member _.Dispose() =
            try
                node.StandardInput.Close()
            with _ ->
                ()

            if not (node.WaitForExit 5000) then
                try
                    node.Kill true
                with _ ->
                    ()

            node.Dispose()

// ---- reading the canonical OTLP JSON ----

/// The node at a path of object keys, or null when any step is absent.
let at (node: JsonNode) (keys: string list) : JsonNode =
    keys
    |> List.fold (fun (n: JsonNode) key -> if isNull n then null else n[key]) node


let items (node: JsonNode) (name: string) : JsonNode list =
    match node with
    | null -> []
    | _ ->
        match node[name] with
        | null -> []
        | array -> array.AsArray() |> List.ofSeq

let text (node: JsonNode) = if isNull node then "<absent>" else node.ToJsonString()

/// key -> the AnyValue as compact JSON, e.g. {"intValue":"42"}.
let attributes (node: JsonNode) : Map<string, string> =
    items node "attributes"
    |> List.map (fun a -> string (at a [ "key" ]), text (at a [ "value" ]))
    |> Map.ofList

let str (node: JsonNode) = if isNull node then null else node.GetValue<string>()

let num (node: JsonNode) = if isNull node then 0 else node.GetValue<int>()


let nanos (time: DateTime) = string ((time.ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks) * 100L)
