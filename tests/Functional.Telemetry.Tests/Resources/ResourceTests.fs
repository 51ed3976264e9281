module Functional.Telemetry.Tests.ResourceTests

open Expecto
open System
open System.Reflection
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private s = KeyValue.string

let private sources (warnings: ConfigWarning list) = warnings |> List.map (fun w -> w.Source)

let ``create keeps the last value of a duplicate key`` () =
    let r = Resource.create [ s "a" "1"; s "b" "2"; s "a" "3" ]
    Assert.Equal<KeyValue list>([ s "a" "3"; s "b" "2" ], (ReadOnlyList.toList r.Attributes))
    Assert.Equal("", r.SchemaUrl)

let ``parse reads key value pairs, trimmed`` () =
    let attributes, warnings =
        Resource.parseAttributes " service.name = shop , deployment.environment=prod,team=a=b"

    Assert.Empty warnings

    Assert.Equal<KeyValue list>(
        [ s "service.name" "shop"; s "deployment.environment" "prod"; s "team" "a=b" ],
        attributes
    )

let ``parse percent-decodes keys and values as UTF-8`` () =
    let attributes, warnings =
        Resource.parseAttributes "my%20key=a%2Cb%3Dc,city=Z%C3%BCrich,upper=%e2%82%AC"

    Assert.Empty warnings
    Assert.Equal<KeyValue list>([ s "my key" "a,b=c"; s "city" "Zürich"; s "upper" "€" ], attributes)

let ``parse allows empty values and ignores blank entries`` () =
    let attributes, warnings = Resource.parseAttributes "a=,,b=2, "
    Assert.Empty warnings
    Assert.Equal<KeyValue list>([ s "a" ""; s "b" "2" ], attributes)

let ``malformed entries are skipped with a warning each`` () =
    let attributes, warnings =
        Resource.parseAttributes "good=1,novalue,=empty, %20 =blank,bad=%ZZ,short=%4,utf=%C3%28,fine=2"

    Assert.Equal<KeyValue list>([ s "good" "1"; s "fine" "2" ], attributes)
    Assert.Equal(6, warnings.Length)
    Assert.All(warnings, fun w -> Assert.Equal("OTEL_RESOURCE_ATTRIBUTES", w.Source))
    // Warnings give the position, not the (possibly sensitive) text.
    Assert.StartsWith("entry 2:", warnings.Head.Message)
    Assert.DoesNotContain(warnings, fun w -> w.Message.Contains "ZZ")

let ``parse never throws on null or odd input`` () =
    Assert.Equal<KeyValue list>([], fst (Resource.parseAttributes null))
    Assert.Equal<KeyValue list>([], fst (Resource.parseAttributes ""))
    Assert.Equal<KeyValue list>([], fst (Resource.parseAttributes "%"))

let ``OTEL_SERVICE_NAME wins over service.name in the resource attributes`` () =
    let r, warnings =
        Resource.fromEnvironment (
            Env.ofList
                [
                    "OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes,x=1"
                    "OTEL_SERVICE_NAME", "from-name"
                ]
        )

    Assert.Empty warnings
    Assert.Equal(Some "from-name", Resource.tryServiceName r)
    Assert.Equal<KeyValue list>([ s "service.name" "from-name"; s "x" "1" ], (ReadOnlyList.toList r.Attributes))

/// True when the text holds a control character (C0, DEL or C1).
let private hasControl (text: string) = text |> Seq.exists Char.IsControl

