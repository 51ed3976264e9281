module Functional.Telemetry.Tests.DiagnosticLevelTests

open Expecto
open Xunit
open Functional.Telemetry
open Functional.Telemetry.FSharp

let private read value = DiagnosticLevels.fromEnvironment (Env.ofList [ "OTEL_LOG_LEVEL", value ])

let ``unset is warn`` () =
    let threshold, warnings = DiagnosticLevels.fromEnvironment (Env.ofList [])
    Assert.Equal(Some DiagnosticLevel.Warning, threshold)
    Assert.Empty warnings

let ``the spec's levels, trimmed and ignoring case`` (value: string, level: int) =
    let threshold, warnings = read value

    let expected =
        if level = 0 then
            None
        else
            Some(enum<DiagnosticLevel> level)

    Assert.Equal(expected, threshold)
    Assert.Empty warnings

let ``an unknown level is a warning naming the variable, and warn applies`` () =
    let threshold, warnings = read "verbose"
    Assert.Equal(Some DiagnosticLevel.Warning, threshold)
    Assert.Equal("OTEL_LOG_LEVEL", (Assert.Single warnings).Source)

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

[<Tests>]
let tests =
    testList
        "DiagnosticLevelTests"
        [
            test "unset is warn" { ``unset is warn`` () }
            test "the spec's levels, trimmed and ignoring case(value: \"none\", level: 0)" {
                ``the spec's levels, trimmed and ignoring case`` ("none", 0)
            }
            test "the spec's levels, trimmed and ignoring case(value: \"error\", level: 1)" {
                ``the spec's levels, trimmed and ignoring case`` ("error", 1)
            }
            test "the spec's levels, trimmed and ignoring case(value: \"warn\", level: 2)" {
                ``the spec's levels, trimmed and ignoring case`` ("warn", 2)
            }
            test "the spec's levels, trimmed and ignoring case(value: \"WARNING\", level: 2)" {
                ``the spec's levels, trimmed and ignoring case`` ("WARNING", 2)
            }
            test "the spec's levels, trimmed and ignoring case(value: \" Info \", level: 3)" {
                ``the spec's levels, trimmed and ignoring case`` (" Info ", 3)
            }
            test "the spec's levels, trimmed and ignoring case(value: \"debug\", level: 4)" {
                ``the spec's levels, trimmed and ignoring case`` ("debug", 4)
            }
            test "an unknown level is a warning naming the variable, and warn applies" {
                ``an unknown level is a warning naming the variable, and warn applies`` ()
            }
            test "a threshold admits its level and the more severe ones" {
                ``a threshold admits its level and the more severe ones`` ()
            }
            test "levels are named as OTEL_LOG_LEVEL spells them" {
                ``levels are named as OTEL_LOG_LEVEL spells them`` ()
            }
        ]
