/// The semantic-conventions constants against an implementation nobody here wrote: the exports of the npm package
/// @opentelemetry/semantic-conventions (tests/otlp-peer/semconv-exports.js prints them), name by name and value by
/// value; and the schema URL on what the SDK emits, decoded by the Node OTLP receiver.
module Functional.Telemetry.Tests.SemanticConventionsTests

open Expecto
open System
open System.Diagnostics
open System.Diagnostics.Metrics
open System.IO
open System.Reflection
open System.Text.Json.Nodes
open Microsoft.Extensions.Logging
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp
open Functional.Telemetry.Tests.OtlpPeer

// ---- the package's exports ----

type private Exports =
    {
        Version: string
        Stable: Map<string, string>
        Incubating: Map<string, string>
        Deprecated: Set<string>
    }

let private exports =
    lazy
        (let peer = peerDirectory ()

         let package =
             Path.Combine(peer, "node_modules", "@opentelemetry", "semantic-conventions", "package.json")

         if not (File.Exists package) then
             failwith $"{package} is missing: run ./test.sh (or `npm install` in tests/otlp-peer)."

         let info =
             ProcessStartInfo(
                 "node",
                 RedirectStandardOutput = true,
                 RedirectStandardError = true,
                 UseShellExecute = false,
                 WorkingDirectory = peer
             )

         info.ArgumentList.Add(Path.Combine(peer, "semconv-exports.js"))
         use node = Process.Start info
         let errors = node.StandardError.ReadToEndAsync()
         let output = node.StandardOutput.ReadToEnd()

         if not (node.WaitForExit 30000) || node.ExitCode <> 0 then
             failwith $"semconv-exports.js failed: {errors.Result}"

         let json = (JsonNode.Parse output).AsObject()

         let table (name: string) =
             json[name].AsObject()
             |> Seq.map (fun (KeyValue(key, value)) -> key, value.GetValue<string>())
             |> Map.ofSeq

         {
             Version = json["version"].GetValue<string>()
             Stable = table "stable"
             Incubating = table "incubating"
             Deprecated =
                 json["deprecated"].AsArray()
                 |> Seq.map (fun n -> n.GetValue<string>())
                 |> Set.ofSeq
         })

// ---- ours, by reflection: every literal, template function and values module ----

/// `RequestMethodOriginal` -> `REQUEST_METHOD_ORIGINAL`, `Ipv4` -> `IPV4`: the rule from our names to the package's.
let private snake (name: string) =
    let builder = Text.StringBuilder()

    name
    |> Seq.iteri (fun i c ->
        if
            i > 0
            && Char.IsUpper c
            && (Char.IsLower name[i - 1] || Char.IsDigit name[i - 1])
        then
            builder.Append '_' |> ignore

        builder.Append(Char.ToUpperInvariant c) |> ignore)

    builder.ToString()

let private assembly = typeof<Resource>.Assembly

let private publicStatic = BindingFlags.Public ||| BindingFlags.Static ||| BindingFlags.DeclaredOnly

let private literals (t: Type) =
    t.GetFields publicStatic
    |> Array.map (fun f ->
        Assert.True(f.IsLiteral, $"{t.FullName}.{f.Name} is not a const field")
        f.Name, f.GetRawConstantValue() :?> string)
    |> List.ofArray

/// One of our constants (or template functions) as the package name it must equal, and its value.
type private Constant = { Ours: string; PackageName: string; Value: string }

/// The constants of one namespace module (`HttpAttributes`, or `IncubatingAttributes.Host`) whose package prefix is
/// `ns` (`HTTP`, `HOST`).
let private constantsOf (ns: string) (m: Type) =
    [
        for name, value in literals m do
            {
                Ours = $"{m.FullName}.{name}"
                PackageName = $"ATTR_{ns}_{snake name}"
                Value = value
            }

        for method in m.GetMethods publicStatic do
            {
                Ours = $"{m.FullName}.{method.Name}"
                PackageName = $"ATTR_{ns}_{snake method.Name}"
                Value = method.Invoke(null, [| box "<key>" |]) :?> string
            }

        for values in m.GetNestedTypes() do
            Assert.EndsWith("Values", values.Name)
            let attribute = values.Name.Substring(0, values.Name.Length - "Values".Length)

            for name, value in literals values do
                {
                    Ours = $"{values.FullName}.{name}"
                    PackageName = $"{ns}_{snake attribute}_VALUE_{snake name}"
                    Value = value
                }
    ]

let private isModule (t: Type) = t.IsAbstract && t.IsSealed

let private stableModules =
    assembly.GetExportedTypes()
    |> Array.filter (fun t ->
        t.Namespace = "Functional.Telemetry"
        && not t.IsNested
        && isModule t
        && t.Name.EndsWith "Attributes"
        && t.Name <> "IncubatingAttributes")
    |> List.ofArray

let private stableConstants =
    stableModules
    |> List.collect (fun m -> constantsOf (snake (m.Name.Substring(0, m.Name.Length - "Attributes".Length))) m)

let private incubatingModules =
    assembly.GetType("Functional.Telemetry.IncubatingAttributes", true).GetNestedTypes()
    |> List.ofArray

