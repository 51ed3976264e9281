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
