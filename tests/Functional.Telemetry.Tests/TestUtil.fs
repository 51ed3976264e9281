/// Helpers shared by the unit and integration tests.
module Functional.Telemetry.Tests.TestUtil

open System
open System.Threading.Tasks

/// Awaits a task, failing the test if it has not completed within the timeout (no sleeping).
let within (timeout: TimeSpan) (task: Task<'T>) : Task<'T> =
    task.WaitAsync timeout
