module Functional.Telemetry.Tests.ExporterSelectionTests

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

[<Fact>]
let ``unset or blank leaves the choice to code`` () =
    let unset, warnings = ExporterSelection.read "OTEL_TRACES_EXPORTER" spanKinds (Env.ofList [])
    Assert.Equal(ExporterSelection.FromCode, unset)
    Assert.Empty warnings
    let blank, blankWarnings = readTraces "   "
    Assert.Equal(ExporterSelection.FromCode, blank)
    Assert.Empty blankWarnings

[<Theory>]
[<InlineData("otlp")>]
[<InlineData("OTLP")>]
[<InlineData("  Otlp  ")>]
let ``each value is trimmed and compared ignoring case`` (value: string) =
    let selection, warnings = readTraces value
    Assert.Equal(Some [ ExporterKind.Otlp ], kindsOf selection)
    Assert.Empty warnings

[<Fact>]
let ``a comma list keeps its order and drops repeats`` () =
    let selection, warnings = readTraces "console, otlp ,CONSOLE,,otlp"
    Assert.Equal(Some [ ExporterKind.Console; ExporterKind.Otlp ], kindsOf selection)
    Assert.Empty warnings

[<Theory>]
[<InlineData("none")>]
[<InlineData(" NONE ")>]
[<InlineData("none,none")>]
let ``none selects no exporter`` (value: string) =
    let selection, warnings = readTraces value
    Assert.Equal(Some [], kindsOf selection)
    Assert.Empty warnings

[<Fact>]
let ``prometheus is a metrics exporter`` () =
    let selection, warnings = readMetrics "prometheus,otlp,console"

    Assert.Equal(Some [ ExporterKind.Prometheus; ExporterKind.Otlp; ExporterKind.Console ], kindsOf selection)

    Assert.Empty warnings

[<Fact>]
let ``prometheus for traces is a warning naming it and the variable, and is ignored`` () =
    let selection, warnings = readTraces "prometheus,console"
    Assert.Equal(Some [ ExporterKind.Console ], kindsOf selection)
    let warning = Assert.Single warnings
    Assert.Equal("OTEL_TRACES_EXPORTER", warning.Source)
    Assert.Contains("'prometheus'", warning.Message)

[<Fact>]
let ``an unknown value is a warning naming it and the variable; the known values still apply`` () =
    let selection, warnings = readTraces "jaeger,console"
    Assert.Equal(Some [ ExporterKind.Console ], kindsOf selection)
    let warning = Assert.Single warnings
    Assert.Equal("OTEL_TRACES_EXPORTER", warning.Source)
    Assert.Contains("'jaeger'", warning.Message)
    Assert.Contains("otlp, console, none", warning.Message)

[<Theory>]
[<InlineData("jaeger")>]
[<InlineData("logging")>]
[<InlineData("otlp/stdout")>]
[<InlineData(",")>]
let ``with no known value the variable is ignored with a warning (the spec's rule for an unknown enum value)``
    (value: string)
    =
    let selection, warnings = readTraces value
    Assert.Equal(ExporterSelection.FromCode, selection)
    Assert.NotEmpty warnings
    Assert.All(warnings, (fun w -> Assert.Equal("OTEL_TRACES_EXPORTER", w.Source)))

[<Fact>]
let ``none beside other exporters is ignored with a warning`` () =
    let selection, warnings = readTraces "none,console"
    Assert.Equal(Some [ ExporterKind.Console ], kindsOf selection)
    let warning = Assert.Single warnings
    Assert.Contains("'none'", warning.Message)

[<Fact>]
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

[<Fact>]
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

[<Fact>]
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

[<Fact>]
let ``a kind the signal has no exporter for adds nothing`` () =
    Assert.Empty(ExporterSelection.apply (ExporterSelection.Kinds [ ExporterKind.Prometheus ]) kindOf make [])
