namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Text.RegularExpressions

[<RequireQualifiedAccess>]
module internal Read =
    let entries (node: ConfigNode) =
        match node with
        | ConfigNode.Mapping(entries, _) -> entries
        | _ -> []

    /// The value under `key`, unless absent or null.
    let tryGet (key: string) (node: ConfigNode) =
        entries node
        |> List.tryFind (fun (name, _, _) -> name = key)
        |> Option.map (fun (_, _, value) -> value)
        |> Option.filter (fun value -> not value.IsNull)

    let tryString key node =
        match tryGet key node with
        | Some(ConfigNode.Scalar(_, text, _)) -> Some text
        | _ -> None

    let tryInt key node =
        match tryGet key node with
        | Some(ConfigNode.Scalar(ScalarValue.Int value, _, _)) -> Some value
        | _ -> None

    let tryFloat key node =
        match tryGet key node with
        | Some(ConfigNode.Scalar(ScalarValue.Int value, _, _)) -> Some(float value)
        | Some(ConfigNode.Scalar(ScalarValue.Float value, _, _)) -> Some value
        | _ -> None

    let tryBool key node =
        match tryGet key node with
        | Some(ConfigNode.Scalar(ScalarValue.Bool value, _, _)) -> Some value
        | _ -> None

    let items key node =
        match tryGet key node with
        | Some(ConfigNode.Sequence(items, _)) -> items
        | _ -> []

    let strings key node =
        items key node
        |> List.choose (fun item ->
            match item with
            | ConfigNode.Scalar(value, text, _) when value <> ScalarValue.Null -> Some text
            | _ -> None)

    /// The one key of a plugin mapping (`batch:`, `otlp_http:`, `always_on:`) and its value, null included.
    let single (node: ConfigNode) =
        match entries node with
        | [ key, _, value ] -> Some(key, value)
        | _ -> None

    /// An int setting, saturated to the range of int.
    let toInt (value: int64) = int (min value (int64 Int32.MaxValue))

    /// Milliseconds; `zeroIsUnlimited` reads 0 as the longest span the SDK's timers take.
    let milliseconds zeroIsUnlimited (value: int64) =
        if value = 0L && zeroIsUnlimited then
            TimeSpan.FromMilliseconds(float Int32.MaxValue)
        else
            TimeSpan.FromMilliseconds(float (toInt value))

/// Configuration file patterns: `*` any run, `?` one character, matched case-sensitively (the specification's rule).
[<RequireQualifiedAccess>]
module internal ConfigPattern =
    let isPattern (text: string) = text.IndexOfAny [| '*'; '?' |] >= 0

    let matcher (pattern: string) =
        let regex =
            Regex(
                "^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$",
                RegexOptions.CultureInvariant ||| RegexOptions.Singleline
            )

        fun (text: string) -> regex.IsMatch text

    /// `included` (None: everything) minus `excluded`, as a predicate.
    let includeExclude (included: string list option) (excluded: string list) =
        let includes = included |> Option.map (List.map matcher)
        let excludes = excluded |> List.map matcher

        fun (text: string) ->
            (match includes with
             | None -> true
             | Some includes -> includes |> List.exists (fun m -> m text))
            && not (excludes |> List.exists (fun m -> m text))

/// What every part of the mapping shares: findings at a node, checks that throw turned into findings, the limits
/// that fall back to `attribute_limits`, and the configurators' names.
[<AutoOpen>]
module internal MappingSupport =
    let error path (node: ConfigNode) message = Mapped.report (Diagnostic.error path node.Position message)

    let warning path (node: ConfigNode) message = Mapped.report (Diagnostic.warning path node.Position message)

    let at path key = Diagnostic.child path key

    /// Runs the SDK's check of a setting (the `validate` of settings given in code); each problem it names is an
    /// error of this node.
    let validated path (node: ConfigNode) (validate: 'T -> Result<'T, string list>) (value: 'T) : Mapped<'T option> =
        match validate value with
        | Ok checkedValue -> Mapped.ok (Some checkedValue)
        | Error problems -> None, problems |> List.map (Diagnostic.error path node.Position)

    let limit key (specific: ConfigNode option) (general: ConfigNode option) =
        specific
        |> Option.bind (Read.tryInt key)
        |> Option.orElse (general |> Option.bind (Read.tryInt key))
        |> Option.map Read.toInt

    /// ActivitySource or Meter names from a configurator: every name unless its default disables them.
    let configuratorNames
        kind
        (path: string)
        (listKey: string)
        (configurator: ConfigNode option)
        : Mapped<string list> =
        match configurator with
        | None -> Mapped.ok [ "*" ]
        | Some node ->
            let enabledByDefault =
                Read.tryGet "default_config" node
                |> Option.bind (Read.tryBool "enabled")
                |> Option.defaultValue true

            let entries =
                Read.items listKey node
                |> List.mapi (fun index entry -> index, entry)
                |> List.choose (fun (index, entry) ->
                    Read.tryString "name" entry
                    |> Option.map (fun name ->
                        let enabled =
                            Read.tryGet "config" entry
                            |> Option.bind (Read.tryBool "enabled")
                            |> Option.defaultValue true

                        Diagnostic.item (at path listKey) index, entry, name, enabled))

            if enabledByDefault then
                mapped {
                    for entryPath, entry, name, enabled in entries do
                        if not enabled then
                            do!
                                warning
                                    entryPath
                                    entry
                                    $"not supported, ignored: this SDK cannot turn off the {kind} '{name}' while default_config enables every {kind}; set default_config.enabled to false and list the {kind}s to enable"

                    return [ "*" ]
                }
            else
                entries
                |> Mapped.choose (fun (entryPath, entry, name, enabled) ->
                    if not enabled then
                        Mapped.ok None
                    elif name.Contains '?' || name |> Seq.exists Char.IsWhiteSpace then
                        mapped {
                            do!
                                warning
                                    (at entryPath "name")
                                    entry
                                    $"not supported, ignored: {kind} names are matched with * wildcards only (no ? and no blanks)"

                            return None
                        }
                    else
                        Mapped.ok (Some name))
