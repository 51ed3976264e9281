/// The public surface of the assembly Functional.Telemetry against a committed baseline (FSharp.Core's SurfaceArea
/// tests): a change to the surface is a visible diff in SurfaceArea/Functional.Telemetry.txt.
/// After a deliberate change, rewrite the baseline with
///   UPDATE_SURFACE_BASELINE=1 dotnet run --project tests/Functional.Telemetry.Tests -- --filter-test-list SurfaceAreaTests
/// and commit it.
module Functional.Telemetry.Tests.SurfaceAreaTests

open Expecto
open System
open System.IO
open System.Reflection
open Xunit
open Functional.Telemetry

let private baselineName = "Functional.Telemetry.txt"

let private declaredPublic =
    BindingFlags.Public
    ||| BindingFlags.Instance
    ||| BindingFlags.Static
    ||| BindingFlags.DeclaredOnly

let private typeKind (t: Type) =
    if t.IsInterface then "interface"
    elif t.IsEnum then "enum"
    elif t.IsValueType then "struct"
    elif typeof<Delegate>.IsAssignableFrom t then "delegate"
    elif t.IsAbstract && t.IsSealed then "static class" // F# modules
    elif t.IsAbstract then "abstract class"
    elif t.IsSealed then "sealed class"
    else "class"

/// One line for the type itself: its kind, base type and every interface it implements.
let private typeLine (t: Type) =
    let bases =
        [
            if t.IsClass && not (isNull t.BaseType) && t.BaseType <> typeof<obj> then
                string t.BaseType
            yield!
                t.GetInterfaces()
                |> Seq.map string
                |> Seq.sortWith (fun a b -> String.CompareOrdinal(a, b))
        ]

    let inheritance =
        if List.isEmpty bases then
            ""
        else
            " : " + String.Join(", ", bases)

    $"%s{t.FullName}: %s{typeKind t}%s{inheritance}"

/// Names the compiler makes up (`<Bind>__debug@706`: Debug builds inline task code through such public helpers,
/// numbered by source line) are not surface: they change with the configuration and with any edit above them.
let private isCompilerGenerated (name: string) = name.Contains '@' || name.StartsWith '<'

let private isStatic (m: MemberInfo) =
    match m with
    | :? MethodBase as mb -> mb.IsStatic
    | :? FieldInfo as f -> f.IsStatic
    | :? PropertyInfo as p -> p.GetAccessors() |> Array.exists _.IsStatic
    | :? EventInfo as e -> not (isNull e.AddMethod) && e.AddMethod.IsStatic
    | _ -> false

/// One line per public member declared by the type (inherited members are listed on the type that declares them).
let private memberLines (t: Type) =
    t.GetMembers declaredPublic
    |> Seq.filter (fun m -> m.MemberType <> MemberTypes.NestedType && not (isCompilerGenerated m.Name))
    |> Seq.map (fun m ->
        let staticPart = if isStatic m then "static " else ""
        $"%s{t.FullName}: %s{staticPart}%s{(string m.MemberType).ToLowerInvariant()} %s{string m}")

/// Every public type and member of an assembly, one per line, sorted ordinally, so the text is the same on every
/// build of the same surface.
let surfaceOf (assembly: Assembly) : string list =
    assembly.GetExportedTypes()
    |> Seq.filter (fun t -> not (isCompilerGenerated t.Name))
    |> Seq.collect (fun t -> Seq.append [ typeLine t ] (memberLines t))
    |> Seq.distinct
    |> Seq.sortWith (fun a b -> String.CompareOrdinal(a, b))
    |> List.ofSeq

/// The committed baseline: tests/Functional.Telemetry.Tests/SurfaceArea/, found from the test's output folder.
let private committedBaseline () =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            None
        elif File.Exists(Path.Combine(dir.FullName, "Functional.Telemetry.Tests.fsproj")) then
            Some(Path.Combine(dir.FullName, "SurfaceArea", baselineName))
        else
            up dir.Parent

    up (DirectoryInfo AppContext.BaseDirectory)

let private readLines (path: string) =
    File.ReadAllLines path
    |> Seq.map _.TrimEnd('\r')
    |> Seq.filter (fun line -> line <> "")
    |> List.ofSeq

let private writeLines (path: string) (lines: string list) = File.WriteAllText(path, String.Join("\n", lines) + "\n")

let ``the public surface of Functional.Telemetry matches the committed baseline`` () =
    let actual = surfaceOf typeof<TraceId>.Assembly
    Assert.NotEmpty actual

    if Environment.GetEnvironmentVariable "UPDATE_SURFACE_BASELINE" = "1" then
        match committedBaseline () with
        | Some path -> writeLines path actual
        | None -> failwith "UPDATE_SURFACE_BASELINE=1: the test project folder was not found above the output folder"
    else
        let baselinePath = Path.Combine(AppContext.BaseDirectory, "SurfaceArea", baselineName)
        let expected = readLines baselinePath

        if expected <> actual then
            let actualPath = Path.ChangeExtension(baselinePath, ".actual.txt")
            writeLines actualPath actual
            let expectedSet = set expected
            let actualSet = set actual

            let diff =
                [
                    for line in expected do
                        if not (actualSet.Contains line) then
                            "- " + line
                    for line in actual do
                        if not (expectedSet.Contains line) then
                            "+ " + line
                ]
                |> function
                    | [] ->
                        [
                            "(the same lines, in another order or repeated: the baseline is not as the test writes it)"
                        ]
                    | lines -> lines

            let message =
                [
                    "The public surface of Functional.Telemetry differs from SurfaceArea/Functional.Telemetry.txt"
                    "(- only in the baseline, + only in the assembly):"
                    yield! diff
                    $"The actual surface is in %s{actualPath}."
                    "If the change is deliberate, rewrite the baseline and commit it:"
                    "  UPDATE_SURFACE_BASELINE=1 dotnet run --project tests/Functional.Telemetry.Tests -- --filter-test-list SurfaceAreaTests"
                ]

            Assert.Fail(String.Join("\n", message))

[<Tests>]
let tests =
    testList
        "SurfaceAreaTests"
        [
            test "the public surface of Functional.Telemetry matches the committed baseline" {
                ``the public surface of Functional.Telemetry matches the committed baseline`` ()
            }
        ]
