/// Environment variable substitution in configuration files: the specification's table (data-model.md), then
/// where substitution applies (scalars, not keys) and how the substituted text is typed.
module Functional.Telemetry.Tests.SubstitutionTests

open Expecto
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

let ``the specification's substitution table`` (input: string, expected: string) =
    Assert.Equal(Ok expected, Substitution.substitute specEnvironment input)

let ``a reference that is not an env substitution is an error`` (input: string) =
    Assert.True(Result.isError (Substitution.substitute specEnvironment input))

let private scalar (yaml: string) =
    match YamlTree.read specEnvironment ("key: " + yaml) with
    | Ok(Some(ConfigNode.Mapping([ _, _, ConfigNode.Scalar(value, _, _) ], _)), []) -> value
    | other -> failwithf "unexpected %A" other

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

[<Tests>]
let tests =
    testList
        "SubstitutionTests"
        [
            test "the specification's substitution table(input: \"${STRING_VALUE}\", expected: \"value\")" {
                ``the specification's substitution table`` ("${STRING_VALUE}", "value")
            }
            test "the specification's substitution table(input: \"${env:STRING_VALUE}\", expected: \"value\")" {
                ``the specification's substitution table`` ("${env:STRING_VALUE}", "value")
            }
            test
                "the specification's substitution table(input: \"foo ${STRING_VALUE} ${FLOAT_VALUE}\", expected: \"foo value 1.1\")" {
                ``the specification's substitution table`` ("foo ${STRING_VALUE} ${FLOAT_VALUE}", "foo value 1.1")
            }
            test "the specification's substitution table(input: \"${UNDEFINED_KEY}\", expected: \"\")" {
                ``the specification's substitution table`` ("${UNDEFINED_KEY}", "")
            }
            test "the specification's substitution table(input: \"${UNDEFINED_KEY:-fallback}\", expected: \"fallback\")" {
                ``the specification's substitution table`` ("${UNDEFINED_KEY:-fallback}", "fallback")
            }
            test "the specification's substitution table(input: \"${STRING_VALUE:-fallback}\", expected: \"value\")" {
                ``the specification's substitution table`` ("${STRING_VALUE:-fallback}", "value")
            }
            test "the specification's substitution table(input: \"${REPLACE_ME}\", expected: \"${DO_NOT_REPLACE_ME}\")" {
                ``the specification's substitution table`` ("${REPLACE_ME}", "${DO_NOT_REPLACE_ME}")
            }
            test
                "the specification's substitution table(input: \"${UNDEFINED_KEY:-${STRING_VALUE}}\", expected: \"${STRING_VALUE}\")" {
                ``the specification's substitution table`` ("${UNDEFINED_KEY:-${STRING_VALUE}}", "${STRING_VALUE}")
            }
            test "the specification's substitution table(input: \"$${STRING_VALUE}\", expected: \"${STRING_VALUE}\")" {
                ``the specification's substitution table`` ("$${STRING_VALUE}", "${STRING_VALUE}")
            }
            test "the specification's substitution table(input: \"$$${STRING_VALUE}\", expected: \"$value\")" {
                ``the specification's substitution table`` ("$$${STRING_VALUE}", "$value")
            }
            test "the specification's substitution table(input: \"$$$${STRING_VALUE}\", expected: \"$${STRING_VALUE}\")" {
                ``the specification's substitution table`` ("$$$${STRING_VALUE}", "$${STRING_VALUE}")
            }
            test
                "the specification's substitution table(input: \"$${STRING_VALUE:-fallback}\", expected: \"${STRING_VALUE:-fallback}\")" {
                ``the specification's substitution table`` ("$${STRING_VALUE:-fallback}", "${STRING_VALUE:-fallback}")
            }
            test
                "the specification's substitution table(input: \"$${STRING_VALUE:-${STRING_VALUE}}\", expected: \"${STRING_VALUE:-value}\")" {
                ``the specification's substitution table`` (
                    "$${STRING_VALUE:-${STRING_VALUE}}",
                    "${STRING_VALUE:-value}"
                )
            }
            test
                "the specification's substitution table(input: \"${UNDEFINED_KEY:-$${UNDEFINED_KEY}}\", expected: \"${UNDEFINED_KEY:-${UNDEFINED_KEY}}\")" {
                ``the specification's substitution table`` (
                    "${UNDEFINED_KEY:-$${UNDEFINED_KEY}}",
                    "${UNDEFINED_KEY:-${UNDEFINED_KEY}}"
                )
            }
            test "the specification's substitution table(input: \"${VALUE_WITH_ESCAPE}\", expected: \"value$$\")" {
                ``the specification's substitution table`` ("${VALUE_WITH_ESCAPE}", "value$$")
            }
            test
                "the specification's substitution table(input: \"cost: $5 and $HOME\", expected: \"cost: $5 and $HOME\")" {
                ``the specification's substitution table`` ("cost: $5 and $HOME", "cost: $5 and $HOME")
            }
            test "the specification's substitution table(input: \"${}\", expected: \"${}\")" {
                ``the specification's substitution table`` ("${}", "${}")
            }
            test "a reference that is not an env substitution is an error(input: \"${STRING_VALUE:?error}\")" {
                ``a reference that is not an env substitution is an error`` ("${STRING_VALUE:?error}")
            }
            test "a reference that is not an env substitution is an error(input: \"${1API_KEY}\")" {
                ``a reference that is not an env substitution is an error`` ("${1API_KEY}")
            }
            test "a reference that is not an env substitution is an error(input: \"${API_$KEY}\")" {
                ``a reference that is not an env substitution is an error`` ("${API_$KEY}")
            }
            test "a reference that is not an env substitution is an error(input: \"${sys:otel.service.name}\")" {
                ``a reference that is not an env substitution is an error`` ("${sys:otel.service.name}")
            }
            test "a plain scalar is typed after substitution, a quoted one stays a string" {
                ``a plain scalar is typed after substitution, a quoted one stays a string`` ()
            }
            test "keys are never substituted, and values inside lists and nested mappings are" {
                ``keys are never substituted, and values inside lists and nested mappings are`` ()
            }
            test "an invalid reference is an error with the path and line of its scalar" {
                ``an invalid reference is an error with the path and line of its scalar`` ()
            }
        ]
