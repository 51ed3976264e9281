/// The entry point: Expecto runs every [<Tests>] value of this assembly (docs/testing.md).
module Functional.Telemetry.Tests.Main

[<EntryPoint>]
let main argv = Functional.Telemetry.PropertyTests.Check.runTests argv
