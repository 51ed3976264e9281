module Functional.Telemetry.Tests.ExporterSelectionTests

open Expecto
open Xunit
open Functional.Telemetry.FSharp

let private spanKinds = [ ExporterKind.Otlp; ExporterKind.Console ]

let private metricKinds = [ ExporterKind.Otlp; ExporterKind.Console; ExporterKind.Prometheus ]

let private readTraces value =
    ExporterSelection.read "OTEL_TRACES_EXPORTER" spanKinds (Env.ofList [ "OTEL_TRACES_EXPORTER", value ])

let private readMetrics value =
    ExporterSelection.read "OTEL_METRICS_EXPORTER" metricKinds (Env.ofList [ "OTEL_METRICS_EXPORTER", value ])

let private kindsOf (selection: ExporterSelection) =
    match selection with
    | ExporterSelection.Kinds kinds -> Some kinds
    | ExporterSelection.FromCode -> None

let ``unset or blank leaves the choice to code`` () =
    let unset, warnings = ExporterSelection.read "OTEL_TRACES_EXPORTER" spanKinds (Env.ofList [])
    Assert.Equal(ExporterSelection.FromCode, unset)
    Assert.Empty warnings
    let blank, blankWarnings = readTraces "   "
    Assert.Equal(ExporterSelection.FromCode, blank)
    Assert.Empty blankWarnings

let ``each value is trimmed and compared ignoring case`` (value: string) =
    let selection, warnings = readTraces value
    Assert.Equal(Some [ ExporterKind.Otlp ], kindsOf selection)
    Assert.Empty warnings

let ``a comma list keeps its order and drops repeats`` () =
    let selection, warnings = readTraces "console, otlp ,CONSOLE,,otlp"
    Assert.Equal(Some [ ExporterKind.Console; ExporterKind.Otlp ], kindsOf selection)
    Assert.Empty warnings

let ``none selects no exporter`` (value: string) =
    let selection, warnings = readTraces value
    Assert.Equal(Some [], kindsOf selection)
    Assert.Empty warnings

let ``prometheus is a metrics exporter`` () =
    let selection, warnings = readMetrics "prometheus,otlp,console"

    Assert.Equal(Some [ ExporterKind.Prometheus; ExporterKind.Otlp; ExporterKind.Console ], kindsOf selection)

    Assert.Empty warnings

let ``prometheus for traces is a warning naming it and the variable, and is ignored`` () =
    let selection, warnings = readTraces "prometheus,console"
    Assert.Equal(Some [ ExporterKind.Console ], kindsOf selection)
    let warning = Assert.Single warnings
    Assert.Equal("OTEL_TRACES_EXPORTER", warning.Source)
    Assert.Contains("'prometheus'", warning.Message)

let ``an unknown value is a warning naming it and the variable; the known values still apply`` () =
    let selection, warnings = readTraces "jaeger,console"
    Assert.Equal(Some [ ExporterKind.Console ], kindsOf selection)
    let warning = Assert.Single warnings
    Assert.Equal("OTEL_TRACES_EXPORTER", warning.Source)
    Assert.Contains("'jaeger'", warning.Message)
    Assert.Contains("otlp, console, none", warning.Message)

let ``with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)``
    (value: string)
    =
    let selection, warnings = readTraces value
    Assert.Equal(ExporterSelection.FromCode, selection)
    Assert.NotEmpty warnings
    Assert.All(warnings, (fun w -> Assert.Equal("OTEL_TRACES_EXPORTER", w.Source)))

let ``none beside other exporters is ignored with a warning`` () =
    let selection, warnings = readTraces "none,console"
    Assert.Equal(Some [ ExporterKind.Console ], kindsOf selection)
    let warning = Assert.Single warnings
    Assert.Contains("'none'", warning.Message)

let ``reading never throws on odd input`` () =
    for value in
        [
            ""
            ","
            ",,,"
            "\u0000"
            "otlp\tconsole"
            String.replicate 10000 "x,"
            "ötlp"
            "none,zipkin"
        ] do
        let selection, _ = readMetrics value
        Assert.NotNull(box selection)

// apply: exporters as (name, kind) pairs
let private kindOf (_: string, kind: ExporterKind option) = kind

let private make kind =
    match kind with
    | ExporterKind.Prometheus -> None
    | kind -> Some($"env-{ExporterSelection.name kind}", Some kind)

let private names exporters = exporters |> List.map fst

