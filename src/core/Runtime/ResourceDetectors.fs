namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics
open System.IO
open System.Runtime.InteropServices
open Functional.Telemetry

/// Detectors that read the machine: the process, the .NET runtime, the host and the operating system.
/// They never throw: an attribute that cannot be read is left out.
[<RequireQualifiedAccess>]
module internal ResourceDetectors =
    // One failing probe (a sandbox denying /proc, a trimmed runtime) must not cost the other attributes.
    let private tryAttribute (key: string) (read: unit -> AnyValue option) : KeyValue option =
        try
            read () |> Option.map (KeyValue.create key)
        with _ ->
            None

    let private text (value: string) =
        if String.IsNullOrWhiteSpace value then
            None
        else
            Some(AnyValue.String value)

    /// The current process's name (as `Process.ProcessName` gives it), or an empty string when it cannot be read.
    /// The SDK uses it for the default `service.name` = `unknown_service:<processName>`.
    [<CompiledName("ProcessName")>]
    let processName () : string =
        try
            use current = Process.GetCurrentProcess()
            current.ProcessName |> Option.ofObj |> Option.defaultValue ""
        with _ ->
            ""

    /// The semantic-conventions `host.arch` value for a processor architecture; None when the conventions have none.
    [<CompiledName("HostArch")>]
    let hostArch (architecture: Architecture) : string option =
        match architecture with
        | Architecture.X64 -> Some IncubatingAttributes.Host.ArchValues.Amd64
        | Architecture.X86 -> Some IncubatingAttributes.Host.ArchValues.X86
        | Architecture.Arm64 -> Some IncubatingAttributes.Host.ArchValues.Arm64
        | Architecture.Arm
        | Architecture.Armv6 -> Some IncubatingAttributes.Host.ArchValues.Arm32
        | Architecture.S390x -> Some IncubatingAttributes.Host.ArchValues.S390x
        | Architecture.Ppc64le -> Some IncubatingAttributes.Host.ArchValues.Ppc64
        | _ -> None

    /// The semantic-conventions `os.type` value of the running operating system; None when it is not one they name.
    [<CompiledName("OsType")>]
    let osType () : string option =
        if OperatingSystem.IsLinux() then
            Some IncubatingAttributes.Os.TypeValues.Linux
        elif OperatingSystem.IsWindows() then
            Some IncubatingAttributes.Os.TypeValues.Windows
        elif OperatingSystem.IsMacOS() || OperatingSystem.IsMacCatalyst() then
            Some IncubatingAttributes.Os.TypeValues.Darwin
        elif OperatingSystem.IsFreeBSD() then
            Some IncubatingAttributes.Os.TypeValues.Freebsd
        elif OperatingSystem.IsAndroid() then
            Some IncubatingAttributes.Os.TypeValues.Linux
        elif
            OperatingSystem.IsIOS()
            || OperatingSystem.IsTvOS()
            || OperatingSystem.IsWatchOS()
        then
            Some IncubatingAttributes.Os.TypeValues.Darwin
        else
            None

    /// The process, runtime, host and OS attributes of the running process: `process.pid`,
    /// `process.executable.name`, `process.executable.path`, `process.runtime.name` (`.NET`),
    /// `process.runtime.version`, `process.runtime.description`, `host.name`, `host.arch`, `os.type`
    /// and `os.description`. Never throws; an attribute that cannot be read is left out.
    [<CompiledName("ProcessAndHost")>]
    let processAndHost () : Resource =
        [
            tryAttribute IncubatingAttributes.Process.Pid (fun () -> Some(AnyValue.Int(int64 Environment.ProcessId)))
            tryAttribute IncubatingAttributes.Process.ExecutableName (fun () ->
                Environment.ProcessPath
                |> Option.ofObj
                |> Option.bind (Path.GetFileName >> text))
            tryAttribute IncubatingAttributes.Process.ExecutablePath (fun () ->
                Environment.ProcessPath |> Option.ofObj |> Option.bind text)
            tryAttribute IncubatingAttributes.Process.RuntimeName (fun () -> text ".NET")
            tryAttribute IncubatingAttributes.Process.RuntimeVersion (fun () -> text (Environment.Version.ToString()))
            tryAttribute IncubatingAttributes.Process.RuntimeDescription (fun () ->
                text RuntimeInformation.FrameworkDescription)
            tryAttribute IncubatingAttributes.Host.Name (fun () -> text Environment.MachineName)
            tryAttribute IncubatingAttributes.Host.Arch (fun () ->
                hostArch RuntimeInformation.OSArchitecture |> Option.map AnyValue.String)
            tryAttribute IncubatingAttributes.Os.Type (fun () -> osType () |> Option.map AnyValue.String)
            tryAttribute IncubatingAttributes.Os.Description (fun () -> text RuntimeInformation.OSDescription)
        ]
        |> List.choose id
        |> fun attributes ->
            { Resource.create attributes with
                SchemaUrl = SemanticConventions.SchemaUrl
            }
