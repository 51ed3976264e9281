namespace Functional.Telemetry.FSharp

open Functional.Telemetry


/// A configuration document's text to its model: YAML and substitution, the `file_format` check, the schema walk,
/// the mapping. Pure given the text and the lookup; every finding is returned, none is thrown.
[<RequireQualifiedAccess>]
module internal ConfigFileParser =
    let private errorsOf (found: Diagnostic list) =
        found
        |> List.filter Diagnostic.isError
        |> List.sortBy (fun d -> d.Position.Line, d.Position.Column)
        |> List.map Diagnostic.toError

    /// The message of the ArgumentException that refuses a file: its name, then one line per error.
    let describe (source: string) (errors: ConfigFileError list) =
        let count =
            if errors.Length = 1 then
                "1 error"
            else
                $"{errors.Length} errors"

        let lines = errors |> List.map (fun e -> "  " + string e)
        String.concat "\n" ($"The configuration file {source} has {count}:" :: lines)

    /// The model and its warnings, or every error found (sorted by line).
    let parse (lookup: EnvLookup) (yaml: string) : Result<ConfigFileModel * ConfigWarning list, ConfigFileError list> =
        match YamlTree.read lookup yaml with
        | Error problem -> Error [ Diagnostic.toError problem ]
        | Ok(None, _) ->
            Error
                [
                    Diagnostic.toError (
                        Diagnostic.error "" Diagnostic.noPosition "the document is empty: file_format is required"
                    )
                ]
        | Ok(Some root, substitutionFindings) ->
            let formatNode =
                Read.entries root
                |> List.tryFind (fun (key, _, _) -> key = "file_format")
                |> Option.map (fun (_, _, value) -> value)

            let supported = String.concat " and " ConfigSchema.supportedFormats

            let format =
                match root, formatNode with
                | ConfigNode.Mapping _, Some(ConfigNode.Scalar(value, text, _)) when value <> ScalarValue.Null ->
                    if List.contains text ConfigSchema.supportedFormats then
                        Ok text
                    else
                        Error(
                            Diagnostic.error
                                "file_format"
                                formatNode.Value.Position
                                $"file_format '{text}' is not supported; this SDK reads {supported}"
                        )
                | ConfigNode.Mapping _, Some node ->
                    Error(
                        Diagnostic.error
                            "file_format"
                            node.Position
                            $"file_format must be a version string ({supported})"
                    )
                | ConfigNode.Mapping _, None ->
                    Error(Diagnostic.error "" root.Position $"the required key 'file_format' is missing ({supported})")
                | _ -> Error(Diagnostic.error "" root.Position "the document must be a mapping of configuration keys")

            match format with
            | Error problem -> Error(errorsOf (substitutionFindings @ [ problem ]))
            | Ok format ->
                let schemaFindings = SchemaCheck.check format root
                let model, mappingFindings = ConfigMapping.map format lookup root
                let found = substitutionFindings @ schemaFindings @ mappingFindings

                if found |> List.exists Diagnostic.isError then
                    Error(errorsOf found)
                else
                    Ok(
                        model,
                        found
                        |> List.sortBy (fun d -> d.Position.Line, d.Position.Column)
                        |> List.map Diagnostic.toWarning
                    )
