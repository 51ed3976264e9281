namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Reflection
open System.Text
open System.Text.Unicode
open System.Buffers

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Resource =
    [<CompiledName("Empty")>]
    let empty = { Attributes = []; SchemaUrl = "" }

    [<CompiledName("Create")>]
    let create (attributes: KeyValue list) = { Attributes = KeyValue.dedupe attributes; SchemaUrl = "" }

    let private mergeAttributes (old: KeyValue list) (updating: KeyValue list) = KeyValue.dedupe (old @ updating)

    [<CompiledName("TryMerge")>]
    let tryMerge (old: Resource) (updating: Resource) : Result<Resource, string> =
        let attributes =
            mergeAttributes (ReadOnlyList.toList old.Attributes) (ReadOnlyList.toList updating.Attributes)

        match old.SchemaUrl, updating.SchemaUrl with
        | "", schema
        | schema, "" -> Ok { Attributes = attributes; SchemaUrl = schema }
        | a, b when String.Equals(a, b, StringComparison.Ordinal) -> Ok { Attributes = attributes; SchemaUrl = a }
        | a, b -> Error $"schema URL conflict: '{a}' and '{b}'"

    [<CompiledName("Merge")>]
    let merge (old: Resource) (updating: Resource) =
        match tryMerge old updating with
        | Ok merged -> merged
        | Error _ ->
            {
                Attributes =
                    mergeAttributes (ReadOnlyList.toList old.Attributes) (ReadOnlyList.toList updating.Attributes)
                SchemaUrl = ""
            }

    let private hexValue (b: byte) =
        if b >= '0'B && b <= '9'B then int (b - '0'B)
        elif b >= 'a'B && b <= 'f'B then int (b - 'a'B) + 10
        elif b >= 'A'B && b <= 'F'B then int (b - 'A'B) + 10
        else -1

    // Decoding works on UTF-8 bytes so that `%C3%A9` becomes one character, as the W3C Baggage encoding intends.
    let private percentDecodeBytes (bytes: byte[]) : byte list option =
        let rec go i acc =
            if i >= bytes.Length then
                Some(List.rev acc)
            elif bytes[i] = '%'B then
                if i + 2 >= bytes.Length then
                    None
                else
                    match hexValue bytes[i + 1], hexValue bytes[i + 2] with
                    | hi, lo when hi >= 0 && lo >= 0 -> go (i + 3) (byte (hi * 16 + lo) :: acc)
                    | _ -> None
            else
                go (i + 1) (bytes[i] :: acc)

        go 0 []

    // Strict UTF-8 decoding that reports invalid sequences instead of replacing or throwing.
    let private decodeUtf8Strict (bytes: byte[]) : string option =
        let destination = Array.zeroCreate<char> bytes.Length

        let status, _, written =
            Utf8.ToUtf16(ReadOnlySpan<byte>(bytes), Span<char>(destination), replaceInvalidSequences = false)

        if status = OperationStatus.Done then
            Some(String(destination, 0, written))
        else
            None

    let private percentDecode (text: string) =
        percentDecodeBytes (Encoding.UTF8.GetBytes text)
        |> Option.bind (Array.ofList >> decodeUtf8Strict)

    let private attributesVariable = "OTEL_RESOURCE_ATTRIBUTES"

    // A control character (a line break, a tab, DEL, C1) is legal in an attribute (any string is, and the
    // variable's format carries any character percent-encoded), so it is kept: dropping `service.name` would
    // silently rename the service. But it is almost always a quoting or multi-line mistake, and it breaks
    // line-oriented outputs, so it is reported.
    let private hasControl (text: string) = text |> Seq.exists Char.IsControl

    // A key as a warning shows it: control characters written as \uXXXX, so the warning stays one line.
    let private printable (text: string) =
        let builder = StringBuilder(text.Length)

        for c in text do
            if Char.IsControl c then
                builder.Append("\\u").Append((int c).ToString("X4")) |> ignore
            else
                builder.Append c |> ignore

        builder.ToString()

    // Names the attribute and where the control characters are, never the value.
    let private controlWarning (source: string) (where: string) (key: string) (value: string) =
        let inKey, inValue = hasControl key, hasControl value

        if not inKey && not inValue then
            None
        else
            let part =
                match inKey, inValue with
                | true, true -> "its key and its value hold"
                | true, false -> "its key holds"
                | _ -> "its value holds"

            Some
                {
                    Source = source
                    Message =
                        $"{where}attribute '{printable key}': {part} control characters (a line break, tab or the like); kept as it is"
                }

    // Warnings name the entry's position, not its text, in case a value is sensitive (a control-character warning
    // names the key too).
    let private parseEntry (position: int) (entry: string) : Result<KeyValue * ConfigWarning option, ConfigWarning> =
        let warn message =
            Error
                {
                    Source = attributesVariable
                    Message = $"entry {position}: {message}; skipped"
                }

        match entry.IndexOf '=' with
        | -1 -> warn "no '=' between key and value"
        | separator ->
            let key = entry.Substring(0, separator).Trim()
            let value = entry.Substring(separator + 1).Trim()

            match percentDecode key, percentDecode value with
            | Some key, _ when String.IsNullOrWhiteSpace key -> warn "empty key"
            | Some key, Some value ->
                let key = key.Trim()
                Ok(KeyValue.string key value, controlWarning attributesVariable $"entry {position}, " key value)
            | _ -> warn "invalid percent-encoding"

    [<CompiledName("ParseAttributes")>]
    let parseAttributes (text: string) : KeyValue list * ConfigWarning list =
        if isNull text then
            [], []
        else
            let results =
                text.Split ','
                |> List.ofArray
                |> List.mapi (fun i entry -> i + 1, entry)
                // A blank entry (for example from a trailing comma) holds nothing to report.
                |> List.filter (fun (_, entry) -> not (String.IsNullOrWhiteSpace entry))
                |> List.map (fun (position, entry) -> parseEntry position entry)

            let attributes =
                results
                |> List.choose (function
                    | Ok(a, _) -> Some a
                    | Error _ -> None)

            let warnings =
                results
                |> List.choose (function
                    | Error w -> Some w
                    | Ok(_, w) -> w)

            KeyValue.dedupe attributes, warnings

    let private serviceNameKey = ServiceAttributes.Name

    [<CompiledName("FromEnvironment")>]
    let fromEnvironment (lookup: EnvLookup) : Resource * ConfigWarning list =
        let attributes, warnings =
            match lookup attributesVariable with
            | Some text -> parseAttributes text
            | None -> [], []

        let serviceName = lookup "OTEL_SERVICE_NAME" |> Option.map _.Trim()

        let nameWarning =
            serviceName
            |> Option.bind (controlWarning "OTEL_SERVICE_NAME" "" serviceNameKey)
            |> Option.toList

        let serviceName =
            serviceName
            |> Option.map (fun name -> [ KeyValue.string serviceNameKey name ])
            |> Option.defaultValue []

        create (attributes @ serviceName), warnings @ nameWarning

    // The package version: build metadata after '+' (a commit hash from SourceLink) is not part of it.
    let sdkVersion =
        let informational =
            typeof<Resource>.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            |> Option.ofObj
            |> Option.map (fun a -> a.InformationalVersion)
            |> Option.filter (String.IsNullOrWhiteSpace >> not)

        match informational with
        | Some version ->
            match version.IndexOf '+' with
            | -1 -> version
            | plus -> version.Substring(0, plus)
        | None -> "0.0.0"

    [<CompiledName("TelemetrySdk")>]
    let telemetrySdk =
        { create
              [
                  KeyValue.string TelemetryAttributes.SdkName "functional-telemetry"
                  KeyValue.string TelemetryAttributes.SdkLanguage TelemetryAttributes.SdkLanguageValues.Dotnet
                  KeyValue.string TelemetryAttributes.SdkVersion sdkVersion
              ] with
            SchemaUrl = SemanticConventions.SchemaUrl
        }

    [<CompiledName("TryGetServiceName")>]
    let tryServiceName (resource: Resource) =
        match KeyValue.tryFind serviceNameKey (ReadOnlyList.toList resource.Attributes) with
        | Some(AnyValue.String name) -> Some name
        | _ -> None

    [<CompiledName("Build")>]
    let build
        (processName: string)
        (defaultServiceName: string option)
        (detected: Resource)
        (configured: Resource)
        (lookup: EnvLookup)
        =
        let unknownService =
            if String.IsNullOrWhiteSpace processName then
                "unknown_service"
            else
                "unknown_service:" + processName

        let fromCode =
            defaultServiceName
            |> Option.filter (String.IsNullOrWhiteSpace >> not)
            |> Option.map (fun name -> create [ KeyValue.string serviceNameKey name ])
            |> Option.defaultValue empty

        let environment, warnings = fromEnvironment lookup

        // A part whose schema URL conflicts with the resource so far: the merge keeps the attributes and drops the
        // schema URL (see `merge`); said once as a warning, naming both URLs.
        let resource, conflicts =
            [
                "the SDK's service.name", create [ KeyValue.string serviceNameKey unknownService ]
                "the service name given in code", fromCode
                "the detected resource", detected
                "the environment", environment
                "the resource configured in code", configured
            ]
            |> List.fold
                (fun (resource, conflicts) (source, part) ->
                    match tryMerge resource part with
                    | Ok merged -> merged, conflicts
                    | Error _ ->
                        let warning =
                            {
                                Source = "resource"
                                Message =
                                    $"{source} has schema URL '{part.SchemaUrl}', the resource so far '{resource.SchemaUrl}': the merged resource has no schema URL"
                            }

                        merge resource part, warning :: conflicts)
                (telemetrySdk, [])

        resource, warnings @ List.rev conflicts
