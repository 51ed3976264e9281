namespace Functional.Telemetry

open Functional.Telemetry.FSharp

open System
open System.Collections.Generic
open System.Threading
open Functional.Telemetry

/// Hashing and comparing tags on the hot path, inlined into the lookup.
module internal TagMatch =
    /// A cheap hash of a string: length and three characters. Collisions only cost a comparison.
    let inline stringHash (s: string) =
        match s.Length with
        | 0 -> 0
        | n -> (n * 31 + int s[0]) * 31 + int s[n / 2] * 17 + int s[n - 1]

    let inline valueHash (value: obj) =
        match value with
        | null -> 0
        | :? string as s -> stringHash s
        | v -> v.GetHashCode()

    // Call sites usually pass the same boxed value or interned string again: try the reference first.
    let inline valuesEqual (a: obj) (b: obj) =
        Object.ReferenceEquals(a, b)
        || (match a with
            | null -> false
            | :? string as s ->
                match b with
                | :? string as t -> String.Equals(s, t)
                | _ -> false
            | _ -> a.Equals b)

    let inline tagEqual (a: KeyValuePair<string, obj>) (b: KeyValuePair<string, obj>) =
        (Object.ReferenceEquals(a.Key, b.Key) || String.Equals(a.Key, b.Key))
        && valuesEqual a.Value b.Value

/// One attribute set of a stream and its cell.
[<Sealed; AllowNullLiteral>]
type internal Series(rawTags: KeyValuePair<string, obj> array, hash: int, attributes: KeyValue list, cell: MetricCell) =
    /// Set on every update; cleared by delta collection. A delta series untouched for a whole interval is reclaimed.
    [<DefaultValue>]
    val mutable Touched: int

    /// How many bound handles hold this series (changed under the table's lock). A bound series is never
    /// reclaimed: the handles write to its cell directly.
    [<DefaultValue>]
    val mutable Bindings: int

    /// The cells bound handles write on their own threads (made at the first binding, for the aggregations that
    /// have them; null otherwise). Collected with the series' cell.
    [<DefaultValue>]
    val mutable ThreadCells: ThreadCells

    /// The tags as recorded (filtered, not deduplicated), for matching.
    member _.RawTags = rawTags
    member _.Hash = hash
    /// The attributes exported (deduplicated, sorted by key).
    member _.Attributes = attributes
    member _.Cell = cell