let private incubatingConstants =
    incubatingModules |> List.collect (fun m -> constantsOf (snake m.Name) m)

/// The namespaces issue 14 asked for; the package's stable attributes of each must all be ours.
let private namespaces =
    [
        "HTTP"
        "URL"
        "SERVER"
        "CLIENT"
        "NETWORK"
        "ERROR"
        "EXCEPTION"
        "SERVICE"
        "DEPLOYMENT"
        "TELEMETRY"
        "PROCESS"
        "HOST"
        "OS"
        "CODE"
        "DB"
        "MESSAGING"
        "RPC"
    ]

let private check (table: Map<string, string>) (constant: Constant) =
    match table.TryFind constant.PackageName with
    | None -> Some $"{constant.Ours}: the package has no {constant.PackageName}"
    | Some value when value <> constant.Value ->
        Some $"{constant.Ours} = '{constant.Value}', but {constant.PackageName} = '{value}'"
    | Some _ when exports.Value.Deprecated.Contains constant.PackageName ->
        Some $"{constant.Ours}: {constant.PackageName} is deprecated"
    | Some _ -> None

let private assertNone (problems: string list) = Assert.True(List.isEmpty problems, String.Join("\n", problems))

let ``the version is the package's and the schema URL is the version's`` () =
    Assert.Equal(exports.Value.Version, SemanticConventions.Version)
    Assert.Equal("https://opentelemetry.io/schemas/" + SemanticConventions.Version, SemanticConventions.SchemaUrl)

let ``every stable constant has the package's stable name and value`` () =
    // Enough found by reflection that the discovery itself is not what passes.
    Assert.True(List.length stableModules >= 14, $"{stableModules}")
    Assert.True(List.length stableConstants >= 90, $"{List.length stableConstants} constants")
    stableConstants |> List.choose (check exports.Value.Stable) |> assertNone

let ``every stable attribute of the asked namespaces is ours, and so is every value of the attributes we define`` () =
    let ours = stableConstants |> List.map _.PackageName |> Set.ofList
    let live name = not (exports.Value.Deprecated.Contains name)

    let missingAttributes =
        exports.Value.Stable
        |> Map.toList
        |> List.map fst
        |> List.filter (fun name -> namespaces |> List.exists (fun ns -> name.StartsWith $"ATTR_{ns}_"))
        |> List.filter live
        |> List.filter (ours.Contains >> not)

    let missingValues =
        [
            for constant in stableConstants do
                if constant.PackageName.StartsWith "ATTR_" then
                    let prefix = constant.PackageName.Substring 5 + "_VALUE_"

                    for name in exports.Value.Stable |> Map.toList |> List.map fst do
                        if name.StartsWith prefix && live name && not (ours.Contains name) then
                            yield name
        ]

    assertNone (missingAttributes @ missingValues |> List.map (fun name -> $"missing: {name}"))

let ``every incubating constant is in the package's incubating entry point, not its stable one`` () =
    Assert.Equal<string list>(
        [ "Host"; "Messaging"; "Os"; "Process" ],
        incubatingModules |> List.map _.Name |> List.sort
    )

    let stableToo =
        incubatingConstants
        |> List.filter (fun c -> exports.Value.Stable.ContainsKey c.PackageName)
        |> List.map (fun c -> $"{c.Ours}: {c.PackageName} is stable now; move it to the stable modules")

    let ours = incubatingConstants |> List.map _.PackageName |> Set.ofList

    // The values modules we define are complete.
    let missingValues =
        [
            for constant in incubatingConstants do
                if constant.PackageName.StartsWith "ATTR_" then
                    let prefix = constant.PackageName.Substring 5 + "_VALUE_"

                    for name in exports.Value.Incubating |> Map.toList |> List.map fst do
                        if
                            name.StartsWith prefix
                            && not (exports.Value.Deprecated.Contains name)
                            && not (ours.Contains name)
                            && incubatingConstants
                               |> List.exists (fun c ->
                                   c.PackageName.StartsWith(constant.PackageName.Substring 5 + "_VALUE_"))
                        then
                            yield $"missing: {name}"
        ]

    (incubatingConstants |> List.choose (check exports.Value.Incubating))
    @ stableToo
    @ missingValues
    |> assertNone

let ``the header templates lowercase the header name`` () =
    Assert.Equal("http.request.header.content-type", HttpAttributes.requestHeader "Content-Type")
    Assert.Equal("http.response.header.x-id", HttpAttributes.responseHeader "X-Id")

// ---- the schema URL on what the SDK emits ----

