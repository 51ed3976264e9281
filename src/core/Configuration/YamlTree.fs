namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Globalization
open System.IO
open System.Text.RegularExpressions
open YamlDotNet.Core
open YamlDotNet.RepresentationModel

/// YAML text to a `ConfigNode` tree, substituting environment variables in scalars (never in keys) before their
/// type is resolved. Pure given the text and the lookup.
[<RequireQualifiedAccess>]
module internal YamlTree =
    let private intPattern = Regex(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant)

    let private floatPattern =
        Regex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)

    /// A plain scalar's type by the YAML 1.2 core schema: null, bool, int (decimal, `0o` octal, `0x` hex), float
    /// (with `.inf` and `.nan`), else string.
    let resolvePlain (text: string) : ScalarValue =
        let parseInt (digits: string) (radix: int) =
            try
                Some(Convert.ToInt64(digits, radix))
            with _ ->
                None

        match text with
        | ""
        | "~"
        | "null"
        | "Null"
        | "NULL" -> ScalarValue.Null
        | "true"
        | "True"
        | "TRUE" -> ScalarValue.Bool true
        | "false"
        | "False"
        | "FALSE" -> ScalarValue.Bool false
        | ".inf"
        | ".Inf"
        | ".INF"
        | "+.inf"
        | "+.Inf"
        | "+.INF" -> ScalarValue.Float Double.PositiveInfinity
        | "-.inf"
        | "-.Inf"
        | "-.INF" -> ScalarValue.Float Double.NegativeInfinity
        | ".nan"
        | ".NaN"
        | ".NAN" -> ScalarValue.Float Double.NaN
        | _ when text.StartsWith "0x" && text.Length > 2 ->
            match parseInt (text.Substring 2) 16 with
            | Some value when value >= 0L -> ScalarValue.Int value
            | _ -> ScalarValue.String text
        | _ when text.StartsWith "0o" && text.Length > 2 ->
            match parseInt (text.Substring 2) 8 with
            | Some value -> ScalarValue.Int value
            | None -> ScalarValue.String text
        | _ when intPattern.IsMatch text ->
            match Int64.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) with
            | true, value -> ScalarValue.Int value
            | _ -> ScalarValue.Float(Double.Parse(text, CultureInfo.InvariantCulture))
        | _ when floatPattern.IsMatch text ->
            ScalarValue.Float(Double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture))
        | _ -> ScalarValue.String text

    let private positionOf (mark: Mark) = { Line = int mark.Line; Column = int mark.Column }

    let private isPlain (node: YamlScalarNode) = node.Style = ScalarStyle.Plain || node.Style = ScalarStyle.Any

    // An explicit `!!str` (or the long form) keeps a plain scalar a string.
    let private taggedString (node: YamlNode) =
        let tag = string node.Tag
        tag = "tag:yaml.org,2002:str" || tag = "!!str"

    let rec private convert (lookup: EnvLookup) (path: string) (node: YamlNode) : Mapped<ConfigNode> =
        let position = positionOf node.Start

        match node with
        | :? YamlScalarNode as scalar ->
            let raw = scalar.Value |> Option.ofObj |> Option.defaultValue ""

            match Substitution.substitute lookup raw with
            | Error reason ->
                ConfigNode.Scalar(ScalarValue.Null, raw, position), [ Diagnostic.error path position reason ]
            | Ok text ->
                let value =
                    if isPlain scalar && not (taggedString scalar) then
                        resolvePlain text
                    else
                        ScalarValue.String text

                Mapped.ok (ConfigNode.Scalar(value, text, position))
        | :? YamlSequenceNode as sequence ->
            sequence.Children
            |> List.ofSeq
            |> List.mapi (fun index child -> convert lookup (Diagnostic.item path index) child)
            |> List.unzip
            |> fun (items, found) -> ConfigNode.Sequence(items, position), List.concat found
        | :? YamlMappingNode as mapping ->
            mapping.Children
            |> List.ofSeq
            |> Mapped.traverse (fun entry ->
                match entry.Key with
                | :? YamlScalarNode as key ->
                    let name = key.Value |> Option.ofObj |> Option.defaultValue ""
                    let keyPosition = positionOf key.Start

                    convert lookup (Diagnostic.child path name) entry.Value
                    |> Mapped.map (fun value -> Some(name, keyPosition, value))
                | other ->
                    None,
                    [
                        Diagnostic.error
                            path
                            (positionOf other.Start)
                            "a mapping key must be a scalar, not a collection"
                    ])
            |> Mapped.map (fun entries -> ConfigNode.Mapping(List.choose id entries, position))
        | other ->
            ConfigNode.Scalar(ScalarValue.Null, "", position),
            [ Diagnostic.error path position $"unexpected YAML node {other.NodeType}" ]

    /// The document's tree (None for an empty document) and the substitution errors met; Error for text that is
    /// not YAML (with the parser's position) or that holds more than one document.
    let read (lookup: EnvLookup) (yaml: string) : Result<Mapped<ConfigNode option>, Diagnostic> =
        try
            let stream = YamlStream()
            use reader = new StringReader(yaml)
            stream.Load reader

            match List.ofSeq stream.Documents with
            | [] -> Ok(Mapped.ok None)
            | [ document ] -> Ok(convert lookup "" document.RootNode |> Mapped.map Some)
            | _ :: second :: _ ->
                Error(
                    Diagnostic.error
                        ""
                        (positionOf second.RootNode.Start)
                        "the file holds more than one YAML document; a configuration file is one document"
                )
        with :? YamlException as e ->
            let message =
                match e.InnerException with
                | null -> e.Message
                | inner -> $"{e.Message} {inner.Message}"

            Error(Diagnostic.error "" (positionOf e.Start) $"not valid YAML: {message}")
