namespace Functional.Telemetry

open Functional.Telemetry.FSharp

[<Sealed>]
type MetricPullReader(preference: TemporalityPreference) =
    let mutable collector: MetricCollector option = None

    new() = MetricPullReader(TemporalityPreference.Cumulative)

    member _.Preference = preference

    member internal _.IsAttached = collector.IsSome

    member internal this.Attach(c: MetricCollector) =
        lock this (fun () ->
            if collector.IsSome then
                invalidOp
                    "This MetricPullReader (or PrometheusScrapeHandler) is already attached to a running telemetry SDK; a reader serves one SDK at a time."

            collector <- Some c)

    member internal this.Detach(c: MetricCollector) =
        lock this (fun () ->
            match collector with
            | Some attached when obj.ReferenceEquals(attached, c) -> collector <- None
            | _ -> ())

    member internal _.CollectList() : MetricData list =
        match collector with
        | Some c -> c.Collect()
        | None -> []

    member x.Collect() : System.Collections.Generic.IReadOnlyList<MetricData> =
        Array.ofList (x.CollectList()) :> System.Collections.Generic.IReadOnlyList<_>

    member internal _.Streams: MetricStream list =
        match collector with
        | Some c -> c.Streams
        | None -> []
