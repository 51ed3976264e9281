module Functional.Telemetry.Tests.DiagnosticLevelTests

open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private read value = DiagnosticLevels.fromEnvironment (Env.ofList [ "OTEL_LOG_LEVEL", value ])

[<Fact>]
let ``unset is warn`` () =
    let threshold, warnings = DiagnosticLevels.fromEnvironment (Env.ofList [])
    Assert.Equal(Some DiagnosticLevel.Warning, threshold)
    Assert.Empty warnings

[<Theory>]
[<InlineData("none", 0)>]
[<InlineData("error", 1)>]
[<InlineData("warn", 2)>]
[<InlineData("WARNING", 2)>]
[<InlineData(" Info ", 3)>]
[<InlineData("debug", 4)>]
let ``the spec's levels, trimmed and ignoring case`` (value: string, level: int) =
    let threshold, warnings = read value

    let expected =
        if level = 0 then
            None
        else
            Some(enum<DiagnosticLevel> level)

    Assert.Equal(expected, threshold)
    Assert.Empty warnings

[<Fact>]
let ``an unknown level is a warning naming the variable, and warn applies`` () =
    let threshold, warnings = read "verbose"
    Assert.Equal(Some DiagnosticLevel.Warning, threshold)
    Assert.Equal("OTEL_LOG_LEVEL", (Assert.Single warnings).Source)

[<Fact>]
let ``a threshold admits its level and the more severe ones`` () =
    let levels =
        [
            DiagnosticLevel.Error
            DiagnosticLevel.Warning
            DiagnosticLevel.Info
            DiagnosticLevel.Debug
        ]

    let admitted threshold = levels |> List.filter (DiagnosticLevels.admits threshold)

    Assert.Empty(admitted None)
    Assert.Equal<DiagnosticLevel list>([ DiagnosticLevel.Error ], admitted (Some DiagnosticLevel.Error))
    Assert.Equal<DiagnosticLevel list>(levels.[0..1], admitted (Some DiagnosticLevel.Warning))
    Assert.Equal<DiagnosticLevel list>(levels.[0..2], admitted (Some DiagnosticLevel.Info))
    Assert.Equal<DiagnosticLevel list>(levels, admitted (Some DiagnosticLevel.Debug))

[<Fact>]
let ``levels are named as OTEL_LOG_LEVEL spells them`` () =
    Assert.Equal<string list>(
        [ "error"; "warn"; "info"; "debug" ],
        [
            DiagnosticLevel.Error
            DiagnosticLevel.Warning
            DiagnosticLevel.Info
            DiagnosticLevel.Debug
        ]
        |> List.map DiagnosticLevels.name
    )
