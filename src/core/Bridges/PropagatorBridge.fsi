namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics

/// A `DistributedContextPropagator` that runs a pure `TextMapPropagator`, so that HttpClient, ASP.NET Core and every
/// library using `DistributedContextPropagator.Current` propagate with it.
[<Class>]
type PropagatorBridge =
    inherit DistributedContextPropagator

    /// Wraps a text-map propagator.
    new: propagator: TextMapPropagator -> PropagatorBridge

    /// The header names of the wrapped propagator.
    override Fields: Collections.Generic.IReadOnlyCollection<string>

    /// Injects the activity's context (ids, flags, trace state) and its baggage; nothing for a null activity,
    /// carrier or setter. The flags include the random-trace-id flag (W3C Trace Context Level 2) when the trace id
    /// came in with it, though .NET keeps it only on the activity started from the extracted context, or when the
    /// trace started in this process with .NET's random trace ids.
    override Inject:
        activity: Activity * carrier: obj * setter: DistributedContextPropagator.PropagatorSetterCallback -> unit

    /// Extracts a span context and returns it as a version `00` traceparent and a re-formatted tracestate
    /// (null when none or empty).
    override ExtractTraceIdAndState:
        carrier: obj *
        getter: DistributedContextPropagator.PropagatorGetterCallback *
        [<Runtime.InteropServices.Out>] traceId: byref<string> *
        [<Runtime.InteropServices.Out>] traceState: byref<string> ->
            unit

    /// Extracts the baggage entries (values only); null when there are none.
    override ExtractBaggage:
        carrier: obj * getter: DistributedContextPropagator.PropagatorGetterCallback ->
            Collections.Generic.IEnumerable<Collections.Generic.KeyValuePair<string, string>>

namespace Functional.Telemetry.FSharp

open Functional.Telemetry

open System
open System.Diagnostics

/// Installing a propagator process-wide.
[<RequireQualifiedAccess>]
module Propagation =
    /// Sets `DistributedContextPropagator.Current` to a bridge over the propagator; disposing restores the previous one.
    [<CompiledName("Install")>]
    val install: propagator: TextMapPropagator -> IDisposable
