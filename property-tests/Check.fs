/// The FsCheck configurations of the properties (Expecto.FsCheck's `testPropertyWithConfig`), and the command line
/// of the two Expecto executables (this file is compiled into the unit tests too): Expecto's own options plus
/// `--fscheck-replay "seed,gamma[,size]"`, which replays the properties from the seed a failure printed.
module Functional.Telemetry.PropertyTests.Check

open System
open Expecto

/// The configuration every property uses unless it says otherwise: 200 cases, sizes from 1 to 100.
let config = { FsCheckConfig.defaultConfig with maxTest = 200 }

/// The configuration with more or fewer cases.
let configWith (maxTest: int) = { config with maxTest = maxTest }

/// The option that replays the selected properties from a seed.
[<Literal>]
let ReplayOption = "--fscheck-replay"

/// Reads "seed,gamma" or "seed,gamma,size" (the numbers a failing property prints after "Focus on error:", with or
/// without the parentheses and the `Some`).
let parseReplay (text: string) =
    let parts =
        text.Replace("(", "").Replace(")", "").Replace("Some", "").Split(',', StringSplitOptions.TrimEntries)

    let number (part: string) =
        match UInt64.TryParse(part.TrimEnd('U', 'L', 'u', 'l')) with
        | true, value -> value
        | _ -> failwithf "%s: %s is not a number (expected seed,gamma[,size])" ReplayOption part

    match parts with
    | [| seed; gamma |] -> number seed, number gamma, None
    | [| seed; gamma; size |] -> number seed, number gamma, Some(int (number size))
    | _ -> failwithf "%s: expected seed,gamma[,size], got %s" ReplayOption text

/// Makes every property of `tests` start from `replay` (the properties' own configurations are otherwise kept).
let withReplay (replay: uint64 * uint64 * int option) (tests: Test) =
    tests
    |> Test.replaceTestCode (fun name code ->
        let replayed (config: FsCheckConfig option) =
            Some
                { (defaultArg config FsCheckConfig.defaultConfig) with
                    replay = Some replay
                }

        let code =
            match code with
            | AsyncFsCheck(testConfig, stressConfig, run) ->
                AsyncFsCheck(replayed testConfig, replayed stressConfig, run)
            | other -> other

        if isNull name then
            TestCase(code, Normal)
        else
            TestLabel(name, TestCase(code, Normal), Normal))

/// The entry point of an Expecto executable: the [<Tests>] values of the entry assembly, run with Expecto's
/// command line (names joined with "/"), plus `--fscheck-replay`. Returns the exit code (0: every test passed).
let runTests (argv: string array) =
    let rec split replay rest args =
        match args with
        | [] -> replay, List.rev rest
        | option :: value :: tail when option = ReplayOption -> split (Some(parseReplay value)) rest tail
        | [ option ] when option = ReplayOption -> failwithf "%s needs a value: seed,gamma[,size]" ReplayOption
        | arg :: tail -> split replay (arg :: rest) tail

    let replay, args = split None [] (List.ofArray argv)

    let tests = Impl.testFromThisAssembly () |> Option.defaultValue (TestList([], Normal))

    let tests =
        match replay with
        | Some r -> withReplay r tests
        | None -> tests

    Tests.runTestsWithCLIArgs [ CLIArguments.JoinWith "/" ] (Array.ofList args) tests