let ``the SDK's resource carries the schema URL; a part with another one leaves none and a warning`` () =
    Assert.Equal(SemanticConventions.SchemaUrl, Resource.telemetrySdk.SchemaUrl)
    Assert.Equal(SemanticConventions.SchemaUrl, (ResourceDetectors.processAndHost ()).SchemaUrl)
    let noEnvironment = Env.ofList []

    let built, warnings =
        Resource.build "app" (Some "svc") (ResourceDetectors.processAndHost ()) Resource.empty noEnvironment

    Assert.Equal(SemanticConventions.SchemaUrl, built.SchemaUrl)
    Assert.Empty warnings

    let other =
        {
            Attributes = [ KeyValue.string "service.version" "2" ]
            SchemaUrl = "https://opentelemetry.io/schemas/1.30.0"
        }

    let conflicted, warnings = Resource.build "app" (Some "svc") Resource.empty other noEnvironment
    Assert.Equal("", conflicted.SchemaUrl)
    Assert.Contains(conflicted.Attributes, (fun a -> a.Key = "service.version" && a.Value = AnyValue.String "2"))
    let warning = Assert.Single warnings
    Assert.Contains("1.30.0", warning.Message)
    Assert.Contains(SemanticConventions.SchemaUrl, warning.Message)

let ``OTLP requests carry the resource's schema URL and each scope's`` (protocol: string) =
    task {
        use receiver = NodeReceiver.Start()
        let name = "SemConv.Schema." + Guid.NewGuid().ToString("N")
        let scopeSchema = "https://opentelemetry.io/schemas/1.40.0"

        let sdk =
            Telemetry.create "semconv-schema"
            |> Telemetry.withEnvironment (
                Env.ofList
                    [
                        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.HttpEndpoint
                        "OTEL_EXPORTER_OTLP_PROTOCOL", protocol
                        "OTEL_METRIC_EXPORT_INTERVAL", "600000"
                    ]
            )
            |> Telemetry.withPropagatorInstalled false
            |> Telemetry.withTracing (Tracing.addSource name >> Tracing.addOtlpExporter id)
            |> Telemetry.withMetrics (Metrics.addMeter name >> Metrics.addOtlpExporter id)
            |> Telemetry.withLogging (Logging.addOtlpExporter id)
            |> Telemetry.start

        try
            use source = new ActivitySource(ActivitySourceOptions(name, TelemetrySchemaUrl = scopeSchema))
            use meter = new Meter(MeterOptions(name, TelemetrySchemaUrl = scopeSchema))
            (source.StartActivity "schema-span").Stop()
            meter.CreateCounter<int64>("schema.counter").Add 1L
            (sdk.CreateLogger "schema.category").LogInformation "schema log"
        finally
            Activity.Current <- null

        let! flushed = sdk.ForceFlush(TimeSpan.FromSeconds 10.)
        Assert.True(flushed, "ForceFlush timed out")
        let! stopped = sdk.Shutdown(TimeSpan.FromSeconds 10.)
        Assert.True(stopped, "Shutdown timed out")
        let! received = receiver.Received()

        for signal, resourceItems, scopeItems in
            [
                "traces", "resourceSpans", "scopeSpans"
                "metrics", "resourceMetrics", "scopeMetrics"
                "logs", "resourceLogs", "scopeLogs"
            ] do
            let groups =
                received
                |> List.filter (fun r -> str (at r [ "signal" ]) = signal)
                |> List.collect (fun r ->
                    Assert.True(isNull (at r [ "error" ]), text r)
                    items (at r [ "message" ]) resourceItems)

            Assert.NotEmpty groups

            for group in groups do
                Assert.Equal(SemanticConventions.SchemaUrl, str (at group [ "schemaUrl" ]))

            let ourScopes =
                groups
                |> List.collect (fun g -> items g scopeItems)
                |> List.filter (fun s -> str (at s [ "scope"; "name" ]) = name)

            // Spans and metrics come from the source and meter made with a schema URL (metrics may arrive in more
            // than one request: the flush and the shutdown); logs have no such scope.
            if signal <> "logs" then
                Assert.NotEmpty ourScopes

                for scope in ourScopes do
                    Assert.Equal(scopeSchema, str (at scope [ "schemaUrl" ]))
    }

[<Tests>]
let tests =
    testList
        "SemanticConventionsTests"
        [
            test "the version is the package's and the schema URL is the version's" {
                ``the version is the package's and the schema URL is the version's`` ()
            }
            test "every stable constant has the package's stable name and value" {
                ``every stable constant has the package's stable name and value`` ()
            }
            test
                "every stable attribute of the asked namespaces is ours, and so is every value of the attributes we define" {
                ``every stable attribute of the asked namespaces is ours, and so is every value of the attributes we define`` ()
            }
            test "every incubating constant is in the package's incubating entry point, not its stable one" {
                ``every incubating constant is in the package's incubating entry point, not its stable one`` ()
            }
            test "the header templates lowercase the header name" {
                ``the header templates lowercase the header name`` ()
            }
            test "the SDK's resource carries the schema URL; a part with another one leaves none and a warning" {
                ``the SDK's resource carries the schema URL; a part with another one leaves none and a warning`` ()
            }
            testTask "OTLP requests carry the resource's schema URL and each scope's(protocol: \"http/protobuf\")" {
                do! ``OTLP requests carry the resource's schema URL and each scope's`` ("http/protobuf")
            }
            testTask "OTLP requests carry the resource's schema URL and each scope's(protocol: \"http/json\")" {
                do! ``OTLP requests carry the resource's schema URL and each scope's`` ("http/json")
            }
        ]
