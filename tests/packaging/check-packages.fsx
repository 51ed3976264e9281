// Checks the packages `dotnet pack` made: their metadata, readme, license, dependencies and symbols.
// Usage: dotnet fsi tests/packaging/check-packages.fsx <folder with the .nupkg and .snupkg files>
// test.sh runs it on `dotnet pack Functional.sln --no-build` after the tests, so it costs seconds, not a build.
// Prints one line per failed check and exits 1 if any failed.

open System
open System.IO
open System.IO.Compression
open System.Reflection.Metadata
open System.Xml.Linq

let root = Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", ".."))

let packageFolder =
    match fsi.CommandLineArgs |> Array.tail with
    | [| folder |] -> Path.GetFullPath folder
    | _ -> failwith "usage: dotnet fsi tests/packaging/check-packages.fsx <folder with the .nupkg files>"

let failures = ResizeArray<string>()
let mutable checks = 0

let check (condition: bool) (what: string) =
    checks <- checks + 1

    if not condition then
        failures.Add what

/// The value of an MSBuild property in a project or props file (the first element of that name).
let msbuildProperty (file: string) (name: string) =
    XDocument.Load(Path.Combine(root, file)).Descendants(XName.Get name)
    |> Seq.tryHead
    |> Option.map _.Value.Trim()

/// The version of an item (`VersionOverride` or `Version`) of that name in a project or props file.
let itemVersion (file: string) (item: string) (attribute: string) (id: string) =
    XDocument.Load(Path.Combine(root, file)).Descendants(XName.Get item)
    |> Seq.tryFind (fun e ->
        e.Attribute(XName.Get "Include")
        |> Option.ofObj
        |> Option.exists (fun a -> a.Value = id))
    |> Option.bind (fun e -> e.Attribute(XName.Get attribute) |> Option.ofObj)
    |> Option.map _.Value

let version =
    match
        msbuildProperty "Directory.Build.props" "VersionPrefix", msbuildProperty "Directory.Build.props" "VersionSuffix"
    with
    | Some prefix, Some suffix -> $"%s{prefix}-%s{suffix}"
    | Some prefix, None -> prefix
    | _ -> failwith "Directory.Build.props sets no VersionPrefix"

check (version.StartsWith "0." && version.Contains '-') $"the version %s{version} is a 0.x prerelease"

let changelog = File.ReadAllText(Path.Combine(root, "CHANGELOG.md"))
check (changelog.Contains $"## [%s{version}]") $"CHANGELOG.md has a section ## [%s{version}]"

check
    (File.ReadAllText(Path.Combine(root, "README.md")).Contains $"`%s{version}`")
    $"README.md names the version %s{version}"

let license = File.ReadAllText(Path.Combine(root, "LICENSE"))
check (license.Contains "Apache License" && license.Contains "Version 2.0") "LICENSE holds the Apache License 2.0"

/// The FSharp.Core the core package asks for: its floor (VersionOverride in the project), lower than the newest.
let fsharpCoreFloor =
    itemVersion "src/core/Functional.Telemetry.fsproj" "PackageReference" "VersionOverride" "FSharp.Core"

let fsharpCoreNewest = itemVersion "Directory.Packages.props" "PackageVersion" "Version" "FSharp.Core"

check fsharpCoreFloor.IsSome "src/core sets its FSharp.Core floor with VersionOverride"

check
    (match fsharpCoreFloor, fsharpCoreNewest with
     | Some floor, Some newest -> Version.Parse floor < Version.Parse newest
     | _ -> false)
    "the FSharp.Core floor of src/core is lower than the newest one the repository builds with"

/// Package id -> the dependencies (id, version) it must have, exactly.
let expected =
    [
        "Functional.Telemetry",
        [
            "FSharp.Core", defaultArg fsharpCoreFloor "?"
            "Microsoft.Extensions.Logging.Abstractions", ""
            // OTLP/gRPC: Grpc.Net.Client, and google.rpc.RetryInfo of failed calls.
            "Grpc.Net.Client", ""
            "Grpc.StatusProto", ""
            "Google.Api.CommonProtos", ""
            "Google.Protobuf", ""
            // Configuration files (OTEL_CONFIG_FILE) are YAML.
            "YamlDotNet", ""
            // OTLP's zstd compression.
            "ZstdSharp.Port", ""
        ]
        "Functional.Telemetry.CSharp", [ "Functional.Telemetry", version; "Microsoft.Extensions.Logging", "" ]
        "Functional.Telemetry.AspNetCore", [ "Functional.Telemetry", version; "Functional.Telemetry.CSharp", version ]
        "Functional.Telemetry.Hosting",
        [
            "Functional.Telemetry", version
            "Functional.Telemetry.CSharp", version
            "Microsoft.Extensions.Hosting", ""
            "Microsoft.Extensions.Hosting.Abstractions", ""
            "Microsoft.Extensions.Options.ConfigurationExtensions", ""
        ]
    ]

