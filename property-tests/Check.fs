/// FsCheck.Xunit is not available here, so properties run from plain xunit facts through `Check.One`
/// with a configuration that throws on failure (the exception carries the shrunk counterexample).
module Functional.Telemetry.PropertyTests.Check

open FsCheck
open FsCheck.FSharp

/// The configuration every property uses: throws on failure, 200 cases unless said otherwise.
let config = Config.QuickThrowOnFailure.WithMaxTest 200

/// Checks a property with `config`; a failing property fails the xunit test.
let property (prop: Property) = Check.One(config, prop)

/// Checks a property with more or fewer cases.
let propertyWith (maxTest: int) (prop: Property) = Check.One(config.WithMaxTest maxTest, prop)