let ``unset: the exporters added in code, else the spec's default otlp`` () =
    let code = [ "custom", None; "code-console", Some ExporterKind.Console ]

    Assert.Equal<string list>(
        [ "custom"; "code-console" ],
        ExporterSelection.apply ExporterSelection.FromCode kindOf make code |> names
    )

    Assert.Equal<string list>(
        [ "env-otlp" ],
        ExporterSelection.apply ExporterSelection.FromCode kindOf make [] |> names
    )

let ``a selection keeps code's exporters of its kinds (with their options), adds the others, drops the rest`` () =
    let code =
        [
            "code-otlp", Some ExporterKind.Otlp
            "in-memory", None
            "code-console", Some ExporterKind.Console
        ]

    let apply kinds =
        ExporterSelection.apply (ExporterSelection.Kinds kinds) kindOf make code
        |> names

    Assert.Equal<string list>([ "code-otlp"; "in-memory" ], apply [ ExporterKind.Otlp ])
    Assert.Equal<string list>([ "in-memory"; "code-console" ], apply [ ExporterKind.Console ])

    Assert.Equal<string list>(
        [ "code-otlp"; "in-memory"; "code-console" ],
        apply [ ExporterKind.Console; ExporterKind.Otlp ]
    )

    Assert.Equal<string list>([ "in-memory" ], apply [])

    Assert.Equal<string list>(
        [ "in-memory"; "env-console"; "env-otlp" ],
        ExporterSelection.apply
            (ExporterSelection.Kinds [ ExporterKind.Console; ExporterKind.Otlp ])
            kindOf
            make
            [ "in-memory", None ]
        |> names
    )

let ``a kind the signal has no exporter for adds nothing`` () =
    Assert.Empty(ExporterSelection.apply (ExporterSelection.Kinds [ ExporterKind.Prometheus ]) kindOf make [])

[<Tests>]
let tests =
    testList
        "ExporterSelectionTests"
        [
            test "unset or blank leaves the choice to code" { ``unset or blank leaves the choice to code`` () }
            test "each value is trimmed and compared ignoring case(value: \"otlp\")" {
                ``each value is trimmed and compared ignoring case`` ("otlp")
            }
            test "each value is trimmed and compared ignoring case(value: \"OTLP\")" {
                ``each value is trimmed and compared ignoring case`` ("OTLP")
            }
            test "each value is trimmed and compared ignoring case(value: \"  Otlp  \")" {
                ``each value is trimmed and compared ignoring case`` ("  Otlp  ")
            }
            test "a comma list keeps its order and drops repeats" {
                ``a comma list keeps its order and drops repeats`` ()
            }
            test "none selects no exporter(value: \"none\")" { ``none selects no exporter`` ("none") }
            test "none selects no exporter(value: \" NONE \")" { ``none selects no exporter`` (" NONE ") }
            test "none selects no exporter(value: \"none,none\")" { ``none selects no exporter`` ("none,none") }
            test "prometheus is a metrics exporter" { ``prometheus is a metrics exporter`` () }
            test "prometheus for traces is a warning naming it and the variable, and is ignored" {
                ``prometheus for traces is a warning naming it and the variable, and is ignored`` ()
            }
            test "an unknown value is a warning naming it and the variable; the known values still apply" {
                ``an unknown value is a warning naming it and the variable; the known values still apply`` ()
            }
            test
                "with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)(value: \"jaeger\")" {
                ``with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)`` (
                    "jaeger"
                )
            }
            test
                "with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)(value: \"logging\")" {
                ``with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)`` (
                    "logging"
                )
            }
            test
                "with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)(value: \"otlp/stdout\")" {
                ``with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)`` (
                    "otlp/stdout"
                )
            }
            test
                "with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)(value: \",\")" {
                ``with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)`` (
                    ","
                )
            }
            test "none beside other exporters is ignored with a warning" {
                ``none beside other exporters is ignored with a warning`` ()
            }
            test "reading never throws on odd input" { ``reading never throws on odd input`` () }
            test "unset: the exporters added in code, else the spec's default otlp" {
                ``unset: the exporters added in code, else the spec's default otlp`` ()
            }
            test "a selection keeps code's exporters of its kinds (with their options), adds the others, drops the rest" {
                ``a selection keeps code's exporters of its kinds (with their options), adds the others, drops the rest`` ()
            }
            test "a kind the signal has no exporter for adds nothing" {
                ``a kind the signal has no exporter for adds nothing`` ()
            }
        ]