let ``control characters in resource attributes from the environment are kept with a warning naming the attribute`` () =
    // Percent-encoded (the format's way to carry any character) and raw (the specification lets other characters
    // go unencoded): the values are strings the attribute model allows, so they are kept, and each is reported.
    let r, warnings =
        Resource.fromEnvironment (
            Env.ofList
                [
                    "OTEL_RESOURCE_ATTRIBUTES",
                    "service.name=check%0Aout-secret,team=core,deployment.environment.name=pro\u0007d-secret,a%0Db=1"
                ]
        )

    Assert.Equal(Some "check\nout-secret", Resource.tryServiceName r)
    Assert.Contains(s "deployment.environment.name" "pro\u0007d-secret", ReadOnlyList.toList r.Attributes)
    Assert.Contains(s "team" "core", ReadOnlyList.toList r.Attributes)
    Assert.Contains(s "a\rb" "1", ReadOnlyList.toList r.Attributes)
    Assert.Equal(3, warnings.Length)

    for w in warnings do
        Assert.Equal("OTEL_RESOURCE_ATTRIBUTES", w.Source)
        Assert.DoesNotContain("secret", w.Message)
        Assert.False(hasControl w.Message, "a warning must not carry the control characters it reports")

    Assert.Contains(warnings, fun w -> w.Message.Contains "'service.name'")
    Assert.Contains(warnings, fun w -> w.Message.Contains "'deployment.environment.name'")
    // A key is named with its control characters escaped.
    Assert.Contains(warnings, fun w -> w.Message.Contains @"'a\u000Db'")

    let named, nameWarnings =
        Resource.fromEnvironment (Env.ofList [ "OTEL_SERVICE_NAME", "check\r\nout-secret" ])

    Assert.Equal(Some "check\r\nout-secret", Resource.tryServiceName named)
    let warning = Assert.Single nameWarnings
    Assert.Equal("OTEL_SERVICE_NAME", warning.Source)
    Assert.Contains("'service.name'", warning.Message)
    Assert.DoesNotContain("secret", warning.Message)
    Assert.False(hasControl warning.Message)

    // Through the SDK's resource: the warnings come along.
    let _, built =
        Resource.build "proc" None Resource.empty Resource.empty (Env.ofList [ "OTEL_SERVICE_NAME", "a\tb" ])

    Assert.Contains(built, fun w -> w.Source = "OTEL_SERVICE_NAME" && w.Message.Contains "'service.name'")

let ``the environment may set nothing`` () =
    let r, warnings = Resource.fromEnvironment (Env.ofList [])
    Assert.Empty warnings
    Assert.Equal(Resource.empty, r)

let ``merge: the updating resource wins and new keys are appended`` () =
    let old = Resource.create [ s "a" "1"; s "b" "2" ]
    let updating = Resource.create [ s "b" "3"; s "c" "4" ]
    let merged = Resource.merge old updating
    Assert.Equal<KeyValue list>([ s "a" "1"; s "b" "3"; s "c" "4" ], (ReadOnlyList.toList merged.Attributes))

let ``merge takes the non-empty schema URL, or the shared one`` () =
    let a =
        { Resource.empty with
            SchemaUrl = "https://opentelemetry.io/schemas/1.26.0"
        }

    Assert.Equal(Ok a, Resource.tryMerge Resource.empty a)
    Assert.Equal(Ok a, Resource.tryMerge a Resource.empty)
    Assert.Equal(Ok a, Resource.tryMerge a a)

let ``conflicting schema URLs are an error for tryMerge and an empty schema for merge`` () =
    let a =
        {
            Attributes = [ s "k" "1" ]
            SchemaUrl = "https://opentelemetry.io/schemas/1.26.0"
        }

    let b =
        {
            Attributes = [ s "k" "2" ]
            SchemaUrl = "https://opentelemetry.io/schemas/1.27.0"
        }

    match Resource.tryMerge a b with
    | Error message -> Assert.Contains("1.27.0", message)
    | Ok _ -> failwith "expected a schema URL conflict"

    Assert.Equal({ Attributes = [ s "k" "2" ]; SchemaUrl = "" }, Resource.merge a b)

let ``telemetry sdk attributes name this SDK and its version`` () =
    let version =
        typeof<Resource>.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>().InformationalVersion

    let expected = version.Split('+')[0]

    Assert.Equal<KeyValue list>(
        [
            s "telemetry.sdk.name" "functional-telemetry"
            s "telemetry.sdk.language" "dotnet"
            s "telemetry.sdk.version" expected
        ],
        ReadOnlyList.toList Resource.telemetrySdk.Attributes
    )

