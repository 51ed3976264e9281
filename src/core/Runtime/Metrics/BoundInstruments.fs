namespace Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics.Metrics
open System.Runtime.CompilerServices

// `Add`/`Record` convert 'T as the MeterBridge's callbacks do (integers to int64, the rest to double). The type
// tests compare constant types and are folded by the JIT for each instantiation, leaving one branch.
//
// The hot path's methods end in a value, never in a call: F# marks a call in tail position `.tail` (Release
// builds), and the JIT does not inline a method holding an explicit tail call, which here cost a call per layer
// (about 2.5 ns per bound `Add`). So the helpers return a bool that the caller ignores.

[<Sealed>]
type BoundCounter<'T when 'T: struct> internal (instrument: Instrument, binding: Binding) =
    [<VolatileField>]
    let mutable parts: BoundPart array = Array.empty

    let guard = BindingGuard(instrument, binding)

    member internal _.SetParts(newParts: BoundPart array) = parts <- newParts

    // No parts: no SDK listens (nothing to do, as for an unbound measurement), or the handle was disposed.
    member private _.Missed() =
        if binding.Released then
            for part in binding.HeldAtRelease do
                part.Stream.DropAfterUnbind()

    // One part (one SDK, one reader, one view) is the common case: no loop, so this inlines into the caller.
    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member private x.AddLong(value: int64) : bool =
        let held = parts

        if held.Length = 1 then
            held[0].RecordLong value |> ignore
        else
            x.AddLongEach(held, value)

        true

    member private x.AddLongEach(held: BoundPart array, value: int64) =
        if held.Length = 0 then
            x.Missed()
        else
            for i in 0 .. held.Length - 1 do
                held[i].RecordLong value |> ignore

    // One part (one SDK, one reader, one view) is the common case: no loop, so this inlines into the caller.
    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member private x.AddDouble(value: float) : bool =
        let held = parts

        if held.Length = 1 then
            held[0].RecordDouble value |> ignore
        else
            x.AddDoubleEach(held, value)

        true

    member private x.AddDoubleEach(held: BoundPart array, value: float) =
        if held.Length = 0 then
            x.Missed()
        else
            for i in 0 .. held.Length - 1 do
                held[i].RecordDouble value |> ignore

    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member x.Add(value: 'T) =
        let mutable v = value

        if Type.op_Equality (typeof<'T>, typeof<int64>) then
            x.AddLong(Unsafe.As<'T, int64>(&v)) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<int>) then
            x.AddLong(int64 (Unsafe.As<'T, int>(&v))) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<float>) then
            x.AddDouble(Unsafe.As<'T, float>(&v)) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<int16>) then
            x.AddLong(int64 (Unsafe.As<'T, int16>(&v))) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<byte>) then
            x.AddLong(int64 (Unsafe.As<'T, byte>(&v))) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<float32>) then
            x.AddDouble(float (Unsafe.As<'T, float32>(&v))) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<decimal>) then
            x.AddDouble(float (Unsafe.As<'T, decimal>(&v))) |> ignore

    // A handle dropped without Dispose still releases its series: see BindingGuard.
    member _.Dispose() = guard.Release()

    interface IDisposable with
        member x.Dispose() = x.Dispose()

[<Sealed>]
type BoundHistogram<'T when 'T: struct> internal (instrument: Instrument, binding: Binding) =
    [<VolatileField>]
    let mutable parts: BoundPart array = Array.empty

    let guard = BindingGuard(instrument, binding)

    member internal _.SetParts(newParts: BoundPart array) = parts <- newParts

    member private _.Missed() =
        if binding.Released then
            for part in binding.HeldAtRelease do
                part.Stream.DropAfterUnbind()

    // One part (one SDK, one reader, one view) is the common case: no loop, so this inlines into the caller.
    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member private x.RecordLong(value: int64) : bool =
        let held = parts

        if held.Length = 1 then
            held[0].RecordLong value |> ignore
        else
            x.RecordLongEach(held, value)

        true

    member private x.RecordLongEach(held: BoundPart array, value: int64) =
        if held.Length = 0 then
            x.Missed()
        else
            for i in 0 .. held.Length - 1 do
                held[i].RecordLong value |> ignore

    // One part (one SDK, one reader, one view) is the common case: no loop, so this inlines into the caller.
    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member private x.RecordDouble(value: float) : bool =
        let held = parts

        if held.Length = 1 then
            held[0].RecordDouble value |> ignore
        else
            x.RecordDoubleEach(held, value)

        true

    member private x.RecordDoubleEach(held: BoundPart array, value: float) =
        if held.Length = 0 then
            x.Missed()
        else
            for i in 0 .. held.Length - 1 do
                held[i].RecordDouble value |> ignore

    [<MethodImpl(MethodImplOptions.AggressiveInlining)>]
    member x.Record(value: 'T) =
        let mutable v = value

        if Type.op_Equality (typeof<'T>, typeof<float>) then
            x.RecordDouble(Unsafe.As<'T, float>(&v)) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<int64>) then
            x.RecordLong(Unsafe.As<'T, int64>(&v)) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<int>) then
            x.RecordLong(int64 (Unsafe.As<'T, int>(&v))) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<int16>) then
            x.RecordLong(int64 (Unsafe.As<'T, int16>(&v))) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<byte>) then
            x.RecordLong(int64 (Unsafe.As<'T, byte>(&v))) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<float32>) then
            x.RecordDouble(float (Unsafe.As<'T, float32>(&v))) |> ignore
        elif Type.op_Equality (typeof<'T>, typeof<decimal>) then
            x.RecordDouble(float (Unsafe.As<'T, decimal>(&v))) |> ignore

    member _.Dispose() = guard.Release()

    interface IDisposable with
        member x.Dispose() = x.Dispose()

module internal BoundInstruments =
    let tagsOf (attributes: KeyValue list) =
        attributes
        |> List.map (fun a -> KeyValuePair<string, obj>(a.Key, ActivityConversion.ofAnyValue a.Value))
        |> Array.ofList

    let counter<'T when 'T: struct> (instrument: Instrument) (tags: KeyValuePair<string, obj> array) =
        BindingRegistry.bind
            instrument
            (Array.copy tags)
            (fun binding -> new BoundCounter<'T>(instrument, binding))
            (fun target parts -> (target :?> BoundCounter<'T>).SetParts parts)

    let histogram<'T when 'T: struct> (instrument: Instrument) (tags: KeyValuePair<string, obj> array) =
        BindingRegistry.bind
            instrument
            (Array.copy tags)
            (fun binding -> new BoundHistogram<'T>(instrument, binding))
            (fun target parts -> (target :?> BoundHistogram<'T>).SetParts parts)

    let liveBindings (instrument: Instrument) = BindingRegistry.bindingCount instrument
