namespace Functional.Telemetry

open System.Threading

[<Sealed>]
type MetricDropCounters() =
    [<DefaultValue>]
    val mutable private notFinite: int64

    [<DefaultValue>]
    val mutable private negative: int64

    [<DefaultValue>]
    val mutable private afterShutdown: int64

    [<DefaultValue>]
    val mutable private afterUnbind: int64

    member x.NotFinite = Volatile.Read(&x.notFinite)

    member x.NegativeIncrements = Volatile.Read(&x.negative)

    member x.AfterShutdown = Volatile.Read(&x.afterShutdown)

    member x.AfterUnbind = Volatile.Read(&x.afterUnbind)

    member internal x.AddNotFinite() = Interlocked.Increment(&x.notFinite) |> ignore
    member internal x.AddAfterShutdown() = Interlocked.Increment(&x.afterShutdown) |> ignore
    member internal x.AddNegative() = Interlocked.Increment(&x.negative) |> ignore
    member internal x.AddAfterUnbind() = Interlocked.Increment(&x.afterUnbind) |> ignore
