namespace Functional.Telemetry

open System.Collections.Generic

/// The model's collections are `IReadOnlyList<'T>` so that C# reads them without FSharp.Core; what the SDK builds
/// is an F# list behind that interface (structural equality and hashing, as the records had). These helpers read
/// them back as F# lists without a copy when they are one.
[<RequireQualifiedAccess>]
module internal ReadOnlyList =
    /// The list itself when it is an F# list (no copy); a copy otherwise.
    let toList (items: IReadOnlyList<'T>) : 'T list =
        match items with
        | :? list<'T> as l -> l
        | null -> []
        | _ -> List.ofSeq items

    /// True when the collection holds nothing (or is null, which a C# caller may pass).
    let isEmpty (items: IReadOnlyList<'T>) = isNull items || items.Count = 0

    /// The number of items (0 for null).
    let count (items: IReadOnlyList<'T>) = if isNull items then 0 else items.Count

    /// Calls `action` on each item in order, without an enumerator object for F# lists and arrays.
    let inline iter ([<InlineIfLambda>] action: 'T -> unit) (items: IReadOnlyList<'T>) =
        match items with
        | null -> ()
        | :? list<'T> as l ->
            for item in l do
                action item
        | _ ->
            for i in 0 .. items.Count - 1 do
                action items[i]

    /// The items mapped, as an F# list.
    let map (mapping: 'T -> 'U) (items: IReadOnlyList<'T>) : 'U list = toList items |> List.map mapping

    /// The empty collection.
    let empty<'T> : IReadOnlyList<'T> = [] :> IReadOnlyList<'T>

/// Pattern matching on the model's collections as F# lists (for the SDK's own code and its tests).
[<AutoOpen>]
module internal ReadOnlyListPatterns =
    /// Matches a collection as an F# list: `MetricPoints.Gauge(Items [ point ])`.
    let (|Items|) (items: IReadOnlyList<'T>) = ReadOnlyList.toList items

    /// An F# list as the model's collection type (the inverse of the pattern).
    let Items (items: 'T list) : IReadOnlyList<'T> = items
