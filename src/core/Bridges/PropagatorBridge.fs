namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Runtime.InteropServices
open System.Threading

type PropagatorBridge(propagator: TextMapPropagator) =
    inherit DistributedContextPropagator()

    let fields = propagator.Fields |> List.toArray :> IReadOnlyCollection<string>

    let getterOf (carrier: obj) (getter: DistributedContextPropagator.PropagatorGetterCallback) =
        fun (name: string) ->
            let mutable value: string = null
            let mutable values: IEnumerable<string> = null
            getter.Invoke(carrier, name, &value, &values)

            if not (isNull values) then
                values |> Seq.filter (isNull >> not) |> List.ofSeq
            elif not (isNull value) then
                [ value ]
            else
                []

    let extract carrier getter =
        if isNull getter then
            PropagationContext.empty
        else
            propagator.Extract (getterOf carrier getter) PropagationContext.empty

    // Activity.Baggage lists the activity's own items first, then its parents'; the nearest value of a key wins.
    let baggageOf (activity: Activity) =
        activity.Baggage
        |> Seq.fold
            (fun (baggage: Baggage) (KeyValue(key, value)) ->
                if isNull key || isNull value || (Baggage.tryFindEntry key baggage).IsSome then
                    baggage
                else
                    Baggage.set key value baggage)
            Baggage.empty

    override _.Fields = fields

    override _.Inject(activity, carrier, setter) =
        if not (isNull activity) && not (isNull setter) then
            // With the random-trace-id flag that .NET drops on child activities.
            let spanContext = ActivityConversion.toPropagatedSpanContext activity

            let context =
                {
                    SpanContext = (if spanContext.IsValid then Some spanContext else None)
                    Baggage = baggageOf activity
                }

            for name, value in propagator.Inject context do
                setter.Invoke(carrier, name, value)

    override _.ExtractTraceIdAndState
        (carrier, getter, [<Out>] traceId: byref<string>, [<Out>] traceState: byref<string>)
        =
        match (extract carrier getter).SpanContext with
        | Some context when context.IsValid ->
            traceId <- TraceParent.format context

            traceState <-
                (if ReadOnlyList.isEmpty context.TraceState.Entries then
                     null
                 else
                     TraceState.format context.TraceState)
        | _ ->
            traceId <- null
            traceState <- null

    override _.ExtractBaggage(carrier, getter) =
        match (extract carrier getter).Baggage.Entries with
        | [] -> null
        | entries -> entries |> List.map (fun (key, entry) -> KeyValuePair(key, entry.Value)) :> seq<_>

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Collections.Generic
open System.Diagnostics
open System.Runtime.InteropServices
open System.Threading

[<RequireQualifiedAccess>]
module Propagation =
    [<CompiledName("Install")>]
    let install (propagator: TextMapPropagator) : IDisposable =
        let previous = DistributedContextPropagator.Current
        DistributedContextPropagator.Current <- PropagatorBridge propagator
        let restored = ref 0

        { new IDisposable with
            member _.Dispose() =
                if Interlocked.Exchange(&restored.contents, 1) = 0 then
                    DistributedContextPropagator.Current <- previous
        }
