namespace Functional.Telemetry.FSharp

open Functional.Telemetry

[<RequireQualifiedAccess>]
module ConfigFile =
    // What a file is applied over: nothing set in code (no service name: the file's resource names the service).
    let private empty =
        { Telemetry.create "unknown_service" with
            ServiceName = None
        }

    let private toConfig (model: ConfigFileModel, warnings: ConfigWarning list) =
        ConfigFileApply.apply model empty, warnings

    [<CompiledName("Parse")>]
    let parse lookup yaml = ConfigFileParser.parse lookup yaml |> Result.map toConfig

    [<CompiledName("LoadWith")>]
    let loadWith lookup path = ConfigFileSource.load lookup path |> Result.map toConfig

    [<CompiledName("Load")>]
    let load path = loadWith Env.system path