let nupkgs =
    Directory.GetFiles(packageFolder, "*.nupkg")
    |> Array.map Path.GetFileName
    |> Array.sort

check
    (nupkgs = (expected
               |> List.map (fun (id, _) -> $"%s{id}.%s{version}.nupkg")
               |> List.sort
               |> Array.ofList))
    $"""the packages are exactly the four of src/ at %s{version} (found: %s{String.Join(", ", nupkgs)})"""

let readme = File.ReadAllBytes(Path.Combine(root, "README.md"))

let entryBytes (zip: ZipArchive) (name: string) =
    match zip.GetEntry name with
    | null -> None
    | entry ->
        use stream = entry.Open()
        use memory = new MemoryStream()
        stream.CopyTo memory
        Some(memory.ToArray())

/// Whether every source file (.fs, .fsi, .cs) a portable PDB names carries its text (EmbeddedSource custom debug
/// information). Other documents are not files: the F# compiler names its generated code "unknown" in Debug builds.
let embedsEverySource (pdb: byte[]) =
    use provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(pdb))
    let reader = provider.GetMetadataReader()
    let embeddedSource = Guid "0E8A571B-6926-466E-B4AD-8AB04611F5FE"

    let embedded =
        reader.CustomDebugInformation
        |> Seq.map reader.GetCustomDebugInformation
        |> Seq.filter (fun info ->
            reader.GetGuid info.Kind = embeddedSource
            && info.Parent.Kind = HandleKind.Document)
        |> Seq.map (fun info -> DocumentHandle.op_Explicit info.Parent)
        |> Collections.Generic.HashSet

    let sources =
        reader.Documents
        |> Seq.filter (fun document ->
            let name = reader.GetString(reader.GetDocument(document).Name)
            [ ".fs"; ".fsi"; ".cs" ] |> List.exists name.EndsWith)
        |> List.ofSeq

    not sources.IsEmpty && sources |> List.forall embedded.Contains

for id, dependencies in expected do
    let nupkg = Path.Combine(packageFolder, $"%s{id}.%s{version}.nupkg")
    let snupkg = Path.ChangeExtension(nupkg, ".snupkg")

    if File.Exists nupkg then
        use zip = ZipFile.OpenRead nupkg

        // Loaded from bytes: the nuspec starts with a byte order mark.
        let nuspec = XDocument.Load(new MemoryStream((entryBytes zip $"%s{id}.nuspec").Value))

        let field name =
            nuspec.Descendants()
            |> Seq.tryFind (fun e -> e.Name.LocalName = name)
            |> Option.map _.Value.Trim()
            |> Option.defaultValue ""

        check (field "version" = version) $"%s{id}: version %s{version}"
        check (field "license" = "Apache-2.0") $"%s{id}: license expression Apache-2.0"
        check (field "readme" = "README.md") $"%s{id}: README.md is the package readme"
        check ((entryBytes zip "README.md") = Some readme) $"%s{id}: the packed README.md is the repository's"
        check ((entryBytes zip "LICENSE") |> Option.isSome) $"%s{id}: LICENSE is packed"
        check (field "authors" <> "" && field "authors" <> id) $"%s{id}: authors are set (not the package id)"
        check (field "description" <> "") $"%s{id}: a description"
        check (field "tags" <> "") $"%s{id}: tags"
        check (field "projectUrl" = "") $"%s{id}: no invented project URL"

        let actual =
            nuspec.Descendants()
            |> Seq.filter (fun e -> e.Name.LocalName = "dependency")
            |> Seq.map (fun e -> e.Attribute(XName.Get "id").Value, e.Attribute(XName.Get "version").Value)
            |> Seq.sort
            |> List.ofSeq

        // An empty expected version: any version (third-party packages follow Directory.Packages.props).
        let matches =
            List.length actual = List.length dependencies
            && List.forall2
                (fun (id, v) (expectedId, expectedVersion) ->
                    id = expectedId && (expectedVersion = "" || v = expectedVersion))
                actual
                (List.sort dependencies)

        check matches $"""%s{id}: dependencies %A{dependencies} (found %A{actual})"""
        check (File.Exists snupkg) $"%s{id}: a symbol package (.snupkg)"

        if File.Exists snupkg then
            use symbols = ZipFile.OpenRead snupkg

            match entryBytes symbols $"lib/net10.0/%s{id}.pdb" with
            | Some pdb -> check (embedsEverySource pdb) $"%s{id}: the PDB embeds every source file"
            | None -> check false $"%s{id}: the symbol package holds lib/net10.0/%s{id}.pdb"

for failure in failures do
    eprintfn "[check-packages] FAILED: %s" failure

printfn "[check-packages] %d of %d package checks passed (%s)" (checks - failures.Count) checks version
exit (if failures.Count = 0 then 0 else 1)
