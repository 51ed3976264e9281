/// Environment variable substitution in configuration files: the specification's table (data-model.md), then
/// where substitution applies (scalars, not keys) and how the substituted text is typed.
module Functional.Telemetry.Tests.SubstitutionTests

open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

/// The variables of the specification's examples.
let specEnvironment =
    Env.ofList
        [
            "STRING_VALUE", "value"
            "BOOL_VALUE", "true"
            "INT_VALUE", "1"
            "FLOAT_VALUE", "1.1"
            "HEX_VALUE", "0xdeadbeef"
            "INVALID_MAP_VALUE", "value\nkey:value"
            "DO_NOT_REPLACE_ME", "Never use this value"
            "REPLACE_ME", "${DO_NOT_REPLACE_ME}"
            "VALUE_WITH_ESCAPE", "value$$"
        ]

[<Theory>]
[<InlineData("${STRING_VALUE}", "value")>]
[<InlineData("${env:STRING_VALUE}", "value")>]
[<InlineData("foo ${STRING_VALUE} ${FLOAT_VALUE}", "foo value 1.1")>]
[<InlineData("${UNDEFINED_KEY}", "")>]
[<InlineData("${UNDEFINED_KEY:-fallback}", "fallback")>]
[<InlineData("${STRING_VALUE:-fallback}", "value")>]
[<InlineData("${REPLACE_ME}", "${DO_NOT_REPLACE_ME}")>]
[<InlineData("${UNDEFINED_KEY:-${STRING_VALUE}}", "${STRING_VALUE}")>]
[<InlineData("$${STRING_VALUE}", "${STRING_VALUE}")>]
[<InlineData("$$${STRING_VALUE}", "$value")>]
[<InlineData("$$$${STRING_VALUE}", "$${STRING_VALUE}")>]
[<InlineData("$${STRING_VALUE:-fallback}", "${STRING_VALUE:-fallback}")>]
[<InlineData("$${STRING_VALUE:-${STRING_VALUE}}", "${STRING_VALUE:-value}")>]
[<InlineData("${UNDEFINED_KEY:-$${UNDEFINED_KEY}}", "${UNDEFINED_KEY:-${UNDEFINED_KEY}}")>]
[<InlineData("${VALUE_WITH_ESCAPE}", "value$$")>]
[<InlineData("cost: $5 and $HOME", "cost: $5 and $HOME")>]
[<InlineData("${}", "${}")>]
let ``the specification's substitution table`` (input: string, expected: string) =
    Assert.Equal(Ok expected, Substitution.substitute specEnvironment input)

[<Theory>]
[<InlineData("${STRING_VALUE:?error}")>]
[<InlineData("${1API_KEY}")>]
[<InlineData("${API_$KEY}")>]
[<InlineData("${sys:otel.service.name}")>]
let ``a reference that is not an env substitution is an error`` (input: string) =
    Assert.True(Result.isError (Substitution.substitute specEnvironment input))

let private scalar (yaml: string) =
    match YamlTree.read specEnvironment ("key: " + yaml) with
    | Ok(Some(ConfigNode.Mapping([ _, _, ConfigNode.Scalar(value, _, _) ], _)), []) -> value
    | other -> failwithf "unexpected %A" other

[<Fact>]
let ``a plain scalar is typed after substitution, a quoted one stays a string`` () =
    Assert.Equal(ScalarValue.String "value", scalar "${STRING_VALUE}")
    Assert.Equal(ScalarValue.Bool true, scalar "${BOOL_VALUE}")
    Assert.Equal(ScalarValue.Int 1L, scalar "${INT_VALUE}")
    Assert.Equal(ScalarValue.Float 1.1, scalar "${FLOAT_VALUE}")
    Assert.Equal(ScalarValue.Int 3735928559L, scalar "${HEX_VALUE}")
    Assert.Equal(ScalarValue.String "value", scalar "\"${STRING_VALUE}\"")
    Assert.Equal(ScalarValue.String "true", scalar "\"${BOOL_VALUE}\"")
    Assert.Equal(ScalarValue.String "1", scalar "\"${INT_VALUE}\"")
    Assert.Equal(ScalarValue.String "1.1", scalar "'${FLOAT_VALUE}'")
    Assert.Equal(ScalarValue.String "0xdeadbeef", scalar "\"${HEX_VALUE}\"")
    // No YAML structure can be injected: the value stays one string.
    Assert.Equal(ScalarValue.String "value\nkey:value", scalar "${INVALID_MAP_VALUE}")
    // Undefined without a default: empty, which a plain scalar reads as null.
    Assert.Equal(ScalarValue.Null, scalar "${UNDEFINED_KEY}")
    Assert.Equal(ScalarValue.String "fallback", scalar "${UNDEFINED_KEY:-fallback}")

[<Fact>]
let ``keys are never substituted, and values inside lists and nested mappings are`` () =
    let yaml =
        """
${STRING_VALUE}: ${STRING_VALUE}
list:
  - ${INT_VALUE}
  - nested:
      deep: ${BOOL_VALUE}
"""

    match YamlTree.read specEnvironment yaml with
    | Ok(Some(ConfigNode.Mapping(entries, _)), []) ->
        let keys = entries |> List.map (fun (key, _, _) -> key)
        Assert.Equal<string list>([ "${STRING_VALUE}"; "list" ], keys)

        match entries with
        | [ _, _, ConfigNode.Scalar(ScalarValue.String "value", _, _)
            _,
            _,
            ConfigNode.Sequence([ ConfigNode.Scalar(ScalarValue.Int 1L, _, _)
                                  ConfigNode.Mapping([ "nested",
                                                       _,
                                                       ConfigNode.Mapping([ "deep",
                                                                            _,
                                                                            ConfigNode.Scalar(ScalarValue.Bool true,
                                                                                              _,
                                                                                              _) ],
                                                                          _) ],
                                                     _) ],
                                _) ] -> ()
        | other -> failwithf "unexpected %A" other
    | other -> failwithf "unexpected %A" other

[<Fact>]
let ``an invalid reference is an error with the path and line of its scalar`` () =
    let yaml =
        """file_format: "1.1"
resource:
  attributes:
    - name: service.name
      value: ${SERVICE:?unset}
"""

    match ConfigFileParser.parse specEnvironment yaml with
    | Error [ error ] ->
        Assert.Equal("resource.attributes[0].value", error.Path)
        Assert.Equal(5, error.Line)
        Assert.Contains("${SERVICE:?unset}", error.Message)
    | other -> failwithf "unexpected %A" other