let ``tryServiceName reads only a string service.name`` () =
    Assert.Equal(Some "svc", Resource.tryServiceName (Resource.create [ s "service.name" "svc" ]))
    Assert.Equal(None, Resource.tryServiceName (Resource.create [ KeyValue.int "service.name" 1L ]))
    Assert.Equal(None, Resource.tryServiceName Resource.empty)

let private build defaultName detected configured env =
    Resource.build "myproc" defaultName detected configured (Env.ofList env)

let ``with nothing set the service is unknown_service:<process>`` () =
    let r, warnings = build None Resource.empty Resource.empty []
    Assert.Empty warnings
    Assert.Equal(Some "unknown_service:myproc", Resource.tryServiceName r)

    Assert.Equal<string list>(
        [
            "telemetry.sdk.name"
            "telemetry.sdk.language"
            "telemetry.sdk.version"
            "service.name"
        ],
        (ReadOnlyList.toList r.Attributes) |> List.map (fun a -> a.Key)
    )

let ``an empty process name gives unknown_service`` () =
    let r, _ = Resource.build "" None Resource.empty Resource.empty (Env.ofList [])
    Assert.Equal(Some "unknown_service", Resource.tryServiceName r)

let ``the service name from code sits between unknown_service and the environment`` () =
    let r, _ = build (Some "from-code") Resource.empty Resource.empty []
    Assert.Equal(Some "from-code", Resource.tryServiceName r)

    let r, _ =
        build (Some "from-code") Resource.empty Resource.empty [ "OTEL_RESOURCE_ATTRIBUTES", "service.name=attrs" ]

    Assert.Equal(Some "attrs", Resource.tryServiceName r)

    let r, _ = build (Some "from-code") Resource.empty Resource.empty [ "OTEL_SERVICE_NAME", "env" ]
    Assert.Equal(Some "env", Resource.tryServiceName r)

let ``priority: sdk < unknown < code default < detected < environment < configured`` () =
    let detected =
        Resource.create [ s "host.name" "detected"; s "d" "detected"; s "service.name" "detected" ]

    let configured = Resource.create [ s "c" "configured"; s "d" "configured" ]

    let r, warnings =
        build
            (Some "code")
            detected
            configured
            [
                "OTEL_RESOURCE_ATTRIBUTES", "host.name=env,d=env,bad"
                "OTEL_SERVICE_NAME", "env"
            ]

    Assert.Equal<string list>([ "OTEL_RESOURCE_ATTRIBUTES" ], sources warnings)
    Assert.Equal(Some "env", Resource.tryServiceName r)
    Assert.Equal(Some(AnyValue.String "env"), KeyValue.tryFind "host.name" (ReadOnlyList.toList r.Attributes))
    Assert.Equal(Some(AnyValue.String "configured"), KeyValue.tryFind "d" (ReadOnlyList.toList r.Attributes))
    Assert.Equal(Some(AnyValue.String "configured"), KeyValue.tryFind "c" (ReadOnlyList.toList r.Attributes))

    Assert.Equal(
        Some(AnyValue.String "dotnet"),
        KeyValue.tryFind "telemetry.sdk.language" (ReadOnlyList.toList r.Attributes)
    )

    let r, _ = build (Some "code") detected Resource.empty []
    Assert.Equal(Some "detected", Resource.tryServiceName r)

let ``detectors report this process, runtime, host and OS`` () =
    let r = ResourceDetectors.processAndHost ()
    let find key = KeyValue.tryFind key (ReadOnlyList.toList r.Attributes)
    Assert.Equal(Some(AnyValue.Int(int64 Environment.ProcessId)), find "process.pid")
    Assert.Equal(Some(AnyValue.String "linux"), find "os.type")
    Assert.Equal(Some(AnyValue.String ".NET"), find "process.runtime.name")
    Assert.Equal(Some(AnyValue.String(Environment.Version.ToString())), find "process.runtime.version")
    Assert.Equal(Some(AnyValue.String Environment.MachineName), find "host.name")
    Assert.Equal(Some(AnyValue.String Environment.ProcessPath), find "process.executable.path")
    Assert.Equal(Some(AnyValue.String(IO.Path.GetFileName Environment.ProcessPath)), find "process.executable.name")
    Assert.True((find "process.runtime.description").IsSome)
    Assert.True((find "os.description").IsSome)

    let expectedArch =
        match Runtime.InteropServices.RuntimeInformation.OSArchitecture with
        | Runtime.InteropServices.Architecture.X64 -> Some "amd64"
        | Runtime.InteropServices.Architecture.Arm64 -> Some "arm64"
        | _ -> None

    if expectedArch.IsSome then
        Assert.Equal(expectedArch |> Option.map AnyValue.String, find "host.arch")

