/// Every generator the properties use, in one place.
module Functional.Telemetry.PropertyTests.Arbs

open FsCheck
open FsCheck.FSharp
open Functional.Telemetry

/// Any 64-bit unsigned integer.
let uint64Gen: Gen<uint64> = ArbMap.defaults.ArbFor<uint64>().Generator

/// Random trace ids (valid and, rarely, all-zero).
let traceId: Gen<TraceId> =
    Gen.map2 (fun (a: uint64) (b: uint64) -> TraceId(a, b)) uint64Gen uint64Gen

/// Random valid (non-zero) trace ids.
let validTraceId: Gen<TraceId> = traceId |> Gen.filter (fun t -> t.IsValid)

/// Random valid (non-zero) span ids.
let validSpanId: Gen<SpanId> =
    uint64Gen |> Gen.filter (fun v -> v <> 0UL) |> Gen.map SpanId

// ---- helper B generators ----

// ---- helper A generators ----

// ---- helper C generators ----

/// How the runner model's exporter answers until the next switch.
type ExporterOutcome =
    | Succeed
    | Fail
    | Throw
    | Retry

/// One step of a runner schedule.
type RunnerOp =
    /// Post this many new items (ids continue from the previous post).
    | PostItems of count: int
    /// Await ForceFlush.
    | FlushNow
    /// Change what the exporter answers from now on.
    | SwitchTo of outcome: ExporterOutcome

/// A random runner schedule: queue size, batch size (at most the queue size), schedule delay in ms, operations.
type RunnerSchedule =
    {
        QueueSize: int
        BatchSize: int
        DelayMs: int
        Ops: RunnerOp list
    }

let private runnerOp: Gen<RunnerOp> =
    Gen.frequency
        [ 6, Gen.choose (1, 12) |> Gen.map PostItems
          2, Gen.constant FlushNow
          3, Gen.elements [ Succeed; Fail; Throw; Retry ] |> Gen.map SwitchTo ]

/// Schedules with small queues (so they fill) and short lists of operations.
let runnerSchedule: Gen<RunnerSchedule> =
    gen {
        let! queue = Gen.choose (1, 8)
        let! batch = Gen.choose (1, queue)
        let! delay = Gen.choose (0, 5)
        let! ops = Gen.listOf runnerOp |> Gen.resize 25
        return { QueueSize = queue; BatchSize = batch; DelayMs = delay; Ops = ops }
    }

/// For the hanging-exporter property: items to post, queue size, batch size, shutdown timeout in ms.
let hangingSchedule: Gen<int * int * int * int> =
    gen {
        let! queue = Gen.choose (1, 8)
        let! batch = Gen.choose (1, queue)
        let! items = Gen.choose (0, 20)
        let! timeout = Gen.choose (10, 100)
        return items, queue, batch, timeout
    }
