namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System.IO

/// Where a configuration file comes from: the environment names it, the file system holds it.
[<RequireQualifiedAccess>]
module internal ConfigFileSource =
    /// `OTEL_CONFIG_FILE`, else its deprecated name `OTEL_EXPERIMENTAL_CONFIG_FILE` (with a warning saying so).
    let fromEnvironment (lookup: EnvLookup) : (string * ConfigWarning list) option =
        match lookup "OTEL_CONFIG_FILE", lookup "OTEL_EXPERIMENTAL_CONFIG_FILE" with
        | Some path, _ -> Some(path.Trim(), [])
        | None, Some path ->
            Some(
                path.Trim(),
                [
                    {
                        Source = "OTEL_EXPERIMENTAL_CONFIG_FILE"
                        Message = "deprecated name of OTEL_CONFIG_FILE; read, but rename it"
                    }
                ]
            )
        | None, None -> None

    /// The file's text, or the reason it cannot be read.
    let read (path: string) : Result<string, ConfigFileError list> =
        try
            Ok(File.ReadAllText path)
        with
        | :? IOException
        | :? System.UnauthorizedAccessException
        | :? System.ArgumentException
        | :? System.NotSupportedException as e ->
            Error
                [
                    {
                        Path = ""
                        Line = 0
                        Column = 0
                        Message = $"cannot read the configuration file '{path}': {e.Message}"
                    }
                ]

    /// Reads and parses a file.
    let load (lookup: EnvLookup) (path: string) = read path |> Result.bind (ConfigFileParser.parse lookup)
