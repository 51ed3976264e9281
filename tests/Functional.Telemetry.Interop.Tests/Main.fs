/// The entry point: Expecto runs every [<Tests>] value of this assembly (docs/testing.md), with Expecto's command
/// line and test names joined with "/", as in the unit tests' executable.
module Functional.Telemetry.Interop.Tests.Main

open Expecto

[<EntryPoint>]
let main argv = Tests.runTestsInAssemblyWithCLIArgs [ CLIArguments.JoinWith "/" ] argv