/// The attribute sets of one stream: a hash table read without locks (buckets are immutable arrays replaced
/// on insert, copy-on-write), written under a lock on the slow path only. Lookups are order-insensitive
/// (a=1,b=2 finds b=2,a=1) and allocate nothing.
[<Sealed>]
type internal SeriesTable
    (
        createCell: unit -> MetricCell,
        createThreadCells: unit -> ThreadCells,
        cardinalityLimit: int,
        filter: AttributeFilter
    ) =
    let gate = obj ()
    let mutable buckets: Series array array = Array.create 16 Array.empty
    let mutable count = 0
    let mutable overflow: Series = null
    // The series of the empty attribute set, found without hashing (the common no-tag counter).
    let mutable empty: Series = null

    let allowSet =
        match filter with
        | AttributeFilter.Allow keys
        | AttributeFilter.Deny keys -> HashSet<string>(keys, StringComparer.Ordinal)
        | AttributeFilter.All -> null

    let isAllow =
        match filter with
        | AttributeFilter.Allow _ -> true
        | _ -> false

    member private _.Keeps(key: string) =
        match allowSet with
        | null -> true
        | set -> set.Contains key = isAllow

    // A commutative combination (sum) of per-tag mixes keeps the hash order-insensitive. Keys enter only by
    // length: an instrument's keys rarely change between calls, and a collision only costs a comparison.
    static member inline private Mix(tag: KeyValuePair<string, obj>) =
        (TagMatch.valueHash tag.Value + tag.Key.Length * 397) * -1640531535

    /// The order-insensitive hash of the kept tags, and how many were kept.
    member private x.HashOf(tags: ReadOnlySpan<KeyValuePair<string, obj>>, kept: int byref) =
        let mutable hash = 0

        if isNull allowSet then
            kept <- tags.Length

            for i in 0 .. tags.Length - 1 do
                hash <- hash + SeriesTable.Mix tags[i]
        else
            kept <- 0

            for i in 0 .. tags.Length - 1 do
                let tag = tags[i]

                if x.Keeps tag.Key then
                    hash <- hash + SeriesTable.Mix tag
                    kept <- kept + 1

        hash

    member private x.Matches(series: Series, tags: ReadOnlySpan<KeyValuePair<string, obj>>, kept: int) =
        let stored = series.RawTags

        if stored.Length <> kept then
            false
        else
            let unfiltered = isNull allowSet
            let mutable ok = true
            let mutable i = 0
            let mutable position = 0

            while ok && i < tags.Length do
                let tag = tags[i]

                if unfiltered || x.Keeps tag.Key then
                    // Same order as stored is the common case: try that position first.
                    if not (TagMatch.tagEqual stored[position] tag) then
                        let mutable found = false
                        let mutable j = 0

                        while not found && j < stored.Length do
                            found <- TagMatch.tagEqual stored[j] tag
                            j <- j + 1

                        ok <- found

                    position <- position + 1

                i <- i + 1

            ok

    member private x.TryFind(tags: ReadOnlySpan<KeyValuePair<string, obj>>, hash: int, kept: int) =
        let table = Volatile.Read(&buckets)
        let bucket = table[hash &&& (table.Length - 1)]
        let mutable found: Series = null
        let mutable i = 0

        while isNull found && i < bucket.Length do
            let candidate = bucket[i]

            if candidate.Hash = hash && x.Matches(candidate, tags, kept) then
                found <- candidate

            i <- i + 1

        found

    member private _.Resize() =
        let grown = Array.create (buckets.Length * 2) Array.empty

        for bucket in buckets do
            for series in bucket do
                let index = series.Hash &&& (grown.Length - 1)
                grown[index] <- Array.append grown[index] [| series |]

        Volatile.Write(&buckets, grown)

    member private _.Overflow() =
        match overflow with
        | null ->
            let created =
                Series(
                    [| KeyValuePair("otel.metric.overflow", box true) |],
                    0,
                    [ KeyValue.bool "otel.metric.overflow" true ],
                    createCell ()
                )

            Volatile.Write(&overflow, created)
            created
        | existing -> existing

    member private x.Insert(tags: ReadOnlySpan<KeyValuePair<string, obj>>, hash: int, kept: int) =
        let raw = Array.zeroCreate<KeyValuePair<string, obj>> kept
        let mutable n = 0

        for i in 0 .. tags.Length - 1 do
            if x.Keeps tags[i].Key then
                raw[n] <- tags[i]
                n <- n + 1

        lock gate (fun () ->
            match x.TryFind(ReadOnlySpan raw, hash, kept) with
            | null ->
                // The limit counts the overflow series too.
                if count >= cardinalityLimit - 1 then
                    x.Overflow()
                else
                    let attributes =
                        raw
                        |> Array.map (fun kv -> kv.Key, ActivityConversion.toAnyValue kv.Value)
                        |> Array.fold (fun (acc: Map<string, AnyValue>) (k, v) -> Map.add k v acc) Map.empty
                        |> Map.toList
                        |> List.map (fun (k, v) -> { Key = k; Value = v })

                    let series = Series(raw, hash, attributes, createCell ())
                    let index = hash &&& (buckets.Length - 1)
                    let updated = Array.copy buckets
                    updated[index] <- Array.append buckets[index] [| series |]
                    Volatile.Write(&buckets, updated)
                    count <- count + 1

                    if count > buckets.Length * 2 then
                        x.Resize()

                    series
            | existing -> existing)

    /// The series of these tags, created on first use (or the overflow series past the limit). Never null.
    member x.GetOrAdd(tags: ReadOnlySpan<KeyValuePair<string, obj>>) : Series =
        if tags.Length = 0 then
            match Volatile.Read(&empty) with
            | null ->
                let series = x.Lookup tags
                Volatile.Write(&empty, series)

                // A delta collection may have reclaimed the series between the lookup and the write. Then it is
                // no longer the table's and must not stay cached (every later measurement would go to it). A
                // reclaim after the write finds it cached and clears it; one before is seen here.
                let mutable kept = 0
                let hash = x.HashOf(tags, &kept)

                if not (Object.ReferenceEquals(x.TryFind(tags, hash, kept), series)) then
                    Interlocked.CompareExchange(&empty, null, series) |> ignore

                series
            | series -> series
        else
            x.Lookup tags

    member private x.Lookup(tags: ReadOnlySpan<KeyValuePair<string, obj>>) : Series =
        let mutable kept = 0
        let hash = x.HashOf(tags, &kept)

        match x.TryFind(tags, hash, kept) with
        | null -> x.Insert(tags, hash, kept)
        | found -> found

    /// Binds the series of these tags: the one `GetOrAdd` finds or creates (the filter applied, the overflow series
    /// past the limit). It stays in the table until `Unbind`, so a bound handle can write to its cell directly.
    member x.Bind(tags: KeyValuePair<string, obj> array) : Series =
        // Under the lock, so a delta collection cannot reclaim the series between the lookup and the mark.
        lock gate (fun () ->
            let series = x.Lookup(ReadOnlySpan tags)
            series.Bindings <- series.Bindings + 1

            if isNull series.ThreadCells then
                series.ThreadCells <- createThreadCells ()

            series)

    /// Releases one binding of a series: once no handle holds it, an idle series is reclaimed as any other.
    member _.Unbind(series: Series) = lock gate (fun () -> series.Bindings <- series.Bindings - 1)

    /// The attributes a stream's filter removes from these tags (for exemplars).
    member x.Filtered(tags: ReadOnlySpan<KeyValuePair<string, obj>>) : KeyValue list =
        match allowSet with
        | null -> []
        | _ ->
            let mutable removed = []

            for i in tags.Length - 1 .. -1 .. 0 do
                if not (x.Keeps tags[i].Key) then
                    removed <-
                        {
                            Key = tags[i].Key
                            Value = ActivityConversion.toAnyValue tags[i].Value
                        }
                        :: removed

            removed

    /// Every series, the overflow series last.
    member _.Snapshot() : Series list =
        let all =
            [
                for bucket in Volatile.Read(&buckets) do
                    yield! bucket
            ]

        match Volatile.Read(&overflow) with
        | null -> all
        | o -> all @ [ o ]

    /// The number of series (without the overflow series).
    member _.Count = lock gate (fun () -> count)

    /// Delta collection: splits the series into those touched since the last call (their marks cleared, they
    /// stay), the idle ones that stay because a handle holds them bound and have thread cells (bound writes to
    /// those do not mark the series: the caller collects them and reports what they hold), and the untouched
    /// rest, removed from the table (reclaimed; their thread cells may still hold writes made before the handle
    /// was disposed, so the caller collects them now). A writer that found a removed series just before its
    /// removal still updates it: the caller collects removed series once more later.
    member _.Reclaim() : Series list * Series list * Series list =
        lock gate (fun () ->
            let touched, idle =
                [
                    for bucket in buckets do
                        yield! bucket
                ]
                |> List.partition (fun s -> Interlocked.Exchange(&s.Touched, 0) = 1)

            let bound, untouched = idle |> List.partition (fun s -> s.Bindings > 0)

            if not untouched.IsEmpty then
                match empty with
                | null -> ()
                | e when untouched |> List.exists (fun s -> Object.ReferenceEquals(s, e)) ->
                    Volatile.Write(&empty, null)
                | _ -> ()

                let rebuilt = Array.create buckets.Length Array.empty

                for series in touched @ bound do
                    let index = series.Hash &&& (rebuilt.Length - 1)
                    rebuilt[index] <- Array.append rebuilt[index] [| series |]

                Volatile.Write(&buckets, rebuilt)
                count <- touched.Length + bound.Length

            let idleBound = bound |> List.filter (fun s -> not (isNull s.ThreadCells))

            let touched, idleBound =
                match overflow with
                | null -> touched, idleBound
                | o ->
                    if Interlocked.Exchange(&o.Touched, 0) = 1 then
                        touched @ [ o ], idleBound
                    elif isNull o.ThreadCells then
                        touched, idleBound
                    else
                        touched, idleBound @ [ o ]

            touched, idleBound, untouched)
