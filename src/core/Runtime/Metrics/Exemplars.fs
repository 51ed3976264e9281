namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics
open System.Threading
open Functional.Telemetry

/// A measurement offered to a reservoir: kept by reference in one slot, replaced as a whole.
[<Sealed; AllowNullLiteral>]
type internal ExemplarSample(value: NumberValue, time: int64, traceId: TraceId, spanId: SpanId, filtered: KeyValue list)
    =
    member _.Exemplar =
        {
            FilteredAttributes = filtered
            Time = time
            Value = value
            TraceId = traceId
            SpanId = spanId
        }

/// A fixed set of exemplar slots. SimpleFixedSize: reservoir sampling over all measurements of the interval.
/// AlignedHistogramBucket: one slot per bucket, reservoir sampling within each bucket. Slots are swapped
/// with Interlocked, so offering never blocks a measurement.
[<Sealed>]
type internal ExemplarReservoir(slots: int, aligned: bool) =
    let samples: ExemplarSample array = Array.zeroCreate slots
    let seen: int64 array = Array.zeroCreate (if aligned then slots else 1)

    /// Offers a measurement that passed the filter; `bucket` is the histogram bucket for aligned reservoirs.
    member _.Offer(value: NumberValue, bucket: int, filtered: KeyValue list) =
        let activity = Activity.Current

        let traceId, spanId =
            match activity with
            | null -> TraceId.Empty, SpanId.Empty
            | a -> ActivityConversion.toTraceId a.TraceId, ActivityConversion.toSpanId a.SpanId

        let counter = if aligned then bucket else 0
        let n = Interlocked.Increment(&seen[counter])

        // Reservoir sampling: the n-th measurement replaces a random slot with probability slots/n.
        let slot =
            if aligned then
                (if Random.Shared.NextInt64 n = 0L then bucket else -1)
            elif n <= int64 slots then
                int n - 1
            else
                let j = Random.Shared.NextInt64 n
                if j < int64 slots then int j else -1

        if slot >= 0 then
            let time = ActivityConversion.toUnixNanoseconds DateTime.UtcNow
            Volatile.Write(&samples[slot], ExemplarSample(value, time, traceId, spanId, filtered))

    /// The exemplars kept so far; with `reset`, the reservoir starts over (delta collection).
    member _.Collect(reset: bool) : Exemplar list =
        let taken =
            [
                for i in 0 .. samples.Length - 1 do
                    let sample =
                        if reset then
                            Interlocked.Exchange(&samples[i], null)
                        else
                            Volatile.Read(&samples[i])

                    match sample with
                    | null -> ()
                    | s -> yield s.Exemplar
            ]

        if reset then
            for i in 0 .. seen.Length - 1 do
                Interlocked.Exchange(&seen[i], 0L) |> ignore

        taken