let ``host arch follows the semantic conventions`` () =
    Assert.Equal(Some "amd64", ResourceDetectors.hostArch Runtime.InteropServices.Architecture.X64)
    Assert.Equal(Some "x86", ResourceDetectors.hostArch Runtime.InteropServices.Architecture.X86)
    Assert.Equal(Some "arm64", ResourceDetectors.hostArch Runtime.InteropServices.Architecture.Arm64)
    Assert.Equal(Some "arm32", ResourceDetectors.hostArch Runtime.InteropServices.Architecture.Arm)
    Assert.Equal(Some "s390x", ResourceDetectors.hostArch Runtime.InteropServices.Architecture.S390x)
    Assert.Equal(None, ResourceDetectors.hostArch Runtime.InteropServices.Architecture.Wasm)

let ``the process name is this process's name`` () =
    use current = Diagnostics.Process.GetCurrentProcess()
    Assert.Equal(current.ProcessName, ResourceDetectors.processName ())

[<Tests>]
let tests =
    testList
        "ResourceTests"
        [
            test "create keeps the last value of a duplicate key" {
                ``create keeps the last value of a duplicate key`` ()
            }
            test "parse reads key value pairs, trimmed" { ``parse reads key value pairs, trimmed`` () }
            test "parse percent-decodes keys and values as UTF-8" {
                ``parse percent-decodes keys and values as UTF-8`` ()
            }
            test "parse allows empty values and ignores blank entries" {
                ``parse allows empty values and ignores blank entries`` ()
            }
            test "malformed entries are skipped with a warning each" {
                ``malformed entries are skipped with a warning each`` ()
            }
            test "parse never throws on null or odd input" { ``parse never throws on null or odd input`` () }
            test "OTEL_SERVICE_NAME wins over service.name in the resource attributes" {
                ``OTEL_SERVICE_NAME wins over service.name in the resource attributes`` ()
            }
            test
                "control characters in resource attributes from the environment are kept with a warning naming the attribute" {
                ``control characters in resource attributes from the environment are kept with a warning naming the attribute`` ()
            }
            test "the environment may set nothing" { ``the environment may set nothing`` () }
            test "merge: the updating resource wins and new keys are appended" {
                ``merge: the updating resource wins and new keys are appended`` ()
            }
            test "merge takes the non-empty schema URL, or the shared one" {
                ``merge takes the non-empty schema URL, or the shared one`` ()
            }
            test "conflicting schema URLs are an error for tryMerge and an empty schema for merge" {
                ``conflicting schema URLs are an error for tryMerge and an empty schema for merge`` ()
            }
            test "telemetry sdk attributes name this SDK and its version" {
                ``telemetry sdk attributes name this SDK and its version`` ()
            }
            test "tryServiceName reads only a string service.name" {
                ``tryServiceName reads only a string service.name`` ()
            }
            test "with nothing set the service is unknown_service:<process>" {
                ``with nothing set the service is unknown_service:<process>`` ()
            }
            test "an empty process name gives unknown_service" { ``an empty process name gives unknown_service`` () }
            test "the service name from code sits between unknown_service and the environment" {
                ``the service name from code sits between unknown_service and the environment`` ()
            }
            test "priority: sdk < unknown < code default < detected < environment < configured" {
                ``priority: sdk < unknown < code default < detected < environment < configured`` ()
            }
            test "detectors report this process, runtime, host and OS" {
                ``detectors report this process, runtime, host and OS`` ()
            }
            test "host arch follows the semantic conventions" { ``host arch follows the semantic conventions`` () }
            test "the process name is this process's name" { ``the process name is this process's name`` () }
        ]
