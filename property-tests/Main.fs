/// The entry point: Expecto runs every [<Tests>] value of this assembly (docs/testing.md).
module Functional.Telemetry.PropertyTests.Main

[<EntryPoint>]
let main argv = Check.runTests argv
