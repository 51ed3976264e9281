namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System

/// The one walk that checks a document against `ConfigSchema`: unknown keys and unsupported nodes are warnings,
/// wrong types and values (and missing required keys) are errors, each with the node's path and position.
[<RequireQualifiedAccess>]
module internal SchemaCheck =
    let private describe (node: ConfigNode) =
        match node with
        | ConfigNode.Scalar(ScalarValue.Null, _, _) -> "nothing"
        | ConfigNode.Scalar(ScalarValue.Bool _, text, _) -> $"the boolean {text}"
        | ConfigNode.Scalar(ScalarValue.Int _, text, _) -> $"the integer {text}"
        | ConfigNode.Scalar(ScalarValue.Float _, text, _) -> $"the number {text}"
        | ConfigNode.Scalar(ScalarValue.String _, text, _) -> $"the string '{text}'"
        | ConfigNode.Mapping _ -> "a mapping"
        | ConfigNode.Sequence _ -> "a list"

    let rec private checkNode (path: string) (nullable: bool) (shape: Shape) (node: ConfigNode) : Diagnostic list =
        let error expected =
            [
                Diagnostic.error path node.Position $"expected {expected}, got {describe node}"
            ]

        match shape, node with
        | _, ConfigNode.Scalar(ScalarValue.Null, _, _) when nullable -> []
        | Shape.Recursive shape, _ -> checkNode path nullable (shape ()) node
        | Shape.String, ConfigNode.Scalar(ScalarValue.Null, _, _) -> error "a string"
        | Shape.String, ConfigNode.Scalar _ -> []
        | Shape.String, _ -> error "a string"
        | Shape.Integer(minimum, maximum), ConfigNode.Scalar(ScalarValue.Int value, _, _) ->
            match minimum, maximum with
            | Some low, _ when value < low ->
                [ Diagnostic.error path node.Position $"must be at least {low}, got {value}" ]
            | _, Some high when value > high ->
                [ Diagnostic.error path node.Position $"must be at most {high}, got {value}" ]
            | _ -> []
        | Shape.Integer _, _ -> error "an integer"
        | Shape.Number(minimum, maximum), ConfigNode.Scalar((ScalarValue.Int _ | ScalarValue.Float _) as value, text, _) ->
            let number =
                match value with
                | ScalarValue.Int i -> float i
                | ScalarValue.Float f -> f
                | _ -> nan

            match minimum, maximum with
            | _ when Double.IsNaN number -> error "a number"
            | Some low, _ when number < low ->
                [ Diagnostic.error path node.Position $"must be at least {low}, got {text}" ]
            | _, Some high when number > high ->
                [ Diagnostic.error path node.Position $"must be at most {high}, got {text}" ]
            | _ -> []
        | Shape.Number _, _ -> error "a number"
        | Shape.Boolean, ConfigNode.Scalar(ScalarValue.Bool _, _, _) -> []
        | Shape.Boolean, _ -> error "true or false"
        | Shape.Enum values, ConfigNode.Scalar(ScalarValue.String text, _, _) when List.contains text values -> []
        | Shape.Enum values, _ ->
            let choices = String.Join(", ", values)
            error $"one of {choices}"
        | Shape.AttributeValue, ConfigNode.Scalar _ -> []
        | Shape.AttributeValue, ConfigNode.Sequence(items, _) ->
            items
            |> List.mapi (fun index item ->
                match item with
                | ConfigNode.Scalar(value, _, _) when value <> ScalarValue.Null -> []
                | _ ->
                    [
                        Diagnostic.error
                            (Diagnostic.item path index)
                            item.Position
                            $"expected a string, number or boolean, got {describe item}"
                    ])
            |> List.concat
        | Shape.AttributeValue, _ -> error "a string, number, boolean or a list of them"
        | Shape.Array(item, minItems), ConfigNode.Sequence(items, _) ->
            let tooFew =
                if items.Length < minItems then
                    [
                        Diagnostic.error path node.Position $"expected at least {minItems} entry, got an empty list"
                    ]
                else
                    []

            tooFew
            @ (items
               |> List.mapi (fun index child -> checkNode (Diagnostic.item path index) false item child)
               |> List.concat)
        | Shape.Array _, _ -> error "a list"
        | Shape.Object shape, ConfigNode.Mapping(entries, _) -> checkObject path shape entries node.Position
        | Shape.Object _, _ -> error "a mapping"
        | Shape.OneOf(kind, choices), ConfigNode.Mapping(entries, _) ->
            checkOneOf path kind choices entries node.Position
        | Shape.OneOf(kind, _), _ -> error $"a mapping naming one {kind}"

    // `chosen`: a plugin's key names what to use even with an empty value (`- container:`).
    and private checkEntry (path: string) (chosen: bool) (field: Field) (value: ConfigNode) =
        match field.Support with
        | Support.Unsupported reason when chosen || not value.IsNull ->
            [ Diagnostic.warning path value.Position $"not supported, ignored: {reason}" ]
        | Support.Unsupported _ -> []
        | Support.Supported -> checkNode path field.Nullable field.Shape value

    and private checkObject path (shape: ObjectShape) entries position =
        let known =
            entries
            |> List.collect (fun (key, keyPosition, value) ->
                let at = Diagnostic.child path key

                match shape.Fields |> List.tryFind (fun f -> f.Name = key) with
                | Some field -> checkEntry at false field value
                | None -> [ Diagnostic.warning at keyPosition $"unknown key '{key}', ignored" ])

        let missing =
            shape.Fields
            |> List.filter (fun f -> f.Required && not (entries |> List.exists (fun (key, _, _) -> key = f.Name)))
            |> List.map (fun f -> Diagnostic.error path position $"the required key '{f.Name}' is missing")

        known @ missing

    and private checkOneOf path kind (choices: Field list) entries position =
        let names = String.Join(", ", choices |> List.map _.Name)

        match entries with
        | [] ->
            [
                Diagnostic.error path position $"expected one {kind} ({names}), got an empty mapping"
            ]
        | [ key, keyPosition, value ] ->
            let at = Diagnostic.child path key

            match choices |> List.tryFind (fun f -> f.Name = key) with
            | Some field -> checkEntry at true field value
            | None ->
                [
                    Diagnostic.warning at keyPosition $"unknown {kind} '{key}' (this SDK knows {names}), ignored"
                ]
        | _ ->
            let given = String.Join(", ", entries |> List.map (fun (key, _, _) -> key))
            [ Diagnostic.error path position $"expected exactly one {kind}, got {given}" ]

    /// Every finding of checking a document against the schema of its `file_format`.
    let check (format: string) (root: ConfigNode) : Diagnostic list =
        checkNode "" false (ConfigSchema.document format) root
